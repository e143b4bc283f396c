"""What people read: the open requests, and one request's chronology for case notes.

Reads the store, formats plain text; changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.lifecycle import OPEN_STATES
from bot.store import AuditEvent, MailSeen, NeedsPerson, Request


def open_requests(session: Session) -> list[Request]:
    """Open requests, urgent first, then oldest first."""
    return list(session.exec(
        select(Request).where(col(Request.state).in_([str(s) for s in OPEN_STATES]))
        .order_by(col(Request.urgent).desc(), col(Request.received_at))
    ).all())


def requests_table(session: Session) -> str:
    rows: list[tuple[str, ...]] = [
        ("reference", "state", "urgent", "received", "decision due", "requester", "applicant", "RAO")
    ]
    for r in open_requests(session):
        rows.append((r.reference, r.state, "URGENT" if r.urgent else "", _when(r.received_at), _when(r.decision_due),
                     r.requester_address, r.applicant, r.rao))
    return table(rows) if len(rows) > 1 else "No open requests."


def needs_person_table(session: Session) -> str:
    items = session.exec(
        select(NeedsPerson).where(col(NeedsPerson.resolved_at).is_(None)).order_by(col(NeedsPerson.at))
    ).all()
    references = {r.id: r.reference for r in session.exec(select(Request)).all()} if items else {}
    rows: list[tuple[str, ...]] = [("when", "mailbox", "request", "subject", "why")]
    for item in items:
        rows.append((_when(item.at), item.mailbox, references.get(item.request_id, ""), item.subject[:50], item.reason))
    return table(rows) if len(rows) > 1 else "Nothing needs a person."


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str


def chronology(session: Session, request: Request) -> list[Entry]:
    """Every mail and audit event (checks, drafts, state changes) of a request, in time order."""
    where = {"inbox": "received in", "sent": "sent from"}
    entries = [Entry(m.processed_at, f"mail {where.get(m.folder, m.folder)} {m.mailbox}: {m.subject!r} ({m.sender})")
               for m in session.exec(select(MailSeen).where(MailSeen.request_id == request.id)).all()]
    entries += [Entry(a.at, f"{a.action} ({a.actor}){': ' + a.detail if a.detail else ''}")
                for a in session.exec(select(AuditEvent).where(AuditEvent.request_id == request.id)).all()]
    return sorted(entries, key=lambda e: e.at)


def chronology_text(session: Session, request: Request) -> str:
    head = [
        f"Request {request.reference} ({request.kind.replace('_', ' ')}), now {request.state.replace('_', ' ')}",
        f"From {request.requester_name} <{request.requester_address}>" if request.requester_name
        else f"From {request.requester_address}",
        f"Applicant: {request.applicant or 'not made out'}; household as given: {', '.join(request.household) or '-'}",
        f"Received {_when(request.received_at)}; decision due {_when(request.decision_due)}"
        + ("; URGENT" if request.urgent else ""),
        "",
    ]
    return "\n".join(head + [f"{_when(e.at)}  {e.what}" for e in chronology(session, request)])


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else ""


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
