"""The outside world of an IMAP mailbox on the test Dovecot: mail arriving, RAOs pressing Send.

Uses its own imapclient connection, as another mail client would.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from imapclient import DRAFT, SEEN, IMAPClient

from bot.config import Imap
from bot.mailbox.base import Folder
from bot.mailbox.credentials import EnvironmentSecret
from bot.mailbox.imap import ImapMailbox
from bot.mailbox.maildir import as_sent
from bot.teams import mailbox_roles
from tests.support.dovecot import USERS, Dovecot

NAMES = {Folder.INBOX: "INBOX", Folder.DRAFTS: "Drafts", Folder.SENT: "Sent",
         Folder.INFORMATION_REQUESTS: "Information Requests"}


def imap_settings(server: Dovecot, role: str) -> Imap:
    return Imap(host="127.0.0.1", port=server.port, security="plain", username=role,
                password_env=f"CASSBOT_TEST_{role.upper()}_PASSWORD", timeout_seconds=10)


def bot_mailbox(server: Dovecot, role: str, address: str, **options: object) -> ImapMailbox:
    settings = imap_settings(server, role)
    return ImapMailbox(role, address, settings, EnvironmentSecret(settings.password_env, role),
                       "Information Requests", **options)  # type: ignore[arg-type]


class World:
    """What people and other servers do to one user's mailbox."""

    def __init__(self, server: Dovecot, role: str) -> None:
        self.server, self.role = server, role

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.server.port, ssl=False, timeout=10)
        client.login(self.role, USERS[self.role])
        return client

    def deliver(self, folder: Folder, raw: bytes, flags: tuple[bytes, ...] = ()) -> str:
        with self.client() as client:
            response = client.append(NAMES[folder], raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
                                     flags=list(flags))
        found = re.search(rb"APPENDUID (\d+) (\d+)", response)
        assert found, response
        return f"{found.group(1).decode()}:{found.group(2).decode()}"

    def deliver_many(self, folder: Folder, raws: list[bytes]) -> None:
        """MULTIAPPEND-speed seeding for big mailboxes: one connection, many APPENDs."""
        with self.client() as client:
            for raw in raws:
                client.append(NAMES[folder], raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))

    def flags(self, folder: Folder, key: str) -> tuple[bytes, ...]:
        with self.client() as client:
            client.select_folder(NAMES[folder], readonly=True)
            uid = int(key.split(":")[1])
            return tuple(client.get_flags([uid]).get(uid, ()))

    def marks(self, folder: Folder, key: str) -> set[str]:
        """What a mail client shows of the message: "flagged", "read"."""
        flags = self.flags(folder, key)
        return {mark for mark, flag in (("flagged", b"\\Flagged"), ("read", b"\\Seen")) if flag in flags}

    def is_draft(self, key: str) -> bool:
        return DRAFT in self.flags(Folder.DRAFTS, key)

    def send_draft(self, message_id: str, sent_by: str, when: datetime, edited: bool = True) -> str:
        return self.deliver(Folder.SENT, as_sent(self.take_draft(message_id), sent_by, when, edited), flags=(SEEN,))

    def take_draft(self, message_id: str) -> bytes:
        """A draft out of Drafts, as an RAO who opens it to send or to delete it."""
        with self.client() as client:
            client.select_folder("Drafts")
            uids = client.search(["HEADER", "Message-ID", message_id])
            assert uids, f"no draft {message_id}"
            raw: bytes = client.fetch(uids, [b"BODY.PEEK[]"])[uids[0]][b"BODY[]"]
            client.delete_messages(uids)
            client.expunge()
        return raw

    def reset(self) -> None:
        with self.client() as client:
            for name in ("INBOX", "Drafts", "Sent"):
                client.select_folder(name)
                uids = client.search(["ALL"])
                for start in range(0, len(uids), 1000):  # one command per thousand: servers cap line length
                    client.delete_messages(uids[start:start + 1000])
                if uids:
                    client.expunge()
            if client.folder_exists("Information Requests"):
                client.delete_folder("Information Requests")


def imap_config_file(tmp_path: Path, dovecot: Dovecot, port: int | None = None, poll_seconds: int = 60) -> Path:
    """The shipped configuration with every mailbox on the test Dovecot.

    The timeout outlasts Dovecot's two-second delay before it answers a failed login.
    """
    text = (Path(__file__).resolve().parents[2] / "config" / "cassbot.toml").read_text()
    for role in mailbox_roles():
        text = text.replace(f'backend = "maildir"\npath = "state/maildir/{role}"', (
            f'backend = "imap"\nimap = {{ host = "127.0.0.1", port = {port or dovecot.port}, security = "plain", '
            f'username = "{role}", password_env = "CASSBOT_TEST_{role.upper()}_PASSWORD", timeout_seconds = 10, '
            'reconnect_attempts = 2, reconnect_base_seconds = 0.05 }'))
    text = text.replace('url = "sqlite:///state/cassbot.sqlite3"', f'url = "sqlite:///{tmp_path}/cassbot.sqlite3"')
    text = text.replace('health_file = "state/health.json"', f'health_file = "{tmp_path}/health.json"')
    config = tmp_path / "site.toml"
    config.write_text(text.replace("poll_seconds = 60", f"poll_seconds = {poll_seconds}"))
    return config
