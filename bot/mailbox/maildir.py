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
import errno
import hashlib
import itertools
import logging
import mailbox
import os
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from email.parser import BytesHeaderParser, BytesParser
from pathlib import Path

from bot.errors import MailboxError, MessageGone
from bot.mailbox.base import Folder, Poll, StoredMail, keyword
from bot.patterns import as_edited

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

    backend = "maildir"  # its name in the configuration

    def __init__(self, role: str, address: str, root: Path, folder_names: Mapping[Folder, str] | None = None) -> None:
        if folder_names and Folder.INBOX in folder_names:
            raise ValueError("the inbox is the Maildir root itself and takes no folder name")
        self.role = role
        self.address = address
        self._root = Path(root)
        self._names = {**DEFAULT_FOLDER_NAMES, **(folder_names or {})}
        # Where each polled message's file was: moving one then costs no directory scan.
        self._paths: dict[tuple[Folder, str], Path] = {}
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
            files = self._files(folder)
            messages = []
            for key in sorted(files):
                try:
                    messages.append(StoredMail(folder, key, files[key].read_bytes()))
                except FileNotFoundError:
                    continue  # moved or deleted by a mail client while we read: the next poll sees where
                self._paths[(folder, key)] = files[key]
        return Poll(messages=messages, position=None)

    def _files(self, folder: Folder) -> dict[str, Path]:
        """Each message's key and file, from one listing of new/ and cur/ (no `mailbox` table of contents)."""
        path = self._path(folder)
        found: dict[str, Path] = {}
        for subdir in ("new", "cur"):
            if (path / subdir).is_dir():
                for name in os.listdir(path / subdir):
                    if not name.startswith("."):
                        found[name.split(":", 1)[0]] = path / subdir / name
        return found

    def save_draft(self, raw: bytes, message_id: str) -> str:
        """Add `raw` to Drafts flagged D, unless a draft with this Message-ID is already there.

        The bot's drafts are stored under a file name made from the Message-ID, so
        finding its own earlier draft is one look at the file names, not a read of
        every draft; drafts saved by anyone else are still found by their header.
        """
        key = "cassbot-" + hashlib.sha256(_normalise_id(message_id).encode()).hexdigest()[:40]
        with self._errors(Folder.DRAFTS):
            drafts = self._files(Folder.DRAFTS)
            existing = key if key in drafts else None
            if existing is None and any(not k.startswith("cassbot-") for k in drafts):
                existing = _find(self._box(Folder.DRAFTS), message_id, only_people=True)
        if existing is not None:
            log.debug("%s: draft %s already saved as %s", self.role, message_id, existing)
            return existing
        return self._add(Folder.DRAFTS, raw, subdir="cur", info=_DRAFT_INFO, key=key)

    def draft_ids(self) -> set[str]:
        """The Message-IDs in Drafts, angle brackets kept, folding whitespace dropped."""
        with self._errors(Folder.DRAFTS):
            box = self._existing_box(Folder.DRAFTS)
            return set() if box is None else {message_id for _, message_id in _message_ids(box)}

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        """Move the stored message into `folder`: a hard link made, then the original unlinked.

        Idempotent whatever the interleaving: the copy's key is made from the original's
        (and differs from it, so mail a person moves back is a mail the bot has not seen
        in the inbox), so a second filing (a rerun after a crash between the two steps, or another run
        at the same moment) finds it there, or its link(2) fails with EEXIST, and
        only removes the original. A crash in between leaves two names for one file,
        never none. The file is the same: its subdir and flags (read mail stays
        read) and its mtime, which Dovecot shows as the received date (INTERNALDATE).
        """
        source = self._locate(message)
        with self._errors(folder):
            self._box(folder)
            key = "filed-" + hashlib.sha256(message.key.encode()).hexdigest()[:40]
            if key not in self._files(folder):
                info = self._keywords_in(folder, message.folder,
                                         source.name.split(":", 1)[1] if ":" in source.name else "")
                self._link(source, self._path(folder) / source.parent.name / (f"{key}:{info}" if info else key),
                           folder)
        with self._errors(message.folder):
            source.unlink(missing_ok=True)  # gone already means someone else moved it: our copy stands
            self._paths.pop((message.folder, message.key), None)
        log.debug("%s: filed %s from %r into %r as %s", self.role, message.key, self._label(message.folder),
                  self._label(folder), key)
        return key

    def _link(self, source: Path, target: Path, folder: Folder) -> None:
        """A second name for `source` in `folder`; a copy where the folders are on different file systems."""
        try:
            os.link(source, target)
        except FileExistsError:
            return  # filed meanwhile by another run
        except FileNotFoundError as exc:
            raise MessageGone(self.role, source.name.split(":", 1)[0], self._label(folder)) from exc
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            info = source.name.split(":", 1)[1] if ":" in source.name else ""
            self._add(folder, source.read_bytes(), subdir=source.parent.name, info=info,
                      mtime=source.stat().st_mtime, key=target.name.split(":", 1)[0])

    def flag(self, message: StoredMail) -> None:
        """Add the F (flagged) letter to the file's info, which Dovecot shows as \\Flagged.

        Flags live only in cur/, so a file still in new/ moves there; it stays unread
        (no S letter). A message already flagged is left as it is.
        """
        self._add_letter(message, "F")

    def categorise(self, message: StoredMail, category: str) -> None:
        """Add the category's keyword as Dovecot keeps keywords in a Maildir: a letter a to z in the file's info,
        named in the folder's dovecot-keywords file. A folder has room for 26; past that the keyword is logged
        and left out (a person's own keywords are never replaced)."""
        letter = self._keyword_letter(message.folder, keyword(category))
        if letter is None:
            log.warning("%s: %s has 26 keywords already; %r not set on %s", self.role, self._label(message.folder),
                        category, message.key)
            return
        self._add_letter(message, letter)

    def _add_letter(self, message: StoredMail, letter: str) -> None:
        """A flag or keyword letter added to a message's info; the file moves to cur/ and stays unread."""
        source = self._locate(message)
        version, _, letters = (source.name.split(":", 1)[1] if ":" in source.name else "2,").partition(",")
        if letter in letters:
            return
        target = source.parent.parent / "cur" / f"{message.key}:{version},{''.join(sorted(letters + letter))}"
        with self._errors(message.folder):
            source.rename(target)
        self._paths[(message.folder, message.key)] = target

    def _keywords_in(self, folder: Folder, source: Folder, info: str) -> str:
        """A file's info for `folder`: its keyword letters are the source folder's, and each folder numbers its
        own keywords, so each letter is written as the target folder knows the same keyword."""
        version, _, letters = info.partition(",")
        if not any(letter.islower() for letter in letters):
            return info
        names = {v: k for k, v in self._keywords(source).items()}
        moved = [self._keyword_letter(folder, names[str(ord(c) - ord("a"))]) if c.islower() and
                 str(ord(c) - ord("a")) in names else c for c in letters]
        return f"{version},{''.join(sorted(c for c in moved if c))}"

    def _keywords(self, folder: Folder) -> dict[str, str]:
        """The folder's dovecot-keywords: name -> number."""
        path = self._path(folder) / "dovecot-keywords"
        with self._errors(folder):
            lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return dict(line.split(" ", 1)[::-1] for line in lines if " " in line)

    def _keyword_letter(self, folder: Folder, name: str) -> str | None:
        """The letter of keyword `name` in the folder's dovecot-keywords ("0 name" per line), added if missing."""
        path = self._path(folder) / "dovecot-keywords"
        known = self._keywords(folder)
        with self._errors(folder):
            if name not in known:
                free = [n for n in range(26) if str(n) not in known.values()]
                if not free:
                    return None
                known[name] = str(free[0])
                self._box(folder)  # made if missing: a keyword can arrive with the first mail filed there
                path.write_text("".join(f"{n} {k}\n" for k, n in known.items()), encoding="utf-8")
        return chr(ord("a") + int(known[name]))

    def _locate(self, message: StoredMail) -> Path:
        """The file now holding a polled message; MailboxError when a person has moved or deleted it."""
        with self._errors(message.folder):
            source = self._paths.get((message.folder, message.key))
            if source is None or not source.exists():
                source = self._files(message.folder).get(message.key)
        if source is None:
            raise MessageGone(self.role, message.key, self._label(message.folder))
        return source

    def folder_names(self) -> list[str]:
        """The Maildir++ subfolders beside the inbox."""
        with self._errors(Folder.INBOX):
            return sorted(p.name[1:] for p in self._root.iterdir() if p.name.startswith(".") and p.is_dir())

    def sample(self, folder: Folder) -> StoredMail | None:
        with self._errors(folder):
            files = self._files(folder)
            key = min(files, default=None)
            return StoredMail(folder, key, files[key].read_bytes()) if key is not None else None

    def remove_draft(self, key: str) -> None:
        path = self._files(Folder.DRAFTS).get(key)
        with self._errors(Folder.DRAFTS):
            if path is not None:
                path.unlink()

    def close(self) -> None:
        """Nothing to release: every call opens its folder afresh."""

    def wait_for_mail(self, folder: Folder, timeout: float) -> bool:
        """Look at the folder's new/ and cur/ every half second until they change or `timeout` passes."""
        before, deadline = self._stamp(folder), time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
            if self._stamp(folder) != before:
                return True
        return False

    def _stamp(self, folder: Folder) -> tuple[int, ...]:
        path = self._path(folder)
        return tuple((path / d).stat().st_mtime_ns if (path / d).is_dir() else 0 for d in ("new", "cur"))

    def deliver(self, folder: Folder, raw: bytes, *, seen: bool = False) -> str:
        """For the demo and tests: mail arriving from outside. Unseen mail lands in new/, as delivered."""
        if seen:
            return self._add(folder, raw, subdir="cur", info=_SEEN_INFO)
        return self._add(folder, raw)

    def send_draft(self, message_id: str, *, sent_by: str, when: datetime, edited: bool = True) -> str:
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
            raw = as_sent(drafts.get_bytes(key), sent_by, when, edited)
        sent_key = self._add(Folder.SENT, raw, subdir="cur", info=_SEEN_INFO, mtime=when.timestamp())
        with self._errors(Folder.DRAFTS):
            drafts.discard(key)
        return sent_key

    def _add(
        self, folder: Folder, raw: bytes, *, subdir: str = "new", info: str = "", mtime: float | None = None,
        key: str | None = None,
    ) -> str:
        """Add `raw` to `folder` byte for byte: written in tmp/, then renamed into `subdir` with `info` (flags).

        The tmp-then-rename is the Maildir delivery protocol (cr.yp.to/proto/maildir.html):
        a reader never sees half a file. `Maildir.add` is not used because it
        re-serialises a MaildirMessage through email.generator (CRLF becomes LF).
        """
        path = self._path(folder)
        with self._errors(folder):
            self._box(folder)
            temporary = path / "tmp" / (key or _unique_name())
            if key is not None and temporary.exists():
                # A fixed key's tmp/ file is the bot's own write that a kill interrupted (a run holds the
                # store's lock or the mailbox's lease, so no other write of it is under way): written again.
                log.warning("%s: %r: finishing a write a stopped run left in tmp/ (%s)", self.role,
                            self._label(folder), key)
                temporary.unlink()
            key = temporary.name
            with open(temporary, "xb") as out:
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
            final = path / subdir / (f"{key}:{info}" if info else key)
            os.rename(temporary, final)
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
            marker = path / "maildirfolder"
            if not marker.exists():  # made once; an existing mailbox is left exactly as it is
                marker.touch()
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


_counter = itertools.count()


def _unique_name() -> str:
    """A Maildir file name: time, microseconds, process and a counter, then the host."""
    now = time.time()
    return f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}Q{next(_counter)}.{socket.gethostname()}"


def _find(box: mailbox.Maildir, message_id: str, *, only_people: bool = False) -> str | None:
    """The key of the message with this Message-ID; `only_people` skips files the bot named itself."""
    wanted = _normalise_id(message_id)
    return next((key for key, found in _message_ids(box, only_people) if found == wanted), None)


def _message_ids(box: mailbox.Maildir, only_people: bool = False) -> Iterator[tuple[str, str]]:
    """(key, Message-ID) for each message that has one, reading only the header section."""
    parser = BytesHeaderParser()
    for key in sorted(k for k in box.iterkeys() if not (only_people and k.startswith("cassbot-"))):
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


def as_sent(raw: bytes, sent_by: str, when: datetime, edited: bool = True) -> bytes:
    """`raw` as Outlook would send it: From filled or Sender added, Date stamped, X-Unsent dropped; `edited`,
    as an RAO sends a draft, with the note for the RAO deleted and the placeholders filled in."""
    msg = BytesParser().parsebytes(raw)
    for part in msg.walk() if edited else ():
        if part.get_content_maintype() == "text" and not part.is_multipart():
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                charset = part.get_content_charset() or "utf-8"
                del part["Content-Transfer-Encoding"]
                part.set_payload(as_edited(text.decode(charset, "replace")), charset)
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
