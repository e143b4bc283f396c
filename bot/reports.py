"""What people read: the open requests, and one request's chronology for case notes.

Reads the store, formats plain text; changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain import OPEN_STATES
from bot.mailbox.abilities import ABILITIES
from bot.mailbox.credentials import expiring_credentials, expiry_warning
from bot.store import AuditEvent, DigestSent, MailboxHealth, MailSeen, NeedsPerson, Request
from bot.timescales import Calendar


def open_requests(session: Session) -> list[Request]:
    """Open requests, urgent first, then oldest first."""
    return list(session.exec(
        select(Request).where(col(Request.state).in_(OPEN_STATES))
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
        *facts_lines(request.facts),
    ]
    return "\n".join(head + [f"{_when(e.at)}  {e.what}" for e in chronology(session, request)])


def facts_lines(facts: dict[str, Any]) -> list[str]:
    """What the bot read in the request, with the words each fact came from: for the RAO who checks it."""
    if not facts:
        return []
    consent = facts.get("consent", {})
    history = facts.get("previously_fostered_or_adopted", {})
    requester = facts.get("requester", {})
    lines = ["What the request says, as read (judged at the mail's date, " + str(facts.get("on")) + "):"]
    for group in ("applicants", "household"):
        for person in facts.get(group, []):
            lines.append(f"  {group[:-1] if group == 'applicants' else 'household'}: {_person_line(person)}")
            lines.extend(f"      \"{words}\"" for words in person.get("evidence", [])[:1])
    lines.append(f"  consent: {consent.get('status')}" + (f", signed {consent['signed_on']}" if consent.get("signed_on")
                                                          else ""))
    lines.extend(f"      \"{words}\"" for words in consent.get("evidence", [])[:2])
    lines.append(f"  reply to: {requester.get('address')} ({requester.get('kind')}"
                 + (f", forwarded by {requester['forwarded_by']}" if requester.get("forwarded_by") else "") + ")")
    for what, key in (("with the trust", "with_this_trust"), ("elsewhere", "elsewhere")):
        if history.get(key):
            lines.append(f"  fostered or adopted {what}")
    lines.extend(f"      \"{words}\"" for words in history.get("evidence", []))
    lines.extend(f"  note: {note}" for note in facts.get("notes", []))
    return [*lines, ""]


def _person_line(person: dict[str, Any]) -> str:
    age = {True: "over 16", False: "under 16", None: "age not given"}[person.get("over_16")]
    born = f"born {person['born']}" if person.get("born") else f"aged {person['age']}" if person.get("age") else ""
    details = ", ".join(filter(None, (person.get("relation"), born, age, f"consent {person.get('consent')}")))
    return f"{person.get('name')} ({details})"


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M") if at else ""


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


@dataclass(frozen=True)
class Freshness:
    """How one mailbox is doing: its last good poll, what is wrong, and what will be soon."""

    last_success: datetime | None
    problem: str  # "" when the mailbox is being read
    warning: str  # "" unless its sign-in credential expires soon (it is still healthy)
    failing_since: datetime | None = None
    error: str = ""  # the last failure, as recorded (secrets redacted)
    abilities: dict[str, str] = field(default_factory=dict)  # read, file, flag, save drafts: "" or how it failed

    def abilities_text(self) -> str:
        """What the bot could do here when it last tried, and what not, with the permission it needs."""
        could = [a for a in ABILITIES if a in self.abilities and not self.abilities[a]]
        could_not = [f"{a}: {self.abilities[a]}" for a in ABILITIES if self.abilities.get(a)]
        parts = ([f"could {', '.join(could)}"] if could else []) + [f"could NOT {why}" for why in could_not]
        return "; ".join(parts)

    def as_json(self) -> dict[str, str]:
        return {"last_success": self.last_success.isoformat() if self.last_success else "",
                "problem": self.problem, "warning": self.warning}


@dataclass(frozen=True)
class Status:
    """What an operator (or a container health check) needs to know at a glance."""

    mailboxes: dict[str, Freshness]
    needs_person: int
    next_digest: str
    warnings: tuple[str, ...] = ()  # settings that make the bot less safe: shown every time

    @property
    def healthy(self) -> bool:
        """A warning alone keeps the bot healthy: it is still reading its mail."""
        return not any(m.problem for m in self.mailboxes.values())

    def text(self) -> str:
        lines = [f"cassbot {'healthy' if self.healthy else 'NOT HEALTHY'}"]
        for role, health in self.mailboxes.items():
            notes = "".join(f"; {note}" for note in (health.problem, health.warning) if note)
            last = health.last_success.isoformat() if health.last_success else "never"
            lines.append(f"  {role}: last good poll {last}{notes}")
            if health.abilities:
                lines.append(f"    {health.abilities_text()}")
        lines.append(f"  needs a person: {self.needs_person}")
        lines.append(f"  next digest: {self.next_digest}")
        lines.extend(f"  WARNING: {warning}" for warning in self.warnings)
        return "\n".join(lines)

    def as_json(self) -> dict[str, object]:
        return {"healthy": self.healthy, "mailboxes": {role: m.as_json() for role, m in self.mailboxes.items()},
                "needs_person": self.needs_person, "next_digest": self.next_digest, "warnings": list(self.warnings)}


def mailbox_freshness(session: Session, settings: Settings, now: datetime) -> dict[str, Freshness]:
    """Each mailbox's last good poll, what is wrong, and whether its credential expires soon."""
    stale = timedelta(minutes=settings.service.stale_after_minutes)
    expiring = expiring_credentials(settings, now)
    found: dict[str, Freshness] = {}
    for config in settings.mailboxes:
        health = session.get(MailboxHealth, config.role)
        last = health.last_success if health else None
        if health and health.failing_since:
            problem = f"failing since {_when(health.failing_since)}: {health.last_error}"
        else:
            problem = "" if last and now - last <= stale else "no good poll recently"
        expiry = expiring.get(config.role)
        abilities = {a: str(v.get("error", "")) for a, v in json.loads(health.abilities_json or "{}").items()} \
            if health else {}
        found[config.role] = Freshness(last, problem, expiry_warning(settings, expiry, now) if expiry else "",
                                       health.failing_since if health else None,
                                       health.last_error if health and health.failing_since else "", abilities)
    return found


def service_status(session: Session, settings: Settings, now: datetime) -> Status:
    waiting = len(session.exec(select(NeedsPerson.id).where(col(NeedsPerson.resolved_at).is_(None))).all())
    return Status(mailbox_freshness(session, settings, now), waiting, _next_digest(session, settings, now),
                  tuple(w for w in (settings.trust.weaker, _no_ocr()) if w))


def _no_ocr() -> str:
    from bot.extract.formats.scan import ocr_available

    return "" if ocr_available() else ("no OCR (Tesseract) on this machine: scanned and photographed consent forms "
                                       "are not read, and each goes to a person (docs/operations.md)")


def _next_digest(session: Session, settings: Settings, now: datetime) -> str:
    calendar = Calendar.from_settings(settings)
    today = now.astimezone(calendar.zone).date()
    sent_today = session.exec(select(DigestSent.id).where(DigestSent.day == today.isoformat())).first()
    day = today if calendar.is_working_day(today) and not sent_today and \
        now.astimezone(calendar.zone).time() < settings.digest.catch_up_until else calendar.next_working_day(today)
    return f"{day:%a %d %b %Y} {settings.digest.send_at:%H:%M}"
