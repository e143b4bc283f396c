"""Run a long alternation only where it can match: the words each alternative's match must contain.

The cues in `bot.rules` are case-insensitive alternations of dozens of patterns, most of them
starting with `\\b`, which keeps Python's engine from skipping ahead to where a match could start:
it tries every alternative at every word boundary. `narrowed(pattern, text)` first looks for the
literal words each alternative needs (`\\bsexual(?:ly)?\\s+` cannot match a text without
"sexual"), and gives the pattern of only the alternatives that can match in this text, or None
when none can. What it finds, replaces or matches is exactly what the whole pattern would: an
alternative left out matches nowhere in the text. Patterns with groups are never narrowed
(their numbers would move), and neither are texts with the three letters whose case folding
Python's `re` and `str.lower` disagree on (İ, ı and ſ match "i" and "s" in a pattern).
`finds` and `replaced` search and substitute so. A `Vocabulary` finds which of many words a text
holds in one pass, for the cues, which all read the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache, reduce
from itertools import groupby

# A condition: the match contains one of these lower-case strings; None: nothing is known.
_Needs = frozenset[str] | None
_FOLDS_APART = re.compile("[\u0130\u0131\u017f]")
_QUANTIFIER = re.compile(r"[?*+]|\{(\d*)(?:,\d*)?\}")
_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 &@#%_:;,!=<>\"'/")
_ESCAPED_LITERAL = frozenset(".-'\"/&()[]{}|?*+^$\\:;,!@#%=<> ")
_CODED = frozenset("xuUN")  # \x41, \u2019, \N{...}: one character, written as several
# The groups whose words a match holds: a case-sensitive one holds them as written, so its lower case holds them
# lowered. Lookarounds are read too, and need nothing.
_GROUPS = ("(?:", "(?-i:")
_KNOWN = (*_GROUPS, "(?=", "(?!", "(?<=", "(?<!")


def narrowed(pattern: re.Pattern[str], text: str, present: frozenset[str] | None = None) -> re.Pattern[str] | None:
    """`pattern` with only the alternatives that can match somewhere in `text`; None when none can. `present`, when
    the caller has it, is what a `Vocabulary` holding `words_of(pattern)` found in `text.lower()`."""
    plan = _plan(pattern)
    if plan is None or (not text.isascii() and _FOLDS_APART.search(text)):
        return pattern
    if present is None:
        lowered = text.lower()
        present = frozenset(word for word in plan.words if word in lowered)
    return plan.within(present)


def finds(pattern: re.Pattern[str], text: str) -> bool:
    """Whether `pattern` matches somewhere in `text`, trying only the alternatives that can."""
    found = narrowed(pattern, text)
    return found is not None and found.search(text) is not None


def replaced(pattern: re.Pattern[str], replacement: str, text: str) -> str:
    """`pattern.sub(replacement, text)`, trying only the alternatives that can match."""
    found = narrowed(pattern, text)
    return found.sub(replacement, text) if found is not None else text


def words_of(pattern: re.Pattern[str]) -> frozenset[str]:
    """Every word `narrowed` looks for in a text to narrow `pattern` (none for a pattern it leaves whole)."""
    plan = _plan(pattern)
    return plan.words if plan else frozenset()


class Vocabulary:
    """Which of a fixed set of lower-case words a lower-case text holds, found in one pass of one pattern (a
    trie of the words, tried at every position inside a lookahead, so that words which overlap are all found):
    exactly the words `word in text` holds for. At each position the pattern finds the longest word starting
    there; the shorter words starting there are its beginnings, and come with it."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = frozenset(words) - {""}
        if not self.words:
            raise ValueError("a vocabulary needs words")
        self._with_beginnings = {word: frozenset(word[:n] for n in range(1, len(word) + 1) if word[:n] in self.words)
                                 for word in self.words}
        self._finder = re.compile(f"(?=({_trie_source(sorted(self.words))}))")

    def present(self, lowered: str) -> frozenset[str]:
        return frozenset().union(*map(self._with_beginnings.__getitem__, set(self._finder.findall(lowered))))


def _trie_source(words: list[str]) -> str:
    """A pattern matching the longest of the `words` (sorted, none empty) that starts where it is tried."""
    alternatives = []
    for first, group in groupby(words, key=lambda word: word[0]):
        rest = [word[1:] for word in group]
        ends_here = "" in rest
        longer = [word for word in rest if word]
        tail = _trie_source(longer) if longer else ""
        alternatives.append(re.escape(first) + (f"(?:{tail})?" if ends_here and tail else tail))
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


class _Plan:
    """A pattern's top-level alternatives, which words each needs (or none), and its narrowed patterns."""

    def __init__(self, pattern: re.Pattern[str], sources: tuple[str, ...], needs: tuple[_Needs, ...]) -> None:
        self.pattern, self.sources = pattern, sources
        self.words = frozenset(word for need in needs if need for word in need)
        self._always = frozenset(n for n, need in enumerate(needs) if need is None)
        self._needed_by = {word: frozenset(n for n, need in enumerate(needs) if need and word in need)
                           for word in self.words}

    def within(self, present: frozenset[str]) -> re.Pattern[str] | None:
        kept = self._always.union(*map(self._needed_by.__getitem__, self.words.intersection(present)))
        if len(kept) == len(self.sources):
            return self.pattern
        return _compiled(self, tuple(sorted(kept))) if kept else None


@lru_cache(maxsize=4096)
def _compiled(plan: _Plan, kept: tuple[int, ...]) -> re.Pattern[str]:
    return re.compile("|".join(plan.sources[n] for n in kept), plan.pattern.flags)


# By the pattern's id: hashing a compiled pattern hashes its code, microseconds for a long one. The pattern is
# kept beside its plan, so that its id stays its own.
_PLANS: dict[int, tuple[re.Pattern[str], _Plan | None]] = {}


def _plan(pattern: re.Pattern[str]) -> _Plan | None:
    known = _PLANS.get(id(pattern))
    if known is None:
        known = _PLANS[id(pattern)] = (pattern, _new_plan(pattern))
    return known[1]


def _new_plan(pattern: re.Pattern[str]) -> _Plan | None:
    """None when the pattern is not to be narrowed (groups, inline flags, a construct this reader does not know)."""
    if pattern.groups or "(?" in reduce(lambda source, known: source.replace(known, ""), _KNOWN, pattern.pattern):
        return None
    try:
        sources = tuple(_split(pattern.pattern))
        needs = tuple(_alternation_needs(source) for source in sources)
    except ValueError:
        return None
    if all(need is None for need in needs):
        return None
    return _Plan(pattern, sources, needs)


def _split(source: str) -> list[str]:
    """The alternatives of `source` at its own level (not inside a group or a class)."""
    pieces, at, depth = [], 0, 0
    for i, char, depth in _scan(source, 0):
        if depth < 0:
            raise ValueError("unbalanced")
        if char == "|" and depth == 0:
            pieces.append(source[at:i])
            at = i + 1
    if depth:
        raise ValueError("unbalanced")
    return [*pieces, source[at:]]


def _scan(source: str, i: int) -> Iterator[tuple[int, str, int]]:
    """Each character from `i` on that is no escape and in no class, with how deep in groups it leaves us."""
    depth = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(source, i)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        yield i, char, depth
        i += 1


def _class_end(source: str, i: int) -> int:
    """Just past the character class opening at `i` ("]" first, or after "^", is a member)."""
    i += 1
    if source[i:i + 1] == "^":
        i += 1
    if source[i:i + 1] == "]":
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    if i >= len(source):
        raise ValueError("unclosed class")
    return i + 1


def _alternation_needs(source: str) -> _Needs:
    """What a match of any alternative of `source` needs: each alternative's, together; None if one needs nothing."""
    needs: set[str] = set()
    for alternative in _split(source):
        need = _sequence_needs(alternative)
        if need is None:
            return None
        needs |= need
    return frozenset(needs)


def _sequence_needs(source: str) -> _Needs:
    """The most telling condition among the parts a match of this sequence must have."""
    found: list[frozenset[str]] = []
    run: list[str] = []
    i = 0
    while i < len(source):
        part_end, literal, group = _part(source, i)
        quantifier = _QUANTIFIER.match(source, part_end)
        optional = quantifier is not None and (quantifier.group(0) in ("?", "*") or quantifier.group(1) in ("", "0"))
        if literal and not optional:
            run.append(literal.lower())
        else:
            _close(run, found)
            if group is not None and not optional and (need := _alternation_needs(group)):
                found.append(need)
        if quantifier:
            _close(run, found)
            part_end = quantifier.end() + (source[quantifier.end():quantifier.end() + 1] in ("?", "+"))
        i = part_end
    _close(run, found)
    return max(found, key=lambda need: min(map(len, need))) if found else None


def _close(run: list[str], found: list[frozenset[str]]) -> None:
    if "".join(run).strip():
        found.append(frozenset({"".join(run)}))
    run.clear()


def _part(source: str, i: int) -> tuple[int, str, str | None]:
    """One part of a sequence at `i`: where it ends, the literal character it is ("" if none), and a
    non-capturing group's contents (None if it is no such group)."""
    char = source[i]
    if char == "\\":
        escaped = source[i + 1:i + 2]
        if escaped in _CODED or escaped.isdigit():
            raise ValueError(f"a character written by its code (\\{escaped})")
        return i + 2, escaped if escaped in _ESCAPED_LITERAL else "", None
    if char == "[":
        return _class_end(source, i), "", None
    if char == "(":
        close = _group_end(source, i)
        opening = next((o for o in _GROUPS if source.startswith(o, i)), None)
        if opening:
            return close, "", source[i + len(opening):close - 1]
        return close, "", None  # a lookaround: what it looks at is not in the match
    if char in ")|?*+{":
        raise ValueError(f"unexpected {char!r}")
    return i + 1, char if char in _LITERAL else "", None


def _group_end(source: str, i: int) -> int:
    for at, _, depth in _scan(source, i):
        if depth == 0:
            return at + 1
    raise ValueError("unclosed group")
