"""Where a mail's own words are, and how extraction cuts them: clauses and word-bounded windows."""

from __future__ import annotations

from bot.patterns import QUOTED_HISTORY, any_of

__all__ = ["any_of", "clauses", "head", "window"]

# Bodies are already cut by bot.mail; this bounds the regex work if a caller does not.
TEXT_LIMIT = 64_000
# Widening a window to whole words stops here: a longer "word" is no word.
_LONGEST_WORD = 40




def head(text: str) -> str:
    """The mail's own words: above the quoted history of a reply, and bounded."""
    text = text[:TEXT_LIMIT]
    quoted = QUOTED_HISTORY.search(text)
    return text[: quoted.start()] if quoted else text


# Sentences, and the parts of one that a "but" sets against each other. Not on
# commas: "None of Grace, Samuel or Tobi are known" is one statement.
_CLAUSE_BREAK = any_of(
    r"(?<!\bM[rsx]\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\b[A-Z]\.)(?<=[.!?])\s+",
    r"\n\s*\n",
    r";",
    r",?\s+\b(?:but|however|whereas|although|though)\b",
)


def window(text: str, start: int, end: int, before: int, after: int) -> str:
    """The text around [start, end), widened to whole words so "now" is never read as "no"."""
    low, high = max(0, start - before), min(len(text), end + after)
    floor, ceiling = max(0, low - _LONGEST_WORD), min(len(text), high + _LONGEST_WORD)
    while before and low > floor and text[low - 1].isalnum():
        low -= 1
    while after and high < ceiling and text[high].isalnum():
        high += 1
    return text[low:high]


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(text) if c and c.strip()]
