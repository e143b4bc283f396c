"""The bot's main job over a Maildir, against a small and a large store.

Processes the same mails (default 10,000) into a store already holding 1,000
and then 100,000 requests (each with its mail record and a sent draft), and
reports each as a ratio to parsing the same mails alone in the same run. The
cost per mail must not grow with the store: the last line compares the two.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import cycle, islice
from pathlib import Path

from sqlalchemy import Engine, insert

from bot.config import load_settings
from bot.demo import demo_settings
from bot.mail import parse_mail
from bot.mailbox.base import Folder
from bot.mailbox.maildir import MaildirMailbox
from bot.mailbox.registry import open_mailboxes
from bot.pipeline import Deps, run_once
from bot.store import Draft, MailSeen, Request, make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "demo" / "mail", *(p for p in (ROOT / "tests" / "mail").iterdir() if p.name != "broken"))
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_MESSAGE_ID = re.compile(rb"^Message-ID:.*?\n(?![ \t])", re.IGNORECASE | re.MULTILINE | re.DOTALL)


def mails(count: int) -> list[bytes]:
    """`count` realistic mails, each with its own Message-ID and no reference (so each is new)."""
    files = sorted(p for src in SOURCES if src.is_dir() for p in src.glob("*.eml"))
    raws = [p.read_bytes() for p in files if b"CASS-20" not in p.read_bytes()]
    return [_MESSAGE_ID.sub(f"Message-ID: <bench-{i}@bench.invalid>\n".encode(), raw, count=1)
            for i, raw in enumerate(islice(cycle(raws), count))]


def seed(engine: Engine, requests: int) -> None:
    """A store that has seen `requests` earlier requests, each answered."""
    old = NOW - timedelta(days=400)
    with engine.begin() as connection:
        connection.execute(insert(Request), [dict(
            reference=f"CASS-2025-{i:06d}", kind="ola_request", state="closed", urgent=False, mailbox="cass",
            requester_address="someone@northshire.gov.uk", requester_name="", message_id=f"<old-{i}@x>",
            subject="Information request", applicant="Mr Old Applicant", household_json="[]", rao="Priya Shah",
            received_at=old, decision_due=old, updated_at=old, closed_at=old) for i in range(1, requests + 1)])
        connection.execute(insert(MailSeen), [dict(
            mailbox="cass", folder="inbox", backend_key=str(i), message_id=f"<old-{i}@x>", kind="ola_request",
            outcome="new_request", request_id=i, subject="Information request", sender="someone@northshire.gov.uk",
            processed_at=old) for i in range(1, requests + 1)])
        connection.execute(insert(Draft), [dict(
            request_id=i, template="response", mailbox="cass", message_id=f"<old-draft-{i}@x>",
            to_address="someone@northshire.gov.uk", subject="RE: Information request", in_reply_to="",
            references="", context_json="{}", state="sent", created_at=old) for i in range(1, requests + 1)])


def process(raws: list[bytes], store_size: int) -> float:
    root = Path(tempfile.mkdtemp(prefix="cassbot-bench-"))
    try:
        settings = demo_settings(load_settings(), root)
        engine = make_engine(settings.store.url)
        migrate(engine)
        seed(engine, store_size)
        mailboxes = open_mailboxes(settings)
        cass = mailboxes["cass"]
        assert isinstance(cass, MaildirMailbox)
        for raw in raws:
            cass.deliver(Folder.INBOX, raw)
        start = time.perf_counter()
        report = run_once(Deps(settings, engine, mailboxes, lambda: NOW))
        elapsed = time.perf_counter() - start
        assert len(report.outcomes) == len(raws), "every mail must be processed"
        return elapsed
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench pipeline")
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--sizes", type=int, nargs=2, default=(1_000, 100_000), metavar=("SMALL", "LARGE"))
    args = parser.parse_args(argv)
    raws = mails(args.mails)
    start = time.perf_counter()
    for raw in raws:
        parse_mail(raw)
    parse = time.perf_counter() - start
    print(f"mails: {len(raws)}; parse_mail alone: {parse / len(raws) * 1e3:.3f} ms/mail")
    per_mail = {}
    for size in args.sizes:
        elapsed = process(raws, size)
        per_mail[size] = elapsed / len(raws)
        print(f"store of {size:>7,} requests: {per_mail[size] * 1e3:7.3f} ms/mail, "
              f"{len(raws) / elapsed:6.0f} mails/s, ratio to parsing alone {elapsed / parse:6.1f}")
    small, large = args.sizes
    print(f"cost per mail, {large:,} vs {small:,} requests: {per_mail[large] / per_mail[small]:.2f} (goal: about 1)")
