"""A store behind its mailboxes (restored from a backup) catches up from the mailboxes themselves.

`cassbot reconcile --since DATE` first surveys the CASS mailbox's Drafts and Sent Items for the
bot's own drafts: each carries its request's reference (`X-Cassbot-Reference`, and the subject's
`[CASS-...]`) and is threaded on the mail that opened the request, so the survey knows which
reference each request had. Then it reads back the Information Requests folder from DATE (a
request filed there is never in the inbox again) and makes the usual pass over every mailbox
(inbox, Sent Items, Drafts) from the positions the restored store remembers. Throughout:

- a request the bot had opened before gets its old reference back, so its drafts, checks and
  the RAOs' sent mail find it;
- a draft the survey found (still in Drafts, or sent) is recorded as saved, never saved again:
  the draft Message-IDs are deterministic, so the rebuilt draft has the same one; the Sent Items
  pass then records it sent, by whom and when, and moves the request on as it did the first time;
- an urgent request the bot had handled before is not alerted again.

Mail already recorded is skipped as ever, so reconciling twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from email.parser import BytesHeaderParser
from email.policy import default

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from bot.domain import AlertKind, DraftState
from bot.mail import parse_mail
from bot.mailbox.base import Folder, Mailbox, StoredMail
from bot.patterns import REFERENCE
from bot.store import AlertSent, Draft, NeedsPerson, Request, audit

log = logging.getLogger(__name__)


@dataclass
class Survey:
    """What the mailboxes say the bot did: the reference of each request, and the drafts that exist."""

    since: datetime
    references: dict[str, str] = field(default_factory=dict)  # the opening mail's Message-ID -> its reference
    drafts: set[str] = field(default_factory=set)  # Message-IDs of the bot's drafts in Drafts or Sent Items
    recent: set[str] = field(default_factory=set)  # references on the bot's drafts dated `since` or later

    def reference_before(self, message_id: str) -> str:
        return self.references.get(message_id, "")

    @property
    def highest(self) -> int:
        """The highest request number the mailbox shows: a request the survey does not know is numbered above it,
        so no number the bot gave before the restore is ever given to another mail."""
        return max((int(ref.rsplit("-", 1)[1]) for ref in {*self.references.values(), *self.recent}), default=0)


def survey(mailbox: Mailbox, since: datetime, domain: str) -> Survey:
    """Read the bot's own drafts (and the RAOs' replies on its threads) back from Drafts and Sent Items;
    `domain` is the organisation's, which the bot's own Message-IDs carry (`@cassbot.<domain>`)."""
    own = f"@cassbot.{domain}>"
    found = Survey(since)
    for folder in (Folder.DRAFTS, Folder.SENT):
        for stored in mail_after(mailbox, folder, None):
            headers = BytesHeaderParser(policy=default).parsebytes(stored.raw)
            mail = parse_mail(stored.raw)
            reference = _reference_of(mail.reference_header, mail.subject)
            if not reference:
                continue
            if headers["X-Cassbot-Draft"] and mail.message_id:
                found.drafts.add(mail.message_id)
            if mail.date is None or mail.date >= since:
                found.recent.add(reference)
            for opened in (mail.in_reply_to, *mail.references):
                if opened and not opened.endswith(own):  # the request's own mail, not another of the bot's
                    found.references.setdefault(opened, reference)
    log.info("reconcile: %d requests and %d drafts found in the mailbox", len(found.references), len(found.drafts))
    return found


def requests_filed(mailbox: Mailbox, since: datetime) -> list[StoredMail]:
    """The Information Requests folder's mail from `since` on: requests filed there are never in the inbox again."""
    kept = []
    for stored in mail_after(mailbox, Folder.INFORMATION_REQUESTS, None):
        date = parse_mail(stored.raw).date
        if date is None or date >= since:
            kept.append(stored)
    return kept


# The survey while a restored store catches up (`restoring`); None the rest of the time.
_RESTORING: ContextVar[Survey | None] = ContextVar("restoring", default=None)


@contextmanager
def restoring(found: Survey) -> Iterator[None]:
    """While a restored store catches up from its mailboxes: new requests are numbered as the survey says."""
    token = _RESTORING.set(found)
    try:
        yield
    finally:
        _RESTORING.reset(token)


@contextmanager
def numbered(session: Session, request: Request, now: datetime) -> Iterator[None]:
    """The one numbering hook: a new request gets its number and reference for the planning done inside.

    Usually the next number. While `restoring`, a request the bot had opened before gets its old number back,
    and once its drafts are planned, those the mailbox has already are not saved again (`after_rebuild`);
    a request the survey does not know is numbered above every number the mailbox shows.
    """
    found = _RESTORING.get()
    before = found.reference_before(request.message_id) if found else ""
    restored = found is not None and _renumber(session, request, found, before)
    session.add(request)
    session.flush()
    request.reference = before if restored else f"CASS-{request.received_at.year}-{request.id:06d}"
    yield
    if found is not None and restored:
        after_rebuild(session, request, found, now)


def _renumber(session: Session, request: Request, found: Survey, reference: str) -> bool:
    """Give a rebuilt request the id its old reference was made from (True), or a request the survey does not
    know an id above every number the mailbox shows (False), so no reference is ever handed to another mail."""
    if reference:
        number = int(reference.rsplit("-", 1)[1])
        if session.get(Request, number) is None:
            request.id = number
            return True
        log.warning("reconcile: %s cannot have its reference back: another request holds its number", reference)
    newest = session.exec(select(func.max(Request.id))).one() or 0
    request.id = max(newest, found.highest) + 1
    return False


def after_rebuild(session: Session, request: Request, found: Survey, now: datetime) -> None:
    """A rebuilt request: its drafts that exist are saved already; one the mailbox no longer has was deleted
    unsent before the restore and is not made again (a person is told); it was alerted the first time."""
    for draft in session.exec(select(Draft).where(Draft.request_id == request.id,
                                                  Draft.state == DraftState.PLANNED)).all():
        if draft.message_id in found.drafts:
            draft.state, draft.saved_at = DraftState.SAVED, now
            audit(session, "reconcile", f"draft found in the mailbox: {draft.template}", "not saved again",
                  request_id=request.id, at=now)
        else:
            draft.state = DraftState.DELETED
            session.add(NeedsPerson(at=now, mailbox="cass", message_id=draft.message_id, subject=request.reference,
                                    reason=f"the {draft.template.replace('_', ' ')} draft was gone from the mailbox "
                                           "when the store was restored: deleted unsent, so not made again",
                                    request_id=request.id))
        session.add(draft)
    audit(session, "reconcile", "request rebuilt from the mailbox", f"reference {request.reference} as before",
          request_id=request.id, at=now)


def alerted_before(session: Session, found: Survey, now: datetime) -> None:
    """Every urgent request the bot had handled before the restore was alerted then: it is not alerted again."""
    done = set(session.exec(select(AlertSent.subject_key).where(AlertSent.kind == AlertKind.URGENT)).all())
    for request in session.exec(select(Request).where(Request.urgent, col(Request.reference).in_(
            {*found.references.values(), *found.recent}))).all():
        if request.reference not in done:
            session.add(AlertSent(kind=AlertKind.URGENT, subject_key=request.reference, sent_at=now))
    session.commit()


def advance_sequences(session: Session) -> None:
    """PostgreSQL: requests given back their old ids must not be handed out again."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval(pg_get_serial_sequence('request', 'id'), "
                             "GREATEST((SELECT COALESCE(MAX(id), 0) FROM request), 1))"))
        session.commit()


def mail_after(mailbox: Mailbox, folder: Folder, position: str | None) -> list[StoredMail]:
    """Every mail in `folder` after `position` (None: all of it), as the poller would read it."""
    found: list[StoredMail] = []
    while True:
        poll = mailbox.poll(folder, position)
        found.extend(poll.messages)
        if not poll.more or poll.position == position:
            return found
        position = poll.position


def _reference_of(*texts: str) -> str:
    for value in texts:
        match = REFERENCE.search(value or "")
        if match:
            return f"CASS-{match.group(1)}-{match.group(2)}"
    return ""
