"""The outside world of a mailbox on the local EWS server: mail arriving, RAOs pressing Send.

Mail arrives as Exchange's transport delivers it, straight into the server's store,
and what only Outlook shows (the draft flag, categories, read state) is read there;
the bot itself reaches the server only through exchangelib.
"""

from __future__ import annotations

import atexit
import itertools
from datetime import datetime
from pathlib import Path

from bot.config import Ews
from bot.mailbox.base import Folder, Mailbox
from bot.mailbox.ews import EwsMailbox
from bot.mailbox.maildir import as_sent
from tests.support.ews_server import EwsServer, Item

USER, PASSWORD, DOMAIN = "cassbot", "correct horse battery staple", "CHILDRENSTRUST"
NAMES = {Folder.INBOX: "inbox", Folder.DRAFTS: "drafts", Folder.SENT: "sentitems",
         Folder.INFORMATION_REQUESTS: "Information Requests"}


def start_server(*addresses: str, impersonators: tuple[str, ...] = (),
                 grants: dict[str, tuple[str, ...]] | None = None) -> EwsServer:
    server = EwsServer({USER: PASSWORD}, impersonators=impersonators, grants=grants).start()
    for address in addresses:
        server.add_mailbox(address)
    return server


def ews_settings(server: EwsServer, **overrides: object) -> Ews:
    values: dict[str, object] = {"service_endpoint": server.endpoint, "auth": "ntlm", "username": f"{DOMAIN}\\{USER}",
                                 "password_env": "CASSBOT_TEST_EWS_PASSWORD", "version": "Exchange2016",
                                 "max_wait_seconds": 5}
    return Ews.model_validate({**values, **overrides})


class GivenSecret:
    """The secret a test hands the bot (the environment is for the CLI's tests)."""

    def __init__(self, value: str) -> None:
        self.value = value

    def get(self) -> str:
        return self.value


def bot_mailbox(server: EwsServer, address: str, *, password: str = PASSWORD, settings: Ews | None = None,
                **options: object) -> EwsMailbox:
    """The bot's view of `address`; retries wait milliseconds, not seconds, unless told otherwise."""
    return EwsMailbox("cass", address, settings or ews_settings(server), GivenSecret(password), "Information Requests",
                      **{"base_delay": 0.01, **options})  # type: ignore[arg-type]


class World:
    """What people and other servers do to one mailbox."""

    def __init__(self, server: EwsServer, address: str) -> None:
        self.server, self.address = server, address

    def deliver(self, folder: Folder, raw: bytes) -> str:
        """Mail arriving, unread; its key is its ItemId."""
        return self.server.deliver(self.address, NAMES[folder], raw)

    def deliver_many(self, folder: Folder, raws: list[bytes]) -> list[str]:
        return [self.server.deliver(self.address, NAMES[folder], raw) for raw in raws]

    def item(self, key: str) -> Item:
        with self.server.lock:
            return self.server.items[key]

    def marks(self, folder: Folder, key: str) -> set[str]:
        """What Outlook shows of the item: "flagged", "high importance", "read"."""
        item = self.item(key)
        return {mark for mark, shown in (("flagged", item.flag_status == 2), ("read", item.is_read),
                                         ("high importance", item.importance == "High"),
                                         ("in to-do", _in_to_do(item))) if shown}

    def is_draft(self, key: str) -> bool:
        return self.item(key).is_draft

    def items(self, folder: Folder) -> list[Item]:
        return self.server.in_folder(self.address, NAMES[folder])

    def send_draft(self, message_id: str, sent_by: str, when: datetime) -> str:
        """An RAO pressing Send in Outlook: the draft leaves Drafts, dated, and a read copy lands in Sent Items."""
        drafts = [i for i in self.items(Folder.DRAFTS) if i.message_id == message_id.strip()]
        assert drafts, f"no draft {message_id}"
        draft = self.server.remove(drafts[0].id)
        return self.server.deliver(self.address, NAMES[Folder.SENT], as_sent(draft.mime, sent_by, when),
                                   is_read=True)


_shared: list[EwsServer] = []
_mailboxes = itertools.count(1)


def shared_server() -> EwsServer:
    """One server for the contract suite, started on first use; each test gets a mailbox of its own on it."""
    if not _shared:
        _shared.append(start_server())
        atexit.register(_shared[0].stop)
    return _shared[0]


def ews_backend(tmp_path: Path) -> tuple[Mailbox, World]:
    """A fresh, empty mailbox on the shared EWS server, as the bot sees it and as the world does.

    `tmp_path` is unused (the server keeps its mailboxes in memory); it keeps the
    signature of the other backends' builders.
    """
    server = shared_server()
    address = f"cass{next(_mailboxes)}@childrenstrust.example"
    server.add_mailbox(address)
    return bot_mailbox(server, address), World(server, address)


def _in_to_do(item: Item) -> bool:
    """Outlook's To-Do list and its flagged views show a message with a time flag (MS-OXOFLAG 3.1.4.1.3):
    PidTagToDoItemFlags todoTimeFlagged, a due date (PidLidTaskDueDate) and a task status not complete."""
    props = {uri: value for uri, (_, value) in item.properties.items()}
    return (int(props.get("ext:0x0e2b", "0")) & 1 == 1 and bool(props.get("ext:Task/0x8105"))
            and props.get("ext:Task/0x8101") == "0" and item.flag_status == 2)
