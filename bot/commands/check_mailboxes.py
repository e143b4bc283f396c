"""`cassbot check-mailboxes [--forbidden ADDRESS]`: what the bot can and cannot do in each mailbox, before go-live.

Each step is one line: `ok` or `FAILED`, the mailbox, the step, and for a failure what went wrong
and the permission it needs (docs/exchange.md says how to grant each). The steps use only what the
bot does anyway, and the one test draft it saves (marked `X-Cassbot-Draft: check-mailboxes`) is
removed again. The store is never opened.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from bot.config import Mailbox as MailboxSettings
from bot.config import Settings
from bot.errors import Exit, MailboxAuthError, MailboxError
from bot.mailbox.abilities import needs
from bot.mailbox.base import Checkable, Folder, Mailbox
from bot.mailbox.registry import open_mailbox
from bot.redaction import redact


class Report:
    """The lines printed so far and the worst outcome."""

    def __init__(self) -> None:
        self.code = Exit.OK

    def line(self, ok: bool, who: str, step: str, detail: str) -> None:
        print(f"{'ok    ' if ok else 'FAILED'}  {who:<28} {step:<22} {redact(detail)}")
        if not ok and self.code is Exit.OK:
            self.code = Exit.FAILED

    def step(self, config: MailboxSettings, step: str, need: str, work: Callable[[], str]) -> bool:
        """Run one step; a failure's line says what went wrong and the permission `need` names."""
        try:
            detail = work()
        except MailboxAuthError as exc:
            self.line(False, config.role, step, f"{exc}; needs {needs(config.backend, need)}")
            self.code = Exit.AUTH
            return False
        except MailboxError as exc:
            self.line(False, config.role, step, f"{exc}; needs {needs(config.backend, need)}")
            return False
        self.line(True, config.role, step, detail)
        return True


def run(args: argparse.Namespace, settings: Settings) -> int:
    report = Report()
    for config in settings.mailboxes:
        check_one(report, config, lambda c=config: open_mailbox(c))  # type: ignore[misc]
    if args.forbidden:
        like = settings.mailboxes[0].model_copy(update={"address": args.forbidden, "role": "forbidden"})
        check_forbidden(report, args.forbidden, lambda: open_mailbox(like))
    return int(report.code)


def check_one(report: Report, config: MailboxSettings, opener: Callable[[], Mailbox]) -> None:
    """Sign in and list the folders, read one message, save and remove one test draft."""
    opened: list[Mailbox] = []

    def sign_in() -> str:
        opened.append(opener())
        if not isinstance(opened[0], Checkable):
            return f"opened; its folders are not listed on the {config.backend} backend"
        return ", ".join(opened[0].folder_names()) or "no folders"

    try:
        if report.step(config, "sign in, list folders", "sign in", sign_in) and isinstance(opened[0], Checkable):
            box, checks = opened[0], opened[0]
            report.step(config, "read one message", "read", lambda: _read_one(checks))
            report.step(config, "save a draft, remove", "save drafts", lambda: _draft_round_trip(box, checks, config))
    finally:
        for one in opened:
            one.close()


def check_forbidden(report: Report, address: str, opener: Callable[[], Mailbox]) -> None:
    """The same sign-in opening a mailbox it must not reach: it must be refused."""
    who = f"forbidden {address}"
    try:
        box = opener()
        if isinstance(box, Checkable):
            box.folder_names()
        else:
            box.poll(Folder.DRAFTS, None)
    except (MailboxError, MailboxAuthError) as exc:
        report.line(True, who, "open (must be refused)", f"refused, as it should be: {_first_line(exc)}")
        return
    report.line(False, who, "open (must be refused)", "the bot could open it: limit the app or service account "
                "to the three mailboxes (docs/exchange.md, \"Least privilege\")")
    box.close()


def _read_one(box: Checkable) -> str:
    sample = box.sample(Folder.INBOX)
    return "inbox is empty: nothing to read" if sample is None else f"read {len(sample.raw)} bytes, left unread"


def _draft_round_trip(box: Mailbox, remover: Checkable, config: MailboxSettings) -> str:
    """Save one marked test draft as the bot saves its drafts, then remove it."""
    msg = EmailMessage()
    message_id = make_msgid("check-mailboxes", domain=config.address.rpartition("@")[2])
    msg["From"], msg["To"], msg["Subject"] = config.address, config.address, "cassbot check-mailboxes: test draft"
    msg["Date"], msg["Message-ID"] = format_datetime(datetime.now(UTC)), message_id
    msg["X-Cassbot-Draft"], msg["X-Unsent"] = "check-mailboxes", "1"
    msg.set_content("A test draft saved by `cassbot check-mailboxes`; it is removed at once.\n")
    key = box.save_draft(msg.as_bytes(), message_id)
    remover.remove_draft(key)
    return "saved in Drafts and removed"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
