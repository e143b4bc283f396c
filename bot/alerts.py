"""Alerts that cannot wait for the morning digest.

- An urgent request: the duty team leaders get one mail within a minute of the bot
  seeing it (the next alert check), at most one per request, recorded in the store
  so a restart or a second instance never repeats it. In quiet hours it goes to the
  fallback recipients, or waits for the morning if there are none.
- A mailbox the bot cannot read for `mailbox_down_minutes`, or whose login is
  refused: the operators get one mail saying what failed, since when and what to
  do, and one more when it recovers; nothing in between.
- A client secret or certificate a mailbox signs in with that expires within
  `credential_warning_days`: the operators get one mail per credential, in time
  to make a new one before the bot is locked out.
- A mail that went out from Sent Items still carrying the bot's note for the RAO or an
  `[RAO: ...]` placeholder (issue 21): the duty team leaders at once, naming the request,
  the recipient and when it went, so the recipient can be asked to delete it.
- Mail from outside that cassbot could not place but that says a child must be placed
  today or is at risk now: "URGENT mail cassbot could not place", with its subject and
  cues, nothing more about the child.
  Each of these two is a "needs a person" entry (so the digest and `cassbot requests show`
  list it too) whose reason starts with `bot.domain.NOTE_SENT` or `URGENT_UNPLACED`; one
  alert per entry, recorded in the store.

Alerts go through the digest's sending path (staff addresses only), carry
`Auto-Submitted: auto-generated`, and say no more about anyone than the request's
subject line already does.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from email.message import EmailMessage
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.domain import NOTE_SENT, OPEN_STATES, URGENT_UNPLACED, AlertKind, Kind
from bot.errors import SendFailed, SendRefused
from bot.mailbox.credentials import Expiry, expiring_credentials, expiry_warning
from bot.sending import send_internal
from bot.store import AlertSent, MailboxHealth, NeedsPerson, Request

log = logging.getLogger(__name__)


def send_due_alerts(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Every alert that is due now, of every kind; what went out."""
    return (urgent_alerts(engine, settings, now) + mailbox_alerts(engine, settings, now)
            + credential_alerts(engine, settings, now))


def urgent_alerts(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """Alert about each open urgent request not alerted yet, and each mail that cannot wait (a note sent
    out, urgent mail not placed); returns what went out."""
    recipients = _urgent_recipients(settings, now)
    if not recipients:
        return []
    return _urgent_request_alerts(engine, settings, now, recipients) + mail_alerts(engine, settings, now, recipients)


def _urgent_request_alerts(engine: Engine, settings: Settings, now: datetime, recipients: tuple[str, ...]) -> list[str]:
    sent = []
    with Session(engine) as session:
        done = set(session.exec(select(AlertSent.subject_key).where(AlertSent.kind == AlertKind.URGENT)).all())
        waiting = session.exec(select(Request).where(Request.urgent, col(Request.state).in_(OPEN_STATES))).all()
        for request in (r for r in waiting if r.reference not in done):
            if _send(session, settings, AlertSent(kind=AlertKind.URGENT, subject_key=request.reference, sent_at=now),
                     _urgent_mail(settings, request, now, recipients)):
                sent.append(request.reference)
    return sent


def _urgent_recipients(settings: Settings, now: datetime) -> tuple[str, ...]:
    alerts = settings.alerts
    local = now.astimezone(_zone(settings)).time()
    if _quiet(local, alerts.quiet_hours_start, alerts.quiet_hours_end):
        return alerts.quiet_hours_fallback
    return alerts.duty


def _quiet(now: time, start: time, end: time) -> bool:
    return (start <= now or now < end) if start > end else (start <= now < end)


def _urgent_mail(settings: Settings, request: Request, now: datetime, to: tuple[str, ...]) -> EmailMessage:
    waited = int((now - request.received_at).total_seconds() // 60)
    organisation = request.requester_address.rpartition("@")[2]
    config = settings.mailbox("cass")
    folder = config.information_requests_folder if config.file_requests else "Inbox"
    referral = request.kind == Kind.REFERRAL
    what = "safeguarding referral" if referral else "request"
    why = (f"A child may be at risk: a clear decision is due by {request.decision_due:%a %d %b %H:%M}."
           if referral and request.decision_due else "A child may need to be placed today.")
    body = (
        f"An urgent {what} has arrived: {request.reference}\n\n"
        f"From: {organisation}\n"
        f"Subject: {request.subject}\n"
        f"Waiting: {waited // 60} h {waited % 60} min (received {request.received_at:%a %d %b %H:%M})\n"
        f"In Outlook: the {config.address} mailbox, folder \"{folder}\"\n\n"
        f"{why} See `cassbot requests show {request.reference}` for its chronology.\n"
    )
    subject = f"URGENT {'referral' if referral else 'request'} {request.reference} from {organisation}"
    return _mail(settings, to, subject, body, now, high=True)


# Each alert about one mail: its kind, the needs-a-person reason it is about, and its subject's first words.
_MAIL_ALERTS = ((AlertKind.NOTE_SENT, NOTE_SENT, "Sent with the note for the RAO in it:"),
                (AlertKind.URGENT_UNPLACED, URGENT_UNPLACED, f"{URGENT_UNPLACED}:"))


def mail_alerts(engine: Engine, settings: Settings, now: datetime, to: tuple[str, ...]) -> list[str]:
    """Alert `to` about each such "needs a person" entry not alerted yet; what went out."""
    sent = []
    with Session(engine) as session:
        for kind, reason, subject in _MAIL_ALERTS:
            done = set(session.exec(select(AlertSent.subject_key).where(AlertSent.kind == kind)).all())
            waiting = session.exec(select(NeedsPerson).where(col(NeedsPerson.reason).startswith(reason))
                                   .order_by(col(NeedsPerson.id))).all()
            for entry in (e for e in waiting if str(e.id) not in done):
                request = session.get(Request, entry.request_id) if entry.request_id else None
                reference = request.reference if request else ""
                mail = _mail(settings, to, f"{subject} {reference or entry.subject}",
                             _entry_body(settings, entry, reference), now, high=True)
                if _send(session, settings, AlertSent(kind=kind, subject_key=str(entry.id), sent_at=now), mail):
                    sent.append(f"{kind}: {reference or entry.subject}")
    return sent


def _entry_body(settings: Settings, entry: NeedsPerson, reference: str) -> str:
    where = f"the {settings.mailbox(entry.mailbox).address} mailbox" if entry.mailbox else "a mailbox"
    chronology = f"See `cassbot requests show {reference}` for its chronology.\n" if reference else ""
    return (f"{entry.reason}.\n\nRequest: {reference or 'none linked'}\nSubject: {entry.subject}\n"
            f"In Outlook: {where}\nSeen by cassbot: {entry.at:%a %d %b %H:%M}\n\n{chronology}")


def mailbox_alerts(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """One alert when a mailbox goes down for long enough (or refuses the login), one when it is back."""
    with Session(engine) as session:
        found = (_mailbox_alert(session, settings, config.role, now) for config in settings.mailboxes)
        return [what for what in found if what]


def _mailbox_alert(session: Session, settings: Settings, role: str, now: datetime) -> str | None:
    health = session.get(MailboxHealth, role)
    if health is None:
        return None
    open_alert = session.exec(select(AlertSent).where(
        AlertSent.kind == AlertKind.MAILBOX_DOWN, AlertSent.mailbox == role,
        col(AlertSent.recovered_at).is_(None))).first()
    if health.failing_since and not open_alert and _down_long_enough(settings, health, now):
        record = AlertSent(kind=AlertKind.MAILBOX_DOWN, subject_key=f"{role} since {health.failing_since.isoformat()}",
                           mailbox=role, sent_at=now)
        return f"{role} down" if _send(session, settings, record, _down_mail(settings, role, health, now)) else None
    back = AlertSent(kind=AlertKind.MAILBOX_BACK, subject_key=f"{role} at {now.isoformat()}", mailbox=role, sent_at=now)
    if open_alert and not health.failing_since and _send(session, settings, back,
                                                         _back_mail(settings, role, health, now)):
        open_alert.recovered_at = now
        session.add(open_alert)
        session.commit()
        return f"{role} back"
    return None


def _down_long_enough(settings: Settings, health: MailboxHealth, now: datetime) -> bool:
    assert health.failing_since is not None
    down_for = (now - health.failing_since).total_seconds()
    return health.login_refused or down_for >= settings.alerts.mailbox_down_minutes * 60


def _down_mail(settings: Settings, role: str, health: MailboxHealth, now: datetime) -> EmailMessage:
    advice = ("Check the mailbox's password or OAuth secret (it may have expired or been changed), update the "
              "environment the bot reads it from, and restart cassbot."
              if health.login_refused else
              "Check that the mail server is up and reachable from the bot; cassbot keeps retrying and will "
              "pick up everything it missed when it is back.")
    body = (f"cassbot cannot read the {role} mailbox ({settings.mailbox(role).address}).\n\n"
            f"Since: {health.failing_since:%a %d %b %H:%M}\n"
            f"Last good poll: {_when(health.last_success)}\n"
            f"What failed: {'login refused: ' if health.login_refused else ''}{health.last_error}\n\n"
            f"What to do: {advice}\n")
    return _mail(settings, settings.alerts.operators, f"cassbot: the {role} mailbox cannot be read", body, now)


def _back_mail(settings: Settings, role: str, health: MailboxHealth, now: datetime) -> EmailMessage:
    body = f"cassbot can read the {role} mailbox again (good poll at {_when(health.last_success)}).\n"
    return _mail(settings, settings.alerts.operators, f"cassbot: the {role} mailbox is back", body, now)


def credential_alerts(engine: Engine, settings: Settings, now: datetime) -> list[str]:
    """One alert per expiring client secret or certificate, naming every mailbox that signs in with it
    (a renewed one, with a new date, gets its own)."""
    shared: dict[Expiry, list[str]] = {}
    for role, expiry in expiring_credentials(settings, now).items():
        shared.setdefault(expiry, []).append(role)
    sent = []
    with Session(engine) as session:
        for expiry, roles in shared.items():
            key = f"{expiry.client_id} {expiry.what} {expiry.where} {expiry.on.isoformat()}"
            record = AlertSent(kind=AlertKind.CREDENTIAL_EXPIRING, subject_key=key, sent_at=now)
            if session.exec(select(AlertSent.id).where(AlertSent.kind == AlertKind.CREDENTIAL_EXPIRING,
                                                       AlertSent.subject_key == key)).first() is None and _send(
                    session, settings, record, _expiry_mail(settings, roles, expiry, now)):
                sent.append(f"{_listed(roles)} {expiry.what}")
    return sent


def _expiry_mail(settings: Settings, roles: list[str], expiry: Expiry, now: datetime) -> EmailMessage:
    noun = "mailbox" if len(roles) == 1 else "mailboxes"
    mailboxes = _listed([f"{role} ({settings.mailbox(role).address})" for role in roles])
    names = f"{_listed(roles)} {noun}"
    registration = f"app registration {expiry.client_id}"
    renew = (f"upload a new certificate to {registration} in Microsoft Entra ID and put it, with its key, in "
             f"{expiry.where}" if expiry.what == "certificate" else
             f"add a new client secret to {registration} in Microsoft Entra ID, put it in {expiry.where}, and "
             f"set client_secret_expires in the configuration of the {names} to its new expiry date")
    body = (f"cassbot signs in to the {mailboxes} {noun} with an app credential: "
            f"{expiry_warning(settings, expiry, now)}.\n\n"
            f"When it expires the bot can no longer read the {noun}, and new requests go unseen.\n\n"
            f"What to do: {renew}; then restart cassbot. Remove the old one once the bot has polled.\n")
    subject = f"cassbot: the {expiry.what} for the {names} expires on {expiry.on:%d %b %Y}"
    return _mail(settings, settings.alerts.operators, subject, body, now)


def _listed(items: list[str]) -> str:
    return " and ".join(filter(None, (", ".join(items[:-1]), items[-1])))


def _when(at: datetime | None) -> str:
    return at.strftime("%a %d %b %H:%M") if at else "never"


def _send(session: Session, settings: Settings, record: AlertSent, mail: EmailMessage) -> bool:
    """Record, then send (a crash in between loses one alert rather than doubling it).

    A send that did not happen is never left recorded as sent: a server that failed
    is tried again at the next tick; a refusal (a recipient not on the staff list,
    which the configuration check should have caught) is logged as an error.
    """
    if not mail["To"]:
        return False
    session.add(record)
    session.commit()
    try:
        send_internal(settings, mail)
    except (SendFailed, SendRefused) as exc:
        retry = "will try again" if isinstance(exc, SendFailed) else "refused"
        log.error("alert %r not sent, %s: %s", mail["Subject"], retry, exc)
        session.delete(record)
        session.commit()
        return False
    log.info("alert sent: %s", mail["Subject"])
    return True


def _mail(settings: Settings, to: tuple[str, ...], subject: str, body: str, now: datetime,
          high: bool = False) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.digest.from_address
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: auto-replies must not answer it
    if high:
        msg["Importance"] = "high"
        msg["X-Priority"] = "1"
    msg.set_content(body)
    return msg


def _zone(settings: Settings) -> ZoneInfo:
    return ZoneInfo(settings.working_hours.timezone)
