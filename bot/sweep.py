"""The timescale sweep: what is past its timescale, and why; each finding marked and audited once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.lifecycle import State
from bot.store import Check, Draft, LateMark, Request, audit
from bot.timescales import Calendar, check_due, draft_due

# States in which the request still waits on CASS for a decision or an answer.
WAITING_ON_CASS = [str(s) for s in (State.RECEIVED, State.CHECKS_PENDING, State.RESPONSE_DRAFTED,
                                    State.AWAITING_SECURE_ADDRESS, State.AWAITING_CONSENT)]


@dataclass(frozen=True)
class LateItem:
    reference: str
    request_id: int
    what: str  # decision, check af, check lado, draft <message-id>
    due: datetime
    why: str


def find_late(session: Session, settings: Settings, calendar: Calendar, now: datetime) -> list[LateItem]:
    """Everything past its timescale now, oldest first."""
    found: list[LateItem] = []
    requests = {r.id: r for r in session.exec(select(Request).where(col(Request.state).in_(WAITING_ON_CASS))).all()}
    decided = set(session.exec(
        select(Draft.request_id).where(Draft.state == "sent", col(Draft.request_id).in_(list(requests)))
    ).all())
    for r in requests.values():
        if r.id not in decided and now > r.decision_due:  # nothing sent yet: no decision has gone out
            why = "urgent request with no decision the same working day" if r.urgent else "no decision within 24 hours"
            found.append(LateItem(r.reference, r.id or 0, "decision", r.decision_due, why))
    for check in session.exec(select(Check).where(Check.state == "sent", col(Check.request_id).in_(list(requests)))):
        due = check_due(settings, calendar, check.sent_at or now)
        if now > due:
            team = "A&F (CHARMS)" if check.team == "af" else "LADO"
            found.append(LateItem(requests[check.request_id].reference, check.request_id, f"check {check.team}", due,
                                  f"{team} check not answered the same working day"))
    for draft in session.exec(select(Draft).where(Draft.state == "saved", col(Draft.request_id).in_(list(requests)))):
        due = draft_due(settings, calendar, draft.saved_at or draft.created_at)
        if now > due:
            found.append(LateItem(requests[draft.request_id].reference, draft.request_id, f"draft {draft.message_id}",
                                  due, f"{draft.template.replace('_', ' ')} draft not sent within a working day"))
    return sorted(found, key=lambda item: item.due)


def sweep(session: Session, settings: Settings, calendar: Calendar, now: datetime) -> list[LateItem]:
    """Mark what is newly late, audited with why; returns everything late now."""
    late = find_late(session, settings, calendar, now)
    ids = list({item.request_id for item in late})
    marked = {(m.request_id, m.what) for m in session.exec(select(LateMark).where(col(LateMark.request_id).in_(ids)))}
    for item in late:
        if (item.request_id, item.what) not in marked:
            session.add(LateMark(request_id=item.request_id, what=item.what, due=item.due, marked_at=now))
            audit(session, "timescale sweep", "late", f"{item.why} (due {item.due:%Y-%m-%d %H:%M})",
                  request_id=item.request_id, at=now)
    session.commit()
    return late
