"""`cassbot digest --preview [FILE] | --send`: today's digest to a file, or to the team leaders now."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from bot.commands.run import secrets_present
from bot.config import Settings
from bot.digest import gather, render
from bot.errors import Exit
from bot.jobs import DigestRun, send_due_digests
from bot.redaction import redact
from bot.store import open_store, utcnow
from bot.timescales import Calendar


def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_store(settings.store.url)
    now = utcnow()
    if args.send:
        secrets_present(settings)
        sent = send_due_digests(engine, settings, now, anytime=True)
        if not tell(sent, "digest", "today's digest has gone already") and not sent.failed:
            print("cassbot: no team leader is on the staff list: no digest to send", file=sys.stderr)
            return Exit.USAGE
        return Exit.FAILED if sent.failed else Exit.OK
    with Session(engine) as session:
        data = gather(session, settings, Calendar.from_settings(settings), now, now - timedelta(days=1))
    text, html = render(data, settings)
    out = Path(args.preview)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html)
    out.with_suffix(".txt").write_text(text)
    print(f"cassbot: digest preview written to {out} and {out.with_suffix('.txt')}")
    return Exit.OK


def tell(run: DigestRun, what: str, gone_already: str) -> bool:
    """Say who had the mail now, whose copy failed and why, or that it had gone already; False when nobody had
    it and it had not gone."""
    for recipient, why in run.failed.items():
        print(f"cassbot: the {what} to {recipient} was not sent: {redact(why)}", file=sys.stderr)
    if run.sent:
        print(f"cassbot: {what} sent to {', '.join(run.sent)}")
    elif run.already and not run.failed:
        print(f"cassbot: {gone_already}")
    return bool(run.sent or run.already)
