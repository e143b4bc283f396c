"""What to draft, and where the request goes next: pure decisions, no I/O.

From DESIGN.md "What the bot drafts" and seeds 000/001:
- an OLA request without consent evidence, or with consent older than the limit,
  gets a resubmission request (and CASS does not keep the request);
- from a non-secure generic or webmail address, a secure-address challenge;
- every OLA request a LADO check request; one whose applicant fostered or adopted
  before, a CHARMS check request too;
- Level 3 requests the Disclosure Team redirect;
- partner requests missing consent evidence (or Probation's concerns, purpose or
  consent statement) a more-information request;
- once every check is answered, the response, with the OFSTED paragraph when LADO
  said someone is known.
A draft is a suggestion: what the bot could not tell goes in its `notes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.config import Settings
from bot.extract import (
    ConsentEvidence,
    address_kind,
    applicant_name,
    consent_evidence,
    household_names,
    partner_request_gaps,
    previously_fostered_or_adopted,
)
from bot.lifecycle import State
from bot.mail import ParsedMail

TEAM_TEMPLATES = {"af": "charms_check_request", "lado": "lado_check_request"}
# Drafts that carry information about children to an outside party.
RESPONSES = frozenset({"response"})


@dataclass(frozen=True)
class OutgoingAttachment:
    name: str
    content_type: str
    data: bytes
    source: str  # the role of the mailbox it came from ("af" for a CHARMS summary)


@dataclass(frozen=True)
class DraftPlan:
    """One draft the bot means to save, before it is rendered."""

    template: str
    to: str
    context: dict[str, object] = field(default_factory=dict)
    attachments: tuple[OutgoingAttachment, ...] = ()


@dataclass(frozen=True)
class RequestFacts:
    """What a new request says, read once from the mail."""

    applicant: str
    household: list[str]
    consent: ConsentEvidence
    fostered_before: bool
    address_kind: str
    gaps: list[str]


@dataclass(frozen=True)
class NewRequestPlan:
    state: State
    drafts: list[DraftPlan]
    checks: list[str]  # teams asked: "af", "lado"
    notes: list[str]  # what a person must look at


def read_facts(mail: ParsedMail, settings: Settings, now: datetime) -> RequestFacts:
    consent = consent_evidence(
        mail.fresh_text, [a.name for a in mail.attachments], now, settings.timescales.consent_max_age_months
    )
    return RequestFacts(
        applicant=applicant_name(mail.subject, mail.fresh_text) or "",
        household=household_names(mail.fresh_text),
        consent=consent,
        fostered_before=previously_fostered_or_adopted(mail.fresh_text),
        address_kind=address_kind(mail.from_address, settings),
        gaps=partner_request_gaps(mail.fresh_text, mail.from_address),
    )


def plan_new_request(kind: str, mail: ParsedMail, facts: RequestFacts, settings: Settings) -> NewRequestPlan:
    if kind == "ola_request":
        return _plan_ola(mail, facts, settings)
    if kind == "partner_request" and facts.gaps:
        more = DraftPlan("more_information", mail.from_address, {
            "missing": facts.gaps, "is_probation": "probation" in (mail.from_address + mail.fresh_text).lower(),
        })
        return NewRequestPlan(State.AWAITING_CONSENT, [more], [], [])
    if kind == "disclosure_request":
        redirect = DraftPlan("disclosure_redirect", mail.from_address, {
            "disclosure_team_address": settings.organisation.disclosure_team_address,
        })
        return NewRequestPlan(State.REDIRECTED, [redirect], [], [])
    return NewRequestPlan(State.RECEIVED, [], [], [])


def _plan_ola(mail: ParsedMail, facts: RequestFacts, settings: Settings) -> NewRequestPlan:
    notes = _ola_notes(facts, settings)
    consent = facts.consent
    if not (consent.mentioned or consent.attached) or consent.too_old:
        resubmit = DraftPlan("resubmission_request", mail.from_address, {
            "reason": "consent_too_old" if consent.too_old else "no_consent",
            "consent_signed_on": consent.signed_on.strftime("%d %B %Y") if consent.signed_on else "",
            "consent_max_age_months": settings.timescales.consent_max_age_months,
        })
        return NewRequestPlan(State.AWAITING_CONSENT, [resubmit], [], notes)
    teams = ["lado", "af"] if facts.fostered_before else ["lado"]
    drafts = [DraftPlan(TEAM_TEMPLATES[t], settings.mailbox("af" if t == "af" else "lado").address) for t in teams]
    if facts.address_kind in ("generic", "webmail"):
        drafts.insert(0, DraftPlan("secure_address_challenge", mail.from_address, {
            "requester_address": mail.from_address,
        }))
        return NewRequestPlan(State.AWAITING_SECURE_ADDRESS, drafts, teams, notes)
    return NewRequestPlan(State.CHECKS_PENDING, drafts, teams, notes)


def _ola_notes(facts: RequestFacts, settings: Settings) -> list[str]:
    notes = []
    if not facts.applicant:
        notes.append("cassbot could not make out the applicant's name from the request")
    if not facts.household:
        notes.append("cassbot could not make out who else lives in the household: check for over-16s")
    if facts.consent.note:
        notes.append(facts.consent.note)
    return notes


def plan_response(to: str, lado_known: bool | None, charms_checked: bool, af_sensitive: bool) -> DraftPlan:
    """The response to the LA/agency once every check is answered."""
    notes = [] if lado_known is not None else ["cassbot could not tell from LADO's answer whether anyone is known"]
    return DraftPlan("response", to, {
        "lado_known": lado_known, "charms_checked": charms_checked,
        "af_withdrew_sensitive": af_sensitive, "notes": notes,
    })
