"""Drafts: planned inside the mail's transaction, saved to the mailbox after it.

Saving a draft is the one side effect outside the store, so it follows the
outbox pattern: the draft is first recorded as `planned` together with
everything else the mail changed, and only after that commit is it rendered and
saved to the mailbox. Because its Message-ID is deterministic and `save_draft`
is idempotent, a crash at any point leaves, after a restart, exactly one draft.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlmodel import Session, col, func, select, update

from bot.acceptance import drafted_text, fingerprint
from bot.compose import Composer, draft_message_id, draft_subject
from bot.config import Settings
from bot.domain import DraftState
from bot.drafting import DraftPlan, request_context
from bot.errors import DraftRefused
from bot.guards import check_draft
from bot.mailbox.base import Mailbox
from bot.store import Draft, NeedsPerson, Request, audit
from bot.teams import team_of_template

log = logging.getLogger(__name__)


def plan_draft(
    session: Session, settings: Settings, composer: Composer, request: Request, plan: DraftPlan, *,
    original_subject: str, in_reply_to: str, references: str, now: datetime,
) -> Draft | None:
    """Record a planned draft, or its refusal by a guard (audited, listed for a person)."""
    try:
        check_draft(plan, settings)
    except DraftRefused as refused:
        audit(session, "guard", "draft refused", str(refused), request_id=request.id, at=now)
        session.add(NeedsPerson(at=now, mailbox="cass", message_id="", subject=request.reference,
                                reason=str(refused), request_id=request.id))
        log.warning("%s: draft %s refused: %s", request.reference, plan.template, refused)
        return None
    count = session.exec(
        select(func.count()).select_from(Draft).where(Draft.request_id == request.id, Draft.template == plan.template)
    ).one()
    message_id = draft_message_id(request.reference, plan.template, count + 1, settings.organisation.domain)
    context = {**request_context(request.facts, request.urgent), **plan.context, "applicant": request.applicant,
               "household": request.household, "requester_name": request.requester_name}
    composer.render(plan.template, {**context, "reference": request.reference})  # fail now, not after commit
    draft = Draft(
        request_id=request.id or 0, template=plan.template, mailbox="cass", message_id=message_id,
        to_address=plan.to,
        subject=draft_subject(plan.template, original_subject, request.applicant, request.reference),
        # A check request starts a thread of its own with the team; a reply threads on the request.
        in_reply_to="" if team_of_template(plan.template) else in_reply_to,
        references=references, context_json=json.dumps(context), state=DraftState.PLANNED, created_at=now,
    )
    session.add(draft)
    audit(session, "rule", f"draft planned: {plan.template}", f"to {plan.to}" + (f"; {plan.why}" if plan.why else ""),
          request_id=request.id, at=now)
    return draft


def save_pending_drafts(
    session: Session, composer: Composer, mailboxes: dict[str, Mailbox], now: datetime, role: str
) -> int:
    """Render and save every planned draft of mailbox `role` (whose lease the caller holds).

    Each is recorded as saved in its own commit.
    """
    saved = 0
    planned = select(Draft).where(Draft.state == DraftState.PLANNED, Draft.mailbox == role).order_by(col(Draft.id))
    for draft in session.exec(planned).all():
        request = session.get(Request, draft.request_id)
        assert request is not None
        raw = composer.message(
            template=draft.template, context=json.loads(draft.context_json), to=draft.to_address,
            subject=draft.subject, message_id=draft.message_id, in_reply_to=draft.in_reply_to,
            references=draft.references, reference=request.reference, now=now,
        )
        key = mailboxes[draft.mailbox].save_draft(raw, draft.message_id)  # idempotent on the Message-ID
        # Recorded by whoever saved it first: a second run at the same moment neither audits nor counts it.
        moved = session.exec(update(Draft).where(col(Draft.id) == draft.id, col(Draft.state) == DraftState.PLANNED)
                             .values(state=DraftState.SAVED, saved_at=now, backend_key=key,
                                     fingerprint=fingerprint(drafted_text(raw))))
        if moved.rowcount != 1:
            session.rollback()
            continue
        audit(session, "bot", f"draft saved: {draft.template}", f"in the {draft.mailbox} Drafts folder for approval",
              request_id=request.id, at=now)
        session.commit()
        log.info("%s: draft %s saved as %s", request.reference, draft.template, draft.message_id)
        saved += 1
    return saved


def saved_draft_ids(session: Session, role: str) -> set[str]:
    return set(session.exec(select(Draft.message_id).where(Draft.mailbox == role,
                                                           Draft.state == DraftState.SAVED)).all())


def notice_deleted_drafts(session: Session, role: str, missing: set[str], now: datetime) -> int:
    """Of the drafts missing from Drafts, those still not sent were deleted by someone.

    `missing` must be drafts the store held as saved before Drafts was listed, and
    Drafts must be listed before Sent Items is read: otherwise a draft sent in
    between would look deleted.
    """
    candidates = session.exec(select(Draft).where(Draft.mailbox == role, Draft.state == DraftState.SAVED)).all()
    gone = [d for d in candidates if d.message_id in missing]
    for draft in gone:
        draft.state, draft.deleted_at = DraftState.DELETED, now
        session.add(draft)
        reason = f"draft {draft.template} ({draft.subject}) was deleted without being sent"
        audit(session, "bot", "draft deleted unsent", reason, request_id=draft.request_id, at=now)
        session.add(NeedsPerson(at=now, mailbox=role, message_id=draft.message_id, subject=draft.subject,
                                reason=reason, request_id=draft.request_id))
    session.commit()
    return len(gone)
