"""The Exchange Web Services backend (exchangelib): on-premises Exchange 2013 to 2019.

- Never marks mail read: new mail is found with SyncFolderItems (ids only) and read
  with GetItem (MimeContent); neither changes IsRead. The one UpdateItem the bot sends
  flags an urgent request's mail (when configured): Importance and PidTagFlagStatus only.
- Incremental: the position is the folder's SyncFolderItems sync state, a token only
  Exchange understands. A poll with nothing new is one SyncFolderItems. A sync state
  Exchange no longer accepts (ErrorInvalidSyncStateData, for example after a mailbox
  move) starts again from the beginning; the pipeline skips mail it has recorded.
- Bodies come only from GetItem: Exchange refuses MimeContent in FindItem and
  SyncFolderItems.
- Drafts are created from the MIME with CreateItem (SaveOnly, into Drafts), carrying
  the configured Outlook category so RAOs can filter on it. Exchange makes a message
  created from MIME a draft (MSGFLAG_UNSENT stays set, MS-OXCMSG 2.2.1.6). The bot
  first looks for its own earlier draft by InternetMessageId, so a retried save
  never makes two.
- Throttling (ErrorServerBusy with BackOffMilliseconds) is waited out by exchangelib's
  FaultTolerance, at most `max_wait_seconds`; a longer wait fails the call as
  MailboxError. A dropped connection or a server error is retried with exponential
  back-off and jitter, logged once per outage; a refused login is MailboxAuthError
  at once.
"""

from __future__ import annotations

import html
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import suppress
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
from exchangelib.extended_properties import Flag
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
# t:Flag element; this extended property is what Outlook's flag is made of, from Exchange 2007 on.
_FLAGGED = 2
with suppress(ValueError):  # registered already: this module was imported again
    Message.register("flag_status", Flag)
# Retrying cannot help: a person must fix the password, the grant or the address.
_REFUSED = (UnauthorizedError, ErrorAccessDenied, ErrorImpersonationDenied, ErrorImpersonateUserDenied,
            ErrorAccountDisabled, ErrorNonExistentMailbox)
_FOLDER_GONE = (ErrorFolderNotFound, ErrorToFolderNotFound, ErrorParentFolderNotFound)
_TRANSIENT = (ErrorTimeoutExpired, ErrorServerBusy, ErrorInternalServerError, ErrorInternalServerTransientError,
              ErrorMailboxStoreUnavailable, ErrorMailboxMoveInProgress, ErrorConnectionFailed, ErrorADUnavailable,
              MalformedResponseError, SOAPError, requests.RequestException)


class RefusedLoginIsNotThrottling(FaultTolerance):  # type: ignore[misc]  # exchangelib ships no type hints
    """exchangelib's FaultTolerance, except that HTTP 401 means the login was refused.

    FaultTolerance takes a 401 for throttling and retries it for up to max_wait:
    with a wrong password that is a run of failed logins, which locks the account
    under the usual Active Directory lockout policy. Real throttling comes as
    ErrorServerBusy, which FaultTolerance still waits out.
    """

    def raise_response_errors(self, response: Any) -> None:
        if response.status_code == 401:
            raise UnauthorizedError(f"Invalid credentials for {response.url}")
        super().raise_response_errors(response)


class EwsMailbox:
    """One shared mailbox reached through EWS, by delegate access or impersonation."""

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
        try:
            return self._sync(account, folder, source, position)
        except ErrorInvalidSyncStateData:
            if position is None:
                raise
            log.warning("%s/%s: Exchange no longer accepts the sync state: reading the folder again; mail already "
                        "processed is recognised by its Message-ID", self.role, folder.value)
            return self._sync(account, folder, source, None)

    def _sync(self, account: Any, folder: Folder, source: Any, state: str | None) -> Poll:
        service = SyncFolderItems(account=account)
        messages: list[StoredMail] = []
        while True:
            changes = service.call(folder=source, shape=ID_ONLY, additional_fields=set(), sync_state=state,
                                   ignore=None, max_changes_returned=SYNC_PAGE, sync_scope=None)
            created = [item for change, item in _results(changes) if change == SyncFolderItems.CREATE]
            messages.extend(self._fetch(account, folder, created))
            done = bool(service.includes_last_item_in_range) or service.sync_state == state
            state = str(service.sync_state)
            if done or len(messages) >= POLL_LIMIT:
                return Poll(messages, state, more=not done)

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
        item = self._message(account, message, ["importance", "flag_status"])
        if item is None or (item.importance == "High" and item.flag_status == _FLAGGED):
            return
        item.importance, item.flag_status = "High", _FLAGGED
        item.save(update_fields=["importance", "flag_status"], conflict_resolution="AlwaysOverwrite")

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
                                   retry_policy=RefusedLoginIsNotThrottling(max_wait=s.max_wait_seconds))
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
