"""What each kind of mail does to the store, inside the mail's own transaction.

`route` is the one place that says what happens to a mail once it is parsed,
classified and linked: mail in Sent Items is an RAO's approval; otherwise the
kind picks a handler from `HANDLERS`. Each handler returns the outcome recorded
with the mail; what a person must look at goes into the "needs a person" list
with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from bot.acceptance import measure
from bot.classify import Classification, Classifier
from bot.compose import Composer
from bot.config import Settings
from bot.domain import (
    CASS,
    CLOSED_BY_SENDING,
    NEW_REQUEST_KINDS,
    NOTE_SENT,
    URGENT_UNPLACED,
    CheckState,
    DraftState,
    Kind,
    Outcome,
    RequestState,
    Template,
)
from bot.drafting import (
    DraftPlan,
    NewRequestPlan,
    decision_due_of,
    plan_new_request,
    plan_response_when_ready,
    plan_suitability_reply,
    response_due,
)
from bot.extract.addresses import not_the_requester, own_address_offered, unsafe_new_address
from bot.extract.answers import TeamAnswer, read_answer
from bot.extract.facts import facts_summary, read_facts
from bot.lifecycle import move
from bot.linking import Link, link
from bot.mail import ParsedMail
from bot.note_left import left_in
from bot.outbox import plan_draft
from bot.reconcile import numbered
from bot.rules import FOI_REASON
from bot.store import Check, Draft, NeedsPerson, Request, audit
from bot.teams import CheckTeam, team_of_role, team_of_template


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

    def reply_draft(self, request: Request, plan: DraftPlan) -> Draft | None:
        """Plan a draft threaded on the mail in hand (a reply to it, about `request`)."""
        return plan_draft(
            self.session, self.settings, self.composer, request, plan, original_subject=self.mail.subject,
            in_reply_to=self.mail.message_id or self.message_id, references=self.mail.message_id or self.message_id,
            now=self.now,
        )


Handler = Callable[[Context, Link], tuple[Outcome, Request | None]]


def route(ctx: Context, sent_items: bool) -> tuple[Outcome, Request | None]:
    """What this mail does: the one table from kind to handler."""
    linked = link(ctx.session, ctx.mail, ctx.found)
    if sent_items:
        _sent_with_note(ctx, linked.request)
        return approval(ctx, linked.request), linked.request
    return HANDLERS[ctx.found.kind](ctx, linked)


def _ignore(ctx: Context, linked: Link) -> tuple[Outcome, Request | None]:
    return Outcome.IGNORED, linked.request


def _other(ctx: Context, linked: Link) -> tuple[Outcome, Request | None]:
    """Mail from outside to the front door that looks like a request or a referral but could not be told
    apart is seen by a person, never dropped (the "needs a person" list is the whole of what was not handled)."""
    near = ctx.found.near
    urgency = ctx.found.urgent_cues
    if ctx.mailbox != CASS or ctx.settings.is_internal(ctx.mail.from_address) or not (near or ctx.found.unsure):
        return Outcome.IGNORED, linked.request
    cues = "; ".join(r for r in ctx.found.reasons if r.startswith("too little evidence")) or "no request cue"
    if FOI_REASON in ctx.found.reasons:  # issue 21: never a request, but a person must pass it on
        ctx.needs_person(FOI_REASON, linked.request)
        return Outcome.NEEDS_PERSON, linked.request
    what = f"looks like a {near.replace('_', ' ')}" if near else "is from outside and is not plainly a notice"
    urgent = f"{URGENT_UNPLACED} ({', '.join(urgency)}): it " if urgency else ""
    ctx.needs_person(f"{urgent}{what} but cassbot could not tell which kind ({cues})", linked.request)
    return Outcome.NEEDS_PERSON, linked.request


def _new_request(ctx: Context, linked: Link) -> tuple[Outcome, Request | None]:
    if linked.request is not None:  # a request the requester sent again: a follow-up
        return _followup(ctx, linked)
    if ctx.mailbox != CASS:
        ctx.needs_person(f"a new {ctx.found.name} arrived in the {ctx.mailbox} mailbox, not CASS")
        return Outcome.NEEDS_PERSON, None
    return open_request(ctx)


def _linked_only(handler: Callable[[Context, Request], Outcome]) -> Handler:
    """A handler for mail that must belong to a request: unlinked mail goes to a person with why."""
    def handle(ctx: Context, linked: Link) -> tuple[Outcome, Request | None]:
        if linked.request is None:
            if not ctx.found.needs_person:  # the classifier has already said why (an untrusted sender, say)
                ctx.needs_person(linked.problem or f"{ctx.found.name.replace('_', ' ')} not linked to any open request")
            return Outcome.NEEDS_PERSON, None
        return handler(ctx, linked.request), linked.request
    return handle


def open_request(ctx: Context) -> tuple[Outcome, Request]:
    """A new request: give it a reference, plan its drafts and checks."""
    facts = read_facts(ctx.mail, ctx.settings, ctx.now)
    received = min(ctx.mail.date or ctx.now, ctx.now)
    request = Request(
        kind=ctx.found.kind, state=RequestState.RECEIVED, urgent=ctx.found.urgent, mailbox=ctx.mailbox,
        requester_address=facts.requester.address, requester_name=facts.requester.name, applicant=facts.applicant,
        message_id=ctx.mail.message_id or ctx.message_id, subject=ctx.mail.subject,
        facts_json=json.dumps(facts.as_json()),
        household_json=json.dumps([p.name for p in facts.household]), received_at=received,
        decision_due=decision_due_of(ctx.settings, received, ctx.found.urgent, ctx.found.name),
        updated_at=ctx.now,
    )
    with numbered(ctx.session, request, ctx.now):
        why = "; ".join(ctx.found.reasons)
        audit(ctx.session, "classifier", f"request opened: {ctx.found.name}", why, request_id=request.id, at=ctx.now)
        audit(ctx.session, "reader", "request read", facts_summary(facts), request_id=request.id, at=ctx.now)
        if ctx.found.urgent:
            audit(ctx.session, "classifier", "marked urgent", why, request_id=request.id, at=ctx.now)
        _apply_plan(ctx, request, plan_new_request(ctx.found.kind, ctx.mail, facts, ctx.settings))
    return Outcome.NEW_REQUEST, request


def _apply_plan(ctx: Context, request: Request, plan: NewRequestPlan) -> None:
    for plan_item in plan.drafts:
        draft = ctx.draft(request, plan_item)
        asked = team_of_template(plan_item.template)
        if draft is not None and asked in plan.checks:
            ctx.session.add(Check(request_id=request.id or 0, team=asked.role, state=CheckState.DRAFTED,
                                  draft_message_id=draft.message_id))
    for note in plan.notes:
        ctx.needs_person(note, request)
    if plan.state != RequestState.RECEIVED:
        move(ctx.session, request, plan.state, actor="rule", why="what the request needs first", now=ctx.now)


def _followup(ctx: Context, linked: Link) -> tuple[Outcome, Request | None]:
    """The requester writing again. A chaser the bot cannot link, quoting a whole request, opens that request:
    its original never reached the bot (sent elsewhere, or lost), and nothing may be lost."""
    if linked.request is None and not ctx.found.reference and (quoted := ctx.classifier.quoted_request(ctx.mail)):
        return open_request(replace(ctx, found=quoted))
    return _linked_only(followup)(ctx, linked)


def followup(ctx: Context, request: Request) -> Outcome:
    """The requester wrote again: a new address, new consent, a chaser."""
    stranger = not_the_requester(ctx.mail, request.requester_address, ctx.settings)
    if stranger:  # a reference is no secret: what it may change, only the requester may
        audit(ctx.session, "rule", "mail on the request from someone else", f"{ctx.mail.subject}: {stranger}",
              request_id=request.id, at=ctx.now)
        ctx.needs_person(f"a mail on this request {stranger}: nothing was changed; check who wrote it", request)
        return Outcome.LINKED
    audit(ctx.session, "classifier", "follow-up from the requester", ctx.mail.subject,
          request_id=request.id, at=ctx.now)
    if ctx.found.urgent and not request.urgent:
        request.urgent = True
        audit(ctx.session, "classifier", "marked urgent by a follow-up", "; ".join(ctx.found.reasons),
              request_id=request.id, at=ctx.now)
    if request.state == RequestState.AWAITING_SECURE_ADDRESS:
        return _secure_address_given(ctx, request)
    if request.state == RequestState.CLOSED:
        ctx.needs_person("follow-up on a closed request: CASS did not keep it, treat as a new request", request)
    elif request.state == RequestState.AWAITING_CONSENT:
        move(ctx.session, request, RequestState.RECEIVED, actor="rule", why="the requester sent more", now=ctx.now)
        ctx.needs_person("the requester sent more information: review it", request)
    return Outcome.LINKED


def _secure_address_given(ctx: Context, request: Request) -> Outcome:
    address = own_address_offered(ctx.mail.fresh_text, ctx.settings.organisation.domain,
                                  ctx.settings.addresses.generic_local_parts)
    if not address:
        ctx.needs_person("reply to the secure-address question gives no personal address", request)
        return Outcome.LINKED
    unsafe = unsafe_new_address(address, request.requester_address, ctx.settings)
    if unsafe:
        ctx.needs_person(f"reply to the secure-address question offers {address}, {unsafe}: the address was not "
                         "changed", request)
        return Outcome.LINKED
    audit(ctx.session, "rule", "requester address changed", f"{request.requester_address} -> {address}",
          request_id=request.id, at=ctx.now)
    request.requester_address = address
    if _pending_teams(ctx.session, request):
        move(ctx.session, request, RequestState.CHECKS_PENDING, actor="rule", why="secure address given",
             now=ctx.now)
    _respond_when_ready(ctx, request)
    return Outcome.LINKED


def check_answer(ctx: Context, request: Request) -> Outcome:
    """A trusted answer from a check team: record what it means, and draft the response when all are in."""
    team = ctx.found.team
    assert team is not None  # the classifier names the team of every check answer
    check = ctx.session.exec(select(Check).where(
        Check.request_id == request.id, Check.team == team.role, Check.state != CheckState.ANSWERED)).first()
    if check is None:
        ctx.needs_person(_answer_again(ctx, request, team), request)
        return Outcome.LINKED
    answer = read_answer(team.reader, ctx.mail, request.checked, request.relations)
    if not answer.final:  # "I will check and come back to you": the check still waits
        audit(ctx.session, "classifier", f"{team.system}: holding reply", f"by {ctx.mail.from_address}: "
              f"{answer.summary}", request_id=request.id, at=ctx.now)
        return Outcome.LINKED
    check.state, check.answered_at, check.answer_message_id = CheckState.ANSWERED, ctx.now, ctx.message_id
    check.answer_json = json.dumps(asdict(answer))
    ctx.session.add(check)
    if not request.rao and ctx.found.rao_member:
        request.rao = ctx.found.rao_member.name
    audit(ctx.session, "classifier", f"{team.system} answered",
          f"by {ctx.mail.from_address} for {ctx.found.rao}; {answer.summary}", request_id=request.id, at=ctx.now)
    if request.state == RequestState.CHECKS_PENDING:
        _respond_when_ready(ctx, request)
    return Outcome.LINKED


def _answer_again(ctx: Context, request: Request, team: CheckTeam) -> str:
    """Why a person must read a team's mail on a check it has answered already: a correction, a postscript
    or the next person of a series ("Further to my email this morning...") may change the response."""
    answered = ctx.session.exec(select(Check.id).where(Check.request_id == request.id, Check.team == team.role,
                                                       Check.state == CheckState.ANSWERED)).first()
    if answered is None:
        return f"{team.name} answer for a check the bot has no record of asking"
    again = read_answer(team.reader, ctx.mail, request.checked, request.relations)
    return (f"{team.name} wrote again after answering the check ({again.summary}): read it against the response "
            "before it is sent, or tell the requester if it has gone")


def _respond_when_ready(ctx: Context, request: Request) -> None:
    """The response the planner chooses, now that a check is answered or the requester's own address known."""
    answers = [_team_answer(c) for c in _answered_checks(ctx.session, request)]
    plan = plan_response_when_ready(request.kind, request.requester_address, request.facts, answers,
                                    _pending_teams(ctx.session, request), ctx.settings)
    if plan.draft is not None:
        ctx.draft(request, plan.draft)
    if plan.state is not None:
        move(ctx.session, request, plan.state, actor="rule", why=plan.why, now=ctx.now)


def _pending_teams(session: Session, request: Request) -> list[CheckTeam]:
    """The teams whose check on this request is not answered yet."""
    roles = session.exec(select(Check.team).where(Check.request_id == request.id,
                                                  Check.state != CheckState.ANSWERED)).all()
    return [team for team in map(team_of_role, roles) if team is not None]


def _answered_checks(session: Session, request: Request) -> list[Check]:
    return list(session.exec(select(Check).where(Check.request_id == request.id, Check.state == CheckState.ANSWERED)
                             .order_by(col(Check.id))).all())


def _team_answer(check: Check) -> TeamAnswer:
    stored = json.loads(check.answer_json or "{}")
    return TeamAnswer(stored.get("summary", ""), stored.get("response", {}), tuple(stored.get("notes", ())),
                      stored.get("facts", {}))


def _suitability(ctx: Context, request: Request) -> Outcome:
    """Ofsted's suitability check, passed on by LADO (seed 000): answered to LADO from the request's own
    record, whether CASS's response has gone (and when) or when it is due."""
    sent = ctx.session.exec(select(Draft.sent_at).where(
        Draft.request_id == request.id, col(Draft.template).in_([Template.RESPONSE, Template.INITIAL_RESPONSE]),
        Draft.state == DraftState.SENT).order_by(col(Draft.sent_at))).first()
    checks_sent = ctx.session.exec(select(Check.sent_at).where(Check.request_id == request.id,
                                                               Check.state == CheckState.SENT)).all()
    due = response_due(ctx.settings, [at for at in checks_sent if at], request.decision_due)
    plan = plan_suitability_reply(ctx.settings, request.reference, request.requester_name or request.requester_address,
                                  request.state, sent, due)
    ctx.reply_draft(request, plan)
    audit(ctx.session, "rule", "Ofsted suitability check answered from the request's record", plan.why,
          request_id=request.id, at=ctx.now)
    return Outcome.LINKED


def _linked(ctx: Context, request: Request) -> Outcome:
    return Outcome.LINKED


def _sent_with_note(ctx: Context, request: Request | None) -> None:
    """A mail that went out still carrying the note for the RAO or a placeholder: the duty team leaders are
    told at once (`bot.mail_alerts`), so the recipient can be asked to delete it."""
    left = left_in(ctx.mail)
    if not left:
        return
    to = ", ".join(ctx.mail.to) or "no recipient"
    sent = f"{ctx.mail.date or ctx.now:%a %d %b %Y %H:%M}"
    ctx.needs_person(f"{NOTE_SENT} ({left}): to {to}, sent {sent}; ask them to delete it", request)
    audit(ctx.session, "rule", NOTE_SENT, f"{left}; to {to}, sent {sent}",
          request_id=request.id if request else None, at=ctx.now)


def approval(ctx: Context, request: Request | None) -> Outcome:
    """A mail in Sent Items: an RAO approved a draft by sending it (or wrote their own)."""
    if request is None:
        return Outcome.IGNORED
    draft = _sent_draft(ctx.session, ctx.mail, ctx.message_id, request)
    sent_by = ctx.mail.sender_address or ctx.mail.from_address
    if draft is None:
        audit(ctx.session, sent_by, "RAO sent mail on this request", ctx.mail.subject,
              request_id=request.id, at=ctx.now)
        return Outcome.LINKED
    draft.state, draft.sent_at, draft.sent_by = DraftState.SENT, ctx.mail.date or ctx.now, sent_by
    if measured := measure(draft.fingerprint, ctx.mail.body_text):  # kept: one number and one word, no text
        draft.changed, draft.edit = measured.changed, measured.edit
    ctx.session.add(draft)
    audit(ctx.session, sent_by, f"draft sent: {draft.template}", f"to {ctx.mail.to and ctx.mail.to[0]}",
          request_id=request.id, at=ctx.now)
    _after_sending(ctx, request, draft, sent_by)
    return Outcome.APPROVAL


def _sent_draft(session: Session, mail: ParsedMail, message_id: str, request: Request) -> Draft | None:
    """The draft this sent mail was: same Message-ID, else same request, addressee and template."""
    same_id = session.exec(select(Draft).where(Draft.message_id == message_id)).first()
    if same_id:
        return same_id
    unsent = session.exec(
        select(Draft).where(Draft.request_id == request.id, Draft.state == DraftState.SAVED)
        .order_by(col(Draft.id))
    ).all()
    return next((d for d in unsent if d.to_address in mail.recipients), None)


def _after_sending(ctx: Context, request: Request, draft: Draft, sent_by: str) -> None:
    team = team_of_template(draft.template)
    if team is not None:
        _check_sent(ctx, request, draft, team, sent_by)
        return
    if draft.template == Template.RESPONSE:
        move(ctx.session, request, RequestState.RESPONDED, actor=sent_by, why="response sent", now=ctx.now)
    closes = CLOSED_BY_SENDING.get(draft.template)
    if closes and request.state != RequestState.CLOSED:
        move(ctx.session, request, RequestState.CLOSED, actor=sent_by, why=closes, now=ctx.now)


def _check_sent(ctx: Context, request: Request, draft: Draft, team: CheckTeam, sent_by: str) -> None:
    check = ctx.session.exec(select(Check).where(Check.draft_message_id == draft.message_id)).first()
    if check:
        check.state, check.sent_at, check.sent_message_id = CheckState.SENT, draft.sent_at, ctx.message_id
        ctx.session.add(check)
    staff = next((m for m in ctx.settings.staff if m.address == sent_by), None)
    if staff and not request.rao:
        request.rao = staff.name
        audit(ctx.session, "rule", "RAO recorded", staff.name, request_id=request.id, at=ctx.now)


HANDLERS: dict[Kind, Handler] = {
    **{kind: _new_request for kind in NEW_REQUEST_KINDS},
    Kind.CHECK_ANSWER: _linked_only(check_answer),
    Kind.REQUESTER_FOLLOWUP: _followup,
    Kind.SUITABILITY_CHECK: _linked_only(_suitability),
    Kind.CHECK_REQUEST: _linked_only(_linked),
    Kind.AUTO_REPLY: _ignore,
    Kind.OTHER: _other,
}
