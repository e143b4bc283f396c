"""Failures say so: a send that did not happen exits non-zero with the reason and is never recorded as
done; a secret the configuration names but the environment lacks is named, never used empty (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.conftest import free_port
from tests.security.conftest import cassbot, site_config


@dataclass
class _Relay:
    """A real SMTP server (aiosmtpd) that refuses every mail until told to take them."""

    refuse: bool = True
    taken: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # aiosmtpd's name
        if self.refuse:
            return "554 5.7.1 Message refused by policy"
        self.taken.append(list(envelope.rcpt_tos))
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[int, _Relay]]:
    port, handler = free_port(), _Relay()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


def _smtp_site(tmp_path: Path, port: int, username: str = "") -> Path:
    return site_config(tmp_path, **{
        'host = "localhost"\nport = 587\nsecurity = "starttls"\nusername = ""\npassword_env = ""':
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "plain"\nusername = "{username}"\n'
        f'password_env = "{"CASSBOT_SMTP_PASSWORD" if username else ""}"'})


def test_a_refused_digest_exits_1_with_the_reason_and_is_tried_again(relay: tuple[int, _Relay],
                                                                     tmp_path: Path) -> None:
    port, server = relay
    config = _smtp_site(tmp_path, port)
    refused = cassbot("digest", "--send", "--config", str(config), cwd=tmp_path)
    assert refused.returncode == 1
    assert "the digest to j.hart@childrenstrust.example was not sent" in refused.stderr
    assert "554" in refused.stderr and "gone already" not in refused.stdout + refused.stderr
    server.refuse = False
    again = cassbot("digest", "--send", "--config", str(config), cwd=tmp_path)
    assert again.returncode == 0 and "digest sent to" in again.stdout
    assert server.taken
    once_more = cassbot("digest", "--send", "--config", str(config), cwd=tmp_path)
    assert once_more.returncode == 0 and "gone already" in once_more.stdout


def test_an_smtp_server_nobody_answers_on_exits_1(tmp_path: Path) -> None:
    config = _smtp_site(tmp_path, free_port())
    run = cassbot("digest", "--send", "--config", str(config), cwd=tmp_path)
    assert run.returncode == 1 and "was not sent" in run.stderr


def test_an_unset_smtp_password_is_named_and_nothing_is_tried(relay: tuple[int, _Relay], tmp_path: Path) -> None:
    port, server = relay
    server.refuse = False
    config = _smtp_site(tmp_path, port, username="cassbot")
    run = cassbot("digest", "--send", "--config", str(config), cwd=tmp_path, env={"CASSBOT_SMTP_PASSWORD": ""})
    assert run.returncode == 2
    assert "smtp.password_env: the environment variable CASSBOT_SMTP_PASSWORD is not set" in run.stderr
    assert server.taken == []


def test_an_unset_mailbox_password_is_named_before_anything_runs(tmp_path: Path) -> None:
    config = site_config(tmp_path, **{
        f'backend = "maildir"\npath = "{tmp_path}/state/maildir/cass"\nfile_requests = true\n'
        'information_requests_folder = "Information Requests"\n':
        'backend = "imap"\n[mailboxes.imap]\nhost = "127.0.0.1"\nport = 1\nsecurity = "plain"\n'
        'username = "cass"\npassword_env = "CASSBOT_NOT_SET_ANYWHERE"\n'})
    run = cassbot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert run.returncode == 2
    assert "CASSBOT_NOT_SET_ANYWHERE is not set" in run.stderr and "Traceback" not in run.stderr


def test_alert_recipients_off_the_staff_list_stop_the_start(tmp_path: Path) -> None:
    config = site_config(tmp_path, **{'duty = ["j.hart@childrenstrust.example"]':
                                      'duty = ["someone@gmail.com"]'})
    run = cassbot("run", "--once", "--config", str(config), cwd=tmp_path)
    assert run.returncode == 2 and "alerts.duty: someone@gmail.com is not on the staff list" in run.stderr
