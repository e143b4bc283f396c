"""The one interface every mailbox backend implements (Maildir, IMAP, EWS, Graph).

Backends move bytes; they never decide business rules. Each hands raw RFC 5322
bytes to the shared parser and takes finished RFC 5322 bytes for drafts. Folders
are named by their purpose (`Folder`), and each backend maps them to its own
names (SPECIAL-USE on IMAP, well-known folders on Exchange).

The bot leaves a mailbox as people left it: it never marks mail read, never
deletes, and moves mail only with `file_into`, flags it only with `flag` and
categorises it only with `categorise`, when the configuration asks it to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from bot.errors import MailboxAuthError, MailboxError, MessageGone

__all__ = ["Checkable", "Folder", "Mailbox", "MailboxAuthError", "MailboxError", "MessageGone", "Poll",
           "StoredMail"]


class Folder(StrEnum):
    """The folders the bot works with, by what they are for."""

    INBOX = "inbox"
    DRAFTS = "drafts"
    SENT = "sent"
    INFORMATION_REQUESTS = "information_requests"


@dataclass(frozen=True)
class StoredMail:
    """One message as a backend holds it."""

    folder: Folder
    key: str  # the backend's own stable id within the folder (Maildir key, IMAP UID, EWS item id)
    raw: bytes


@dataclass(frozen=True)
class Poll:
    """What a poll found, and where the next poll should start from."""

    messages: list[StoredMail]
    position: str | None  # opaque to everyone but the backend; kept in the store
    more: bool = False  # the backend stopped early: poll again from `position` for the rest


class Mailbox(Protocol):
    """A shared mailbox (CASS, A&F or LADO) as the bot sees it."""

    role: str  # "cass", "af" or "lado"
    address: str

    def poll(self, folder: Folder, position: str | None) -> Poll:
        """Messages in `folder` that arrived after `position` (all of them when None).

        Must not change the messages (no \\Seen flag, no move). A backend that
        cannot tell what is new may return messages already seen; the pipeline
        skips those it has recorded, so `poll` must be cheap to repeat.
        """
        ...

    def save_draft(self, raw: bytes, message_id: str) -> str:
        """Put `raw` in Drafts, marked as a draft, and return its key.

        Idempotent: when a draft with this Message-ID is already there, nothing
        is added and the existing key is returned (so a crash between saving a
        draft and recording it never makes a second one).
        """
        ...

    def draft_ids(self) -> set[str]:
        """The Message-IDs of every message now in Drafts (to notice deleted drafts)."""
        ...

    def wait_for_mail(self, folder: Folder, timeout: float) -> bool:
        """Block until mail may have arrived in `folder`, or `timeout` seconds pass.

        True when the server said something arrived (IMAP IDLE); backends that
        cannot be told just wait, and the next poll looks.
        """
        ...

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        """Move `message` into `folder` (created if missing) and return its new key."""
        ...

    def flag(self, message: StoredMail) -> None:
        """Flag `message` where it is, so people see it in their mail client.

        IMAP and Maildir: the \\Flagged flag. Exchange: the follow-up flag and high
        importance, both of which Outlook shows in the message list. Nothing else
        about the message changes; flagging a flagged message changes nothing.
        """
        ...

    def categorise(self, message: StoredMail, category: str) -> None:
        """Add `category` to `message` where it is, keeping the categories it has (a person's own).

        Exchange: the Outlook category, added to the mailbox's master category list
        (with the configured colour) when missing. IMAP and Maildir: the keyword
        `bot.categories.keyword` makes of it. Adding one the message has changes nothing.
        """
        ...

    def close(self) -> None:
        """Release connections; the mailbox is not used afterwards."""
        ...


@runtime_checkable
class Checkable(Protocol):
    """What `cassbot check-mailboxes` asks of a backend besides `Mailbox`: looks that cost one or two requests."""

    def folder_names(self) -> list[str]:
        """The names of the folders at the top of the mailbox (beside the inbox)."""
        ...

    def sample(self, folder: Folder) -> StoredMail | None:
        """One message of `folder`, read as the poller reads it (None when the folder is empty)."""
        ...

    def remove_draft(self, key: str) -> None:
        """Remove the draft with this key: only the test draft the check itself just saved."""
        ...
# The colour a category the bot adds to an Exchange master category list gets: blue (Graph's preset7, the
# CategoryList's color 7), unlike the red and orange people use for urgency.
CATEGORY_COLOUR = 7
_NOT_IN_AN_ATOM = re.compile(r"[^A-Za-z0-9:._&+\-]+")


def keyword(category: str) -> str:
    """The IMAP keyword (an atom: RFC 3501 allows no spaces, parentheses, quotes, backslashes, braces, "%", "*" or
    "]") for a category: "cassbot: OLA request CASS-2026-000123" gives cassbot:OLA_request_CASS-2026-000123."""
    return _NOT_IN_AN_ATOM.sub("_", category.replace(": ", ":", 1)).strip("_")
