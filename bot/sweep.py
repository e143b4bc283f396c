"""The timescale sweep: what is past its timescale, and why; each finding marked and audited once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain import WAITING_ON_CASS, CheckState, DraftState
from bot.store import Check, Draft, LateMark, Request, audit
from bot.teams import team_of_role
from bot.timescales import Calendar, check_due, draft_due


@dataclass(frozen=True)
class LateItem:
    reference: str
    request_id: int
    what: str  # decision, check <team role>, draft <message-id>
    due: datetime
    why: str


def find_late(session: Session, settings: Settings, calendar: Calendar, now: datetime) -> list[LateItem]:
    """Everything past its timescale now, oldest first."""
    found: list[LateItem] = []
    requests = {r.id: r for r in session.exec(select(Request).where(col(Request.state).in_(WAITING_ON_CASS))).all()}
    decided = set(session.exec(
        select(Draft.request_id).where(Draft.state == DraftState.SENT, col(Draft.request_id).in_(list(requests)))
    ).all())
    reasons = late_reasons(settings)
    for r in requests.values():
        if r.id not in decided and r.decision_due is not None and now > r.decision_due:  # no decision yet
            why = reasons["urgent"] if r.urgent and settings.timescales.urgent_same_working_day else reasons["decision"]
            found.append(LateItem(r.reference, r.id or 0, "decision", r.decision_due, why))
    sent = select(Check).where(Check.state == CheckState.SENT, col(Check.request_id).in_(list(requests)))
    for check in session.exec(sent):
        due = check_due(settings, calendar, check.sent_at or now)
        if now > due:
            team = team_of_role(check.team)
            found.append(LateItem(requests[check.request_id].reference, check.request_id, f"check {check.team}", due,
                                  f"{team.label if team else check.team} check {reasons['check']}"))
    saved = select(Draft).where(Draft.state == DraftState.SAVED, col(Draft.request_id).in_(list(requests)))
    for draft in session.exec(saved):
        due = draft_due(settings, calendar, draft.saved_at or draft.created_at)
        if now > due:
            found.append(LateItem(requests[draft.request_id].reference, draft.request_id, f"draft {draft.message_id}",
                                  due, f"{draft.template.replace('_', ' ')} draft {reasons['draft']}"))
    return sorted(found, key=lambda item: item.due)


def late_reasons(settings: Settings) -> dict[str, str]:
    """Why something is late, in the words of the configured timescales."""
    t = settings.timescales
    return {
        "decision": f"no decision within {t.decision_hours} hours",
        "urgent": "urgent request with no decision the same working day",
        "check": f"not answered {_working_days(t.check_answer_working_days)}",
        "draft": f"not sent {_working_days(t.draft_unsent_working_days)}",
    }


def _working_days(extra: int) -> str:
    """When `extra` more working days are allowed after the one something started on."""
    if extra == 0:
        return "the same working day"
    return f"within {extra + 1} working days" if extra > 1 else "by the end of the next working day"


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
