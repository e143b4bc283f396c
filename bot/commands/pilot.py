"""`cassbot pilot --since DATE [--until DATE]`: the bot on a period of the trust's own mail, read only, against
what staff did (`bot.pilot`), written as a report (`bot.pilot_report`)."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.config import Settings
from bot.errors import ConfigError, Exit
from bot.mailbox.base import Mailbox
from bot.mailbox.registry import open_mailboxes
from bot.pilot import ReadOnly, compare, read_period, replay
from bot.pilot_report import as_csv, as_html, as_json, summarise
from bot.store import open_store, utcnow


def run(args: argparse.Namespace, settings: Settings) -> int:
    since, until = args.since, args.until or utcnow().date()
    if until <= since:
        raise ConfigError(f"--until {until} is not after --since {since}")
    out = Path(args.out or Path("state") / "pilot" / f"{since}_{until}")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    store = out / "pilot.sqlite3"
    for stale in _store_files(store):
        stale.unlink(missing_ok=True)  # a pilot starts from nothing: its own store, never the service's
    pilot_settings = settings.model_copy(update={"store": settings.store.model_copy(
        update={"url": f"sqlite:///{store}"})})
    engine = open_store(pilot_settings.store.url)
    mailboxes: dict[str, Mailbox] = {role: ReadOnly(box) for role, box in open_mailboxes(pilot_settings).items()}
    try:
        period = read_period(mailboxes, _start(since), _start(until))
        replay(pilot_settings, engine, mailboxes, period)
        result = compare(pilot_settings, engine, period, since, until)
        summary = summarise(result, utcnow(), full=args.full)
        written = {"report.html": as_html(summary, settings.organisation.name), "report.json": as_json(summary),
                   "report.csv": as_csv(summary)}
        for name, text in written.items():
            path = out / name
            path.write_text(text, encoding="utf-8")
            os.chmod(path, 0o600)  # about children: the service user's only
    finally:
        for mailbox in mailboxes.values():
            mailbox.close()
        engine.dispose()
        if not args.keep:  # the period's data goes, report written or not
            for path in _store_files(store):
                path.unlink(missing_ok=True)
    print(f"cassbot: pilot {since} to {until}: {summary.mails_read} mails, {summary.requests} requests, "
          f"{len(summary.disagreements)} disagreements; report in {out / 'report.html'} (and .json, .csv)"
          + (f"; the pilot's store kept in {store}" if args.keep else ""))
    return Exit.OK


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _store_files(store: Path) -> list[Path]:
    return [store, store.with_name(f"{store.name}-wal"), store.with_name(f"{store.name}-shm"),
            store.with_name(f"{store.name}.migrate-lock")]
