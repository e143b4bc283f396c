"""A sent mail that still carries the bot's words for the RAO (issue 21).

A draft may start with a marked note for the RAO ("NOTE FOR THE RAO - delete before sending")
and hold `[RAO: ...]` placeholders for what only the RAO can add. Either, left in a mail that
went out, tells an outside party what the bot could not tell, or shows them a blank. The
markers are the ones in `bot.domain`; they are looked for in the plain-text part and in the
HTML part, in the mail's own words (not a quoted earlier mail), however Outlook rewrapped them:
any spaces, line breaks, non-breaking spaces, quoting marks or tags between their words.
"""

from __future__ import annotations

import re

from bot.domain import NOTE_MARKER, PLACEHOLDER_MARKER
from bot.extract.text import head
from bot.html_text import html_to_text
from bot.mail import ParsedMail


def _rewrapped(marker: str) -> re.Pattern[str]:
    """The marker with anything Outlook may put between its words: spaces, breaks, quoting marks."""
    words = re.findall(r"\w+|[^\w\s]", marker)
    return re.compile(r"[\s>\u00a0]*".join(map(re.escape, words)), re.IGNORECASE)


_LEFT = ((_rewrapped(NOTE_MARKER), "the note for the RAO"),
         (_rewrapped(PLACEHOLDER_MARKER), "an [RAO: ...] placeholder"))


def left_in(mail: ParsedMail) -> str:
    """What of the bot's words for the RAO a sent mail still carries, as a person would say it; "" if none."""
    texts = (head(mail.body_text), head(html_to_text(mail.html)) if mail.html else "")
    found = [what for pattern, what in _LEFT if any(pattern.search(text) for text in texts)]
    return " and ".join(found)


# What an RAO does to a draft before pressing Send, for the demo and the tests: the note deleted (its
# plain-text block down to the rule under it, or the HTML box it is in), each placeholder filled in.
_NOTE_TEXT = re.compile(rf"^{re.escape(NOTE_MARKER)}.*?^={{20,}}\s*\n", re.MULTILINE | re.DOTALL)
_NOTE_HTML = re.compile(rf"<div[^>]*>\s*<p[^>]*>\s*<strong>{re.escape(NOTE_MARKER)}.*?</div>", re.DOTALL)
_PLACEHOLDER = re.compile(rf"{re.escape(PLACEHOLDER_MARKER)}[^\]]*\]")


def without_note(text: str) -> str:
    """A draft's text (plain or HTML) with the note for the RAO taken out."""
    return _NOTE_HTML.sub("", _NOTE_TEXT.sub("", text))


def placeholders_apart(text: str, gap: str) -> str:
    """Every `[RAO: ...]` placeholder replaced by `gap`."""
    return _PLACEHOLDER.sub(gap, text)


def as_edited(text: str) -> str:
    """A draft's text as an RAO sends it: the note for the RAO deleted and every placeholder filled in."""
    return placeholders_apart(without_note(text), "(added by the RAO)")
