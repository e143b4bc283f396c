"""The service's own costs.

1. The digest (gather from the store and render both parts) for a store of
   100,000 requests, against the same for 1,000 in the same run.
2. The peak memory (max RSS) of a `cassbot run --once` process over 10,000 mails
   in a Maildir, against the same process with no mail.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import Session

from bench.pipeline_throughput import NOW, mails, seed
from bot.config import load_settings
from bot.demo import demo_settings
from bot.digest import gather, render
from bot.mailbox.base import Folder
from bot.mailbox.maildir import MaildirMailbox
from bot.store import Check, Request, make_engine, migrate
from bot.timescales import Calendar

ROOT = Path(__file__).resolve().parent.parent


def digest_seconds(requests: int) -> float:
    root = Path(tempfile.mkdtemp(prefix="cassbot-bench-"))
    try:
        settings = demo_settings(load_settings(), root)
        engine = make_engine(settings.store.url)
        migrate(engine)
        seed(engine, requests)  # closed requests, as a long-running store holds
        recent = NOW - timedelta(hours=30)
        with engine.begin() as connection:  # and 200 open ones: urgent, late, with checks waiting
            connection.execute(insert(Request), [dict(
                reference=f"CASS-2026-{900000 + i:06d}", kind="ola_request", state="checks_pending",
                urgent=i % 10 == 0, mailbox="cass", requester_address="a@northshire.gov.uk", requester_name="",
                message_id=f"<open-{i}@x>", subject="Information request", applicant="Mr Open", household_json="[]",
                rao="Priya Shah", received_at=recent, decision_due=recent + timedelta(hours=24), updated_at=recent,
            ) for i in range(200)])
            first_open = requests + 1
            connection.execute(insert(Check), [dict(request_id=first_open + i, team="lado", state="sent",
                                                    sent_at=recent) for i in range(200)])
        calendar = Calendar.from_settings(settings)
        start = time.perf_counter()
        with Session(engine) as session:
            render(gather(session, settings, calendar, NOW, NOW - timedelta(days=1)), settings)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(root, ignore_errors=True)


# VmHWM is the peak of this process image only; ru_maxrss would keep the pages the
# child had at fork, before exec, from this (large) benchmark process.
_MEASURED_RUN = (
    "import re, sys\n"
    "from bot.cli import main\n"
    "code = main(['run', '--once', '--config', sys.argv[1]])\n"
    "status = open('/proc/self/status').read()\n"
    "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_once_peak_rss(count: int) -> int:
    """Max RSS in KB of a `cassbot run --once` child over `count` mails."""
    root = Path(tempfile.mkdtemp(prefix="cassbot-bench-"))
    try:
        config = root / "site.toml"
        text = (ROOT / "config" / "cassbot.toml").read_text().replace('path = "state/', f'path = "{root}/')
        config.write_text(text.replace('url = "sqlite:///state/', f'url = "sqlite:///{root}/'))
        inbox = MaildirMailbox("cass", "cass@childrenstrust.example", root / "maildir" / "cass")
        for raw in mails(count):
            inbox.deliver(Folder.INBOX, raw)
        done = subprocess.run([sys.executable, "-c", _MEASURED_RUN, str(config)], cwd=ROOT, check=True,
                              capture_output=True, text=True)
        return int(done.stderr.strip().splitlines()[-1])
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench service")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--mails", type=int, default=10_000)
    args = parser.parse_args(argv)
    digest_seconds(1_000)  # warm up: the first render compiles the templates
    small, large = digest_seconds(1_000), digest_seconds(args.requests)
    print(f"digest for a store of {1_000:>7,} requests: {small * 1e3:7.1f} ms")
    print(f"digest for a store of {args.requests:>7,} requests: {large * 1e3:7.1f} ms (ratio {large / small:.2f}; "
          "goal: well under a second)")
    empty, full = run_once_peak_rss(0), run_once_peak_rss(args.mails)
    print(f"peak memory of `cassbot run --once`: no mail {empty / 1024:.0f} MB; {args.mails:,} mails "
          f"{full / 1024:.0f} MB (ratio {full / empty:.2f})")

