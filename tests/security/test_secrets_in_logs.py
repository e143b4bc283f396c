"""No secret in any output: log lines at every level, the store, status and the digest (issue 14).

The IMAP server here refuses the login and quotes the LOGIN command back, password and all, as
some servers do; imapclient redacts only what the bot sends. A scripted server is used because
Dovecot never echoes a password: the point is what cassbot writes when a server does.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.security.conftest import cassbot, site_config

PASSWORD = "Tr0ub4dor&3-horse-battery"


class _EchoingImap(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] echo server ready\r\n")
        for line in self.rfile:
            tag, _, rest = line.decode(errors="replace").strip().partition(" ")
            if rest.upper().startswith("CAPABILITY"):
                self.wfile.write(f"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n{tag} OK done\r\n".encode())
            elif rest.upper().startswith(("LOGIN", "AUTHENTICATE")):
                self.wfile.write(f"* BAD you said: {rest}\r\n{tag} NO [AUTHENTICATIONFAILED] {rest} "
                                 "rejected\r\n".encode())
            else:
                self.wfile.write(f"{tag} BAD unknown\r\n".encode())


@pytest.fixture
def echo_server() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _EchoingImap)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _imap_site(tmp_path: Path, port: int, log_format: str = "text") -> Path:
    return site_config(tmp_path, **{
        f'backend = "maildir"\npath = "{tmp_path}/state/maildir/cass"\nfile_requests = true\n'
        'information_requests_folder = "Information Requests"\n':
        'backend = "imap"\n[mailboxes.imap]\nhost = "127.0.0.1"\n'
        f'port = {port}\nsecurity = "plain"\nusername = "cass"\npassword_env = "CASSBOT_ECHO_PASSWORD"\n'
        'reconnect_attempts = 1\ntimeout_seconds = 5\n',
        'log_format = "text"': f'log_format = "{log_format}"',
    })


@pytest.mark.parametrize(("flags", "log_format"), [([], "text"), (["-v"], "text"), (["-v"], "json")])
def test_a_password_the_server_echoes_is_in_no_output(flags: list[str], log_format: str, echo_server: int,
                                                      tmp_path: Path) -> None:
    config = _imap_site(tmp_path, echo_server, log_format)
    env = {"CASSBOT_ECHO_PASSWORD": PASSWORD}
    run = cassbot("run", "--once", "--config", str(config), *flags, cwd=tmp_path, env=env)
    assert run.returncode == 3, run.stderr  # the login was refused: a person must act
    assert "refused" in run.stderr
    if flags:
        assert "LOGIN" in run.stderr  # the protocol is logged at DEBUG ...
    status = cassbot("status", "--config", str(config), cwd=tmp_path, env=env)
    preview = tmp_path / "digest.html"
    digest = cassbot("digest", "--preview", str(preview), "--config", str(config), cwd=tmp_path, env=env)
    written = [run.stdout, run.stderr, status.stdout, status.stderr, digest.stdout, digest.stderr,
               preview.read_text(), (tmp_path / "state" / "cassbot.sqlite3").read_bytes().decode("latin-1")]
    assert not [text for text in written if PASSWORD in text]  # ... but never the password


def test_a_port_nobody_answers_on_is_no_leak_either(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = _imap_site(tmp_path, port)
    run = cassbot("run", "--once", "-v", "--config", str(config), cwd=tmp_path, env={"CASSBOT_ECHO_PASSWORD": PASSWORD})
    assert run.returncode == 1 and PASSWORD not in run.stdout + run.stderr
