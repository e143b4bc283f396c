"""The IMAP backend on a real Dovecot: unread stays unread, cheap no-op polls, resync, faults."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import SEEN
from sqlmodel import Session, func, select

from bot.config import Settings
from bot.errors import MailboxAuthError
from bot.mailbox.base import Folder
from bot.mailbox.credentials import EnvironmentSecret
from bot.mailbox.imap import ImapMailbox
from bot.store import Draft, MailSeen
from bot.teams import mailbox_roles
from tests.support.dovecot import Dovecot
from tests.support.imap_world import World, bot_mailbox, imap_config_file, imap_settings
from tests.support.journey import Journey
from tests.support.mail import build_mail


def _mail(n: int, subject: str = "Team notice") -> bytes:
    return build_mail(f"{subject} {n}", message_id=f"<notice-{n}@childrenstrust.example>")


@pytest.fixture
def world(dovecot: Dovecot) -> World:
    world = World(dovecot, "cass")
    world.reset()
    return world


@pytest.fixture
def journey(settings: Settings, tmp_path: Path, dovecot: Dovecot) -> Iterator[Journey]:
    journey = Journey(settings, tmp_path, dovecot=dovecot)
    journey.reset_server()
    yield journey
    for box in journey.maildirs.values():
        box.close()


def _seen_count(journey: Journey) -> int:
    with Session(journey.engine) as session:
        return session.exec(select(func.count()).select_from(MailSeen)).one()


def test_the_bot_never_marks_mail_read(journey: Journey, world: World) -> None:
    notice = world.deliver(Folder.INBOX, _mail(1))
    journey.deliver("01-ola-request.eml")
    journey.run()
    assert SEEN not in world.flags(Folder.INBOX, notice)
    with world.client() as client:  # the request was filed, still unread for Business Support
        client.select_folder("Information Requests", readonly=True)
        flags = client.get_flags(client.search(["ALL"]))
    assert len(flags) == 1 and all(SEEN not in f for f in flags.values())


def _commands(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "imapclient.imaplib" and r.getMessage().startswith(">")]


@pytest.mark.parametrize("size", [5, 300])
def test_a_poll_with_nothing_new_is_one_command_whatever_the_size(
    world: World, dovecot: Dovecot, size: int, caplog: pytest.LogCaptureFixture
) -> None:
    world.deliver_many(Folder.INBOX, [_mail(n) for n in range(size)])
    box = bot_mailbox(dovecot, "cass", "cass@childrenstrust.example")
    first = box.poll(Folder.INBOX, None)
    assert len(first.messages) == size
    with caplog.at_level(logging.DEBUG, logger="imapclient.imaplib"):
        again = box.poll(Folder.INBOX, first.position)
    assert again.messages == [] and again.position == first.position
    assert [c.split()[2] for c in _commands(caplog)] == ["STATUS"]
    box.close()


def test_uidvalidity_change_resyncs_without_reprocessing(journey: Journey, world: World,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    world.deliver(Folder.SENT, _mail(1, "Sent note"))
    journey.run()
    with world.client() as client:  # the server rebuilds Sent: new UIDVALIDITY
        client.delete_folder("Sent")
        client.create_folder("Sent")
    world.deliver(Folder.SENT, _mail(1, "Sent note"))
    world.deliver(Folder.SENT, _mail(2, "Sent note"))
    with caplog.at_level(logging.WARNING):
        journey.run()
    assert any("UIDVALIDITY changed" in r.getMessage() for r in caplog.records)
    with Session(journey.engine) as session:
        sent = session.exec(select(MailSeen.message_id).where(MailSeen.folder == "sent")).all()
    assert sorted(sent) == ["<notice-1@childrenstrust.example>", "<notice-2@childrenstrust.example>"]


def test_a_wrong_password_is_an_auth_error_naming_the_mailbox(dovecot: Dovecot,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    settings = imap_settings(dovecot, "lado")
    monkeypatch.setenv(settings.password_env, "wrong")
    secret = EnvironmentSecret(settings.password_env, "lado")
    box = ImapMailbox("lado", "lado@childrenstrust.example", settings, secret, "Information Requests",
                      sleep=lambda _: pytest.fail("an auth failure must not be retried"))
    with pytest.raises(MailboxAuthError, match="lado: the IMAP server refused the login for lado"):
        box.poll(Folder.INBOX, None)


def test_a_server_restart_mid_run_loses_nothing_and_duplicates_nothing(
    journey: Journey, world: World, dovecot: Dovecot, caplog: pytest.LogCaptureFixture
) -> None:
    world.deliver_many(Folder.INBOX, [_mail(n) for n in range(300)])
    journey.deliver("01-ola-request.eml", "02-urgent-kinship-request.eml", "10-not-urgent-adoption.eml")
    for box in journey.deps.mailboxes.values():
        assert isinstance(box, ImapMailbox)
        box._base_delay = 0.1  # a quick back-off keeps the test short
    restart = threading.Timer(0.2, lambda: (dovecot.stop(), time.sleep(0.4), dovecot.start()))
    restart.start()
    with caplog.at_level(logging.INFO, logger="bot.mailbox.imap"):
        journey.run()
        restart.join()
        journey.run()
    assert _seen_count(journey) == 303
    with Session(journey.engine) as session:
        drafts = session.exec(select(Draft.message_id)).all()
    in_folder = [m for m in journey.cass.draft_ids()]
    assert sorted(drafts) == sorted(in_folder) and len(set(in_folder)) == len(in_folder)
    lost = [r for r in caplog.records if "connection lost" in r.getMessage()]
    assert 1 <= len(lost) <= len(journey.deps.mailboxes)  # the outage happened, logged once per mailbox


def test_idle_wakes_for_new_mail_and_survives_a_restart(world: World, dovecot: Dovecot) -> None:
    box = bot_mailbox(dovecot, "cass", "cass@childrenstrust.example", base_delay=0.1)
    box.poll(Folder.INBOX, None)
    threading.Timer(0.5, lambda: world.deliver(Folder.INBOX, _mail(1))).start()
    started = time.monotonic()
    assert box.wait_for_mail(Folder.INBOX, timeout=10) is True
    assert time.monotonic() - started < 5
    threading.Timer(0.3, lambda: (dovecot.stop(), time.sleep(0.3), dovecot.start())).start()
    box.wait_for_mail(Folder.INBOX, timeout=2)  # the restart ends the IDLE; no exception escapes
    assert [m.key for m in box.poll(Folder.INBOX, None).messages]  # and the mailbox is back
    box.close()


def test_idle_is_reissued_before_the_server_ends_it(world: World, dovecot: Dovecot,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    settings = imap_settings(dovecot, "cass").model_copy(update={"idle_seconds": 1})
    box = ImapMailbox("cass", "cass@childrenstrust.example", settings,
                      EnvironmentSecret(settings.password_env, "cass"), "Information Requests")
    with caplog.at_level(logging.DEBUG, logger="imapclient.imaplib"):
        assert box.wait_for_mail(Folder.INBOX, timeout=2.5) is False
    assert sum(1 for c in _commands(caplog) if c.split()[2].strip("'") == "IDLE") == 3
    box.close()


def test_run_once_over_imap_exits_3_naming_the_mailbox_when_its_login_is_refused(
    tmp_path: Path, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    config = imap_config_file(tmp_path, dovecot)
    assert main(["run", "--once", "--config", str(config)]) == 0
    monkeypatch.setenv("CASSBOT_TEST_AF_PASSWORD", "changed-by-IT")
    assert main(["run", "--once", "--config", str(config)]) == 3
    assert "af: the IMAP server refused the login for af" in capsys.readouterr().err


def test_an_unreachable_server_is_reported_and_exits_1(tmp_path: Path, dovecot: Dovecot,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main
    from tests.support.dovecot import free_port

    config = imap_config_file(tmp_path, dovecot, port=free_port())  # nothing listens there
    assert main(["run", "--once", "--config", str(config)]) == 1
    assert "the cass mailbox was not processed" in capsys.readouterr().err


def test_a_pass_logs_out_of_every_mailbox_it_opened(dovecot: Dovecot, tmp_path: Path) -> None:
    """`run --once` ends each IMAP session with LOGOUT, as a polite client does, not by dropping it."""
    from bot.cli import main
    for role in mailbox_roles():
        World(dovecot, role).reset()
    log = dovecot.root / "dovecot.log"
    before = log.read_text().count("Logged out") if log.exists() else 0
    assert main(["run", "--once", "--config", str(imap_config_file(tmp_path, dovecot))]) == 0
    time.sleep(0.2)  # Dovecot writes the line as the session ends
    ended = [line for line in log.read_text().splitlines() if "imap(" in line and "Disconnected:" in line]
    assert log.read_text().count("Logged out") - before >= 3  # cass, af and lado
    assert all("Logged out" in line for line in ended[-3:]), ended[-3:]  # not "Connection closed"


def test_message_ids_differing_in_case_are_different_drafts(dovecot: Dovecot, world: World) -> None:
    """IMAP's SEARCH HEADER matches a substring without regard to case; Message-IDs are compared exactly."""
    box = bot_mailbox(dovecot, "cass", "cass@example.org")
    try:
        lower = box.save_draft(_mail(1).replace(b"notice-1", b"draft-a"), "<draft-a@childrenstrust.example>")
        upper = box.save_draft(_mail(1).replace(b"notice-1", b"DRAFT-A"), "<DRAFT-A@childrenstrust.example>")

        assert lower != upper
        assert box.save_draft(_mail(1).replace(b"notice-1", b"DRAFT-A"), "<DRAFT-A@childrenstrust.example>") == upper
        assert box.draft_ids() == {"<draft-a@childrenstrust.example>", "<DRAFT-A@childrenstrust.example>"}
    finally:
        box.close()


def test_check_mailboxes_on_imap_lists_reads_and_leaves_no_test_draft(
        dovecot: Dovecot, world: World, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.commands.check_mailboxes import Report, check_one
    world.deliver(Folder.INBOX, _mail(1))
    report = Report()

    check_one(report, settings.mailbox("cass"), lambda: bot_mailbox(dovecot, "cass", "cass@example.org"))

    lines = capsys.readouterr().out.splitlines()
    assert report.code == 0 and len(lines) == 3 and all(line.startswith("ok") for line in lines), lines
    assert "INBOX" in lines[0] and "Drafts" in lines[0] and "left unread" in lines[1]
    with world.client() as client:
        client.select_folder("Drafts", readonly=True)
        assert client.search(["ALL"]) == []
        client.select_folder("INBOX", readonly=True)
        assert all(SEEN not in flags for flags in client.get_flags(client.search(["ALL"])).values())
