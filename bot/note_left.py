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
