"""Several `cassbot run` processes on one PostgreSQL store and the same mailboxes.

Every mail is processed exactly once, no draft is made twice, each digest goes
once, and losing an instance mid-run (SIGKILL) loses nothing: another takes over.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.mailbox.base import Folder
from bot.mailbox.maildir import MaildirMailbox
from bot.store import DigestSent, Draft, MailSeen, make_engine
from tests.conftest import ROOT
from tests.support.dovecot import free_port
from tests.support.postgres import Postgres, wait_until
from tests.support.smtp_sink import start_sink

REQUEST = (ROOT / "demo" / "mail" / "01-ola-request.eml").read_bytes()
NOTICE = (ROOT / "demo" / "mail" / "11-team-notice.eml").read_bytes()
MAILS = 2000


def _mails() -> list[bytes]:
    """One request in ten (each makes two drafts), the rest ordinary mail."""
    return [(REQUEST if n % 10 == 0 else NOTICE).replace(b"Message-ID: <", f"Message-ID: <inst{n}.".encode(), 1)
            for n in range(MAILS)]


@pytest.fixture
def store(postgres: Postgres) -> Iterator[str]:
    engine = make_engine(postgres.url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    yield postgres.url
    engine.dispose()


def _config(tmp_path: Path, url: str, smtp_port: int) -> Path:
    text_ = (ROOT / "config" / "cassbot.toml").read_text()
    text_ = text_.replace('path = "state/', f'path = "{tmp_path}/').replace("poll_seconds = 60", "poll_seconds = 1")
    text_ = text_.replace('url = "sqlite:///state/cassbot.sqlite3"', f'url = "{url}"')
    text_ = text_.replace('host = "localhost"\nport = 587\nsecurity = "starttls"',
                          f'host = "127.0.0.1"\nport = {smtp_port}\nsecurity = "plain"')
    config = tmp_path / "site.toml"
    config.write_text(text_)
    return config


def test_three_instances_one_killed_process_every_mail_once(tmp_path: Path, store: str) -> None:
    smtp_port = free_port()
    controller, sink = start_sink(smtp_port)
    cass = MaildirMailbox("cass", "cass@childrenstrust.example", tmp_path / "maildir" / "cass")
    for raw in _mails():
        cass.deliver(Folder.INBOX, raw)
    config = _config(tmp_path, store, smtp_port)
    instances = [subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=ROOT,
                                  env=os.environ.copy(), stderr=subprocess.DEVNULL) for _ in range(3)]
    engine = make_engine(store)

    def seen() -> int:
        try:
            with Session(engine) as session:
                return len(session.exec(select(MailSeen.id).where(MailSeen.folder == "inbox")).all())
        except Exception:  # noqa: BLE001 - the schema may not exist yet
            return 0

    try:
        assert wait_until(lambda: seen() > 100, timeout=60)
        instances[0].send_signal(signal.SIGKILL)  # lost mid-run, holding whatever it held
        assert wait_until(lambda: seen() >= MAILS, timeout=240), seen()
        time.sleep(2)  # let the survivors save the last drafts
    finally:
        for process in instances[1:]:
            process.send_signal(signal.SIGTERM)
        for process in instances:
            process.wait(timeout=60)
        controller.stop()
    assert [p.returncode for p in instances[1:]] == [0, 0]
    with Session(engine) as session:
        ids = [m.message_id for m in session.exec(select(MailSeen).where(MailSeen.folder == "inbox")).all()]
        drafts = session.exec(select(Draft)).all()
        digests = session.exec(select(DigestSent)).all()
    assert len(ids) == len(set(ids)) == MAILS
    saved = cass.poll(Folder.DRAFTS, None).messages
    in_folder = Counter(str(email.message_from_bytes(m.raw)["Message-ID"]) for m in saved)
    assert set(in_folder.values()) == {1} and len(in_folder) == len(drafts) == 2 * MAILS // 10
    received = Counter(r.envelope_to[0] for r in sink.received)
    assert all(count == 1 for count in received.values()) and len(received) == len(digests)
    engine.dispose()
