"""Start-up failures are one clear line and exit 2, never a traceback; a store that fails mid-run stops the
run with one line and exit 1; odd mail (an absurd Date, nesting nothing can walk) is still handled and
shown for what it is (issue 14)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlmodel import Session, select

from bot.config import Settings
from bot.store import MailSeen, NeedsPerson
from tests.security.conftest import cassbot, site_config
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import build_mail


def _one_clear_line(run: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert run.returncode == code, run.stderr
    assert words in run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) <= 2


def test_a_configuration_that_is_not_utf8(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    config.write_bytes(config.read_bytes().replace(b"Children's Trust (example)", b"Children\xe2s Trust", 1))
    _one_clear_line(cassbot("run", "--once", "--config", str(config), cwd=tmp_path), 2, "is not UTF-8")


def test_a_store_url_no_database_answers_to(tmp_path: Path) -> None:
    config = site_config(tmp_path, **{f'url = "sqlite:///{tmp_path}/state/cassbot.sqlite3"':
                                      'url = "mongodb://localhost/cassbot"'})
    _one_clear_line(cassbot("run", "--once", "--config", str(config), cwd=tmp_path), 2,
                    "'mongodb' is not a database cassbot uses")


def test_a_store_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the store's folder should be")
    config = site_config(tmp_path, **{f'url = "sqlite:///{tmp_path}/state/cassbot.sqlite3"':
                                      f'url = "sqlite:///{tmp_path}/blocked/state/cassbot.sqlite3"'})
    _one_clear_line(cassbot("run", "--once", "--config", str(config), cwd=tmp_path), 2, "cannot be made")


def test_first_starts_at_once_on_a_fresh_store_both_succeed(tmp_path: Path) -> None:
    for attempt in range(3):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        config = site_config(folder)
        args = ("run", "--once", "--config", str(config))
        with ThreadPoolExecutor(3) as pool:
            runs = list(pool.map(lambda _, folder=folder, args=args: cassbot(*args, cwd=folder), range(3)))
        assert [r.returncode for r in runs] == [0, 0, 0], [r.stderr[-400:] for r in runs]


def test_a_store_locked_mid_run_stops_it_with_one_line(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    assert cassbot("run", "--once", "--config", str(config), cwd=tmp_path).returncode == 0
    inbox = tmp_path / "state" / "maildir" / "cass" / "new"
    (inbox / "locked-1").write_bytes(build_mail("Information request - Mr Sam Cole", "Assessing Mr Sam Cole.",
                                                sender="helen.marsh@northshire.gov.uk"))
    holder = sqlite3.connect(tmp_path / "state" / "cassbot.sqlite3", timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = cassbot("run", "--once", "--config", str(config), cwd=tmp_path)
    finally:
        holder.rollback()
        holder.close()
    _one_clear_line(run, 1, "the store could not be used")
    assert cassbot("run", "--once", "--config", str(config), cwd=tmp_path).returncode == 0  # nothing half-written
    assert (inbox / "locked-1").exists() or any((inbox.parent / "cur").iterdir())  # the mail is still there


def test_a_date_in_the_year_9999_is_noted_and_the_arrival_time_used(settings: Settings, tmp_path: Path) -> None:
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=build_mail("Information request - Form F - Mr Sam Cole",
                                   "We are assessing Mr Sam Cole as a foster carer. Signed consent attached, "
                                   "signed 2 November 2026.", sender="helen.marsh@northshire.gov.uk",
                                   date="Fri, 31 Dec 9999 23:59:59 +0000",
                                   attachment=signed_consent("Mr Sam Cole")))
    journey.run()
    request = journey.request("CASS-2026-000001")
    assert request.received_at is not None and request.received_at.year == 2026
    with Session(journey.engine) as session:
        reasons = [n.reason for n in session.exec(select(NeedsPerson)).all()]
    assert any("is not believable" in reason for reason in reasons)


def test_mail_nothing_can_walk_still_says_who_sent_what(settings: Settings, tmp_path: Path) -> None:
    head = (b"From: Helen Marsh <helen.marsh@northshire.gov.uk>\r\nTo: cass@childrenstrust.example\r\n"
            b"Subject: Information request - Mr Sam Cole\r\nDate: Mon, 16 Nov 2026 09:00:00 +0000\r\n"
            b"Message-ID: <deep@northshire.gov.uk>\r\nMIME-Version: 1.0\r\n")
    parts = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (n, n) for n in range(1000))
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=head + parts + b"Content-Type: text/plain\r\n\r\nhello\r\n")
    journey.run()
    with Session(journey.engine) as session:
        listed = session.exec(select(NeedsPerson)).all()
        seen = session.exec(select(MailSeen)).one()
    assert (seen.sender, seen.subject) == ("helen.marsh@northshire.gov.uk", "Information request - Mr Sam Cole")
    assert any(n.subject == seen.subject and "damaged" in n.reason for n in listed)


def test_cassbot_with_no_store_folder_permission_is_not_a_traceback() -> None:
    run = subprocess.run([sys.executable, "-m", "bot.cli", "requests", "--config", "/nonexistent/site.toml"],
                         capture_output=True, text=True, check=False)
    _one_clear_line(run, 2, "cannot read the configuration file")
