"""Guards that hold for every draft, whatever a template says.

They live in code, not in templates, so no template change can weaken them:
- nothing from A&F (the CHARMS summary sheet) is ever attached to mail for an
  outside party (seed 000: the RAO does not send the summary sheet);
- a response carrying information to an outside party is never addressed to a
  non-secure generic or webmail address (GDPR: the requester's own address, or a
  local authority's secure generic address).
The third guard, "nothing is sent, only drafted", is structural: the mailbox
interface has no way to send.
"""

from __future__ import annotations

from bot.config import Settings
from bot.drafting import RESPONSES, DraftPlan
from bot.extract import address_kind


class DraftRefused(Exception):
    """A draft that would break a guard; the reason is written for a person."""


def check_draft(plan: DraftPlan, settings: Settings) -> None:
    """Raise `DraftRefused` if `plan` breaks a guard."""
    if settings.is_internal(plan.to):
        return
    from_af = [a.name for a in plan.attachments if a.source == "af"]
    if from_af:
        raise DraftRefused(
            f"refused to attach {', '.join(from_af)} from A&F to mail for {plan.to}: "
            "the CHARMS summary never goes to an outside party"
        )
    kind = address_kind(plan.to, settings)
    if plan.template in RESPONSES and kind in ("generic", "webmail"):
        raise DraftRefused(
            f"refused to address a response to {plan.to}: a {kind} address is not secure; "
            "ask for the requester's own address first"
        )
