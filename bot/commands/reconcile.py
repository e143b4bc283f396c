"""`cassbot reconcile --since DATE`: catch a store restored from a backup up with the mailboxes (`bot.reconcile`)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.commands.run import secrets_present
from bot.config import Settings
from bot.domain import CASS
from bot.errors import Exit
from bot.mail import parse_mail
from bot.mailbox.base import Folder, Mailbox, StoredMail
from bot.mailbox.registry import open_mailboxes
from bot.pipeline import Deps, Processed, RunReport, process_message, run_once
from bot.reconcile import Survey, advance_sequences, alerted_before, mail_after, requests_filed, restoring, survey
from bot.store import Request, SyncPosition, open_store, utcnow


def run(args: argparse.Namespace, settings: Settings) -> int:
    since = datetime.combine(args.since, datetime.min.time(), UTC)
    secrets_present(settings)
    engine = open_store(settings.store.url)
    mailboxes = open_mailboxes(settings)
    try:
        outcomes, report, found = catch_up(Deps(settings, engine, mailboxes, utcnow), since)
        with Session(engine) as session:
            missing = sorted(found.recent - set(session.exec(select(Request.reference)).all()))
    finally:
        for mailbox in mailboxes.values():
            mailbox.close()
    counts = Counter(o.outcome for o in outcomes if o.outcome != "already_processed")
    summary = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in sorted(counts.items())) or "nothing to catch up"
    print(f"cassbot: reconciled from {since:%Y-%m-%d}: {summary}; {report.drafts_saved} drafts saved")
    for role, why in report.failed.items():
        print(f"cassbot: the {role} mailbox was not read: {why}", file=sys.stderr)
    if missing:
        print(f"cassbot: the bot's drafts name {len(missing)} requests the store still lacks ({', '.join(missing)}): "
              "their mail is dated before --since; run again with an earlier date", file=sys.stderr)
    return Exit.FAILED if report.failed or missing else Exit.OK


def catch_up(deps: Deps, since: datetime) -> tuple[list[Processed], RunReport, Survey]:
    """Survey the CASS mailbox; replay, in the order it happened, the mail the store has not recorded (the
    Information Requests folder from `since`, and every mailbox's inbox and Sent Items from the positions the
    store remembers); then the usual pass. Every mail processed, the pass's report, and what the survey found
    (a reference it saw on a recent draft that the store still lacks was dated before `since`). No alert is
    sent: `cassbot run` sends what is due."""
    cass = deps.mailboxes[CASS]
    found = survey(cass, since, deps.settings.organisation.domain)
    with restoring(found):
        with Session(deps.engine) as session:
            positions = {(p.mailbox, p.folder): p.position for p in session.exec(select(SyncPosition)).all()}
        replay = [(stored, cass) for stored in requests_filed(cass, since)]
        replay += [(stored, mailbox) for role, mailbox in deps.mailboxes.items()
                   for folder in (Folder.INBOX, Folder.SENT)
                   for stored in mail_after(mailbox, folder, positions.get((role, folder.value)))]
        replayed = [process_message(stored, mailbox, deps) for stored, mailbox in sorted(replay, key=_when_sent)]
        report = run_once(deps)
    with Session(deps.engine) as session:
        advance_sequences(session)
        alerted_before(session, found, deps.clock())
    return [*replayed, *report.outcomes], report, found


def _when_sent(item: tuple[StoredMail, Mailbox]) -> datetime:
    return parse_mail(item[0].raw).date or datetime.max.replace(tzinfo=UTC)
