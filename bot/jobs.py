"""The service's jobs: poll a mailbox, sweep timescales, send due digests, purge old requests.

Plain functions of the engine, the settings and `now`, so tests run a simulated
week by calling them with the times they choose; `bot.service` only schedules them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import Engine, delete
from sqlmodel import Session, SQLModel, col, select

from bot.config import Settings
from bot.digest import gather, message
from bot.domain import RequestState
from bot.errors import SendFailed, SendRefused
from bot.leases import lease
from bot.pipeline import Deps, RunReport, run_mailbox
from bot.sending import send_internal
from bot.store import (
    AuditEvent,
    Check,
    DigestSent,
    Draft,
    LateMark,
    MailSeen,
    NeedsPerson,
    Request,
    audit,
)
from bot.sweep import LateItem, sweep
from bot.timescales import Calendar

log = logging.getLogger(__name__)


def poll_mailbox(deps: Deps, role: str) -> RunReport:
    report = RunReport()
    run_mailbox(deps, role, report)
    return report


def sweep_timescales(engine: Engine, settings: Settings, now: datetime) -> list[LateItem]:
    with lease(engine, "sweep") as held, Session(engine) as session:
        return sweep(session, settings, Calendar.from_settings(settings), now) if held else []


@dataclass
class DigestRun:
    """What one attempt at the digest did: who had it now, who had it already, whose failed and why."""

    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def send_due_digests(engine: Engine, settings: Settings, now: datetime, anytime: bool = False) -> DigestRun:
    """Send today's digest to each team leader who has not had it: on working days, from
    the configured time until the catch-up limit (a bot that was down sends the missed
    digest when it is back the same morning), or now when `anytime`. A digest that could
    not be sent is not recorded as sent: it is tried again, and the run says why."""
    calendar = Calendar.from_settings(settings)
    local = now.astimezone(calendar.zone)
    in_window = settings.digest.send_at <= local.time() < settings.digest.catch_up_until
    run = DigestRun()
    if not anytime and not (calendar.is_working_day(local.date()) and in_window):
        return run
    with lease(engine, "digest") as held:
        for leader in (m for m in settings.staff if m.role == "team_leader" and held):
            _send_digest(engine, settings, calendar, now, leader.address, run)
    return run


def _send_digest(engine: Engine, settings: Settings, calendar: Calendar, now: datetime, recipient: str,
                 run: DigestRun) -> None:
    day = now.astimezone(calendar.zone).date().isoformat()
    with Session(engine) as session:
        if session.exec(select(DigestSent).where(DigestSent.day == day, DigestSent.recipient == recipient)).first():
            run.already.append(recipient)
            return
        last = session.exec(select(DigestSent.sent_at).where(DigestSent.recipient == recipient)
                            .order_by(col(DigestSent.sent_at).desc())).first()
        mail = message(gather(session, settings, calendar, now, last or now - timedelta(days=1)), settings, recipient)
        record = DigestSent(day=day, recipient=recipient, sent_at=now, message_id=str(mail["Message-ID"]))
        send_once(session, settings, mail, record, recipient, run)


def send_once(session: Session, settings: Settings, mail: EmailMessage, record: SQLModel, recipient: str,
              run: DigestRun) -> None:
    """Send `mail` to one recipient, recorded before it goes: a crash in between loses one mail rather than
    sending it twice; a mail that could not be sent is not recorded, and is tried again."""
    session.add(record)
    session.commit()
    try:
        send_internal(settings, mail)
    except (SendFailed, SendRefused) as exc:
        log.error("%s for %s not sent, will try again: %s", mail["Subject"], recipient, exc)
        session.delete(record)
        session.commit()
        run.failed[recipient] = str(exc)
        return
    log.info("sent to %s: %s", recipient, mail["Subject"])
    run.sent.append(recipient)


def purge_closed(engine: Engine, settings: Settings, now: datetime) -> int:
    """Remove closed requests (and their mail records, checks, drafts, marks) after the retention period.

    The audit log keeps one tombstone per request: its reference and when it was
    purged; the request's other audit lines, which name people, go with it.
    """
    cutoff = now - timedelta(days=settings.service.retention_days)
    with lease(engine, "retention") as held, Session(engine) as session:
        if not held:
            return 0
        old = session.exec(select(Request).where(Request.state == RequestState.CLOSED,
                                                 col(Request.closed_at) < cutoff)).all()
        ids = [r.id for r in old]
        if not ids:
            return 0
        for table in (MailSeen, Check, Draft, LateMark, NeedsPerson, AuditEvent):
            session.exec(delete(table).where(col(table.request_id).in_(ids)))
        for request in old:
            audit(session, "retention", "purged", f"{request.reference}: closed {request.closed_at:%Y-%m-%d}", at=now)
            session.delete(request)
        session.commit()
    log.info("purged %d closed requests older than %d days", len(ids), settings.service.retention_days)
    return len(ids)
