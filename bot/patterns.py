"""How mail is written, as patterns shared by every module that reads it: one copy of each.

The teams' own conventions (CHARMS, LADO, urgency) live in `bot.rules`; this module
holds what any mail has: Message-IDs, where a reply's quoted history starts, the
titles people put before names, and the references the bot gives out.
"""

from __future__ import annotations

import re

from bot.domain import NOTE_MARKER, PLACEHOLDER_MARKER


def any_of(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive pattern from alternatives written one per line."""
    return re.compile("|".join(alternatives), re.IGNORECASE)


# RFC 5322 §3.6.4 msg-id: "<" id-left "@" id-right ">", read loosely (servers bend it).
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
MESSAGE_ID_HEADER = re.compile(rb"^Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)

# Where a reply's quoted history starts: Outlook's separator and header block, Gmail's
# and Apple Mail's "On ... wrote:", and "> " quoting.
QUOTED_HISTORY = re.compile(
    r"^(?:-{2,}\s*Original Message\s*-{2,}|_{10,}|From:\s.*|On .{5,200}wrote:|>.*)$", re.IGNORECASE | re.MULTILINE,
)

# Titles written before a name, lower case and without the full stop ("Mrs.", "Dr").
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "rev", "revd", "lady", "lord"})
TITLE = r"\b(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof|Rev|Revd|Sir|Lady|Lord)\b\.?"

# Ofsted named: in a mail passing on its suitability check (the classifier), in a response staff sent asking the
# requester to contact it (the pilot).
OFSTED = any_of(r"\bofsted\b")

# A request reference the bot gives out: CASS-2026-000123.
REFERENCE = any_of(r"\bCASS-(\d{4})-(\d{6})\b")
# "Ofsted" anywhere: the suitability check's sender, and what the response tells the requester to contact.
OFSTED = any_of(r"\bofsted\b")


def is_title(word: str) -> bool:
    """"Mrs", "mrs." or "DR" is a title; "Mrsmith" is not."""
    return word.lower().rstrip(".") in TITLES


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
