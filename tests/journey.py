"""A test harness for whole journeys: the bot, its store and local Maildirs in a tmp folder.

It plays the outside world the way the demo does (mail arriving, RAOs pressing
Send) on a clock the test controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from bot.config import Settings
from bot.demo import demo_settings
from bot.mailbox.base import Folder, Mailbox
from bot.mailbox.maildir import MaildirMailbox
from bot.mailbox.registry import open_mailboxes
from bot.pipeline import Deps, RunReport, run_once
from bot.store import AuditEvent, Draft, Request, make_engine, migrate, request_by_reference

DEMO_MAIL = Path(__file__).resolve().parent.parent / "demo" / "mail"
PRIYA = "priya.shah@childrenstrust.example"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 16, 9, 30, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


class Journey:
    """The bot over Maildirs under `root`, with helpers to act as the outside world."""

    def __init__(self, settings: Settings, root: Path, mailboxes: dict[str, Mailbox] | None = None) -> None:
        self.root = root
        self.settings = demo_settings(settings, root)
        self.engine = make_engine(self.settings.store.url)
        migrate(self.engine)
        self.maildirs = open_mailboxes(self.settings)
        self.clock = Clock()
        self.deps = Deps(self.settings, self.engine, mailboxes or dict(self.maildirs), self.clock)

    @property
    def cass(self) -> MaildirMailbox:
        box = self.maildirs["cass"]
        assert isinstance(box, MaildirMailbox)
        return box

    def deliver(self, *names: str, raw: bytes | None = None) -> None:
        for name in names:
            self.cass.deliver(Folder.INBOX, (DEMO_MAIL / name).read_bytes())
        if raw is not None:
            self.cass.deliver(Folder.INBOX, raw)

    def run(self) -> RunReport:
        return run_once(self.deps)

    def send(self, reference: str, template: str, by: str = PRIYA) -> None:
        draft = self.draft(reference, template)
        self.cass.send_draft(draft.message_id, sent_by=by, when=self.clock.now)

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
