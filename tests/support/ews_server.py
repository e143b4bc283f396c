"""A stateful Exchange Web Services endpoint on 127.0.0.1, to test the EWS backend through exchangelib itself.

It speaks the SOAP of Microsoft's published schema (messages.xsd, types.xsd) for
the operations the backend and its tests send: GetFolder, FindFolder,
CreateFolder, FindItem, GetItem, CreateItem, MoveItem and SyncFolderItems, with
Basic authentication, delegate access (a Mailbox in DistinguishedFolderId) and
impersonation (the ExchangeImpersonation header). Mail is kept as the MIME bytes
it came in as; a sync state is a folder's change counter, so mail delivered after
a SyncFolderItems shows up in the next one.

Where Exchange is strict, this server is too: FindItem and SyncFolderItems refuse
MimeContent (Exchange returns bodies only through GetItem), a sync state from
another folder is ErrorInvalidSyncStateData, and a message created from MIME is a
draft unless PR_MESSAGE_FLAGS says otherwise (MIMEToMAPI leaves MSGFLAG_UNSENT set).

Faults are queued by operation (`fail`): ErrorServerBusy with BackOffMilliseconds,
ErrorInternalServerError (an HTTP 500 with a SOAP fault), a bare HTTP 500 page, a
dropped connection, and HTTP 401.

Authentication is what IIS asks for on /EWS/Exchange.asmx by default: Windows
authentication, NTLM, and Basic only where a server is made with it (`auth`). An
unauthenticated request is answered 401 with `WWW-Authenticate: NTLM` (and `Negotiate`);
the NTLM handshake (MS-NLMP: NEGOTIATE, CHALLENGE, AUTHENTICATE) is carried out by
pyspnego's acceptor against the server's users, and, as with IIS, it authenticates the
connection: later requests on it carry no Authorization header.
"""

from __future__ import annotations

import base64
import email.utils
import itertools
import os
import re
import socket
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
M = "http://schemas.microsoft.com/exchange/services/2006/messages"
T = "http://schemas.microsoft.com/exchange/services/2006/types"
PATH = "/EWS/Exchange.asmx"
DISTINGUISHED = {"root": "Root", "msgfolderroot": "Top of Information Store", "inbox": "Inbox",
                 "drafts": "Drafts", "sentitems": "Sent Items", "deleteditems": "Deleted Items", "calendar": "Calendar"}
FAULT_KINDS = ("busy", "internal", "http500", "drop", "401")
_MSGFLAG_UNSENT = 0x8  # PR_MESSAGE_FLAGS (PropertyTag 0x0E07), MS-OXCMSG 2.2.1.6
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_SUBJECT = re.compile(rb"^Subject:[ \t]*(.*)$", re.IGNORECASE | re.MULTILINE)


class EwsFault(Exception):
    """A ResponseCode for one response message (or, with `soap=True`, for the whole request)."""

    def __init__(self, code: str, text: str, *, soap: bool = False) -> None:
        super().__init__(text)
        self.code, self.text, self.soap = code, text, soap


@dataclass
class Item:
    id: str
    folder: str
    mime: bytes
    received: datetime
    is_read: bool = False
    is_draft: bool = False
    categories: tuple[str, ...] = ()
    importance: str = "Normal"
    # Extended properties as set: their ExtendedFieldURI as "ext:..." -> (the URI's attributes, the value)
    properties: dict[str, tuple[dict[str, str], str]] = field(default_factory=dict)
    changekey: str = "CQAAABYAAAB1"  # a new one each time UpdateItem changes the item

    @property
    def flag_status(self) -> int | None:
        """PidTagFlagStatus (0x1090): 2 flagged, 1 complete, None not flagged."""
        found = self.properties.get(_FLAG_STATUS)
        return int(found[1]) if found else None

    @property
    def message_id(self) -> str:
        found = _MESSAGE_ID.search(_headers(self.mime))
        return found.group(1).decode("ascii", "replace") if found else ""

    @property
    def subject(self) -> str:
        found = _SUBJECT.search(_headers(self.mime))
        return found.group(1).decode("utf-8", "replace").strip() if found else ""


@dataclass
class MailFolder:
    id: str
    mailbox: str
    name: str
    parent: str | None
    distinguished: str | None = None
    folder_class: str = "IPF.Note"
    changes: list[tuple[int, str, str]] = field(default_factory=list)  # (sequence, "Create"/"Delete", item id)
    epoch: int = 0  # expire_sync_states() moves it on: older sync states are ErrorInvalidSyncStateData
    configurations: dict[str, bytes] = field(default_factory=dict)  # user configurations by name: their XmlData


@dataclass
class Fault:
    operation: str | None  # None: the next request, whatever it is
    kind: str
    skip: int = 0  # let this many matching requests through first
    back_off_ms: int = 500


class EwsServer:
    """The mailboxes, the users allowed into them, and the HTTP endpoint serving them."""

    def __init__(self, users: dict[str, str], *, impersonators: tuple[str, ...] = (),
                 grants: dict[str, tuple[str, ...]] | None = None, auth: tuple[str, ...] = ("ntlm",)) -> None:
        """`users`: logins and passwords; `grants`: the mailboxes each login has full access to (None: all);
        `auth`: the schemes the virtual directory has on, "ntlm" and/or "basic"."""
        self.users, self.impersonators, self.grants = dict(users), set(impersonators), grants
        self.auth = auth
        _ntlm_users(self.users)
        self.folders: dict[str, MailFolder] = {}
        self.items: dict[str, Item] = {}
        self.faults: list[Fault] = []
        self.requests: Counter[str] = Counter()  # requests received, by operation, faults and refusals too
        self.operations: Counter[str] = Counter()  # requests answered, by operation
        self.refused = 0  # requests answered 401
        self.impersonated: list[str] = []  # the mailboxes named in ExchangeImpersonation headers
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self._sequence = itertools.count(1)
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._http.daemon_threads = True
        self._http.ews = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), name="ews-server",
                                        daemon=True)

    def change_password(self, user: str, password: str) -> None:
        """An administrator resets the account's password: the next sign-in with the old one fails."""
        with self.lock:
            self.users[user] = password
        _ntlm_users(self.users)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}{PATH}"

    def start(self) -> EwsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    # -- the outside world: mailboxes, delivery, faults --

    def add_mailbox(self, address: str) -> None:
        with self.lock:
            root = self._new_folder(address, DISTINGUISHED["root"], None, "root")
            top = self._new_folder(address, DISTINGUISHED["msgfolderroot"], root.id, "msgfolderroot")
            for name in ("inbox", "drafts", "sentitems", "deleteditems"):
                self._new_folder(address, DISTINGUISHED[name], top.id, name)
            self._new_folder(address, DISTINGUISHED["calendar"], top.id, "calendar").folder_class = "IPF.Appointment"

    def folder(self, address: str, name: str) -> MailFolder | None:
        """A distinguished folder by its id ("inbox"), else a folder by its display name."""
        with self.lock:
            for f in self.folders.values():
                if f.mailbox == address and (f.distinguished == name or f.name.lower() == name.lower()):
                    return f
            return None

    def deliver(self, address: str, folder: str, raw: bytes, *, is_read: bool = False, is_draft: bool = False,
                when: datetime | None = None) -> str:
        with self.lock:
            target = self.folder(address, folder)
            assert target is not None, f"no folder {folder!r} in {address}"
            return self._add_item(target, raw, is_read=is_read, is_draft=is_draft, when=when).id

    def expire_sync_states(self) -> None:
        """Every sync state issued so far is refused, as after a mailbox move ("Handling synchronization-related
        errors in EWS": ErrorInvalidSyncStateData)."""
        with self.lock:
            for folder in self.folders.values():
                folder.epoch += 1

    def remove(self, item_id: str) -> Item:
        with self.lock:
            item = self.items.pop(item_id)
            self._record(self.folders[item.folder], "Delete", item_id)
            return item

    def remove_folder(self, address: str, name: str) -> None:
        """Someone deleting a folder in Outlook, and the mail in it."""
        with self.lock:
            folder = self.folder(address, name)
            assert folder is not None and folder.distinguished is None, name
            del self.folders[folder.id]
            for item in [i for i in self.items.values() if i.folder == folder.id]:
                del self.items[item.id]

    def in_folder(self, address: str, folder: str) -> list[Item]:
        with self.lock:
            target = self.folder(address, folder)
            return [i for i in self.items.values() if target is not None and i.folder == target.id]

    def fail(self, operation: str | None, kind: str, *, skip: int = 0, back_off_ms: int = 500, times: int = 1) -> None:
        """Make the next `times` requests for `operation` (after `skip` of them) fail with `kind`."""
        assert kind in FAULT_KINDS, kind
        with self.lock:
            self.faults.extend(Fault(operation, kind, skip if n == 0 else 0, back_off_ms) for n in range(times))

    # -- the store --

    def _new_id(self, kind: str) -> str:
        return base64.b64encode(f"AAMkAD{kind}{next(self._ids):08d}cassbot".encode()).decode()

    def _new_folder(self, address: str, name: str, parent: str | None, distinguished: str | None) -> MailFolder:
        folder = MailFolder(self._new_id("F"), address, name, parent, distinguished)
        self.folders[folder.id] = folder
        return folder

    def _add_item(self, folder: MailFolder, raw: bytes, *, is_read: bool = False, is_draft: bool = False,
                  categories: tuple[str, ...] = (), when: datetime | None = None) -> Item:
        item = Item(self._new_id("I"), folder.id, raw, when or datetime.now(UTC), is_read, is_draft, categories)
        self.items[item.id] = item
        self._record(folder, "Create", item.id)
        return item

    def _record(self, folder: MailFolder, change: str, item_id: str) -> None:
        folder.changes.append((next(self._sequence), change, item_id))

    def _take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.operation in (None, operation):
                    if fault.skip:
                        fault.skip -= 1
                        return None
                    self.faults.remove(fault)
                    return fault
            return None

    # -- one request --

    def authenticate(self, header: str | None) -> str | None:
        if not header or not header.startswith("Basic ") or "basic" not in self.auth:
            return None
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return None
        return user if self.users.get(user) == password else None

    def answer(self, user: str, body: bytes) -> bytes:
        """The SOAP response to one request (raising EwsFault for a SOAP fault)."""
        envelope = ET.fromstring(body)
        request = envelope.find(f"{{{SOAP}}}Body/*")
        if request is None:
            raise EwsFault("ErrorSchemaValidation", "The request failed schema validation: no Body.", soap=True)
        operation = request.tag.rpartition("}")[2]
        handler: Callable[[Request], str] | None = getattr(self, f"_op_{operation}", None)
        if handler is None:
            raise EwsFault("ErrorInvalidRequest", f"The request is invalid: {operation} is not supported here.",
                           soap=True)
        with self.lock:
            self.operations[operation] += 1
            context = Request(self, user, request, self._impersonating(user, envelope))
            return _response(operation, handler(context)).encode()

    def _impersonating(self, user: str, envelope: ET.Element) -> str | None:
        sid = envelope.find(f"{{{SOAP}}}Header/{{{T}}}ExchangeImpersonation/{{{T}}}ConnectingSID")
        if sid is None:
            return None
        address = "".join(sid.itertext()).strip().lower()
        if user not in self.impersonators:
            raise EwsFault("ErrorImpersonationDenied", "The account does not have permission to impersonate the "
                                                       "requested user.", soap=True)
        self.impersonated.append(address)
        return address

    # -- operations: each returns the ResponseMessages' content --

    def _op_GetFolder(self, r: Request) -> str:
        fields = r.fields("FolderShape")
        return "".join(r.each("GetFolder", r.request.find(f"{{{M}}}FolderIds"),
                              lambda ref: f"<m:Folders>{self._folder_xml(r.folder(ref), fields)}</m:Folders>"))

    def _op_FindFolder(self, r: Request) -> str:
        fields, restriction = r.fields("FolderShape"), r.request.find(f"{{{M}}}Restriction")

        def find(ref: ET.Element) -> str:
            parent = r.folder(ref)
            found = [f for f in self.folders.values() if f.parent == parent.id and _matches(restriction, f)]
            return _page(found, r.request.find(f"{{{M}}}IndexedPageFolderView"), "Folders",
                         lambda f: self._folder_xml(f, fields))
        return "".join(r.each("FindFolder", r.request.find(f"{{{M}}}ParentFolderIds"), find))

    def _op_CreateFolder(self, r: Request) -> str:
        parent = r.folder(_first(r.request.find(f"{{{M}}}ParentFolderId")))
        messages = []
        for spec in r.request.iterfind(f"{{{M}}}Folders/*"):
            name = _text(spec, "DisplayName")
            try:
                if any(f.parent == parent.id and f.name.lower() == name.lower() for f in self.folders.values()):
                    raise EwsFault("ErrorFolderExists", "A folder with the specified name already exists.")
                folder = self._new_folder(parent.mailbox, name, parent.id, None)
                folder.folder_class = _text(spec, "FolderClass") or "IPF.Note"
                messages.append(_message("CreateFolder", f"<m:Folders>{self._folder_xml(folder, set())}</m:Folders>"))
            except EwsFault as fault:
                messages.append(_error("CreateFolder", fault))
        return "".join(messages)

    def _op_FindItem(self, r: Request) -> str:
        fields, restriction = r.item_fields("FindItem"), r.request.find(f"{{{M}}}Restriction")

        def find(ref: ET.Element) -> str:
            folder = r.folder(ref)
            found = [i for i in self.items.values() if i.folder == folder.id and _matches(restriction, i)]
            found.sort(key=lambda i: i.received)
            return _page(found, r.request.find(f"{{{M}}}IndexedPageItemView"), "Items",
                         lambda i: _item_xml(i, fields), tag="t")
        return "".join(r.each("FindItem", r.request.find(f"{{{M}}}ParentFolderIds"), find))

    def _op_GetItem(self, r: Request) -> str:
        fields = r.item_fields("GetItem")
        return "".join(r.each("GetItem", r.request.find(f"{{{M}}}ItemIds"),
                              lambda ref: f"<m:Items>{_item_xml(r.item(ref), fields)}</m:Items>"))

    def _op_CreateItem(self, r: Request) -> str:
        disposition = r.request.get("MessageDisposition", "")
        if disposition != "SaveOnly":
            raise EwsFault("ErrorInvalidOperation", f"MessageDisposition {disposition!r}: this test server never "
                                                    "sends mail, it only saves it.", soap=True)
        saved_in = r.request.find(f"{{{M}}}SavedItemFolderId")
        folder = r.folder(_first(saved_in)) if saved_in is not None else r.distinguished("drafts", None)
        messages = []
        for spec in r.request.iterfind(f"{{{M}}}Items/{{{T}}}Message"):
            mime = spec.find(f"{{{T}}}MimeContent")
            if mime is None or not (mime.text or "").strip():
                messages.append(_error("CreateItem", EwsFault(
                    "ErrorInvalidRequest", "This test server creates messages from MimeContent only.")))
                continue
            item = self._add_item(folder, base64.b64decode(mime.text or ""), is_read=_bool(_text(spec, "IsRead")),
                                  is_draft=_draft_flag(spec),
                                  categories=tuple(s.text or "" for s in spec.iterfind(f"{{{T}}}Categories/*")))
            messages.append(_message("CreateItem", f"<m:Items>{_item_xml(item, set())}</m:Items>"))
        return "".join(messages)

    def _op_MoveItem(self, r: Request) -> str:
        try:
            target: MailFolder | None = r.folder(_first(r.request.find(f"{{{M}}}ToFolderId")))
        except EwsFault as fault:
            if fault.soap:
                raise
            target = None

        def move(ref: ET.Element) -> str:
            item = r.item(ref)
            if target is None:
                raise EwsFault("ErrorToFolderNotFound", "The destination folder does not exist.")
            self._record(self.folders[item.folder], "Delete", item.id)
            del self.items[item.id]
            # Since Exchange 2010 SP1 an item moved to another folder has a new ItemId, returned here;
            # everything else about it (read state, flag, importance, categories) moves with it.
            moved = replace(item, id=self._new_id("I"), folder=target.id)
            self.items[moved.id] = moved
            self._record(target, "Create", moved.id)
            return f"<m:Items>{_item_xml(moved, set())}</m:Items>"
        return "".join(r.each("MoveItem", r.request.find(f"{{{M}}}ItemIds"), move))

    def _op_DeleteItem(self, r: Request) -> str:
        """DeleteItem (messages.xsd DeleteItemType): `cassbot check-mailboxes` removes its own test draft."""
        def delete(ref: ET.Element) -> str:
            item = r.item(ref)
            self._record(self.folders[item.folder], "Delete", item.id)
            del self.items[item.id]
            return ""
        return "".join(r.each("DeleteItem", r.request.find(f"{{{M}}}ItemIds"), delete))

    def _op_UpdateItem(self, r: Request) -> str:
        """Importance, categories and extended properties only: all the bot may change, and all this server knows
        how to."""
        if r.request.get("MessageDisposition") != "SaveOnly":
            raise EwsFault("ErrorInvalidOperation", "This test server never sends mail.", soap=True)
        overwrite = r.request.get("ConflictResolution") == "AlwaysOverwrite"

        def update(change: ET.Element) -> str:
            ref = _first(change)
            item = r.item(ref)
            if not overwrite and ref.get("ChangeKey") != item.changekey:
                raise EwsFault("ErrorIrresolvableConflict", "The send or update operation could not be performed "
                                                            "because the change key passed in the request does not "
                                                            "match the current change key for the item.")
            for field_change in change.iterfind(f"{{{T}}}Updates/*"):
                _apply_update(item, field_change)
            item.changekey = self._new_id("K")
            return (f"<m:Items>{_item_xml(item, set())}</m:Items>"
                    "<m:ConflictResults><t:Count>0</t:Count></m:ConflictResults>")
        return "".join(r.each("UpdateItem", r.request.find(f"{{{M}}}ItemChanges"), update))

    def _op_GetUserConfiguration(self, r: Request) -> str:
        """A folder's user configuration (the calendar's CategoryList: the master category list), XmlData only."""
        folder, name = self._configuration(r)
        if name not in folder.configurations:
            return _error("GetUserConfiguration", EwsFault("ErrorItemNotFound", "The specified object was not "
                                                                                  "found in the store."))
        data = base64.b64encode(folder.configurations[name]).decode()
        return _message("GetUserConfiguration", f'<m:UserConfiguration><t:UserConfigurationName Name="{name}">'
                        f'<t:FolderId Id="{folder.id}"/></t:UserConfigurationName><t:XmlData>{data}</t:XmlData>'
                        "</m:UserConfiguration>")

    def _op_CreateUserConfiguration(self, r: Request) -> str:
        return self._save_configuration(r, "CreateUserConfiguration", exists=False)

    def _op_UpdateUserConfiguration(self, r: Request) -> str:
        return self._save_configuration(r, "UpdateUserConfiguration", exists=True)

    def _save_configuration(self, r: Request, operation: str, exists: bool) -> str:
        folder, name = self._configuration(r, f"{{{M}}}UserConfiguration/{{{T}}}UserConfigurationName")
        if (name in folder.configurations) != exists:
            code = "ErrorItemNotFound" if exists else "ErrorItemSave"
            return _error(operation, EwsFault(code, f"The user configuration {name} {'is not' if exists else 'is'} "
                                                    "there."))
        data = r.request.find(f"{{{M}}}UserConfiguration/{{{T}}}XmlData")
        folder.configurations[name] = base64.b64decode(data.text or "") if data is not None else b""
        return _message(operation, "")

    @staticmethod
    def _configuration(r: Request, path: str = f"{{{M}}}UserConfigurationName") -> tuple[MailFolder, str]:
        named = r.request.find(path)
        assert named is not None
        return r.folder(_first(named)), named.get("Name", "")

    def _op_SyncFolderItems(self, r: Request) -> str:
        fields = r.item_fields("SyncFolderItems")
        try:
            folder = r.folder(_first(r.request.find(f"{{{M}}}SyncFolderId")))
            since = _sync_sequence(folder, _text(r.request, "SyncState", M))
        except EwsFault as fault:  # Exchange still sends an empty SyncState, and says the range is complete
            return _error("SyncFolderItems", fault, "<m:SyncState/><m:IncludesLastItemInRange>true"
                                                    "</m:IncludesLastItemInRange>")
        limit = int(_text(r.request, "MaxChangesReturned", M) or 512)
        pending = [c for c in folder.changes if c[0] > since]
        created = {item_id for _, change, item_id in pending if change == "Create"}
        changes, last = [], since
        for sequence, change, item_id in pending:  # net changes: an item made and gone since is not mentioned
            if len(changes) == limit:
                break
            last = sequence
            item = self.items.get(item_id)
            if change == "Create" and item is not None and item.folder == folder.id:
                changes.append(f"<t:Create>{_item_xml(item, fields)}</t:Create>")
            elif change == "Delete" and item_id not in created:
                changes.append(f'<t:Delete><t:ItemId Id="{item_id}"/></t:Delete>')
        complete = not any(sequence > last for sequence, _, _ in folder.changes)
        state = base64.b64encode(f"{folder.id}|{last}|{folder.epoch}".encode()).decode()
        return _message("SyncFolderItems", f"<m:SyncState>{state}</m:SyncState><m:IncludesLastItemInRange>"
                                           f"{_xs(complete)}</m:IncludesLastItemInRange>"
                                           f"<m:Changes>{''.join(changes)}</m:Changes>")

    def _folder_xml(self, folder: MailFolder, fields: set[str]) -> str:
        wanted = lambda uri: "*" in fields or uri in fields  # noqa: E731
        items = [i for i in self.items.values() if i.folder == folder.id]
        parts = [f'<t:FolderId Id="{folder.id}" ChangeKey="AQAAABYAAAAA"/>']
        if wanted("folder:ParentFolderId") and folder.parent:
            parts.append(f'<t:ParentFolderId Id="{folder.parent}" ChangeKey="AQAAAA=="/>')
        if wanted("folder:FolderClass"):
            parts.append(f"<t:FolderClass>{folder.folder_class}</t:FolderClass>")
        if wanted("folder:DisplayName"):
            parts.append(f"<t:DisplayName>{escape(folder.name)}</t:DisplayName>")
        if wanted("folder:TotalCount"):
            parts.append(f"<t:TotalCount>{len(items)}</t:TotalCount>")
        if wanted("folder:ChildFolderCount"):
            children = sum(1 for f in self.folders.values() if f.parent == folder.id)
            parts.append(f"<t:ChildFolderCount>{children}</t:ChildFolderCount>")
        if wanted("folder:DistinguishedFolderId") and folder.distinguished:
            parts.append(f"<t:DistinguishedFolderId>{folder.distinguished}</t:DistinguishedFolderId>")
        if wanted("folder:UnreadCount"):
            parts.append(f"<t:UnreadCount>{sum(1 for i in items if not i.is_read)}</t:UnreadCount>")
        tag = "CalendarFolder" if folder.folder_class == "IPF.Appointment" else "Folder"
        return f"<t:{tag}>{''.join(parts)}</t:{tag}>"


class Request:
    """One request's element, its user and the mailbox it acts for; resolves folder and item references."""

    def __init__(self, server: EwsServer, user: str, request: ET.Element, impersonating: str | None) -> None:
        self.server, self.user, self.request, self.impersonating = server, user, request, impersonating

    def each(self, operation: str, refs: ET.Element | None, answer: Callable[[ET.Element], str]) -> Iterator[str]:
        """One response message per reference, errors (ErrorItemNotFound...) in their own message."""
        for ref in list(refs if refs is not None else []):
            try:
                yield _message(operation, answer(ref))
            except EwsFault as fault:
                if fault.soap:
                    raise
                yield _error(operation, fault)

    def folder(self, ref: ET.Element) -> MailFolder:
        name = ref.tag.rpartition("}")[2]
        if name == "DistinguishedFolderId":
            mailbox = ref.find(f"{{{T}}}Mailbox/{{{T}}}EmailAddress")
            return self.distinguished(ref.get("Id", ""), mailbox.text if mailbox is not None else None)
        folder = self.server.folders.get(ref.get("Id", ""))
        if folder is None:
            raise EwsFault("ErrorFolderNotFound", "The specified folder could not be found in the store.")
        self._allowed(folder.mailbox)
        return folder

    def distinguished(self, name: str, address: str | None) -> MailFolder:
        address = (address or self.impersonating or self.user).lower()
        if not any(f.mailbox == address for f in self.server.folders.values()):
            raise EwsFault("ErrorNonExistentMailbox", f"No mailbox with such guid or SMTP address: {address}.")
        self._allowed(address)
        folder = next((f for f in self.server.folders.values()
                       if f.mailbox == address and f.distinguished == name), None)
        if folder is None:
            raise EwsFault("ErrorFolderNotFound", "The specified folder could not be found in the store.")
        return folder

    def item(self, ref: ET.Element) -> Item:
        item = self.server.items.get(ref.get("Id", ""))
        if item is None:
            raise EwsFault("ErrorItemNotFound", "The specified object was not found in the store.")
        self._allowed(self.server.folders[item.folder].mailbox)
        return item

    def _allowed(self, mailbox: str) -> None:
        grants = self.server.grants
        if self.impersonating is not None:
            allowed = mailbox == self.impersonating
        else:
            allowed = grants is None or mailbox in grants.get(self.user, ())
        if not allowed:
            raise EwsFault("ErrorAccessDenied", "Access is denied. Check credentials and try again.")

    def fields(self, shape_tag: str) -> set[str]:
        shape = self.request.find(f"{{{M}}}{shape_tag}")
        if shape is None:
            return set()
        base = _text(shape, "BaseShape")
        named = {e.get("FieldURI", "") for e in shape.iterfind(f"{{{T}}}AdditionalProperties/{{{T}}}FieldURI")}
        named |= {_extended_uri(e) for e in shape.iterfind(f"{{{T}}}AdditionalProperties/{{{T}}}ExtendedFieldURI")}
        return named | ({"*"} if base in ("Default", "AllProperties") else set())

    def item_fields(self, operation: str) -> set[str]:
        fields = self.fields("ItemShape")
        if operation != "GetItem" and "item:MimeContent" in fields:
            raise EwsFault("ErrorInvalidPropertyRequest",
                           f"The property 'MimeContent' can't be used in {operation} requests.", soap=True)
        return fields


# -- XML out --

def _response(operation: str, messages: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<s:Envelope xmlns:s="{SOAP}"><s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="1" '
            f'MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11" xmlns:h="{T}"/></s:Header>'
            f'<s:Body><m:{operation}Response xmlns:m="{M}" xmlns:t="{T}"><m:ResponseMessages>{messages}'
            f'</m:ResponseMessages></m:{operation}Response></s:Body></s:Envelope>')


def _message(operation: str, content: str) -> str:
    return (f'<m:{operation}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>'
            f'{content}</m:{operation}ResponseMessage>')


def _error(operation: str, fault: EwsFault, extra: str = "") -> str:
    return (f'<m:{operation}ResponseMessage ResponseClass="Error"><m:MessageText>{escape(fault.text)}'
            f'</m:MessageText><m:ResponseCode>{fault.code}</m:ResponseCode><m:DescriptiveLinkKey>0'
            f'</m:DescriptiveLinkKey>{extra}</m:{operation}ResponseMessage>')


def soap_fault(code: str, text: str, back_off_ms: int | None = None) -> bytes:
    """A SOAP fault as Exchange sends it (HTTP 500), with BackOffMilliseconds for ErrorServerBusy."""
    extra = (f'<t:MessageXml xmlns:t="{T}"><t:Value Name="BackOffMilliseconds">{back_off_ms}</t:Value>'
             '</t:MessageXml>') if back_off_ms is not None else ""
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<s:Envelope xmlns:s="{SOAP}"><s:Body><s:Fault><faultcode xmlns:a="{T}">a:{code}</faultcode>'
            f'<faultstring xml:lang="en-US">{escape(text)}</faultstring><detail>'
            f'<e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">{code}'
            f'</e:ResponseCode><e:Message xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">'
            f'{escape(text)}</e:Message>{extra}</detail></s:Fault></s:Body></s:Envelope>').encode()


def _page(found: Sequence[Any], view: ET.Element | None, container: str, render: Callable[[Any], str],
          tag: str = "t") -> str:
    offset = int(view.get("Offset", "0")) if view is not None else 0
    size = int(view.get("MaxEntriesReturned", "1000")) if view is not None else 1000
    page = found[offset:offset + size]
    end = offset + len(page)
    return (f'<m:RootFolder IndexedPagingOffset="{end}" TotalItemsInView="{len(found)}" '
            f'IncludesLastItemInRange="{_xs(end >= len(found))}"><{tag}:{container}>'
            f'{"".join(render(x) for x in page)}</{tag}:{container}></m:RootFolder>')


def _item_xml(item: Item, fields: set[str]) -> str:
    """A t:Message with the properties asked for, in the order types.xsd gives them."""
    wanted = lambda uri: "*" in fields or uri in fields  # noqa: E731
    parts = []
    if "item:MimeContent" in fields:
        parts.append(f'<t:MimeContent CharacterSet="UTF-8">{base64.b64encode(item.mime).decode()}</t:MimeContent>')
    parts.append(f'<t:ItemId Id="{item.id}" ChangeKey="{item.changekey}"/>')
    if wanted("item:ParentFolderId"):
        parts.append(f'<t:ParentFolderId Id="{item.folder}" ChangeKey="AQAAAA=="/>')
    if wanted("item:ItemClass"):
        parts.append("<t:ItemClass>IPM.Note</t:ItemClass>")
    if wanted("item:Subject"):
        parts.append(f"<t:Subject>{escape(item.subject)}</t:Subject>")
    if wanted("item:DateTimeReceived"):
        parts.append(f"<t:DateTimeReceived>{item.received:%Y-%m-%dT%H:%M:%SZ}</t:DateTimeReceived>")
    if wanted("item:Size"):
        parts.append(f"<t:Size>{len(item.mime)}</t:Size>")
    if wanted("item:Categories") and item.categories:
        strings = "".join(f"<t:String>{escape(c)}</t:String>" for c in item.categories)
        parts.append(f"<t:Categories>{strings}</t:Categories>")
    if wanted("item:Importance"):
        parts.append(f"<t:Importance>{item.importance}</t:Importance>")
    if wanted("item:IsDraft"):
        parts.append(f"<t:IsDraft>{_xs(item.is_draft)}</t:IsDraft>")
    for uri, (attributes, value) in sorted(item.properties.items()):
        if uri in fields:
            named = " ".join(f'{k}="{escape(v)}"' for k, v in attributes.items())
            parts.append(f"<t:ExtendedProperty><t:ExtendedFieldURI {named}/><t:Value>{escape(value)}</t:Value>"
                         "</t:ExtendedProperty>")
    if wanted("message:InternetMessageId") and item.message_id:
        parts.append(f"<t:InternetMessageId>{escape(item.message_id)}</t:InternetMessageId>")
    if wanted("message:IsRead"):
        parts.append(f"<t:IsRead>{_xs(item.is_read)}</t:IsRead>")
    return f"<t:Message>{''.join(parts)}</t:Message>"


# -- XML in --

_FLAG_STATUS = "ext:0x1090"


def _extended_uri(uri: ET.Element) -> str:
    """An ExtendedFieldURI (types.xsd PathToExtendedFieldType) as "ext:0x1090" (tagged) or "ext:Task/0x8105"
    (named, by property set and id or name)."""
    if uri.get("PropertyTag"):
        return f"ext:0x{int(uri.get('PropertyTag', '-1'), 0):04x}"
    where = uri.get("DistinguishedPropertySetId") or (uri.get("PropertySetId") or "").lower()
    what = f"0x{int(uri.get('PropertyId', '-1'), 0):04x}" if uri.get("PropertyId") else uri.get("PropertyName")
    return f"ext:{where}/{what}" if where and what else "ext:?"


def _apply_update(item: Item, update: ET.Element) -> None:
    """One SetItemField or DeleteItemField of an UpdateItem."""
    kind, path = update.tag.rpartition("}")[2], _first(update)
    uri = path.get("FieldURI") or (_extended_uri(path) if path.tag.endswith("ExtendedFieldURI") else "")
    if uri == "item:Importance":
        value = update.find(f"{{{T}}}Message/{{{T}}}Importance")
        item.importance = (value.text or "Normal") if kind == "SetItemField" and value is not None else "Normal"
    elif uri == "item:Categories":
        strings = update.findall(f"{{{T}}}Message/{{{T}}}Categories/{{{T}}}String")
        item.categories = tuple(s.text or "" for s in strings) if kind == "SetItemField" else ()
    elif uri.startswith("ext:") and uri != "ext:?":  # MS-OXOFLAG's properties and any other the bot sets
        value = update.find(f"{{{T}}}Message/{{{T}}}ExtendedProperty/{{{T}}}Value")
        if kind == "SetItemField" and value is not None:
            item.properties[uri] = (dict(path.attrib), value.text or "")
        else:
            item.properties.pop(uri, None)
    else:
        raise EwsFault("ErrorInvalidPropertySet", f"This test server cannot update {uri or path.tag!r}.")

def _headers(mime: bytes) -> bytes:
    return re.split(rb"\r?\n\r?\n", mime, maxsplit=1)[0]


def _xs(value: bool) -> str:
    return "true" if value else "false"


def _bool(text: str) -> bool:
    """xs:boolean: exchangelib writes "1"/"0", other clients "true"/"false"."""
    return text.strip().lower() in ("1", "true")


def _text(elem: ET.Element, name: str, ns: str = T) -> str:
    found = elem.find(f"{{{ns}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _first(elem: ET.Element | None) -> ET.Element:
    if elem is None or len(elem) == 0:
        raise EwsFault("ErrorSchemaValidation", "The request failed schema validation: a folder id is missing.",
                       soap=True)
    return elem[0]


def _draft_flag(spec: ET.Element) -> bool:
    """A message made from MIME is unsent (a draft) unless PR_MESSAGE_FLAGS is given without MSGFLAG_UNSENT."""
    for prop in spec.iterfind(f"{{{T}}}ExtendedProperty"):
        uri = prop.find(f"{{{T}}}ExtendedFieldURI")
        if uri is not None and uri.get("PropertyTag", "").lower() in ("0x0e07", "3591"):
            return bool(int(_text(prop, "Value")) & _MSGFLAG_UNSENT)
    return True


def _sync_sequence(folder: MailFolder, state: str) -> int:
    if not state:
        return 0
    try:
        folder_id, sequence, epoch = base64.b64decode(state, validate=True).decode().split("|")
        if folder_id == folder.id and int(epoch) == folder.epoch:
            return int(sequence)
    except ValueError:
        pass
    raise EwsFault("ErrorInvalidSyncStateData", "Synchronization state data is corrupt or otherwise invalid.")


_PROPERTIES: dict[str, Callable[[object], object]] = {
    "folder:DisplayName": lambda o: getattr(o, "name", None),
    "message:InternetMessageId": lambda o: getattr(o, "message_id", None),
    "item:Subject": lambda o: getattr(o, "subject", None),
    "message:IsRead": lambda o: getattr(o, "is_read", None),
    "item:IsDraft": lambda o: getattr(o, "is_draft", None),
    "item:Categories": lambda o: getattr(o, "categories", None),
    "item:ItemClass": lambda o: "IPM.Note" if isinstance(o, Item) else None,
}


def _matches(restriction: ET.Element | None, obj: object) -> bool:
    """Restrictions (types.xsd SearchExpressionType) on the properties above; strings compare case-insensitively."""
    return restriction is None or len(restriction) == 0 or _evaluate(restriction[0], obj)


def _evaluate(expr: ET.Element, obj: object) -> bool:
    op = expr.tag.rpartition("}")[2]
    if op == "And":
        return all(_evaluate(e, obj) for e in expr)
    if op == "Or":
        return any(_evaluate(e, obj) for e in expr)
    if op == "Not":
        return not _evaluate(expr[0], obj)
    uri = expr.find(f"{{{T}}}FieldURI")
    if uri is None or uri.get("FieldURI") not in _PROPERTIES:
        raise EwsFault("ErrorUnsupportedPathForQuery", "The property path is not supported for a query.", soap=True)
    value = _PROPERTIES[uri.get("FieldURI", "")](obj)
    if op == "Exists":
        return value not in (None, "", ())
    constant = expr.find(f".//{{{T}}}Constant")
    wanted = (constant.get("Value", "") if constant is not None else "").lower()
    values = [str(v).lower() for v in (value if isinstance(value, tuple) else (value,))]
    if isinstance(value, bool):
        values = ["true" if value else "false"]
        wanted = "true" if _bool(wanted) else "false"
    if op == "IsEqualTo":
        return wanted in values
    if op == "IsNotEqualTo":
        return wanted not in values
    if op == "Contains":
        return any(wanted in v for v in values)
    raise EwsFault("ErrorUnsupportedQueryFilter", f"The restriction {op} is not supported here.", soap=True)


# -- HTTP --

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as IIS does: exchangelib keeps one session per connection
    server_version = "Microsoft-IIS/10.0"

    def setup(self) -> None:
        super().setup()
        # With Nagle's algorithm, a reply written in two parts waits for the client's delayed ACK: about
        # 40 ms a request. TCP_NODELAY, and `_send` writing head and body at once, keep it near 2 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the tests read the server's own counters, not an access log

    def do_POST(self) -> None:
        ews: EwsServer = self.server.ews  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.lower() != PATH.lower():
            return self._send(404, b"<html><body>404 - File or directory not found.</body></html>", "text/html")
        operation = _operation(body)
        user = self._authenticated(ews)
        if user is _CHALLENGED:
            return None  # a leg of the NTLM handshake, answered with its challenge
        if user is None and not self.headers.get("Authorization"):
            return self._refuse(ews)  # the handshake's opening: IIS says which schemes it takes
        with ews.lock:
            ews.requests[operation] += 1
        fault = ews._take_fault(operation)
        if fault is not None and fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        if user is None or (fault is not None and fault.kind == "401"):
            self._ntlm_user = None
            with ews.lock:
                ews.refused += 1
            return self._refuse(ews)
        if fault is not None:
            return self._send(500, *_injected(fault))
        try:
            return self._send(200, ews.answer(user, body))
        except EwsFault as error:
            return self._send(500, soap_fault(error.code, error.text))
        except ET.ParseError:
            return self._send(400, b"<html><body>Bad Request</body></html>", "text/html")

    def _refuse(self, ews: EwsServer) -> None:
        schemes = (["NTLM", "Negotiate"] if "ntlm" in ews.auth else []) + (
            ['Basic realm="127.0.0.1"'] if "basic" in ews.auth else [])
        self._send(401, b"", "text/html", [("WWW-Authenticate", scheme) for scheme in schemes])

    _ntlm_user: str | None = None  # the connection's user, once its NTLM handshake is done
    _ntlm: Any = None  # the handshake under way

    def _authenticated(self, ews: EwsServer) -> str | None:
        """The request's user: by Basic, by an NTLM handshake (answering its challenge), or by the connection."""
        header = self.headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "basic":
            return ews.authenticate(header)
        if scheme.lower() in ("ntlm", "negotiate") and "ntlm" in ews.auth:
            return self._ntlm_step(base64.b64decode(token), scheme)
        return self._ntlm_user

    def _ntlm_step(self, token: bytes, scheme: str) -> str | None:
        import spnego
        from spnego.exceptions import SpnegoError

        if self._ntlm is None or token[8:12] == b"\x01\x00\x00\x00":  # a NEGOTIATE_MESSAGE starts one
            self._ntlm, self._ntlm_user = spnego.server(protocol="ntlm"), None
        try:
            answer = self._ntlm.step(token)
        except SpnegoError:
            self._ntlm = None
            return None
        if not self._ntlm.complete:  # the CHALLENGE_MESSAGE, on this connection
            self._send(401, b"", "text/html", [("WWW-Authenticate", f"{scheme} {base64.b64encode(answer).decode()}")])
            return _CHALLENGED
        self._ntlm_user = str(self._ntlm.client_principal).rpartition("\\")[2]
        self._ntlm = None
        return self._ntlm_user

    def _send(self, status: int, body: bytes, content_type: str = "text/xml; charset=utf-8",
              headers: list[tuple[str, str]] | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {self.responses.get(status, ('',))[0]}", f"Content-Type: {content_type}",
                 f"Content-Length: {len(body)}", f"Date: {email.utils.formatdate(usegmt=True)}",
                 f"Server: {self.server_version}"]
        lines += [f"{k}: {v}" for k, v in headers or []]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)  # one write: one segment


_CHALLENGED = "\x00challenged"  # the answer went out already: the NTLM challenge
_USERS_FILE = Path(tempfile.mkdtemp(prefix="cassbot-ews-")) / "ntlm-users"
_NTLM_USERS: dict[str, str] = {}  # every server's logins: pyspnego reads one file per process


def _ntlm_users(users: dict[str, str]) -> None:
    """The logins as pyspnego's NTLM acceptor reads them (NTLM_USER_FILE: DOMAIN:USER:PASSWORD lines)."""
    _NTLM_USERS.update(users)
    _USERS_FILE.write_text("".join(f"{domain}:{user}:{password}\n" for user, password in _NTLM_USERS.items()
                                   for domain in ("CHILDRENSTRUST", "")), encoding="utf-8")
    os.environ["NTLM_USER_FILE"] = str(_USERS_FILE)


def _operation(body: bytes) -> str:
    found = re.search(rb"<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)", body)
    return found.group(1).decode() if found else ""


def _injected(fault: Fault) -> tuple[bytes, str]:
    if fault.kind == "busy":
        return soap_fault("ErrorServerBusy", "The server cannot service this request right now. Try again later.",
                          fault.back_off_ms), "text/xml; charset=utf-8"
    if fault.kind == "internal":
        return (soap_fault("ErrorInternalServerError", "An internal server error occurred. The operation failed."),
                "text/xml; charset=utf-8")
    return b"<html><body><h1>500 - Internal server error.</h1></body></html>", "text/html"
