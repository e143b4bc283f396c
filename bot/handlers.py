"""What each kind of mail does to the store, inside the mail's own transaction.

Called by `bot.pipeline.process_message` once the mail is parsed, classified
and linked. Each handler returns the outcome word recorded with the mail; what a
person must look at goes into the "needs a person" list with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.classify import Classification, Classifier
from bot.compose import Composer
from bot.config import Settings
from bot.drafting import DraftPlan, NewRequestPlan, plan_new_request, plan_response, read_facts
from bot.extract import af_gave_sensitive_reason, known_to_lado, own_address_offered
from bot.lifecycle import State, move
from bot.mail import ParsedMail
from bot.outbox import plan_draft
from bot.store import Check, Draft, NeedsPerson, Request, audit
from bot.timescales import Calendar, decision_due

NEW_REQUEST_KINDS = frozenset({"ola_request", "partner_request", "level1_verification", "disclosure_request"})


@dataclass
class Context:
    """Everything a handler needs for one mail."""

    session: Session
    settings: Settings
    classifier: Classifier
    composer: Composer
    mail: ParsedMail
    found: Classification
    mailbox: str
    message_id: str
    now: datetime

    def needs_person(self, reason: str, request: Request | None = None) -> None:
        self.session.add(NeedsPerson(at=self.now, mailbox=self.mailbox, message_id=self.message_id,
                                     subject=self.mail.subject, reason=reason,
                                     request_id=request.id if request else None))

    def draft(self, request: Request, plan: DraftPlan) -> Draft | None:
        """Plan a draft threaded on the mail that opened the request."""
        return plan_draft(
            self.session, self.settings, self.composer, request, plan, original_subject=request.subject,
            in_reply_to=request.message_id, references=request.message_id, now=self.now,
        )


def open_request(ctx: Context) -> tuple[str, Request]:
    """A new request: give it a reference, plan its drafts and checks."""
    facts = read_facts(ctx.mail, ctx.settings, ctx.now)
    received = min(ctx.mail.date or ctx.now, ctx.now)
    request = Request(
        kind=ctx.found.kind, state=State.RECEIVED, urgent=ctx.found.urgent, mailbox=ctx.mailbox,
        requester_address=ctx.mail.from_address, requester_name=ctx.mail.from_name, applicant=facts.applicant,
        message_id=ctx.message_id, subject=ctx.mail.subject,
        household_json=json.dumps(facts.household), received_at=received,
        decision_due=decision_due(ctx.settings, Calendar.from_settings(ctx.settings), received, ctx.found.urgent),
        updated_at=ctx.now,
    )
    ctx.session.add(request)
    ctx.session.flush()
    request.reference = f"CASS-{received.year}-{request.id:06d}"
    why = "; ".join(ctx.found.reasons)
    audit(ctx.session, "classifier", f"request opened: {ctx.found.kind}", why, request_id=request.id, at=ctx.now)
    if ctx.found.urgent:
        audit(ctx.session, "classifier", "marked urgent", why, request_id=request.id, at=ctx.now)
    _apply_plan(ctx, request, plan_new_request(ctx.found.kind, ctx.mail, facts, ctx.settings))
    return "new_request", request


def _apply_plan(ctx: Context, request: Request, plan: NewRequestPlan) -> None:
    for plan_item in plan.drafts:
        ctx.draft(request, plan_item)
    for note in plan.notes:
        ctx.needs_person(note, request)
    if plan.state != State.RECEIVED:
        move(ctx.session, request, plan.state, actor="rule", why="what the request needs first", now=ctx.now)


def followup(ctx: Context, request: Request) -> str:
    """The requester wrote again: a new address, new consent, a chaser."""
    audit(ctx.session, "classifier", "follow-up from the requester", ctx.mail.subject,
          request_id=request.id, at=ctx.now)
    if ctx.found.urgent and not request.urgent:
        request.urgent = True
        audit(ctx.session, "classifier", "marked urgent by a follow-up", "; ".join(ctx.found.reasons),
              request_id=request.id, at=ctx.now)
    if request.state == State.AWAITING_SECURE_ADDRESS:
        return _secure_address_given(ctx, request)
    if request.state == State.CLOSED:
        ctx.needs_person("follow-up on a closed request: CASS did not keep it, treat as a new request", request)
    elif request.state == State.AWAITING_CONSENT:
        move(ctx.session, request, State.RECEIVED, actor="rule", why="the requester sent more", now=ctx.now)
        ctx.needs_person("the requester sent more information: review it", request)
    return "linked"


def _secure_address_given(ctx: Context, request: Request) -> str:
    address = own_address_offered(ctx.mail.fresh_text, ctx.settings.organisation.domain,
                                  ctx.settings.addresses.generic_local_parts)
    if not address:
        ctx.needs_person("reply to the secure-address question gives no personal address", request)
        return "linked"
    audit(ctx.session, "rule", "requester address changed", f"{request.requester_address} -> {address}",
          request_id=request.id, at=ctx.now)
    request.requester_address = address
    if _all_checks_answered(ctx.session, request):
        _draft_response(ctx, request)
    else:
        move(ctx.session, request, State.CHECKS_PENDING, actor="rule", why="secure address given", now=ctx.now)
    return "linked"


def check_answer(ctx: Context, request: Request) -> str:
    """A trusted CHARMS or LADO answer: record it, and draft the response when all are in."""
    team = "af" if ctx.found.kind == "charms_check_response" else "lado"
    check = ctx.session.exec(
        select(Check).where(Check.request_id == request.id, Check.team == team, Check.state != "answered")
    ).first()
    if check is None:
        ctx.needs_person(f"{team.upper()} answer for a check the bot has no record of asking", request)
        return "linked"
    check.state, check.answered_at, check.answer_message_id = "answered", ctx.now, ctx.message_id
    check.known_to_lado = known_to_lado(ctx.mail.fresh_text) if team == "lado" else None
    check.af_sensitive_reason = team == "af" and af_gave_sensitive_reason(ctx.mail.fresh_text)
    ctx.session.add(check)
    if not request.rao and ctx.found.rao_member:
        request.rao = ctx.found.rao_member.name
    verdict = {True: "; someone is known to LADO", False: "; no one is known to LADO", None: ""}
    detail = f"by {ctx.mail.from_address} for {ctx.found.rao}{verdict[check.known_to_lado]}"
    if check.af_sensitive_reason:
        detail += "; A&F gave health or financial reasons: the response says only that the applicant withdrew"
    audit(ctx.session, "classifier", f"{'CHARMS' if team == 'af' else 'LADO'} check answered", detail,
          request_id=request.id, at=ctx.now)
    if request.state == State.CHECKS_PENDING and _all_checks_answered(ctx.session, request):
        _draft_response(ctx, request)
    return "linked"


def _all_checks_answered(session: Session, request: Request) -> bool:
    states = session.exec(select(Check.state).where(Check.request_id == request.id)).all()
    return all(s == "answered" for s in states)


def _draft_response(ctx: Context, request: Request) -> None:
    checks = ctx.session.exec(select(Check).where(Check.request_id == request.id)).all()
    lado = next((c for c in checks if c.team == "lado"), None)
    af = next((c for c in checks if c.team == "af"), None)
    plan = plan_response(request.requester_address, lado.known_to_lado if lado else None,
                         af is not None, bool(af and af.af_sensitive_reason))
    ctx.draft(request, plan)
    move(ctx.session, request, State.RESPONSE_DRAFTED, actor="rule", why="every check is answered", now=ctx.now)


def approval(ctx: Context, request: Request | None) -> str:
    """A mail in Sent Items: an RAO approved a draft by sending it (or wrote their own)."""
    if request is None:
        return "ignored"
    draft = _sent_draft(ctx.session, ctx.mail, ctx.message_id, request)
    sent_by = ctx.mail.sender_address or ctx.mail.from_address
    if draft is None:
        audit(ctx.session, sent_by, "RAO sent mail on this request", ctx.mail.subject,
              request_id=request.id, at=ctx.now)
        return "linked"
    draft.state, draft.sent_at, draft.sent_by = "sent", ctx.mail.date or ctx.now, sent_by
    ctx.session.add(draft)
    audit(ctx.session, sent_by, f"draft sent: {draft.template}", f"to {ctx.mail.to and ctx.mail.to[0]}",
          request_id=request.id, at=ctx.now)
    _after_sending(ctx, request, draft, sent_by)
    return "approval"


def _sent_draft(session: Session, mail: ParsedMail, message_id: str, request: Request) -> Draft | None:
    """The draft this sent mail was: same Message-ID, else same request, addressee and template."""
    same_id = session.exec(select(Draft).where(Draft.message_id == message_id)).first()
    if same_id:
        return same_id
    unsent = session.exec(
        select(Draft).where(Draft.request_id == request.id, Draft.state == "saved").order_by(col(Draft.id))
    ).all()
    return next((d for d in unsent if d.to_address in mail.recipients), None)


def _after_sending(ctx: Context, request: Request, draft: Draft, sent_by: str) -> None:
    team = {"charms_check_request": "af", "lado_check_request": "lado"}.get(draft.template)
    if team:
        check = ctx.session.exec(select(Check).where(Check.draft_message_id == draft.message_id)).first()
        if check:
            check.state, check.sent_at, check.sent_message_id = "sent", draft.sent_at, ctx.message_id
            ctx.session.add(check)
        staff = next((m for m in ctx.settings.staff if m.address == sent_by), None)
        if staff and not request.rao:
            request.rao = staff.name
            audit(ctx.session, "rule", "RAO recorded", staff.name, request_id=request.id, at=ctx.now)
        return
    closes = {
        "resubmission_request": "resubmission requested: CASS does not keep the request",
        "disclosure_redirect": "redirected to the Disclosure Team",
        "response": "response sent",
    }
    if draft.template == "response":
        move(ctx.session, request, State.RESPONDED, actor=sent_by, why="response sent", now=ctx.now)
    if draft.template in closes and request.state != State.CLOSED:
        move(ctx.session, request, State.CLOSED, actor=sent_by, why=closes[draft.template], now=ctx.now)
