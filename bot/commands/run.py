"""`cassbot run [--once]`: the service, or one pass over every mailbox with a summary."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from sqlalchemy import Engine

from bot.alerts import send_due_alerts
from bot.config import Settings
from bot.errors import ConfigError, Exit
from bot.leases import single_run
from bot.mailbox.credentials import missing_variables
from bot.mailbox.registry import open_mailboxes
from bot.observability import start_metrics
from bot.pipeline import Deps, run_once
from bot.service import Service
from bot.store import open_store, utcnow

WAIT_FOR_STORE_SECONDS = 600.0  # a second run on a SQLite store waits this long for the first to finish


def run(args: argparse.Namespace, settings: Settings) -> int:
    secrets_present(settings)
    engine = open_store(settings.store.url)
    with single_run(engine, WAIT_FOR_STORE_SECONDS, lambda holder: print(
            f"cassbot: another cassbot run ({holder}) is using the store {engine.url.database}; waiting for it to "
            f"finish (at most {WAIT_FOR_STORE_SECONDS:.0f} s)", file=sys.stderr)) as holder:
        if holder is not None:
            print(f"cassbot: another cassbot run ({holder}) still holds the store {engine.url.database}; this one "
                  "stops without touching it", file=sys.stderr)
            return Exit.FAILED
        return _run(args, settings, engine)


def _run(args: argparse.Namespace, settings: Settings, engine: Engine) -> int:
    mailboxes = open_mailboxes(settings)
    deps = Deps(settings, engine, mailboxes, utcnow)
    if not args.once:
        start_metrics(engine, settings)
        return Service(deps).run()
    try:
        report = run_once(deps)
    finally:
        send_due_alerts(engine, settings, utcnow())
        for mailbox in mailboxes.values():
            mailbox.close()  # IMAP: LOGOUT, as a polite client does
    counts = Counter(o.outcome for o in report.outcomes if o.outcome != "already_processed")
    summary = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in sorted(counts.items())) or "no new mail"
    print(f"cassbot: {summary}; {report.drafts_saved} drafts saved; {report.drafts_deleted} drafts deleted unsent")
    for role, why in report.failed.items():
        print(f"cassbot: the {role} mailbox was not processed: {why}", file=sys.stderr)
    return Exit.FAILED if report.failed else Exit.OK


def secrets_present(settings: Settings) -> None:
    """Every secret the configuration names is in the environment, or the command stops naming the variable
    (never an empty password tried against a server)."""
    missing = missing_variables(settings)
    if missing:
        raise ConfigError("; ".join(missing))
