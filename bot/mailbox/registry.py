"""Open the configured mailboxes: the one place that knows which class serves which backend."""

from __future__ import annotations

from pathlib import Path

from bot.config import Mailbox as MailboxSettings
from bot.config import Settings
from bot.mailbox.base import Folder, Mailbox
from bot.mailbox.credentials import secret_for
from bot.mailbox.imap import ImapMailbox
from bot.mailbox.maildir import MaildirMailbox


def open_mailboxes(settings: Settings) -> dict[str, Mailbox]:
    """Every configured mailbox by role, in the order the configuration lists them."""
    return {config.role: open_mailbox(config) for config in settings.mailboxes}


def open_mailbox(config: MailboxSettings) -> Mailbox:
    if config.backend == "graph":
        assert config.graph is not None  # the settings' own validator guarantees it
        from bot.mailbox.graph import GraphMailbox  # only Graph sites pay for importing it

        return GraphMailbox(config.role, config.address, config.graph,
                            information_requests=config.information_requests_folder)
    if config.backend == "ews":
        assert config.ews is not None
        from bot.mailbox.ews import EwsMailbox  # only Exchange sites pay for importing exchangelib

        return EwsMailbox(config.role, config.address, config.ews, secret_for(config),
                          config.information_requests_folder)
    if config.backend == "imap":
        assert config.imap is not None  # the settings' own validator guarantees it
        imap = config.imap
        return ImapMailbox(config.role, config.address, imap, secret_for(config),
                           config.information_requests_folder, max_attempts=imap.reconnect_attempts,
                           base_delay=imap.reconnect_base_seconds)
    path = Path(config.path or f"state/maildir/{config.role}")
    return MaildirMailbox(
        config.role, config.address, path, {Folder.INFORMATION_REQUESTS: config.information_requests_folder}
    )
