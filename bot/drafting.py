"""What to draft, and where the request goes next: pure decisions, no I/O.

From DESIGN.md "What the bot drafts" and seeds 000/001:
- an OLA request without consent evidence, or with consent older than the limit,
  gets a resubmission request (and CASS does not keep the request);
- from a non-secure generic or webmail address, a secure-address challenge;
- every OLA request the checks its facts call for (`bot.teams`: LADO always, a CHARMS
  check when the applicant fostered or adopted before);
- Level 3 requests the Disclosure Team redirect;
- partner requests missing consent evidence (or Probation's concerns, purpose or
  consent statement) a more-information request;
- once every check is answered, the response, shaped by what each team said.
A draft is a suggestion: what the bot could not tell goes in its `notes`.
Drafts never carry attachments: nothing the bot drafts can attach the CHARMS summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.config import Settings
from bot.domain import Kind, RequestState, Template
from bot.extract.addresses import own_work_address
from bot.extract.answers import TeamAnswer
from bot.extract.consent import Signed, Status
from bot.extract.facts import RequestFacts, consent_is_fine
from bot.mail import ParsedMail
from bot.teams import LADO, CheckTeam, teams
from bot.timescales import Calendar, check_due, decision_due


@dataclass(frozen=True)
class DraftPlan:
    """One draft the bot means to save, before it is rendered."""

    template: str
    to: str
    context: dict[str, object] = field(default_factory=dict)
    why: str = ""  # the rule that planned it, and its reason, for the audit trail


@dataclass(frozen=True)
class NewRequestPlan:
    state: RequestState
    drafts: list[DraftPlan]
    checks: list[CheckTeam]  # the teams asked; each check's request draft is among `drafts`
    notes: list[str]  # what a person must look at


def plan_new_request(kind: Kind, mail: ParsedMail, facts: RequestFacts, settings: Settings) -> NewRequestPlan:
    if kind == Kind.OLA_REQUEST:
        return _plan_ola(mail, facts, settings)
    if kind == Kind.PARTNER_REQUEST and facts.gaps:
        more = DraftPlan(Template.MORE_INFORMATION, facts.requester.address, {
            "missing": list(facts.gaps), "is_probation": facts.partner.probation,
            "missing_codes": list(facts.partner.missing), "given": list(facts.partner.given),
        }, f"Level 2 request lacks: {', '.join(facts.partner.missing)} (seed 001)")
        return NewRequestPlan(RequestState.AWAITING_CONSENT, [more], [], [])
    if kind == Kind.PARTNER_REQUEST:
        return _plan_level2(facts)
    if kind == Kind.LEVEL1_VERIFICATION:
        return _plan_level1(mail, facts, settings)
    if kind == Kind.REFERRAL:
        return _plan_referral(facts, settings)
    if kind == Kind.DISCLOSURE_REQUEST:
        redirect = DraftPlan(Template.DISCLOSURE_REDIRECT, facts.requester.address, {
            "disclosure_team_address": settings.organisation.disclosure_team_address,
        }, "Level 3: whole files, all records, court bundles and subject access go to the Disclosure Team (seed 001)")
        return NewRequestPlan(RequestState.REDIRECTED, [redirect], [], [])
    return NewRequestPlan(RequestState.RECEIVED, [], [], [])


def _plan_level2(facts: RequestFacts) -> NewRequestPlan:
    """Seed 001, Level 2, complete (the form, and consent or an exemption): the response skeleton, limited to
    the seed's categories, once the requester's own address is known."""
    skeleton = plan_partner_response(facts.requester.address, facts.partner.as_json())
    return _to_own_address(facts, [], [], RequestState.RESPONSE_DRAFTED, [skeleton], [])


def _to_own_address(facts: RequestFacts, drafts: list[DraftPlan], checks: list[CheckTeam], then: RequestState,
                    replies: list[DraftPlan], notes: list[str]) -> NewRequestPlan:
    """The one step that asks for a secure address (seed 000, GDPR): the checks in `drafts` go ahead, but a reply
    about the request (`replies`) waits for the requester's own address. From an address whose owner cannot be
    told, a person first; from a generic or webmail one, the secure-address challenge first."""
    to = facts.requester.address
    if facts.requester.kind == "unverified":
        return NewRequestPlan(RequestState.AWAITING_SECURE_ADDRESS, drafts, checks, list(facts.notes))
    if not facts.requester.secure:
        challenge = DraftPlan(Template.SECURE_ADDRESS_CHALLENGE, to, {"requester_address": to},
                              f"{to} is a {facts.requester.kind} address, not a person's own (seed 000, GDPR)")
        return NewRequestPlan(RequestState.AWAITING_SECURE_ADDRESS, [challenge, *drafts], checks, list(facts.notes))
    return NewRequestPlan(then, [*drafts, *replies], checks, notes)


def plan_partner_response(to: str, partner: dict[str, Any]) -> DraftPlan:
    """The Level 2 response skeleton: an RAO placeholder for each of the seed's categories, nothing else."""
    exemption = partner.get("exemption")
    why = f"Level 2 complete: form given, {f'exemption {exemption}' if exemption else 'consent given'} (seed 001)"
    return DraftPlan(Template.PARTNER_RESPONSE, to, {"children": list(partner.get("children", [])),
                                                      "exemption": exemption}, why)


def _plan_level1(mail: ParsedMail, facts: RequestFacts, settings: Settings) -> NewRequestPlan:
    """Seed 001, Level 1: the caller proves who they are by email; the reply goes to their own organisation's
    address (the one they wrote from, or the one their mail gives), never a team box or webmail."""
    to = own_work_address(mail, settings) if not mail.from_problem else None
    if to is None:
        return NewRequestPlan(RequestState.RECEIVED, [], [], [
            f"Level 1 verification from {mail.from_address or 'an unreadable address'}, which is not the caller's "
            "own work address, and the mail gives none: confirm who they are before giving any information."])
    reply = DraftPlan(Template.LEVEL1_REPLY, to, {}, f"Level 1: identity checked by email from {to} (seed 001)")
    return NewRequestPlan(RequestState.RESPONSE_DRAFTED, [reply], [], [])


def _plan_referral(facts: RequestFacts, settings: Settings) -> NewRequestPlan:
    """Seed 003: CASS is the central point for concerns about a child, with a decision within the timescale.
    The bot drafts only an acknowledgement (nothing about the child), for an RAO to send."""
    if not settings.referrals.acknowledge or facts.requester.kind in ("unverified", "lookalike") \
            or not facts.requester.address:
        return NewRequestPlan(RequestState.RECEIVED, [], [], [])
    ack = DraftPlan(Template.REFERRAL_ACKNOWLEDGEMENT, facts.requester.address,
                    {"decision_hours": settings.timescales.decision_hours},
                    "a referral is acknowledged; a social worker decides (seed 003)")
    return NewRequestPlan(RequestState.RECEIVED, [ack], [], [])


def _plan_ola(mail: ParsedMail, facts: RequestFacts, settings: Settings) -> NewRequestPlan:
    """Seed 000: insufficient consent gets the resubmission request alone; otherwise the checks the
    facts call for, and the secure-address challenge when the requester's address is not their own."""
    notes = list(facts.notes)
    to = facts.requester.address
    if facts.consent.status == Status.UNCONFIRMED:  # the form is the evidence, and cassbot cannot read it well
        return NewRequestPlan(RequestState.RECEIVED, [], [], notes or ["a person checks the consent form"])
    if not consent_is_fine(facts):
        return NewRequestPlan(RequestState.AWAITING_CONSENT, [_resubmission(facts, to, settings)], [], notes)
    consent = f"consent {facts.consent.status}"
    stored = facts.as_json()
    asked = [team for team in teams() if team.asked_when(stored)]
    drafts = [DraftPlan(team.request_template, settings.mailbox(team.role).address,
                        {"notes": [*notes, *facts.reminders]}, f"{consent}; {team.asked_why(stored)}")
              for team in asked]
    return _to_own_address(facts, drafts, asked, RequestState.CHECKS_PENDING, [], notes)


def _resubmission(facts: RequestFacts, to: str, settings: Settings) -> DraftPlan:
    consent = facts.consent
    return DraftPlan(Template.RESUBMISSION_REQUEST, to, {
        "reason": str(consent.status),
        "consent_signed_on": consent.signed_on.strftime("%d %B %Y") if consent.signed_on else "",
        "consent_max_age_months": settings.timescales.consent_max_age_months,
        "other_over_16s": any(p.over_16 and p.consent != Signed.SIGNED for p in facts.household),
        "nothing_attached": consent.nothing_attached,
        "unsigned": list(consent.unsigned),
    }, f"consent {consent.status}: {_RESUBMISSION_WHY[consent.status]}")


_RESUBMISSION_WHY = {
    Status.MISSING: "no signed consent is given",
    Status.EXPIRED: "a signature is older than the configured months",
    Status.INCOMPLETE: "someone who must sign (an applicant or a household member over 16) has not",
    Status.VERBAL_ONLY: "consent is verbal only; seed 000 needs it in writing",
    Status.OK: "", Status.UNDATED: "", Status.UNCONFIRMED: "",
}


def plan_response(to: str, answers: Sequence[TeamAnswer], pending: Sequence[str] = ()) -> DraftPlan:
    """The response to the LA/agency once every check is answered, shaped by what each team said; with
    `pending` (the checks still out, by name), the initial response seed 000 allows, which says they are.

    Each team's part of it (`bot.teams.ResponsePart`) says what its answer says here, and otherwise the table's
    defaults, which are safe: until LADO's answer says no one is known, the response carries the OFSTED paragraph.
    """
    context: dict[str, object] = {}
    notes: list[str] = []
    for answer in answers:
        context.update(answer.response)
        notes.extend(answer.notes)
    if pending:
        why = f"initial response: the {' and '.join(pending)} still pending"
        return DraftPlan(Template.INITIAL_RESPONSE, to, {**context, "notes": notes, "pending": list(pending)}, why)
    return DraftPlan(Template.RESPONSE, to, {**context, "notes": notes})


@dataclass(frozen=True)
class ResponseStep:
    """What a request's answers call for: a response to draft (or none yet), and where the request goes."""

    draft: DraftPlan | None
    state: RequestState | None = None  # None: it stays where it is
    why: str = ""


def plan_response_when_ready(kind: Kind, to: str, facts: dict[str, Any], answers: Sequence[TeamAnswer],
                             pending: Sequence[CheckTeam], settings: Settings) -> ResponseStep:
    """Seed 000/001: the response once every check is answered (a Level 2 request's skeleton, once the
    requester's own address is known); before then, the initial response, where every check still out allows
    one (`response_may_precede`) and the configuration asks for it; otherwise nothing yet."""
    if not pending and kind == Kind.PARTNER_REQUEST:
        return ResponseStep(plan_partner_response(to, facts.get("partner", {})), RequestState.RESPONSE_DRAFTED,
                            "the requester's own address is known")
    if not pending:
        return ResponseStep(plan_response(to, answers), RequestState.RESPONSE_DRAFTED, "every check is answered")
    if settings.responses.initial_while_charms_pending and all(team.response_may_precede for team in pending):
        return ResponseStep(plan_response(to, answers, [team.system for team in pending]))
    return ResponseStep(None)


def plan_suitability_reply(settings: Settings, reference: str, agency: str, state: str, response_sent: datetime | None,
                           response_due: datetime | None) -> DraftPlan:
    """Seed 000: LADO pass on Ofsted's suitability check; CASS answers LADO from the request's own record: when
    its response went, or when it is due, and where the request stands."""
    context: dict[str, object] = {
        "request_reference": reference, "agency": agency,
        "responded_on": f"{response_sent:%d %B %Y}" if response_sent else "",
        "response_due": f"{response_due:%d %B %Y}" if response_due else "the end of the checks",
        "state": state.replace("_", " "),
    }
    why = "the response has gone" if response_sent else "the response is still to go"
    return DraftPlan(Template.SUITABILITY_REPLY, settings.mailbox(LADO.role).address, context,
                     f"suitability check: {why}")


def decision_due_of(settings: Settings, received: datetime, urgent: bool, kind: str) -> datetime | None:
    """When a new request needs its decision, by the configured timescales and the working calendar."""
    return decision_due(settings, Calendar.from_settings(settings), received, urgent, kind)


def response_due(settings: Settings, checks_sent: Sequence[datetime], decision: datetime | None) -> datetime | None:
    """When CASS's response is due: once the last check sent is due its answer; with none sent, the decision's
    own time."""
    calendar = Calendar.from_settings(settings)
    return max((check_due(settings, calendar, at) for at in checks_sent), default=decision)


def request_context(facts: dict[str, Any], urgent: bool) -> dict[str, object]:
    """What every draft of a request may say of it, from the facts read (`RequestFacts.as_json`): the
    applicants, the household over 16 and those whose age was not given (never anyone under 16), each
    with a date of birth only where the request gave one; the greeting; the words on its history."""
    def person(p: dict[str, Any]) -> dict[str, str]:
        born = date.fromisoformat(p["born"]).strftime("%-d %B %Y") if p.get("born") else ""
        return {"name": str(p["name"]), "relation": str(p.get("relation") or ""), "born": born}

    household = facts.get("household", [])
    history = facts.get("previously_fostered_or_adopted", {})
    return {
        "applicants": [person(p) for p in facts.get("applicants", [])],
        "over_16s": [person(p) for p in household if p.get("over_16") is True],
        "age_not_given": [person(p) for p in household if p.get("over_16") is None],
        "greeting": facts.get("requester", {}).get("greeting") or "colleague",
        "urgent": urgent,
        "history_words": history.get("charms_words", "") if history.get("charms_check") else "",
    }
