"""The Exchange Web Services backend (exchangelib): on-premises Exchange 2013 to 2019.

- Never marks mail read: new mail is found with SyncFolderItems (ids only) and read
  with GetItem (MimeContent); neither changes IsRead. The one UpdateItem the bot sends
  flags an urgent request's mail (when configured): Importance and Outlook's whole
  follow-up flag, the properties MS-OXOFLAG 3.1.4.1.3 ("Setting a Time Flag") lists, so
  the mail shows in To-Do and the flagged views as if a person had flagged it today.
- Incremental: the position is the folder's SyncFolderItems sync state, a token only
  Exchange understands, and the newest DateTimeReceived read. A poll with nothing new
  is one SyncFolderItems; a change to mail already read (a person reading or flagging
  it) is never downloaded again. A sync state Exchange no longer accepts
  (ErrorInvalidSyncStateData, for example after a mailbox move) starts the sync again,
  ids only, and downloads only mail received from the newest DateTimeReceived read
  before; the pipeline skips mail it has recorded.
- Bodies come only from GetItem: Exchange refuses MimeContent in FindItem and
  SyncFolderItems.
- Drafts are created from the MIME with CreateItem (SaveOnly, into Drafts), carrying
  the configured Outlook category so RAOs can filter on it. Exchange makes a message
  created from MIME a draft (MSGFLAG_UNSENT stays set, MS-OXCMSG 2.2.1.6). The bot
  first looks for its own earlier draft by InternetMessageId, so a retried save
  never makes two.
- Throttling (ErrorServerBusy with BackOffMilliseconds) is waited out by exchangelib's
  FaultTolerance, at most `max_wait_seconds` in all per operation (a poll, a save),
  whatever the number of back-offs; a longer wait fails the call as MailboxError.
  A dropped connection or a server error is retried with exponential back-off and
  jitter, logged once per outage; a refused login is MailboxAuthError at once.
"""

from __future__ import annotations

import html
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import suppress
from decimal import Decimal
from typing import Any, TypeVar
from xml.sax.saxutils import escape as xml_escape

import requests
from exchangelib import (
    BASIC,
    DELEGATE,
    IMPERSONATION,
    NTLM,
    OAUTH2,
    UTC,
    Account,
    Configuration,
    Credentials,
    EWSDateTime,
    FaultTolerance,
    Identity,
    ItemId,
    Message,
    OAuth2Credentials,
    Version,
)
from exchangelib import Folder as ExchangeFolder
from exchangelib.errors import (
    ErrorAccessDenied,
    ErrorAccountDisabled,
    ErrorADUnavailable,
    ErrorConnectionFailed,
    ErrorFolderExists,
    ErrorFolderNotFound,
    ErrorImpersonateUserDenied,
    ErrorImpersonationDenied,
    ErrorInternalServerError,
    ErrorInternalServerTransientError,
    ErrorInvalidSyncStateData,
    ErrorItemNotFound,
    ErrorMailboxMoveInProgress,
    ErrorMailboxStoreUnavailable,
    ErrorNonExistentMailbox,
    ErrorParentFolderNotFound,
    ErrorServerBusy,
    ErrorTimeoutExpired,
    ErrorToFolderNotFound,
    EWSError,
    MalformedResponseError,
    RateLimitError,
    SOAPError,
    UnauthorizedError,
)
from exchangelib.extended_properties import ExtendedProperty, Flag
from exchangelib.folders import FolderCollection
from exchangelib.items import ID_ONLY
from exchangelib.protocol import Protocol
from exchangelib.services import CreateFolder, MoveItem, SyncFolderItems
from exchangelib.version import VERSIONS

from bot.config import Ews
from bot.errors import ConfigError, MailboxAuthError, MailboxError, MessageGone
from bot.mailbox.base import CATEGORY_COLOUR, Folder, Poll, StoredMail
from bot.mailbox.credentials import Secret
from bot.mailbox.retry import retrying

log = logging.getLogger(__name__)
T = TypeVar("T")
SYNC_PAGE = 512  # changes per SyncFolderItems: the most Exchange returns
POLL_LIMIT = 2000  # messages per poll; the pipeline polls again for the rest
FETCH_BATCH = 100  # items per GetItem
_AUTH = {"ntlm": NTLM, "basic": BASIC, "oauth2": OAUTH2}
_WELL_KNOWN = {Folder.INBOX: "inbox", Folder.DRAFTS: "drafts", Folder.SENT: "sent"}  # Account attributes
# PidTagFlagStatus (MS-OXOFLAG 2.2.1.1): 2 is "flagged for follow-up". exchangelib 5 has no
# t:Flag element; Outlook's flag is these extended properties, from Exchange 2007 on.
_FLAGGED = 2
# The rest of a time flag for today (MS-OXOFLAG 3.1.4.1.3; 2.2.1 for the tagged ones, MS-OXOTASK 2.2.2.2 for
# the task ones): (attribute, tag or (property set, id), MAPI type).
_TIME_FLAG: tuple[tuple[str, int | tuple[str, int], str], ...] = (
    ("followup_icon", 0x1095, "Integer"),  # PidTagFollowupIcon: 6, the red flag
    ("todo_item_flags", 0x0E2B, "Integer"),  # PidTagToDoItemFlags: 1, todoTimeFlagged
    ("reply_requested", 0x0C17, "Boolean"),  # PidTagReplyRequested
    ("response_requested", 0x0063, "Boolean"),  # PidTagResponseRequested
    ("flag_request", ("Common", 0x8530), "String"),  # PidLidFlagRequest: "Follow up"
    ("flag_string", ("Common", 0x85C0), "Integer"),  # PidLidFlagString: 0x6E, "Follow up"
    ("valid_flag_string_proof", ("Common", 0x85BF), "SystemTime"),  # PidLidValidFlagStringProof
    ("todo_title", ("Common", 0x85A4), "String"),  # PidLidToDoTitle: the subject
    ("todo_ordinal_date", ("Common", 0x85A0), "SystemTime"),  # PidLidToDoOrdinalDate
    ("todo_sub_ordinal", ("Common", 0x85A1), "String"),  # PidLidToDoSubOrdinal
    ("common_start", ("Common", 0x8516), "SystemTime"),  # PidLidCommonStart
    ("common_end", ("Common", 0x8517), "SystemTime"),  # PidLidCommonEnd
    ("task_start_date", ("Task", 0x8104), "SystemTime"),  # PidLidTaskStartDate
    ("task_due_date", ("Task", 0x8105), "SystemTime"),  # PidLidTaskDueDate
    ("task_status", ("Task", 0x8101), "Integer"),  # PidLidTaskStatus: 0, not started
    ("task_complete", ("Task", 0x811C), "Boolean"),  # PidLidTaskComplete
    ("percent_complete", ("Task", 0x8102), "Double"),  # PidLidPercentComplete
)


def _extended(attribute: str, where: int | tuple[str, int], kind: str) -> type[ExtendedProperty]:
    fields: dict[str, object] = {"property_type": kind}
    if isinstance(where, int):
        fields["property_tag"] = where
    else:
        fields["distinguished_property_set_id"], fields["property_id"] = where
    return type(f"Flag_{attribute}", (ExtendedProperty,), fields)


with suppress(ValueError):  # registered already: this module was imported again
    Message.register("flag_status", Flag)
for _attribute, _where, _kind in _TIME_FLAG:
    with suppress(ValueError):
        Message.register(_attribute, _extended(_attribute, _where, _kind))
# Retrying cannot help: a person must fix the password, the grant or the address.
_REFUSED = (UnauthorizedError, ErrorAccessDenied, ErrorImpersonationDenied, ErrorImpersonateUserDenied,
            ErrorAccountDisabled, ErrorNonExistentMailbox)
_FOLDER_GONE = (ErrorFolderNotFound, ErrorToFolderNotFound, ErrorParentFolderNotFound)
_TRANSIENT = (ErrorTimeoutExpired, ErrorServerBusy, ErrorInternalServerError, ErrorInternalServerTransientError,
              ErrorMailboxStoreUnavailable, ErrorMailboxMoveInProgress, ErrorConnectionFailed, ErrorADUnavailable,
              MalformedResponseError, SOAPError, requests.RequestException)


class RefusedLoginIsNotThrottling(FaultTolerance):  # type: ignore[misc]  # exchangelib ships no type hints
    """exchangelib's FaultTolerance, except that HTTP 401 means the login was refused, and `max_wait` is one
    deadline for a whole operation.

    FaultTolerance takes a 401 for throttling and retries it for up to max_wait:
    with a wrong password that is a run of failed logins, which locks the account
    under the usual Active Directory lockout policy. Real throttling comes as
    ErrorServerBusy, which is still waited out, but only until the operation's
    deadline: FaultTolerance compares each back-off alone with max_wait, so a server
    asking for 4 s again and again under a 5 s max_wait held the scheduler's one
    worker for ever (exchangelib 5.6, services/common.py and protocol.py).
    """

    def __init__(self, max_wait: float) -> None:
        super().__init__(max_wait=max_wait)
        self.deadline: float | None = None

    def start(self) -> None:
        """An operation of the interface begins: its waits, all retries included, end at max_wait from now."""
        self.deadline = time.monotonic() + self.max_wait

    def back_off(self, seconds: float | None) -> None:
        wait = self.DEFAULT_BACKOFF if seconds is None else seconds
        if self.deadline is not None and time.monotonic() + wait > self.deadline:
            raise RateLimitError("Max timeout reached", wait=wait)
        super().back_off(seconds)

    def raise_response_errors(self, response: Any) -> None:
        if response.status_code == 401:
            raise UnauthorizedError(f"Invalid credentials for {response.url}")
        super().raise_response_errors(response)


class EwsMailbox:
    """One shared mailbox reached through EWS, by delegate access or impersonation."""

    backend = "ews"  # its name in the configuration

    def __init__(
        self, role: str, address: str, settings: Ews, secret: Secret, information_requests: str, *,
        max_attempts: int = 4, base_delay: float = 1.0, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.role, self.address = role, address
        self._settings, self._secret = settings, secret
        self._information_requests = information_requests
        self._version = exchange_version(settings.version)
        self._max_attempts, self._base_delay, self._sleep = max_attempts, base_delay, sleep
        self._account: Any = None
        self._folders: dict[Folder, Any] = {}
        self._policy = RefusedLoginIsNotThrottling(max_wait=settings.max_wait_seconds)

    # -- the Mailbox interface --

    def poll(self, folder: Folder, position: str | None) -> Poll:
        """New messages since `position` (a SyncFolderItems sync state)."""
        return self._retry(lambda account: self._poll(account, folder, position))

    def save_draft(self, raw: bytes, message_id: str) -> str:
        return self._retry(lambda account: self._save_draft(account, raw, message_id))

    def draft_ids(self) -> set[str]:
        return self._retry(lambda account: self._draft_ids())

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        return self._retry(lambda account: self._file_into(account, folder, message))

    def flag(self, message: StoredMail) -> None:
        self._retry(lambda account: self._flag(account, message))

    def folder_names(self) -> list[str]:
        return self._retry(lambda account: [str(f.name) for f in FolderCollection(
            account=account, folders=[account.msg_folder_root]).find_folders()])

    def sample(self, folder: Folder) -> StoredMail | None:
        return self._retry(lambda account: self._sample(account, folder))

    def remove_draft(self, key: str) -> None:
        self._retry(lambda account: list(_results(account.bulk_delete(ids=[ItemId(id=key)],
                                                                      delete_type="HardDelete"))))

    def _sample(self, account: Any, folder: Folder) -> StoredMail | None:
        source = self._folder(folder)
        found = list(source.all().order_by("-datetime_received").only("id")[:1]) if source is not None else []
        return next(iter(self._fetch(account, folder, found)), None)
    def categorise(self, message: StoredMail, category: str) -> None:
        self._retry(lambda account: self._categorise(account, message, category))

    def wait_for_mail(self, folder: Folder, timeout: float) -> bool:
        """Wait out `timeout` and let the next poll look.

        Exchange could push through EWS streaming or pull notifications, but that
        is a subscription to keep alive per mailbox, out of scope here; the service
        polls EWS mailboxes every `poll_seconds`.
        """
        self._sleep(timeout)
        return False

    def close(self) -> None:
        account, self._account = self._account, None
        self._folders.clear()
        if account is not None:
            account.protocol.close()
            with suppress(KeyError):  # exchangelib caches one Protocol per endpoint and credentials
                del Protocol[account.protocol.config]

    # -- the work, on a connected account --

    def _poll(self, account: Any, folder: Folder, position: str | None) -> Poll:
        source = self._folder(folder)
        if source is None:
            return Poll([], position)  # Information Requests: made the first time a request is filed
        state, _, received = (position or "").partition(" ")
        try:
            return self._sync(account, folder, source, state or None, received)
        except ErrorInvalidSyncStateData:
            if not state:
                raise
            log.warning("%s/%s: Exchange no longer accepts the sync state: reading the folder again from %s; mail "
                        "already processed is recognised by its Message-ID", self.role, folder.value,
                        received or "the beginning")
            return self._sync(account, folder, source, None, received, since=received)

    def _sync(self, account: Any, folder: Folder, source: Any, state: str | None, received: str,
              since: str = "") -> Poll:
        """Sync pages (ids and received times) until done; the MIME of each mail created, received from `since`."""
        service = SyncFolderItems(account=account)
        when = source.normalize_fields(fields=["datetime_received"])
        messages: list[StoredMail] = []
        while True:
            changes = service.call(folder=source, shape=ID_ONLY, additional_fields=set(when), sync_state=state,
                                   ignore=None, max_changes_returned=SYNC_PAGE, sync_scope=None)
            created = [item for change, item in _results(changes) if change == SyncFolderItems.CREATE]
            times = {id(item): _utc(item.datetime_received) for item in created}
            received = max([received, *times.values()])
            wanted = [item for item in created if times[id(item)] >= since or not times[id(item)]]
            messages.extend(self._fetch(account, folder, wanted))
            done = bool(service.includes_last_item_in_range) or service.sync_state == state
            state = str(service.sync_state)
            if done or len(messages) >= POLL_LIMIT:
                return Poll(messages, f"{state} {received}" if received else state, more=not done)

    def _fetch(self, account: Any, folder: Folder, items: list[Any]) -> Iterable[StoredMail]:
        if not items:
            return
        for item in account.fetch(ids=items, only_fields=["mime_content"], chunk_size=FETCH_BATCH):
            if isinstance(item, ErrorItemNotFound):
                continue  # moved or deleted since the sync: the next sync says where it went
            if isinstance(item, Exception):
                raise item
            if item.mime_content:
                yield StoredMail(folder, str(item.id), bytes(item.mime_content))
            else:
                log.warning("%s/%s: item %s has no MIME content; skipped", self.role, folder.value, item.id)

    def _save_draft(self, account: Any, raw: bytes, message_id: str) -> str:
        drafts = self._folder(Folder.DRAFTS)
        wanted = message_id.strip()
        # Exchange compares strings without regard to case; Message-IDs are compared exactly here.
        for item in _results(drafts.filter(message_id=wanted).only("message_id")):
            if str(item.message_id or "").strip() == wanted:
                log.debug("%s: draft %s already in Drafts", self.role, wanted)
                return str(item.id)
        draft = Message(account=account, folder=drafts, mime_content=raw, categories=[self._settings.category])
        draft.save()  # CreateItem, MessageDisposition="SaveOnly", into Drafts
        return str(draft.id)

    def _draft_ids(self) -> set[str]:
        drafts = self._folder(Folder.DRAFTS).all().only("message_id")  # FindItem, 100 a page
        return {str(item.message_id).strip() for item in _results(drafts) if item.message_id}

    def _file_into(self, account: Any, folder: Folder, message: StoredMail) -> str:
        target = self._folder(folder, create=True)
        try:
            moved = MoveItem(account=account).get(items=[ItemId(id=message.key)], to_folder=target,
                                                  expect_result=None)
        except ErrorItemNotFound as exc:
            raise self._gone(message) from exc
        return str(moved[0]) if moved else ""  # a move within the mailbox always returns the new id

    def _flag(self, account: Any, message: StoredMail) -> None:
        """Flag for follow-up and mark high importance, the two marks Outlook shows in the message list."""
        item = self._message(account, message, ["importance", "flag_status", "todo_item_flags", "subject",
                                                "datetime_received"])
        if item is None or (item.importance == "High" and item.flag_status == _FLAGGED and item.todo_item_flags == 1):
            return
        for attribute, value in _time_flag(item).items():
            setattr(item, attribute, value)
        item.importance, item.flag_status = "High", _FLAGGED
        item.save(update_fields=["importance", "flag_status", *(a for a, _, _ in _TIME_FLAG)],
                  conflict_resolution="AlwaysOverwrite")

    def _categorise(self, account: Any, message: StoredMail, category: str) -> None:
        """The category added to the item's own (a person's are kept), and to the master list when missing."""
        item = self._message(account, message, ["categories"])
        if item is None or category in (item.categories or []):
            return
        add_to_master_list(account, category)
        item.categories = [*(item.categories or []), category]
        item.save(update_fields=["categories"], conflict_resolution="AlwaysOverwrite")

    def _message(self, account: Any, message: StoredMail, fields: list[str]) -> Any:
        """The item with these fields; None (logged) for an item that is not a message (a meeting request)."""
        [item] = account.fetch(ids=[ItemId(id=message.key)], only_fields=fields)
        if isinstance(item, ErrorItemNotFound):
            raise self._gone(message)
        if isinstance(item, Exception):
            raise item
        if not isinstance(item, Message):
            log.warning("%s: %s is a %s, not a message; left as it is", self.role, message.key, type(item).__name__)
            return None
        return item

    def _gone(self, message: StoredMail) -> MessageGone:
        return MessageGone(self.role, message.key, message.folder.value)

    # -- folders --

    def _folder(self, folder: Folder, *, create: bool = False) -> Any:
        if folder not in self._folders:
            found = (self._information_requests_folder(create) if folder is Folder.INFORMATION_REQUESTS
                     else getattr(self._connected(), _WELL_KNOWN[folder]))
            if found is None:
                return None
            self._folders[folder] = found
        return self._folders[folder]

    def _information_requests_folder(self, create: bool) -> Any:
        """The folder Business Support file requests in, beside the inbox (under Top of Information Store)."""
        top = self._connected().msg_folder_root
        try:
            return top // self._information_requests  # FindFolder, without loading the whole folder tree
        except ErrorFolderNotFound:
            if not create:
                return None
        new = ExchangeFolder(root=top.root, name=self._information_requests, folder_class="IPF.Note")
        try:
            return CreateFolder(account=self._connected()).get(parent_folder=top, folders=[new])
        except ErrorFolderExists:  # made by someone else since the FindFolder
            return top // self._information_requests

    # -- connection and retries --

    def _retry(self, work: Callable[[Any], T]) -> T:
        self._policy.start()
        try:
            return retrying(lambda: work(self._connected()), log=log, role=self.role, server="Exchange",
                            transient=_TRANSIENT, max_attempts=self._max_attempts, base_delay=self._base_delay,
                            sleep=self._sleep)
        except _REFUSED as exc:
            raise MailboxAuthError(f"{self.role}: Exchange refused access to the mailbox {self.address} "
                                   f"for {self._settings.username or self.address}: {exc}") from exc
        except RateLimitError as exc:
            raise MailboxError(f"{self.role}: Exchange is throttling {self.address} for {exc.wait:.0f} s, longer "
                               f"than max_wait_seconds ({self._settings.max_wait_seconds})") from exc
        except EWSError as exc:
            if isinstance(exc, _FOLDER_GONE):
                self._folders.clear()  # deleted or recreated by someone: look the folders up again next time
            raise MailboxError(f"{self.role}: Exchange refused the request: {exc}") from exc

    def _connected(self) -> Any:
        if self._account is None:
            s = self._settings
            config = Configuration(service_endpoint=s.service_endpoint or None, credentials=self._credentials(),
                                   auth_type=_AUTH[s.auth], version=self._version,
                                   retry_policy=self._policy)
            access = IMPERSONATION if s.access == "impersonation" else DELEGATE
            # UTC: the TimeZoneContext header then never depends on the host's zone.
            self._account = Account(self.address, config=config, autodiscover=s.autodiscover,
                                    access_type=access, default_timezone=UTC)
        return self._account

    def _credentials(self) -> Any:
        s = self._settings
        if s.auth == "oauth2":  # app-only: the secret is the client secret, the identity the mailbox
            return OAuth2Credentials(client_id=s.client_id, client_secret=self._secret.get(), tenant_id=s.tenant_id,
                                     identity=Identity(primary_smtp_address=self.address))
        return Credentials(s.username or self.address, self._secret.get())


def exchange_version(name: str) -> Any:
    """exchangelib's Version for a name like Exchange2016 or Exchange2013_SP1 (no version guessing at start-up)."""
    for build, _, full_name in VERSIONS:
        if full_name.replace("Microsoft Exchange Server ", "Exchange").replace(" ", "_") == name:
            return Version(build=build)
    for build, api_version, _ in reversed(VERSIONS):  # the oldest build speaking it: 15.1, not Office 365's 15.20
        if api_version == name:
            return Version(build=build)
    raise ConfigError(f"ews.version: unknown Exchange version {name!r}; expected a name like Exchange2016")


def _utc(when: Any) -> str:
    """A DateTimeReceived as an ISO 8601 UTC string, which sorts as time does ("" when Exchange gave none)."""
    return str(when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")) if when else ""


def _time_flag(item: Any) -> dict[str, object]:
    """The values of a time flag for today on `item` (MS-OXOFLAG 3.1.4.1.3), the dates at midnight UTC."""
    now = EWSDateTime.now(tz=UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"followup_icon": 6, "todo_item_flags": 1, "reply_requested": True, "response_requested": True,
            "flag_request": "Follow up", "flag_string": 0x6E, "valid_flag_string_proof": item.datetime_received or now,
            "todo_title": str(item.subject or ""), "todo_ordinal_date": now, "todo_sub_ordinal": "5555555",
            "common_start": today, "common_end": today, "task_start_date": today, "task_due_date": today,
            "task_status": 0, "task_complete": False, "percent_complete": Decimal(0)}


def _results(found: Iterable[Any]) -> Iterable[Any]:
    """exchangelib hands back a failed element as an exception object among the results: raise it."""
    for item in found:
        if isinstance(item, Exception):
            raise item
        yield item


_CATEGORY_LIST = "CategoryList"  # the calendar folder's user configuration that holds the master category list


def add_to_master_list(account: Any, category: str) -> None:
    """Add `category` (blue) to the mailbox's master category list, kept by Exchange as the XML of the calendar
    folder's CategoryList configuration; a category already there, or a list made meanwhile, is left as it is."""
    calendar = account.calendar
    try:
        found = calendar.get_user_configuration(_CATEGORY_LIST, properties="XmlData")
        xml = found.xml_data or b""
    except ErrorItemNotFound:
        found, xml = None, b""
    names = {_unescaped(name) for name in re.findall(rb'<category\b[^>]*\bname="([^"]*)"', xml)}
    if category in names:
        return
    entry = (f'<category name="{xml_escape(category, {chr(34): "&quot;"})}" color="{CATEGORY_COLOUR}" '
             f'keyboardShortcut="0" usageCount="0" guid="{{{uuid.uuid4()}}}"/>').encode()
    if found is None:
        calendar.create_user_configuration(_CATEGORY_LIST, xml_data=b'<?xml version="1.0"?><categories '
                                           b'xmlns="CategoryList.xsd">' + entry + b"</categories>")
    else:
        calendar.update_user_configuration(_CATEGORY_LIST, xml_data=xml.replace(b"</categories>",
                                                                                entry + b"</categories>", 1))


def _unescaped(name: bytes) -> str:
    """A category's name as written in the list's XML attribute, unescaped."""
    return html.unescape(name.decode("utf-8", "replace"))
