"""Mails per second through `cassbot run` with 1, 2 and 3 instances on one PostgreSQL
store, and with one instance on SQLite, on the same mails in the same run.

Each mailbox is polled by one instance at a time (advisory-lock leases), so extra
instances buy resilience, not speed, for a single busy mailbox: expect the same rate.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, func, select

from bot.mailbox.base import Folder
from bot.mailbox.maildir import MaildirMailbox
from bot.store import MailSeen, make_engine
from tests.support.postgres import Postgres

ROOT = Path(__file__).resolve().parent.parent
REQUEST = (ROOT / "demo" / "mail" / "01-ola-request.eml").read_bytes()
NOTICE = (ROOT / "demo" / "mail" / "11-team-notice.eml").read_bytes()


def _mails(count: int) -> list[bytes]:
    return [(REQUEST if n % 10 == 0 else NOTICE).replace(b"Message-ID: <", f"Message-ID: <b{n}.".encode(), 1)
            for n in range(count)]


def rate(url: str, instances: int, count: int) -> float:
    root = Path(tempfile.mkdtemp(prefix="cassbot-bench-"))
    try:
        if url.startswith("postgresql"):
            with make_engine(url).begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            url = f"sqlite:///{root}/cassbot.sqlite3"
        config = root / "site.toml"
        shipped = (ROOT / "config" / "cassbot.toml").read_text()
        config.write_text(shipped.replace('path = "state/', f'path = "{root}/')
                          .replace("poll_seconds = 60", "poll_seconds = 1")
                          .replace('url = "sqlite:///state/cassbot.sqlite3"', f'url = "{url}"'))
        cass = MaildirMailbox("cass", "cass@childrenstrust.example", root / "maildir" / "cass")
        for raw in _mails(count):
            cass.deliver(Folder.INBOX, raw)
        engine = make_engine(url)
        start = time.perf_counter()
        processes = [subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=ROOT,
                                      stderr=subprocess.DEVNULL) for _ in range(instances)]
        try:
            while _seen(engine) < count:
                time.sleep(0.2)
            return count / (time.perf_counter() - start)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
            engine.dispose()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _seen(engine: object) -> int:
    try:
        with Session(engine) as session:  # type: ignore[arg-type]
            return int(session.exec(select(func.count()).select_from(MailSeen)).one())
    except Exception:  # noqa: BLE001 - the schema is made by the first instance
        return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench instances")
    parser.add_argument("--mails", type=int, default=2000)
    args = parser.parse_args(argv)
    server = Postgres()
    server.start()
    try:
        sqlite = rate("sqlite", 1, args.mails)
        print(f"SQLite, 1 instance:     {sqlite:6.0f} mails/s")
        for n in (1, 2, 3):
            pg = rate(server.url, n, args.mails)
            label = f"{n} instance{'s' if n > 1 else ' '}"
            print(f"PostgreSQL, {label}: {pg:6.0f} mails/s  (ratio to SQLite {pg / sqlite:.2f})")
    finally:
        server.remove()
