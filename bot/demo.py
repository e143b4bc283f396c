"""`cassbot demo`: a whole OLA journey on local Maildirs, from the project's own demo mail.

Builds a fresh demo under state/demo/, plays the outside world (mail arriving,
RAOs pressing Send) step by step on a simulated clock, runs the bot after each
step, and prints what happened: requests, links, drafts and what needs a person.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.config import Settings
from bot.mailbox.base import Folder, Mailbox
from bot.mailbox.maildir import MaildirMailbox
from bot.mailbox.registry import open_mailboxes
from bot.pipeline import Deps, ManualClock, Processed, run_once
from bot.reports import chronology_text, needs_person_table, table
from bot.store import Draft, MailSeen, Request, open_store, request_by_reference

DEMO_MAIL = Path(__file__).resolve().parent.parent / "demo" / "mail"
PRIYA = "priya.shah@childrenstrust.example"


@dataclass(frozen=True)
class Step:
    title: str
    at: datetime
    deliver: tuple[str, ...] = ()
    send: tuple[tuple[str, str], ...] = ()  # (request reference, draft template) an RAO sends


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


STEPS = (
    Step("Monday: a fostering assessment request arrives in the CASS inbox", _at(16, 9, 30),
         deliver=("01-ola-request.eml",)),
    Step("Monday: more requests and ordinary mail arrive", _at(16, 12, 30),
         deliver=("02-urgent-kinship-request.eml", "03-partner-rfi.eml", "04-level3-request.eml",
                  "10-not-urgent-adoption.eml", "11-team-notice.eml")),
    Step("Tuesday: Priya Shah sends the CHARMS and LADO check requests", _at(17, 9, 0),
         send=(("CASS-2026-000001", "charms_check_request"), ("CASS-2026-000001", "lado_check_request"))),
    Step("Tuesday: A&F and LADO answer, a look-alike answer and an out-of-office arrive", _at(17, 12, 0),
         deliver=("05-charms-answer.eml", "06-lado-answer.eml", "07-spoofed-lado-answer.eml",
                  "08-out-of-office.eml", "09-requester-followup.eml")),
    Step("Wednesday: Priya Shah reads the response draft and sends it", _at(18, 10, 0),
         send=(("CASS-2026-000001", "response"),)),
)


def demo_settings(settings: Settings, root: Path) -> Settings:
    """The configured organisation, with its mailboxes and store moved under `root`."""
    boxes = tuple(m.model_copy(update={"backend": "maildir", "path": str(root / "maildir" / m.role)})
                  for m in settings.mailboxes)
    store = settings.store.model_copy(update={"url": f"sqlite:///{root / 'cassbot.sqlite3'}"})
    return settings.model_copy(update={"mailboxes": boxes, "store": store})


def run_demo(settings: Settings, root: Path, out: TextIO) -> None:
    shutil.rmtree(root, ignore_errors=True)
    settings = demo_settings(settings, root)
    engine = open_store(settings.store.url)
    mailboxes = open_mailboxes(settings)
    clock = ManualClock(STEPS[0].at)
    deps = Deps(settings, engine, mailboxes, clock)
    print(f"cassbot demo: mailboxes and store under {root}\n", file=out)
    for step in STEPS:
        clock.now = step.at
        _play(step, mailboxes["cass"], engine)
        report = run_once(deps)
        print(f"== {step.at:%a %d %b %H:%M}  {step.title}", file=out)
        print(_mail_table(engine, [o for o in report.outcomes if o.outcome != "already_processed"]), file=out)
        print(f"drafts saved for approval: {report.drafts_saved}\n", file=out)
    _summary(engine, out)


def _mail_table(engine: Engine, outcomes: list[Processed]) -> str:
    """What became of each mail, by its sender and subject: how people recognise mail."""
    if not outcomes:
        return "(no new mail)"
    with Session(engine) as session:
        seen = {m.message_id: m for m in session.exec(select(MailSeen).where(
            col(MailSeen.message_id).in_([o.message_id for o in outcomes]))).all()}
    rows: list[tuple[str, ...]] = [("from", "subject", "kind", "outcome", "request")]
    for o in outcomes:
        mail = seen.get(o.message_id)
        rows.append((mail.sender if mail else "", (mail.subject if mail else "")[:50], o.kind, o.outcome,
                     o.reference))
    return table(rows)



def _play(step: Step, cass: Mailbox, engine: Engine) -> None:
    assert isinstance(cass, MaildirMailbox)
    for name in step.deliver:
        cass.deliver(Folder.INBOX, (DEMO_MAIL / name).read_bytes())
    with Session(engine) as session:
        for reference, template in step.send:
            request = request_by_reference(session, reference)
            draft = session.exec(select(Draft).where(
                Draft.request_id == (request.id if request else None), Draft.template == template,
                Draft.state == "saved",
            )).first()
            if draft:
                cass.send_draft(draft.message_id, sent_by=PRIYA, when=step.at)


def _summary(engine: Engine, out: TextIO) -> None:
    with Session(engine) as session:
        requests = session.exec(select(Request).order_by(col(Request.id))).all()
        rows: list[tuple[str, ...]] = [("reference", "kind", "state", "urgent", "requester", "applicant", "RAO")]
        rows += [(r.reference, r.kind, r.state, "URGENT" if r.urgent else "", r.requester_address, r.applicant, r.rao)
                 for r in requests]
        print("== Requests\n" + table(rows) + "\n", file=out)
        drafts = session.exec(select(Draft).order_by(col(Draft.id))).all()
        rows = [("request", "draft", "to", "state", "sent by")]
        ids = {r.id: r.reference for r in requests}
        rows += [(ids.get(d.request_id, ""), d.template, d.to_address, d.state, d.sent_by) for d in drafts]
        print("== Drafts\n" + table(rows) + "\n", file=out)
        print("== Needs a person\n" + needs_person_table(session) + "\n", file=out)
        first = request_by_reference(session, "CASS-2026-000001")
        if first:
            print("== The journey of CASS-2026-000001 (cassbot requests show CASS-2026-000001)\n"
                  + chronology_text(session, first), file=out)
