"""What the bot made of a mail, as the category Business Support see on it in Outlook.

"cassbot: OLA request CASS-2026-000123", "cassbot: LADO answer, linked", "cassbot: needs a person". Set on each
mail the bot reads in a shared mailbox's inbox (`[categories]`, on by default), in the mail's own record of work
left in the mailbox (`MailSeen.to_categorise`), so a crash before it is set leaves it to the next poll and
adding it twice changes nothing.

IMAP has no categories, only keywords, which are atoms (RFC 3501: no spaces, no parentheses, quotes,
backslashes, braces, "%", "*" or "]"): the keyword is the same words with the space after the colon dropped
and every other space or comma as "_" ("cassbot:LADO_answer_linked"): `bot.mailbox.base.keyword`.
"""

from __future__ import annotations

from bot.config import Settings
from bot.domain import Kind, Outcome
from bot.teams import team_of_kind

KINDS: dict[str, str] = {Kind.OLA_REQUEST: "OLA request", Kind.PARTNER_REQUEST: "partner request",
         Kind.LEVEL1_VERIFICATION: "Level 1 verification", Kind.DISCLOSURE_REQUEST: "Level 3 request",
         Kind.REFERRAL: "referral", Kind.REQUESTER_FOLLOWUP: "follow-up", Kind.SUITABILITY_CHECK: "suitability check",
         Kind.AUTO_REPLY: "automatic reply", Kind.OTHER: "left alone"}


def category(settings: Settings, kind: str, outcome: Outcome, reference: str) -> str:
    """The category for a mail of this kind (its wire name) and outcome; empty when categories are off."""
    if not settings.categories.enabled:
        return ""
    prefix = settings.categories.prefix
    if outcome in (Outcome.NEEDS_PERSON, Outcome.FAILED):
        return f"{prefix}: needs a person"
    team = team_of_kind(kind)
    if team is not None:
        what = f"{team.name} answer" if kind == team.answer_kind else f"{team.system} request"
        return f"{prefix}: {what}, linked" if outcome == Outcome.LINKED else f"{prefix}: {what}"
    words = KINDS.get(kind, "left alone")
    return f"{prefix}: {words} {reference}".rstrip()
