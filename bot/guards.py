"""Guards that hold for every draft, whatever a template says.

They live in code, not in templates, so no template change can weaken them:
- a response carrying information to an outside party (the OLA response, the Level 2
  response, the Level 1 reply) goes only to a person's own address or a local
  authority's secure one (GDPR), never to a generic, webmail, lookalike or unverified one.
Two more are structural: nothing from A&F (the CHARMS summary sheet) is ever
attached to mail for an outside party (seed 000), because a draft carries no
attachments at all (`DraftPlan` has none, and `Composer` writes only its text and
HTML parts); and nothing is sent, only drafted, because the mailbox interface has
no way to send.
"""

from __future__ import annotations

from bot.config import Settings
from bot.domain import RESPONSES
from bot.drafting import DraftPlan
from bot.errors import DraftRefused
from bot.extract.addresses import address_kind, is_safe_reply


def check_draft(plan: DraftPlan, settings: Settings) -> None:
    """Raise `DraftRefused` if `plan` breaks a guard."""
    if settings.is_internal(plan.to):
        return
    kind = address_kind(plan.to, settings)
    if plan.template in RESPONSES and not is_safe_reply(kind):
        raise DraftRefused(
            f"refused to address a response to {plan.to}: a {kind} address is not secure; "
            "ask for the requester's own address first"
        )
