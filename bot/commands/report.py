"""`cassbot report [--month YYYY-MM | --since DATE [--until DATE]] [--out DIR] [--send]`: the month in figures
(`bot.figures`) written as report.html, report.json and one CSV per table (`bot.figures_report`), or mailed."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from bot.charts import write_private
from bot.config import Settings
from bot.errors import ConfigError, Exit
from bot.figures import Period, month_period, month_report
from bot.figures_report import files
from bot.report_mail import last_month, send_due_report
from bot.store import open_store, utcnow
from bot.timescales import Calendar


def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_store(settings.store.url)
    now = utcnow()
    if args.send:
        return _send(engine, settings, now)
    period = _period(args, settings, now)
    with Session(engine) as session:
        report = month_report(session, settings, period, now)
    out = Path(args.out or Path("state") / "report" / period.label.replace(" ", "_"))
    written = files(report)
    write_private(out, written)
    print(f"cassbot: report {period.label}: {report.demand.requests} requests, "
          f"{report.acceptance.total.sent} drafts sent; {len(written)} files in {out} (report.html, report.json, "
          "and a CSV per table)")
    return Exit.OK


def _period(args: argparse.Namespace, settings: Settings, now: datetime) -> Period:
    if args.since:
        until = args.until or now.date()
        if until <= args.since:
            raise ConfigError(f"--until {until} is not after --since {args.since}")
        return Period(args.since, until)
    if args.until:
        raise ConfigError("--until goes with --since")
    if args.month:
        try:
            return month_period(args.month)
        except ValueError:
            raise ConfigError(f"--month {args.month!r} is not a month (YYYY-MM)") from None
    return last_month(now, Calendar.from_settings(settings))


def _send(engine: Engine, settings: Settings, now: datetime) -> int:
    from bot.commands.digest import tell
    from bot.commands.run import secrets_present
    secrets_present(settings)
    sent = send_due_report(engine, settings, now, anytime=True)
    tell(sent, "report", "last month's report has gone already")
    return Exit.FAILED if sent.failed else Exit.OK
