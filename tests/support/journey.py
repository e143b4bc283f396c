"""A test harness for whole journeys: the bot, its store and local Maildirs in a tmp folder.

It plays the outside world the way the demo does (mail arriving, RAOs pressing
Send) on a clock the test controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from mailbox import Maildir
from pathlib import Path

from sqlmodel import Session, select

from bot.config import Settings
from bot.demo import demo_settings
from bot.mail import parse_mail
from bot.mailbox.base import Folder, Mailbox
from bot.mailbox.maildir import MaildirMailbox
from bot.mailbox.registry import open_mailboxes
from bot.pipeline import Deps, RunReport, run_once
from bot.store import AuditEvent, Draft, Request, make_engine, migrate, request_by_reference
from bot.teams import mailbox_roles
from tests.support.dovecot import Dovecot
from tests.support.imap_world import World, imap_settings

DEMO_MAIL = Path(__file__).resolve().parents[2] / "demo" / "mail"
PRIYA = "priya.shah@childrenstrust.example"


def maildir_marks(root: Path, folder: Folder, key: str) -> set[str]:
    """What a mail client shows of a Maildir message: "flagged", "read"."""
    path = root if folder is Folder.INBOX else root / ".Information Requests"
    flags = Maildir(path, create=False).get_message(key).get_flags()
    return {mark for mark, letter in (("flagged", "F"), ("read", "S")) if letter in flags}


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 16, 9, 30, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


def imap_settings_for(settings: Settings, dovecot: Dovecot) -> Settings:
    """The organisation's settings with each mailbox on the test Dovecot (one user per role)."""
    boxes = tuple(m.model_copy(update={"backend": "imap", "imap": imap_settings(dovecot, m.role)})
                  for m in settings.mailboxes)
    return settings.model_copy(update={"mailboxes": boxes})


def with_mailboxes(settings: Settings, roles: tuple[str, ...], **changes: object) -> Settings:
    """The settings with these mailboxes' configuration changed, checked again as the config file would be."""
    mailboxes = tuple(m.model_validate({**m.model_dump(), **changes}) if m.role in roles else m
                      for m in settings.mailboxes)
    return settings.model_copy(update={"mailboxes": mailboxes})


class Journey:
    """The bot over Maildirs under `root` (or mailboxes on a test Dovecot), with the outside world's moves."""

    def __init__(self, settings: Settings, root: Path, mailboxes: dict[str, Mailbox] | None = None,
                 dovecot: Dovecot | None = None) -> None:
        self.root = root
        self.settings = demo_settings(settings, root)
        self.dovecot = dovecot
        if dovecot:
            self.settings = imap_settings_for(self.settings, dovecot)
        self.engine = make_engine(self.settings.store.url)
        migrate(self.engine)
        self.maildirs = open_mailboxes(self.settings)
        self.clock = Clock()
        self.deps = Deps(self.settings, self.engine, mailboxes or dict(self.maildirs), self.clock)

    def reset_server(self) -> None:
        assert self.dovecot is not None
        for role in mailbox_roles():
            World(self.dovecot, role).reset()

    @property
    def cass(self) -> Mailbox:
        return self.maildirs["cass"]

    def deliver(self, *names: str, raw: bytes | None = None) -> None:
        raws = [(DEMO_MAIL / name).read_bytes() for name in names] + ([raw] if raw is not None else [])
        for one in raws:
            if self.dovecot:
                World(self.dovecot, "cass").deliver(Folder.INBOX, one)
            else:
                self._maildir().deliver(Folder.INBOX, one)

    def _maildir(self) -> MaildirMailbox:
        box = self.maildirs["cass"]
        assert isinstance(box, MaildirMailbox)
        return box

    def run(self) -> RunReport:
        return run_once(self.deps)

    def send(self, reference: str, template: str, by: str = PRIYA, edited: bool = True) -> None:
        """An RAO sends the draft: as RAOs do, with the note for the RAO deleted and the placeholders filled in;
        with `edited` False, as the bot drafted it."""
        draft = self.draft(reference, template)
        if self.dovecot:
            World(self.dovecot, "cass").send_draft(draft.message_id, by, self.clock.now, edited)
        else:
            self._maildir().send_draft(draft.message_id, sent_by=by, when=self.clock.now, edited=edited)

    def request(self, reference: str) -> Request:
        with Session(self.engine) as session:
            request = request_by_reference(session, reference)
            assert request is not None, reference
            return request

    def draft(self, reference: str, template: str) -> Draft:
        request = self.request(reference)
        with Session(self.engine) as session:
            draft = session.exec(
                select(Draft).where(Draft.request_id == request.id, Draft.template == template)
            ).first()
            assert draft is not None, (reference, template)
            return draft

    def audit_actions(self, reference: str) -> list[str]:
        request = self.request(reference)
        with Session(self.engine) as session:
            events = session.exec(
                select(AuditEvent).where(AuditEvent.request_id == request.id).order_by(AuditEvent.id)
            ).all()
            return [e.action for e in events]

    def folder(self, folder: Folder) -> list[bytes]:
        return [m.raw for m in self.cass.poll(folder, None).messages]

    def marked(self, folder: Folder) -> dict[str, set[str]]:
        """Each CASS mail in `folder` by subject, with what a person sees of it ("flagged", "read")."""
        root = Path(self.settings.mailbox("cass").path)
        return {parse_mail(m.raw).subject: World(self.dovecot, "cass").marks(folder, m.key) if self.dovecot
                else maildir_marks(root, folder, m.key) for m in self.cass.poll(folder, None).messages}
