"""The Maildir backend: a shared mailbox laid out on disk as Dovecot keeps it (Maildir++).

The root Maildir is the inbox; every other folder is a Maildir++ subfolder beside
the root's cur/new/tmp, named with a leading dot (".Drafts", ".Information Requests").
Python's `mailbox` module reads and writes the files, and this module keeps them
exactly as they are: mail is stored and handed back byte for byte, and reading
never moves a file from new/ to cur/ or changes its flags, because people rely on
what is unread.

`deliver` and `send_draft` are not part of the `Mailbox` interface: they play the
outside world (mail arriving, an RAO pressing Send) for the demo and the tests.
"""

from __future__ import annotations

import email.utils
import logging
import mailbox
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path

from bot.mailbox.base import Folder, MailboxError, Poll, StoredMail

log = logging.getLogger(__name__)

DEFAULT_FOLDER_NAMES: Mapping[Folder, str] = {
    Folder.DRAFTS: "Drafts",
    Folder.SENT: "Sent",
    Folder.INFORMATION_REQUESTS: "Information Requests",
}
# Maildir "info" (cr.yp.to/proto/maildir.html): "2," then the flag letters.
_DRAFT_INFO = "2,D"
_SEEN_INFO = "2,S"


class MaildirMailbox:
    """One shared mailbox (CASS, A&F or LADO) kept as a Maildir++ tree."""

    def __init__(self, role: str, address: str, root: Path, folder_names: Mapping[Folder, str] | None = None) -> None:
        if folder_names and Folder.INBOX in folder_names:
            raise ValueError("the inbox is the Maildir root itself and takes no folder name")
        self.role = role
        self.address = address
        self._root = Path(root)
        self._names = {**DEFAULT_FOLDER_NAMES, **(folder_names or {})}
        for folder in (Folder.INBOX, Folder.DRAFTS, Folder.SENT):
            with self._errors(folder):
                self._box(folder)

    def poll(self, folder: Folder, position: str | None) -> Poll:
        """Every message in `folder`, by key; the position is ignored and comes back None.

        Maildir cannot tell new mail from old without Dovecot's own index, so the
        pipeline skips what it has recorded. `get_bytes` reads each file where it
        lies: nothing moves from new/ to cur/ and no flag changes.
        """
        with self._errors(folder):
            box = self._existing_box(folder)
            messages = [] if box is None else [StoredMail(folder, key, raw) for key, raw in _read_all(box)]
        return Poll(messages=messages, position=None)

    def save_draft(self, raw: bytes, message_id: str) -> str:
        """Add `raw` to Drafts flagged D, unless a draft with this Message-ID is already there."""
        with self._errors(Folder.DRAFTS):
            existing = _find(self._box(Folder.DRAFTS), message_id)
        if existing is not None:
            log.debug("%s: draft %s already saved as %s", self.role, message_id, existing)
            return existing
        return self._add(Folder.DRAFTS, raw, subdir="cur", info=_DRAFT_INFO)

    def draft_ids(self) -> set[str]:
        """The Message-IDs in Drafts, angle brackets kept, folding whitespace dropped."""
        with self._errors(Folder.DRAFTS):
            box = self._existing_box(Folder.DRAFTS)
            return set() if box is None else {message_id for _, message_id in _message_ids(box)}

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        """Move the stored message into `folder`, adding the copy before removing the original.

        A crash in between leaves two copies, never none. The copy keeps the
        original's subdir and flags (read mail stays read) and its mtime, which
        Dovecot shows as the received date (INTERNALDATE).
        """
        with self._errors(message.folder):
            source = self._existing_box(message.folder)
            try:
                if source is None:
                    raise KeyError(message.key)
                original = source.get_message(message.key)
                raw = source.get_bytes(message.key)
            except (KeyError, FileNotFoundError) as exc:
                raise MailboxError(
                    f"{self.role}: message {message.key} is no longer in {self._label(message.folder)!r}"
                    " (moved or deleted since the poll)"
                ) from exc
        key = self._add(folder, raw, subdir=original.get_subdir(), info=original.get_info(), mtime=original.get_date())
        with self._errors(message.folder):
            source.discard(message.key)  # gone already means someone else moved it: our copy stands
        log.debug("%s: filed %s from %r into %r as %s",
                  self.role, message.key, self._label(message.folder), self._label(folder), key)
        return key

    def close(self) -> None:
        """Nothing to release: every call opens its folder afresh."""

    def deliver(self, folder: Folder, raw: bytes, *, seen: bool = False) -> str:
        """For the demo and tests: mail arriving from outside. Unseen mail lands in new/, as delivered."""
        if seen:
            return self._add(folder, raw, subdir="cur", info=_SEEN_INFO)
        return self._add(folder, raw)

    def send_draft(self, message_id: str, *, sent_by: str, when: datetime) -> str:
        """For the demo and tests: an RAO pressing Send in Outlook on the draft with this Message-ID.

        Outlook fills From only when the draft has none (otherwise it sends "on
        behalf of" the shared mailbox, naming the person in Sender), stamps Date
        at sending and never sends X-Unsent; the sent copy lands in Sent, read, and the
        draft leaves Drafts.
        """
        with self._errors(Folder.DRAFTS):
            drafts = self._existing_box(Folder.DRAFTS)
            key = None if drafts is None else _find(drafts, message_id)
            if drafts is None or key is None:
                where = self._label(Folder.DRAFTS)
                raise MailboxError(f"{self.role}: no draft with Message-ID {message_id} in {where!r}")
            raw = _as_sent(drafts.get_bytes(key), sent_by, when)
        sent_key = self._add(Folder.SENT, raw, subdir="cur", info=_SEEN_INFO, mtime=when.timestamp())
        with self._errors(Folder.DRAFTS):
            drafts.discard(key)
        return sent_key

    def _add(
        self, folder: Folder, raw: bytes, *, subdir: str = "new", info: str = "", mtime: float | None = None
    ) -> str:
        """Add `raw` to `folder` byte for byte, then rename it into `subdir` with Maildir `info` (flags).

        A MaildirMessage would carry the flags itself, but `Maildir.add` re-serialises
        it through email.generator, which turns CRLF into LF and refolds headers.
        """
        path = self._path(folder)
        with self._errors(folder):
            box = self._box(folder)
            key = box.add(raw)  # bytes always land in new/<key>
            final = path / subdir / (f"{key}{box.colon}{info}" if info else key)
            if subdir != "new" or info:
                os.rename(path / "new" / key, final)
            if mtime is not None:
                os.utime(final, (mtime, mtime))
        return key

    def _box(self, folder: Folder) -> mailbox.Maildir:
        """The folder's Maildir, made (with its subdirectories) when missing or half made."""
        path = self._path(folder)
        for subdir in ("tmp", "new", "cur"):
            (path / subdir).mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder is not Folder.INBOX:
            # Maildir++: Dovecot takes a subfolder without this marker file for a stray directory.
            (path / "maildirfolder").touch()
        return mailbox.Maildir(path, factory=None, create=False)

    def _existing_box(self, folder: Folder) -> mailbox.Maildir | None:
        path = self._path(folder)
        return mailbox.Maildir(path, factory=None, create=False) if (path / "cur").is_dir() else None

    def _path(self, folder: Folder) -> Path:
        return self._root if folder is Folder.INBOX else self._root / f".{self._names[folder]}"

    def _label(self, folder: Folder) -> str:
        return "INBOX" if folder is Folder.INBOX else self._names[folder]

    @contextmanager
    def _errors(self, folder: Folder) -> Iterator[None]:
        """Turn file system and `mailbox` errors into MailboxError naming the folder (retried later)."""
        try:
            yield
        except (OSError, mailbox.Error) as exc:
            where = f"{self._label(folder)!r} ({self._path(folder)})"
            raise MailboxError(f"{self.role}: Maildir folder {where}: {exc}") from exc


def _read_all(box: mailbox.Maildir) -> Iterator[tuple[str, bytes]]:
    for key in sorted(box.keys()):
        try:
            yield key, box.get_bytes(key)
        except (KeyError, FileNotFoundError):
            continue  # moved or deleted by a mail client while we read: the next poll sees where it went


def _find(box: mailbox.Maildir, message_id: str) -> str | None:
    wanted = _normalise_id(message_id)
    return next((key for key, found in _message_ids(box) if found == wanted), None)


def _message_ids(box: mailbox.Maildir) -> Iterator[tuple[str, str]]:
    """(key, Message-ID) for each message that has one, reading only the header section."""
    parser = BytesHeaderParser()
    for key in sorted(box.keys()):
        try:
            with box.get_file(key) as lines:
                value = parser.parsebytes(_header_section(lines)).get("Message-ID")
        except (KeyError, FileNotFoundError):
            continue
        if value is not None:
            yield key, _normalise_id(str(value))


def _header_section(lines: Iterable[bytes]) -> bytes:
    """The lines before the first empty one (RFC 5322 §2.1): a draft's attachments are never read.

    BytesHeaderParser alone would still read the whole file.
    """
    head: list[bytes] = []
    for line in lines:
        if line in (b"\n", b"\r\n"):
            break
        head.append(line)
    return b"".join(head)


def _normalise_id(value: str) -> str:
    """A Message-ID as compared: case and angle brackets kept, all whitespace dropped.

    RFC 5322 §3.6.4 allows no whitespace inside a msg-id, so any there came from
    folding (§2.2.3) or padding.
    """
    return "".join(value.split())


def _as_sent(raw: bytes, sent_by: str, when: datetime) -> bytes:
    msg = BytesParser().parsebytes(raw)
    if msg["From"] is None:
        msg["From"] = sent_by
    elif sent_by not in str(msg["From"]):
        # Exchange's "on behalf of": the shared mailbox in From, the person in Sender.
        del msg["Sender"]
        msg["Sender"] = sent_by
    date = email.utils.format_datetime(when)
    if msg["Date"] is None:
        msg["Date"] = date
    else:
        msg.replace_header("Date", date)
    del msg["X-Unsent"]
    return msg.as_bytes()
