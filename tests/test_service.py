"""`cassbot run` as a real process on a real Dovecot: SIGTERM loses nothing; `cassbot status` tells the truth."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import bot.health
from bot.cli import main
from bot.mailbox.base import Folder
from bot.teams import mailbox_roles
from tests.conftest import ROOT
from tests.support.dovecot import Dovecot, free_port
from tests.support.imap_world import World, imap_config_file

REQUEST = (ROOT / "demo" / "mail" / "01-ola-request.eml").read_bytes()


def _requests(count: int) -> list[bytes]:
    return [REQUEST.replace(b"Message-ID: <", f"Message-ID: <svc{n}.".encode(), 1) for n in range(count)]


def _seen(db: Path) -> list[str]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as connection:
        try:
            return [row[0] for row in connection.execute("SELECT message_id FROM mail_seen WHERE folder='inbox'")]
        except sqlite3.OperationalError:
            return []  # not migrated yet


@pytest.fixture
def config(tmp_path: Path, dovecot: Dovecot) -> Path:
    for role in mailbox_roles():
        World(dovecot, role).reset()
    return imap_config_file(tmp_path, dovecot, poll_seconds=1)


def test_sigterm_mid_run_then_restart_processes_every_mail_once(config: Path, dovecot: Dovecot, tmp_path: Path) -> None:
    World(dovecot, "cass").deliver_many(Folder.INBOX, _requests(120))
    db = tmp_path / "cassbot.sqlite3"
    service = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=ROOT,
                               env=os.environ.copy(), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(_seen(db)) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    service.send_signal(signal.SIGTERM)
    assert service.wait(timeout=60) == 0, service.stderr.read() if service.stderr else ""
    assert 10 <= len(_seen(db)) < 120  # stopped mid-run, between mails
    assert main(["run", "--once", "--config", str(config)]) == 0  # restart
    seen = _seen(db)
    assert len(seen) == len(set(seen)) == 120
    drafts = World(dovecot, "cass")
    with drafts.client() as client:
        client.select_folder("Drafts", readonly=True)
        ids = [re.search(rb"<[^>]+>", v[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"]).group(0)  # type: ignore[union-attr]
               for v in client.fetch(client.search(["ALL"]), [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).values()]
    assert len(ids) == len(set(ids)) == 240  # a LADO and a CHARMS check request for each, none twice


def test_the_service_keeps_a_health_file_that_the_container_check_reads(config: Path, tmp_path: Path) -> None:
    health = tmp_path / "health.json"
    assert bot.health.main([str(health)]) == 1  # no service, no file: not healthy
    service = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=ROOT,
                               env=os.environ.copy(), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not bot.health.check(health, datetime.now(UTC))[0] and time.monotonic() < deadline:
            time.sleep(0.1)  # unhealthy until each mailbox has had a good poll
        assert bot.health.main([str(health)]) == 0
        assert health.stat().st_mode & 0o077 == 0  # the service user's only
    finally:
        service.send_signal(signal.SIGTERM)
    assert service.wait(timeout=60) == 0, service.stderr.read() if service.stderr else ""
    healthy, why = bot.health.check(health, datetime.now(UTC) + timedelta(minutes=2))
    assert not healthy and "hung or stopped" in why  # a service that stopped writing it is not healthy


def test_status_reports_each_mailbox_and_fails_when_one_is_down(
    config: Path, tmp_path: Path, dovecot: Dovecot, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--once", "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["status", "--json", "--config", str(config)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["healthy"] is True and set(status["mailboxes"]) == {"cass", "af", "lado"}
    assert all(m["last_good_poll"] for m in status["mailboxes"].values())
    broken = imap_config_file(tmp_path, dovecot, port=free_port())  # same store, server gone
    assert main(["run", "--once", "--config", str(broken)]) == 1
    capsys.readouterr()
    assert main(["status", "--config", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "NOT HEALTHY" in out and "cass: last good poll" in out and "failing since" in out


def test_a_health_file_that_is_not_what_the_service_writes_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    health = tmp_path / "health.json"
    health.write_text('{"fresh_until": "2999-01-01T00:00:00", "status": {"healthy": false}}')  # no zone, no boxes
    healthy, why = bot.health.check(health, datetime.now(UTC))
    assert not healthy and "no usable health file" in why
