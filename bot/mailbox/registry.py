"""Open the configured mailboxes: the one place that knows which class serves which backend."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.mailbox.base import Folder, Mailbox
from bot.mailbox.maildir import MaildirMailbox


def open_mailboxes(settings: Settings) -> dict[str, Mailbox]:
    """Every configured mailbox by role, in the order the configuration lists them."""
    opened: dict[str, Mailbox] = {}
    for config in settings.mailboxes:
        path = Path(config.path or f"state/maildir/{config.role}")
        opened[config.role] = MaildirMailbox(
            config.role, config.address, path, {Folder.INFORMATION_REQUESTS: config.information_requests_folder}
        )
    return opened
