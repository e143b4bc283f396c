"""One entry per message: `process_message` parses, classifies, links, plans and records.

Every mail is handled inside one transaction: the record that it was seen, the
request it opened or moved, the drafts it planned and the audit trail commit
together or not at all. A failure rolls back, is logged with the Message-ID, and
is listed for a person with the mailbox and folder the mail is still in (the bot
never deletes or alters mail, so nothing is lost); the loop goes on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from bot import handlers
from bot.categories import category
from bot.classify import Classifier
from bot.compose import Composer
from bot.config import Settings
from bot.domain import NEW_REQUEST_KINDS, Kind, Outcome
from bot.errors import ConfigError, MailboxAuthError, MailboxError, MessageGone
from bot.extract.answers import readers_missing
from bot.leases import lease
from bot.library_warnings import heard
from bot.mail import ParsedMail, parse_mail
from bot.mailbox.abilities import Recording
from bot.mailbox.base import Folder, Mailbox, StoredMail
from bot.outbox import notice_deleted_drafts, save_pending_drafts, saved_draft_ids
from bot.redaction import redact
from bot.store import MailboxHealth, MailSeen, NeedsPerson, SyncPosition
from bot.teams import check_roles, teams

log = logging.getLogger(__name__)


class ManualClock:
    """A clock set by hand: the demo's days and the pilot's replay run the pipeline at the time they choose."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Deps:
    """What the pipeline works with; built once by the CLI (or a test)."""

    settings: Settings
    engine: Engine
    mailboxes: dict[str, Mailbox]
    clock: Callable[[], datetime]
    classifier: Classifier = field(init=False)
    composer: Composer = field(init=False)
    stop: threading.Event | None = None  # set by the service on SIGTERM: stop between mails

    def __post_init__(self) -> None:
        _check_wiring(self.settings)
        self.classifier = Classifier(self.settings)
        self.composer = Composer(self.settings)


def _check_wiring(settings: Settings) -> None:
    """The settings and the check teams' table agree: a mailbox for each team, and a reader for its answers."""
    check_roles([m.role for m in settings.mailboxes], settings.source)
    if missing := readers_missing([team.reader for team in teams()]):
        raise ConfigError(f"no answer reader is named {', '.join(map(repr, missing))} (bot.extract.answers.READERS): "
                          "a check team's answers could not be read")


@dataclass(frozen=True)
class Processed:
    """What became of one mail."""

    message_id: str
    kind: str  # as `cassbot classify` names it
    outcome: Outcome
    reference: str = ""
    to_flag: bool = False  # flag the mail in the mailbox (it made a request urgent, and configuration asks)
    to_file: bool = False  # file it into Information Requests (a new request, and configuration asks)
    to_categorise: str = ""  # the Outlook category saying what the bot made of it (`bot.categories`)


def message_key(mail: ParsedMail, raw: bytes) -> str:
    """The Message-ID, or for mail without one a stable stand-in made from its bytes."""
    return mail.message_id or f"<sha256-{hashlib.sha256(raw).hexdigest()[:32]}@cassbot.invalid>"


def process_message(stored: StoredMail, mailbox: Mailbox, deps: Deps) -> Processed:
    """Handle one mail exactly once; never raises for a bad mail. What the libraries reading it warn of is
    logged once, with its Message-ID."""
    with heard() as libraries:
        processed = _process(stored, mailbox, deps)
    libraries.log(processed.message_id)
    return processed


def _process(stored: StoredMail, mailbox: Mailbox, deps: Deps) -> Processed:
    mail = parse_mail(stored.raw)
    message_id = message_key(mail, stored.raw)
    folder = "sent" if stored.folder == Folder.SENT else "inbox"
    try:
        with Session(deps.engine) as session:
            seen = _seen(session, mailbox.role, folder, message_id)
            if seen is not None and seen.digest and seen.digest != mail.digest:
                message_id, first = _collision_key(message_id, mail.digest), seen  # another mail, the same ID
                seen = _seen(session, mailbox.role, folder, message_id)
                if seen is None:
                    _record_collision(session, mail, message_id, mailbox.role, first, deps.clock())
            if seen is not None:
                # Work left over from a crash is finished only on the very message it was meant for:
                # a mail a person dragged back into the inbox has a new key, and stays where they put it.
                same = seen.backend_key == stored.key
                return Processed(message_id, seen.kind, Outcome.ALREADY_PROCESSED, to_flag=same and seen.to_flag,
                                 to_file=same and seen.to_file, to_categorise=seen.to_categorise if same else "")
            outcome = _handle(session, mail, message_id, stored, mailbox, folder, deps)
            session.commit()
    except IntegrityError:
        # Another instance recorded this mail first (the unique key on mail_seen): it is theirs.
        return Processed(message_id, "", Outcome.ALREADY_PROCESSED)
    except OperationalError:
        raise  # the store itself is locked, full or gone: not this mail's fault; the run stops, nothing written
    except Exception as exc:  # one bad mail must not stop the poller (logged with its traceback)
        log.exception("%s in %s/%s: processing failed", message_id, mailbox.role, folder)
        return _record_failure(deps, mail, message_id, stored, mailbox.role, folder, exc)
    log.info("%s in %s/%s: %s %s %s", message_id, mailbox.role, folder, outcome.kind, outcome.outcome,
             outcome.reference)
    return outcome


def _collision_key(message_id: str, digest: str) -> str:
    """The key of a mail whose Message-ID an earlier, different mail had: still one per mail, and stable."""
    return f"{message_id.rstrip('>')}.cassbot-collision-{digest[:16]}>"


def _record_collision(session: Session, mail: ParsedMail, key: str, role: str, first: MailSeen,
                      now: datetime) -> None:
    log.warning("%s in %s: a different mail already used this Message-ID; processed as a new mail", key, role)
    session.add(NeedsPerson(
        at=now, mailbox=role, message_id=key, subject=mail.subject,
        reason=f"its Message-ID {mail.message_id} was already used by a different mail (from {first.sender}, "
               f"'{first.subject}', processed {first.processed_at:%Y-%m-%d %H:%M}): processed as a new mail; check "
               "whether either is a forgery"))


def _seen(session: Session, role: str, folder: str, message_id: str) -> MailSeen | None:
    return session.exec(select(MailSeen).where(
        MailSeen.mailbox == role, MailSeen.folder == folder, MailSeen.message_id == message_id
    )).first()


def _handle(
    session: Session, mail: ParsedMail, message_id: str, stored: StoredMail, mailbox: Mailbox, folder: str,
    deps: Deps,
) -> Processed:
    found = deps.classifier.classify(mail)
    ctx = handlers.Context(session, deps.settings, deps.classifier, deps.composer, mail, found, mailbox.role,
                           message_id, deps.clock())
    for reason in found.needs_person:
        ctx.needs_person(reason)
    outcome, request = handlers.route(ctx, sent_items=folder == "sent")
    made_urgent = (found.urgent and request is not None and request.urgent
                   and (found.kind in NEW_REQUEST_KINDS or found.kind == Kind.REQUESTER_FOLLOWUP))
    config = deps.settings.mailbox(mailbox.role)
    inbox = stored.folder == Folder.INBOX
    seen = MailSeen(
        mailbox=mailbox.role, folder=folder, backend_key=stored.key, message_id=message_id, digest=mail.digest,
        kind=found.name,
        outcome=outcome, request_id=request.id if request else None, subject=mail.subject,
        sender=mail.from_address, sent_at=mail.date, processed_at=ctx.now,
        to_flag=inbox and made_urgent and deps.settings.alerts.flag_urgent_mail,
        to_file=inbox and outcome == Outcome.NEW_REQUEST and config.file_requests,
        to_categorise=category(deps.settings, found.name, outcome, request.reference if request else "")
        if inbox else "",
    )
    session.add(seen)
    return Processed(message_id, found.name, outcome, request.reference if request else "", seen.to_flag,
                     seen.to_file, seen.to_categorise)


def _record_failure(
    deps: Deps, mail: ParsedMail, message_id: str, stored: StoredMail, role: str, folder: str, exc: Exception,
) -> Processed:
    reason = f"cassbot could not process this mail ({type(exc).__name__}); it is still in {role}/{stored.folder.value}"
    with Session(deps.engine) as session:
        session.add(NeedsPerson(at=deps.clock(), mailbox=role, message_id=message_id, subject=mail.subject,
                                reason=reason))
        session.add(MailSeen(mailbox=role, folder=folder, backend_key=stored.key, message_id=message_id,
                             kind="", outcome=Outcome.FAILED, subject=mail.subject, sender=mail.from_address,
                             processed_at=deps.clock()))
        session.commit()
    return Processed(message_id, "", Outcome.FAILED)


@dataclass
class RunReport:
    outcomes: list[Processed] = field(default_factory=list)
    drafts_saved: int = 0
    drafts_deleted: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # mailbox role -> why it could not be read


def run_once(deps: Deps) -> RunReport:
    """Process every configured mailbox once: inbox, then Sent Items, then drafts.

    A mailbox that cannot be reached is reported and skipped; the others go on.
    A refused login (MailboxAuthError) stops the run: a person must act.
    """
    report = RunReport()
    for role in deps.mailboxes:
        try:
            run_mailbox(deps, role, report)
        except MailboxError as exc:
            log.error("%s: mailbox not processed this time: %s", role, exc)
            report.failed[role] = str(exc)
    return report


def run_mailbox(deps: Deps, role: str, report: RunReport) -> None:
    """Process one mailbox once: inbox, then Sent Items, then notice drafts deleted unsent.

    How it went is recorded (`MailboxHealth`): the freshness `cassbot status` and the
    digest report.
    """
    started = deps.clock()
    with lease(deps.engine, f"mailbox {role}") as held:
        if not held:
            log.debug("%s: another instance is polling this mailbox", role)
            return
        recording = Recording(deps.mailboxes[role], getattr(deps.mailboxes[role], "backend",
                                                            deps.settings.mailbox(role).backend))
        deps.mailboxes[role] = recording  # for this run: what it could do is noted for `cassbot status`
        try:
            _run_mailbox(deps, role, report)
        except (MailboxAuthError, MailboxError) as exc:
            _record_health(deps.engine, role, started, exc, recording.seen)
            raise
        finally:
            deps.mailboxes[role] = recording.inner
        _record_health(deps.engine, role, started, None, recording.seen)


def _record_health(engine: Engine, role: str, now: datetime, error: MailboxAuthError | MailboxError | None,
                   abilities: dict[str, str], again: bool = True) -> None:
    try:
        _write_health(engine, role, now, error, abilities)
    except IntegrityError:  # two first runs at once both created the row: the other's is there now
        if not again:
            raise
        _record_health(engine, role, now, error, abilities, again=False)


def _write_health(engine: Engine, role: str, now: datetime, error: MailboxAuthError | MailboxError | None,
                  abilities: dict[str, str]) -> None:
    with Session(engine) as session:
        health = session.get(MailboxHealth, role) or MailboxHealth(mailbox=role)
        known = json.loads(health.abilities_json or "{}")
        known.update({ability: {"at": now.isoformat(), "error": why} for ability, why in abilities.items()})
        health.abilities_json = json.dumps(known, sort_keys=True)
        if error is not None:
            health.failing_since = health.failing_since or now
            health.last_error = redact(str(error))
            health.login_refused = isinstance(error, MailboxAuthError)
        else:
            health.last_success, health.failing_since, health.last_error, health.login_refused = now, None, "", False
        session.add(health)
        session.commit()


def _run_mailbox(deps: Deps, role: str, report: RunReport) -> None:
    mailbox = deps.mailboxes[role]
    with Session(deps.engine) as session:
        report.drafts_saved += save_pending_drafts(session, deps.composer, deps.mailboxes, deps.clock(), role)
        saved = saved_draft_ids(session, role)
    missing = saved - mailbox.draft_ids()  # listed before Sent is read: see notice_deleted_drafts
    for folder in (Folder.INBOX, Folder.SENT):
        _run_folder(deps, mailbox, folder, report)
    with Session(deps.engine) as session:
        report.drafts_deleted += notice_deleted_drafts(session, role, missing, deps.clock())


def _run_folder(deps: Deps, mailbox: Mailbox, folder: Folder, report: RunReport) -> None:
    """Poll from the stored position until the backend has nothing more, saving the position as it goes.

    The position is saved only after every mail of a poll is processed: a crash
    in between means a re-read, and mail already recorded is skipped.
    """
    while True:
        with Session(deps.engine) as session:
            stored_position = session.get(SyncPosition, (mailbox.role, folder.value))
            position = stored_position.position if stored_position else None
        poll = mailbox.poll(folder, position)
        for stored in poll.messages:
            if deps.stop is not None and deps.stop.is_set():
                return  # the position stays where it was: the rest is read again next time
            outcome = process_message(stored, mailbox, deps)
            report.outcomes.append(outcome)
            _finish_in_mailbox(deps, mailbox, stored, outcome)
            with Session(deps.engine) as session:
                report.drafts_saved += save_pending_drafts(session, deps.composer, deps.mailboxes, deps.clock(),
                                                           mailbox.role)
        if poll.position != position:
            with Session(deps.engine) as session:
                session.merge(SyncPosition(mailbox=mailbox.role, folder=folder.value, position=poll.position,
                                           updated_at=deps.clock()))
                session.commit()
        if not poll.more:
            return


def _finish_in_mailbox(deps: Deps, mailbox: Mailbox, stored: StoredMail, outcome: Processed) -> None:
    """Categorise the mail, flag an urgent request's and file a new request, as recorded with the mail; then
    record it done.

    Categorising and flagging come first, so the move keeps them; doing either twice changes nothing,
    so a crash before the record only means the next poll categorises, flags (and files) again.
    """
    if not (outcome.to_flag or outcome.to_file or outcome.to_categorise):
        return
    try:
        if outcome.to_categorise:
            mailbox.categorise(stored, outcome.to_categorise)
        if outcome.to_flag:
            mailbox.flag(stored)
            log.info("%s in %s: flagged as urgent %s", outcome.message_id, mailbox.role, outcome.reference)
        if outcome.to_file:
            mailbox.file_into(Folder.INFORMATION_REQUESTS, stored)  # what Business Support do by hand
    except MessageGone as exc:  # someone dealt with it first: where they put it is where it stays
        log.warning("%s: not flagged or filed: %s", outcome.message_id, exc)
    with Session(deps.engine) as session:
        seen = _seen(session, mailbox.role, "inbox", outcome.message_id)
        if seen is not None:
            seen.to_flag = seen.to_file = False
            seen.to_categorise = ""
            session.add(seen)
            session.commit()
