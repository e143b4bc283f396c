"""What the bot could do in a mailbox on its last poll (read, file, flag, save drafts), and, for what it could
not, the error and the permission it needs. `cassbot status` shows it; `cassbot check-mailboxes` names the same
permissions. Backends stay as they are: `Recording` passes each call through and notes how it went.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from bot.errors import MailboxAuthError, MailboxError, MessageGone
from bot.mailbox.base import Folder, Mailbox, Poll, StoredMail
from bot.redaction import redact

T = TypeVar("T")
ABILITIES = ("read", "file", "flag", "categorise", "save drafts")
# The permission each kind of step needs, per backend (docs/exchange.md, "Least privilege").
NEEDS = {
    "graph": {"sign in": "the app's client secret or certificate (Entra ID > App registrations), and the mailbox "
                         "in the app's RBAC for Applications management scope",
              "read": "Application Mail.ReadWrite on the mailbox, through the scoped role assignment",
              "write": "Application Mail.ReadWrite on the mailbox, through the scoped role assignment"},
    "ews": {"sign in": "the service account's password, and FullAccess on the mailbox (Add-MailboxPermission) or "
                       "ApplicationImpersonation scoped to it",
            "read": "FullAccess on the mailbox, or ApplicationImpersonation scoped to it",
            "write": "FullAccess on the mailbox, or ApplicationImpersonation scoped to it"},
    "imap": {"sign in": "the account's password or OAuth2 token (IMAP.AccessAsApp and FullAccess on Exchange)",
             "read": "read access to the mailbox", "write": "write access to the mailbox's folders"},
    "maildir": {"sign in": "read access to the Maildir folder for the service user",
                "read": "read access to the Maildir folder", "write": "write access to the Maildir's folders"},
}


def needs(backend: str, ability: str) -> str:
    """The permission `ability` ("sign in", "read", or a write: "file", "flag", "save drafts") needs."""
    kinds = NEEDS.get(backend, NEEDS["maildir"])
    return kinds.get(ability, kinds["write"])


class Recording:
    """A mailbox passed through, noting for each ability whether it worked ("") or how it failed."""

    def __init__(self, inner: Mailbox, backend: str) -> None:
        self.inner, self.backend = inner, backend
        self.role, self.address = inner.role, inner.address
        self.seen: dict[str, str] = {}

    def poll(self, folder: Folder, position: str | None) -> Poll:
        return self._note("read", lambda: self.inner.poll(folder, position))

    def save_draft(self, raw: bytes, message_id: str) -> str:
        return self._note("save drafts", lambda: self.inner.save_draft(raw, message_id))

    def draft_ids(self) -> set[str]:
        return self._note("read", self.inner.draft_ids)

    def wait_for_mail(self, folder: Folder, timeout: float) -> bool:
        return self.inner.wait_for_mail(folder, timeout)

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        return self._note("file", lambda: self.inner.file_into(folder, message))

    def flag(self, message: StoredMail) -> None:
        self._note("flag", lambda: self.inner.flag(message))

    def categorise(self, message: StoredMail, category: str) -> None:
        self._note("categorise", lambda: self.inner.categorise(message, category))

    def close(self) -> None:
        self.inner.close()

    def _note(self, ability: str, work: Callable[[], T]) -> T:
        try:
            result = work()
        except MessageGone:
            self.seen.setdefault(ability, "")  # the server answered: the mail had gone, the bot may still do it
            raise
        except (MailboxAuthError, MailboxError) as exc:
            self.seen[ability] = f"{redact(str(exc))} (needs {needs(self.backend, ability)})"
            raise
        self.seen.setdefault(ability, "")
        return result
