"""The IMAP backend (imapclient): Dovecot, Exchange and Microsoft 365 (with XOAUTH2).

- Never marks mail read: folders are EXAMINEd (read-only) to poll, and bodies are
  fetched with BODY.PEEK[] (RFC 3501 §6.4.5).
- Incremental: the position is the folder's UIDVALIDITY and the last UID seen. A
  poll with nothing new is one STATUS, whatever the mailbox's size (UIDNEXT says
  nothing arrived). A changed UIDVALIDITY (RFC 3501 §2.3.1.1) starts again from
  the first UID; the pipeline skips mail it has recorded by Message-ID.
- Drafts are APPENDed with \\Draft; the bot first looks for its own earlier draft
  by Message-ID, so a retried save never makes two.
- Filing is a MOVE (RFC 6851) and flagging a silent STORE of \\Flagged: both keep
  the unread state.
- A dropped connection, a restarted server or a timeout reconnects with
  exponential back-off and jitter, logged once per outage; a failed login is
  `MailboxAuthError` at once: retrying a wrong password only locks the account.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from imapclient import DRAFT, IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from bot.config import Imap
from bot.errors import MailboxAuthError, MailboxError, MessageGone
from bot.mailbox.base import Folder, Poll, StoredMail, keyword
from bot.mailbox.credentials import Secret
from bot.mailbox.retry import retrying
from bot.patterns import MESSAGE_ID_HEADER

log = logging.getLogger(__name__)
T = TypeVar("T")
FETCH_BATCH = 200  # messages per FETCH
POLL_LIMIT = 2000  # messages per poll; the pipeline polls again for the rest
_TRANSIENT = (OSError, socket.timeout, ssl.SSLError, IMAPClientAbortError)
_APPENDUID = re.compile(rb"APPENDUID (\d+) (\d+)")


class ImapMailbox:
    """One shared mailbox over one IMAP connection, reconnected as needed."""

    backend = "imap"  # its name in the configuration

    def __init__(
        self, role: str, address: str, settings: Imap, secret: Secret, information_requests: str, *,
        max_attempts: int = 6, base_delay: float = 1.0, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.role, self.address = role, address
        self._settings, self._secret = settings, secret
        self._information_requests = information_requests
        self._max_attempts, self._base_delay, self._sleep = max_attempts, base_delay, sleep
        self._client: IMAPClient | None = None
        self._folders: dict[Folder, str] = {}

    # -- the Mailbox interface --

    def poll(self, folder: Folder, position: str | None) -> Poll:
        """New messages since `position` (UIDVALIDITY and last UID, as JSON)."""
        return self._retry(lambda client: self._poll(client, folder, position))

    def save_draft(self, raw: bytes, message_id: str) -> str:
        return self._retry(lambda client: self._save_draft(client, raw, message_id))

    def draft_ids(self) -> set[str]:
        return self._retry(self._draft_ids)

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        return self._retry(lambda client: self._file_into(client, folder, message))

    def flag(self, message: StoredMail) -> None:
        self._retry(lambda client: self._flag(client, message))

    def folder_names(self) -> list[str]:
        return self._retry(lambda client: [str(name) for _, _, name in client.list_folders()])

    def sample(self, folder: Folder) -> StoredMail | None:
        return self._retry(lambda client: self._sample(client, folder))

    def remove_draft(self, key: str) -> None:
        self._retry(lambda client: self._remove_draft(client, key))

    def _sample(self, client: IMAPClient, folder: Folder) -> StoredMail | None:
        name = self._folder(client, folder)
        status = client.select_folder(name, readonly=True)
        uids = client.search(["ALL"])
        return next(iter(self._fetch(client, folder, int(status[b"UIDVALIDITY"]), uids[-1:])), None)

    def _remove_draft(self, client: IMAPClient, key: str) -> None:
        draft = StoredMail(Folder.DRAFTS, key, b"")
        uid = self._select_message(client, draft)
        client.add_flags([uid], [b"\\Deleted"], silent=True)
        client.uid_expunge([uid])
    def categorise(self, message: StoredMail, category: str) -> None:
        self._retry(lambda client: self._keyword(client, message, keyword(category)))

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except (*_TRANSIENT, IMAPClientError):
                pass  # the server is gone already: nothing left to close politely
            self._client = None

    def wait_for_mail(self, folder: Folder, timeout: float) -> bool:
        """Block until the server says mail arrived in `folder` (IDLE, RFC 2177), at most `timeout` seconds.

        An IDLE is re-issued every `idle_seconds` (at most 29 minutes; servers end
        it at 30). Without IDLE, this just waits out `timeout` and lets the poll look.
        """
        return self._retry(lambda client: self._idle(client, folder, timeout))

    # -- the work, on a connected client --

    def _poll(self, client: IMAPClient, folder: Folder, position: str | None) -> Poll:
        name = self._folder(client, folder)
        if folder is Folder.INFORMATION_REQUESTS and not client.folder_exists(name):
            return Poll([], position)  # made the first time a request is filed
        # STATUS answers from the server's index: on Dovecot about 40 times cheaper than
        # EXAMINE on a 20,000-message folder, and enough to see that nothing arrived.
        status = client.folder_status(name, [b"UIDVALIDITY", b"UIDNEXT"])
        validity, uidnext = int(status[b"UIDVALIDITY"]), int(status.get(b"UIDNEXT", 0))
        known = json.loads(position) if position else {}
        last = int(known.get("last_uid", 0)) if known.get("uidvalidity") == validity else 0
        if known and known.get("uidvalidity") != validity:
            log.warning("%s/%s: UIDVALIDITY changed (%s -> %s): reading the folder again; mail already "
                        "processed is recognised by its Message-ID",
                        self.role, name, known.get("uidvalidity"), validity)
        if uidnext and uidnext <= last + 1:
            return Poll([], _position(validity, last))
        client.select_folder(name, readonly=True)  # EXAMINE: read-only, so nothing is marked read
        uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
        batch, more = uids[:POLL_LIMIT], len(uids) > POLL_LIMIT
        messages = list(self._fetch(client, folder, validity, batch))
        return Poll(messages, _position(validity, batch[-1] if batch else last), more=more)

    def _fetch(self, client: IMAPClient, folder: Folder, validity: int, uids: list[int]) -> Iterator[StoredMail]:
        for start in range(0, len(uids), FETCH_BATCH):
            chunk = uids[start:start + FETCH_BATCH]
            data = client.fetch(chunk, [b"BODY.PEEK[]"])
            for uid in chunk:
                raw = data.get(uid, {}).get(b"BODY[]")
                if isinstance(raw, bytes):  # expunged by someone else meanwhile: nothing to read
                    yield StoredMail(folder, f"{validity}:{uid}", raw)

    def _save_draft(self, client: IMAPClient, raw: bytes, message_id: str) -> str:
        name = self._folder(client, Folder.DRAFTS)
        status = client.select_folder(name, readonly=True)
        # SEARCH HEADER matches a substring without regard to case (RFC 9051 6.4.4): checked again exactly.
        found = [uid for uid, found_id in self._message_ids(client, client.search(["HEADER", "Message-ID",
                                                                                      message_id]))
                 if found_id == "".join(message_id.split())]
        if found:
            log.debug("%s: draft %s already in %s", self.role, message_id, name)
            return f"{status[b'UIDVALIDITY']}:{found[0]}"
        response = client.append(name, _crlf(raw), flags=[DRAFT])
        appended = _APPENDUID.search(response if isinstance(response, bytes) else b"")
        return f"{appended.group(1).decode()}:{appended.group(2).decode()}" if appended else ""

    def _draft_ids(self, client: IMAPClient) -> set[str]:
        client.select_folder(self._folder(client, Folder.DRAFTS), readonly=True)
        return {message_id for _, message_id in self._message_ids(client, client.search(["ALL"]))}

    @staticmethod
    def _message_ids(client: IMAPClient, uids: list[int]) -> Iterator[tuple[int, str]]:
        """(UID, Message-ID) of these messages of the selected folder, read from the header alone."""
        field = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"
        for start in range(0, len(uids), FETCH_BATCH):
            data = client.fetch(uids[start:start + FETCH_BATCH], [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            for uid, item in sorted(data.items()):
                header = item.get(field, b"").decode("ascii", "replace")
                yield from ((uid, m.group(0)) for m in re.finditer(r"<[^<>\s]+>", header))

    def _file_into(self, client: IMAPClient, folder: Folder, message: StoredMail) -> str:
        target = self._folder(client, folder)
        if not client.folder_exists(target):
            client.create_folder(target)
        uid = self._select_message(client, message)
        if client.has_capability("MOVE"):  # RFC 6851: flags (unread) are kept
            client.move([uid], target)
        else:
            client.copy([uid], target)
            client.add_flags([uid], [b"\\Deleted"])
            client.uid_expunge([uid])
        return self._key_of(client, target, message.raw)

    def _flag(self, client: IMAPClient, message: StoredMail) -> None:
        client.add_flags([self._select_message(client, message)], [b"\\Flagged"], silent=True)

    def _keyword(self, client: IMAPClient, message: StoredMail, name: str) -> None:
        """A keyword added beside the message's own flags and keywords; a server whose PERMANENTFLAGS has no
        \\* (Exchange's IMAP) keeps no keywords, so nothing is set and it is logged."""
        uid = self._select_message(client, message)
        if b"\\*" not in client.select_folder(self._folder(client, message.folder)).get(b"PERMANENTFLAGS", ()):
            log.warning("%s: the server keeps no keywords; %r not set on %s", self.role, name, message.key)
            return
        client.add_flags([uid], [name.encode("ascii")], silent=True)

    def _select_message(self, client: IMAPClient, message: StoredMail) -> int:
        """Select the message's folder for changes and return its UID; MailboxError if it has gone."""
        source = self._folder(client, message.folder)
        status = client.select_folder(source)
        validity, _, uid_text = message.key.partition(":")
        uid = int(uid_text or 0)
        if str(status[b"UIDVALIDITY"]) != validity or not client.search(["UID", str(uid)]):
            raise MessageGone(self.role, message.key, source)
        return uid

    @staticmethod
    def _key_of(client: IMAPClient, folder: str, raw: bytes) -> str:
        """The key a message now has in `folder`, found by its Message-ID."""
        found = MESSAGE_ID_HEADER.search(raw)
        status = client.select_folder(folder, readonly=True)
        uids = client.search(["HEADER", "Message-ID", found.group(1).decode()]) if found else []
        return f"{status[b'UIDVALIDITY']}:{max(uids)}" if uids else ""

    def _idle(self, client: IMAPClient, folder: Folder, timeout: float) -> bool:
        if not client.has_capability("IDLE"):
            self._sleep(timeout)
            return False
        client.select_folder(self._folder(client, folder), readonly=True)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self._idle_once(client, min(left, self._settings.idle_seconds)):
                return True
        return False

    @staticmethod
    def _idle_once(client: IMAPClient, seconds: float) -> bool:
        """One IDLE of at most `seconds`, then DONE: re-issued by the caller before the server's 30 minutes."""
        ends = time.monotonic() + seconds
        client.idle()
        try:
            while (left := ends - time.monotonic()) > 0:
                # Dovecot delays the EXISTS push by about half a second; check often.
                responses = client.idle_check(timeout=min(left, 1.0))
                if any(len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                    return True
            return False
        finally:
            client.idle_done()

    # -- connection, folders, retries --

    def _retry(self, work: Callable[[IMAPClient], T]) -> T:
        try:
            return retrying(lambda: work(self._connected()), log=log, role=self.role, server="IMAP server",
                            transient=_TRANSIENT, max_attempts=self._max_attempts, base_delay=self._base_delay,
                            sleep=self._sleep, on_failure=self._drop, failed="connection lost")
        except IMAPClientError as exc:
            raise MailboxError(f"{self.role}: IMAP server refused: {exc}") from exc

    def _connected(self) -> IMAPClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> IMAPClient:
        s = self._settings
        context = ssl.create_default_context()
        client = IMAPClient(s.host, port=s.port, ssl=s.security == "tls", ssl_context=context,
                            timeout=s.timeout_seconds)
        if s.security == "starttls":
            client.starttls(context)
        try:
            if s.auth == "xoauth2":
                client.oauth2_login(s.username, self._secret.get())
            else:
                client.login(s.username, self._secret.get())
        except LoginError as exc:
            raise MailboxAuthError(f"{self.role}: the IMAP server refused the login for {s.username}") from exc
        return client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.shutdown()
            except (*_TRANSIENT, IMAPClientError):
                pass  # already broken: that is why it is being dropped

    def _folder(self, client: IMAPClient, folder: Folder) -> str:
        if folder not in self._folders:
            self._folders[folder] = self._find_folder(client, folder)
        return self._folders[folder]

    def _find_folder(self, client: IMAPClient, folder: Folder) -> str:
        s = self._settings
        named = {Folder.INBOX: "INBOX", Folder.DRAFTS: s.drafts_folder, Folder.SENT: s.sent_folder,
                 Folder.INFORMATION_REQUESTS: self._information_requests}[folder]
        if named:
            return named
        special = client.find_special_folder(b"\\Drafts" if folder is Folder.DRAFTS else b"\\Sent")
        if special is None:
            raise MailboxError(f"{self.role}: no {folder.value} folder marked by SPECIAL-USE: name it in the config")
        return str(special)


def _position(validity: int, last_uid: int) -> str:
    return json.dumps({"uidvalidity": validity, "last_uid": last_uid})


def _crlf(raw: bytes) -> bytes:
    """IMAP literals are lines ending in CRLF (RFC 3501 §4.3)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
