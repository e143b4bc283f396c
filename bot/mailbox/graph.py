"""The Microsoft Graph backend (Exchange Online): a small client over httpx, app-only OAuth2 with MSAL.

- Never marks mail read: it only GETs mail (the MIME from `$value`) and never PATCHes isRead.
- Incremental: the position is the folder's delta link (`@odata.deltaLink`, or the
  `@odata.nextLink` of a poll cut short) and the newest receivedDateTime read so far.
  The delta asks only for created messages (`changeType=created`), so mail a person
  reads, flags or categorises is never downloaded again. When a delta link's sync state
  has expired, Exchange Online answers "a 40X-series error with error codes such as
  syncStateNotFound" (learn.microsoft.com/graph/delta-query-overview): 410, and 400 or
  404 with syncStateNotFound, syncStateInvalid or resyncRequired. The folder is then
  read again from the newest receivedDateTime read before (`$filter=receivedDateTime ge`,
  logged once); the pipeline skips mail it has recorded by Message-ID.
- Drafts are made whole in one request, marker included, so a retry after any failure
  finds the draft it made and never makes a second one. A reply is made with
  createReply (so Outlook threads it) whose `message` carries the body, subject,
  recipients, category, the bot's Message-ID in a named extended property of its own and
  the bot's X-Cassbot-Reference, X-Cassbot-Draft and X-Cassbot-Message-Id as
  internetMessageHeaders (which can be set only at creation, message resource type). A
  new mail is created from its MIME with those headers in it and the category as
  `Keywords` (MS-OXCMAIL 2.2.3.2.5: PidNameKeywords, Outlook's categories); Exchange keeps
  a MIME's X- headers as named properties in PS_INTERNET_HEADERS, so either draft is
  found by X-Cassbot-Message-Id even where Exchange replaced the Message-ID. A draft
  found without the category (left by an older release, or an Exchange that dropped
  Keywords) is finished with one PATCH. Exchange compares `$filter` strings without
  regard to case; every match is checked again exactly here.
- Throttling (429, 503) waits as Retry-After asks, at most `max_wait_seconds` in all
  per operation (a poll, a save), logged once per episode. A dropped connection or a 5xx is retried with
  exponential back-off and jitter, logged once per outage; the whole operation is
  retried, so a POST whose answer was lost is looked for before it is sent again.
- Tokens: MSAL's client-credentials flow over the same httpx client (so the same
  CA settings). A 401 drops the cached token and retries once; a refused secret or
  certificate is `MailboxAuthError` at once, logged once, and not asked again.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import ssl
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from bot.config import Graph
from bot.errors import MailboxAuthError, MailboxError, MessageGone
from bot.mailbox.base import CATEGORY_COLOUR, Folder, Poll, StoredMail
from bot.mailbox.credentials import SignInUnavailable, graph_token
from bot.mailbox.retry import retrying
from bot.patterns import MESSAGE_ID

log = logging.getLogger(__name__)
T = TypeVar("T")
PAGE_SIZE = 100  # messages per delta page (Prefer: odata.maxpagesize)
POLL_LIMIT = 2000  # messages per poll; the pipeline polls again for the rest
# A named MAPI property in the bot's own property set (a fixed GUID): the bot's Message-ID.
MESSAGE_ID_PROPERTY = "String {5d1f3c2a-7b4e-4e0c-9a61-3c8f2b7d9e45} Name CassbotMessageId"
# The same id as an internet header: Exchange keeps X- headers in PS_INTERNET_HEADERS (MS-OXPROPS 1.3.2).
MESSAGE_ID_HEADER = "X-Cassbot-Message-Id"
INTERNET_HEADERS = "{00020386-0000-0000-C000-000000000046}"  # PS_INTERNET_HEADERS
HEADER_PROPERTY = f"String {INTERNET_HEADERS} Name {MESSAGE_ID_HEADER}"
MARKERS = (HEADER_PROPERTY, MESSAGE_ID_PROPERTY)
OWN_HEADERS = ("X-Cassbot-Reference", "X-Cassbot-Draft")  # what reconcile reads back from the MIME
WELL_KNOWN = {Folder.INBOX: "inbox", Folder.DRAFTS: "drafts", Folder.SENT: "sentitems"}
_THROTTLED = {429, 503}
_TRANSIENT = {500, 502, 504}
class _Transient(MailboxError):
    """A dropped connection or a server error: the operation may succeed if tried again."""


class _SyncStateGone(MailboxError):
    """The delta link's sync state is gone: read the folder again from the last received time."""


# Graph's codes for a sync state it no longer has (learn.microsoft.com/graph/errors), compared without case.
LOST_SYNC_CODES = {"syncstatenotfound", "syncstateinvalid", "resyncrequired"}


class MsalHttp:
    """MSAL's HttpClient interface over httpx, so sign-in and Graph share one pool and one CA setting.

    MSAL's default, requests, lets REQUESTS_CA_BUNDLE override the `verify` it is given.
    MSAL passes a certificate's signed assertion as bytes, which httpx would send as "b'...'".
    """

    def __init__(self, http: httpx.Client) -> None:
        self._http = http

    def post(self, url: str, params: dict[str, str] | None = None, data: object = None,
             headers: dict[str, str] | None = None, **_: object) -> httpx.Response:
        if isinstance(data, dict):
            form = {k: v.decode() if isinstance(v, bytes) else v for k, v in data.items()}
            return self._http.post(url, params=params, data=form, headers=headers)
        return self._http.post(url, params=params, content=data or b"", headers=headers)  # type: ignore[arg-type]

    def get(self, url: str, params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
            **_: object) -> httpx.Response:
        return self._http.get(url, params=params, headers=headers)

    def close(self) -> None:
        """The pool belongs to the mailbox, which closes it."""


class GraphMailbox:
    """One shared mailbox through Microsoft Graph, on one httpx connection pool."""

    backend = "graph"  # its name in the configuration

    def __init__(
        self, role: str, address: str, settings: Graph, *, information_requests: str = "Information Requests",
        ca_file: str | None = None, instance_discovery: bool = True, timeout: float = 60.0,
        max_attempts: int = 6, base_delay: float = 1.0, sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`ca_file` and `instance_discovery=False` are for an authority Microsoft does not know (a test server)."""
        self.role, self.address = role, address
        self._settings, self._information_requests = settings, information_requests
        self._max_attempts, self._base_delay, self._sleep = max_attempts, base_delay, sleep
        verify = ssl.create_default_context(cafile=ca_file) if ca_file else True
        self._http = httpx.Client(verify=verify, timeout=timeout, headers={"User-Agent": "cassbot"})
        self._token = graph_token(settings, role, address, MsalHttp(self._http), instance_discovery)
        self._base = settings.base_url.rstrip("/")
        self._user = f"{self._base}/users/{quote(address, safe='@')}"
        self._folder_ids: dict[Folder, str] = {}
        self._throttled, self._waited = False, 0.0  # an episode of throttling; seconds waited this operation

    # -- the Mailbox interface --

    def poll(self, folder: Folder, position: str | None) -> Poll:
        """New or changed messages since `position` (a delta link), their MIME from `$value`."""
        return self._retry(lambda: self._poll(folder, position))

    def save_draft(self, raw: bytes, message_id: str) -> str:
        return self._retry(lambda: self._save_draft(raw, "".join(message_id.split())))

    def draft_ids(self) -> set[str]:
        return self._retry(self._draft_ids)

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        return self._retry(lambda: self._file_into(folder, message))

    def flag(self, message: StoredMail) -> None:
        self._retry(lambda: self._flag(message))

    def folder_names(self) -> list[str]:
        return self._retry(lambda: [str(f.get("displayName", "")) for f in self._list(
            f"{self._user}/mailFolders/msgfolderroot/childFolders", {"$select": "displayName", "$top": "100"})])

    def sample(self, folder: Folder) -> StoredMail | None:
        return self._retry(lambda: self._sample(folder))

    def remove_draft(self, key: str) -> None:
        self._retry(lambda: self._check(self._send("DELETE", f"{self._user}/messages/{quote(key, safe='')}")))

    def _sample(self, folder: Folder) -> StoredMail | None:
        folder_id = self._folder_id(folder, create=False)
        if folder_id is None:
            return None
        listed = self._send("GET", f"{self._user}/mailFolders/{folder_id}/messages", params={"$select": "id",
                                                                                          "$top": "1"})
        found = next(iter(self._json(listed).get("value", [])), None)
        raw = self._mime(str(found["id"])) if found else None
        return StoredMail(folder, str(found["id"]), raw) if found and raw is not None else None
    def categorise(self, message: StoredMail, category: str) -> None:
        self._retry(lambda: self._categorise(message, category))

    def wait_for_mail(self, folder: Folder, timeout: float) -> bool:
        """Graph pushes only to a public webhook (change notifications), so this just waits."""
        self._sleep(timeout)
        return False

    def close(self) -> None:
        self._http.close()

    # -- polling --

    def _poll(self, folder: Folder, position: str | None) -> Poll:
        link, received = _position(position)
        start = self._start(folder, link, received)
        if start is None:
            return Poll([], position)  # Information Requests: made the first time a request is filed
        try:
            return self._read_delta(folder, start, received)
        except _SyncStateGone as gone:
            log.warning("%s/%s: Graph no longer knows the delta link (%s): reading the folder again from %s; mail "
                        "already processed is recognised by its Message-ID", self.role, folder.value, gone,
                        received or "the beginning")
            fresh = self._start(folder, None, received)
            return self._read_delta(folder, fresh, received) if fresh else Poll([], None)

    def _start(self, folder: Folder, link: str | None, received: str) -> str | None:
        """The delta link to go on from, or a new delta of created mail received from `received` on."""
        if link and link.startswith(self._base + "/"):
            return link
        if link:  # never send the token elsewhere: the base URL changed since this was stored
            log.warning("%s/%s: stored position is not on %s: reading the folder again", self.role,
                        folder.value, self._base)
        folder_id = self._folder_id(folder, create=False)
        if not folder_id:
            return None
        since = f"&$filter={quote(f'receivedDateTime ge {received}', safe='')}" if received else ""
        return f"{self._user}/mailFolders/{folder_id}/messages/delta?changeType=created&$select=id,receivedDateTime" \
               + since

    def _read_delta(self, folder: Folder, link: str, received: str) -> Poll:
        messages: list[StoredMail] = []
        seen: set[str] = set()  # Graph may list a message twice in one round
        while True:
            page = self._delta_page(folder, link)
            for item in page.get("value", []):
                if "@removed" in item or item["id"] in seen:
                    continue  # moved out or deleted: the bot forgets nothing it read
                seen.add(item["id"])
                received = max(received, str(item.get("receivedDateTime") or ""))
                raw = self._mime(item["id"])
                if raw is not None:
                    messages.append(StoredMail(folder, item["id"], raw))
            if "@odata.deltaLink" in page:
                return Poll(messages, _join(page["@odata.deltaLink"], received))
            link = page.get("@odata.nextLink", "")
            if not link.startswith(self._base + "/"):
                raise MailboxError(f"{self.role}/{folder.value}: a delta page without a usable link: {link!r}")
            if len(messages) >= POLL_LIMIT:
                return Poll(messages, _join(link, received), more=True)

    def _delta_page(self, folder: Folder, link: str) -> dict[str, Any]:
        response = self._send("GET", link, headers={"Prefer": f"odata.maxpagesize={PAGE_SIZE}"})
        status, code = response.status_code, _code(response)
        if status == 410 or (400 <= status < 500 and code.split(":", 1)[0].lower() in LOST_SYNC_CODES):
            raise _SyncStateGone(f"{status} {code.split(':', 1)[0]}")
        return self._json(response)

    def _mime(self, message_id: str) -> bytes | None:
        response = self._send("GET", f"{self._user}/messages/{quote(message_id, safe='')}/$value")
        if response.status_code == 404:
            return None  # deleted between the delta and now
        self._check(response)
        return response.content

    # -- drafts --

    def _save_draft(self, raw: bytes, message_id: str) -> str:
        msg = BytesParser(policy=default_policy).parsebytes(raw)
        found = self._find_draft(message_id)
        if found is None:
            original = self._original(msg)
            found = self._create_reply(original, msg, message_id) if original else self._create_from_mime(
                raw, message_id)
        if self._settings.category not in found.get("categories", []):
            self._finish_draft(str(found["id"]), message_id)
        else:
            log.debug("%s: draft %s saved as %s", self.role, message_id, found["id"])
        return str(found["id"])

    def _find_draft(self, message_id: str) -> dict[str, Any] | None:
        """The bot's earlier draft with this Message-ID: by its marker, else its internetMessageId, exactly."""
        drafts = f"{self._user}/mailFolders/drafts/messages"
        for marker in MARKERS:
            condition = (f"singleValueExtendedProperties/any(ep: ep/id eq '{marker}' "
                         f"and ep/value eq {_literal(message_id)})")
            for item in self._matching(drafts, condition, "id,categories"):
                if message_id in _marks(item):
                    return item
        for item in self._matching(drafts, f"internetMessageId eq {_literal(message_id)}", "id,categories,"
                                   "internetMessageId"):
            if item.get("internetMessageId") == message_id:
                return item
        return None

    def _original(self, msg: EmailMessage) -> str | None:
        """The Graph id of the message `msg` replies to, when the mailbox still has it (its Message-ID exactly)."""
        wanted = MESSAGE_ID.search(str(msg.get("In-Reply-To", "")))
        if wanted is None:
            return None
        condition = f"internetMessageId eq {_literal(wanted.group(0))}"
        for item in self._matching(f"{self._user}/messages", condition, "id,internetMessageId"):
            if item.get("internetMessageId") == wanted.group(0):
                return str(item["id"])
        return None

    def _create_reply(self, original: str, msg: EmailMessage, message_id: str) -> dict[str, Any]:
        """createReply (Outlook shows the draft in the request's conversation), the whole draft in its `message`."""
        headers = [{"name": name, "value": " ".join(str(msg[name]).split())} for name in OWN_HEADERS if msg[name]]
        headers.append({"name": MESSAGE_ID_HEADER, "value": message_id})
        # The same headers twice: as internetMessageHeaders, and as the PS_INTERNET_HEADERS named properties
        # Exchange keeps them in, which stay where an Exchange takes no internetMessageHeaders on a reply.
        named = [{"id": f"String {INTERNET_HEADERS} Name {h['name']}", "value": h["value"]} for h in headers]
        reply = {
            "subject": str(msg.get("Subject", "")), "body": _body(msg), "internetMessageId": message_id,
            "toRecipients": _recipients(msg, "To"), "ccRecipients": _recipients(msg, "Cc"),
            "categories": [self._settings.category],
            "singleValueExtendedProperties": [{"id": MESSAGE_ID_PROPERTY, "value": message_id}, *named],
            "internetMessageHeaders": headers,
        }
        response = self._send("POST", f"{self._user}/messages/{quote(original, safe='')}/createReply",
                              json={"message": reply})
        return self._json(response)

    def _create_from_mime(self, raw: bytes, message_id: str) -> dict[str, Any]:
        """Graph's "create message in MIME format": the MIME, base64, as text/plain, marked and categorised."""
        marked = _with_headers(raw, {MESSAGE_ID_HEADER: message_id, "Keywords": self._settings.category})
        response = self._send("POST", f"{self._user}/messages", content=base64.b64encode(marked),
                              headers={"Content-Type": "text/plain"})
        return self._json(response)

    def _finish_draft(self, draft_id: str, message_id: str) -> None:
        """A draft found without the bot's category: given it and the marker, in one PATCH."""
        change = {"categories": [self._settings.category],
                  "singleValueExtendedProperties": [{"id": MESSAGE_ID_PROPERTY, "value": message_id}]}
        self._check(self._send("PATCH", f"{self._user}/messages/{quote(draft_id, safe='')}", json=change))

    def _draft_ids(self) -> set[str]:
        """The bot's Message-ID where a draft carries it, else the draft's internetMessageId."""
        found: set[str] = set()
        wanted = " or ".join(f"id eq '{marker}'" for marker in MARKERS)
        params = {"$select": "internetMessageId", "$top": "100",
                  "$expand": f"singleValueExtendedProperties($filter={wanted})"}
        for item in self._list(f"{self._user}/mailFolders/drafts/messages", params):
            value = next(iter(sorted(_marks(item))), None) or item.get("internetMessageId")
            if value:
                found.add("".join(str(value).split()))
        return found

    # -- folders --

    def _file_into(self, folder: Folder, message: StoredMail) -> str:
        target = self._folder_id(folder, create=True)
        response = self._send("POST", f"{self._user}/messages/{quote(message.key, safe='')}/move",
                              json={"destinationId": target})
        if response.status_code == 404:
            self._folder_ids.pop(folder, None)  # in case it was the folder someone deleted
            raise self._gone(message)
        return str(self._json(response)["id"])

    def _flag(self, message: StoredMail) -> None:
        """Flag for follow-up and mark high importance, the two marks Outlook shows in the message list."""
        response = self._send("PATCH", f"{self._user}/messages/{quote(message.key, safe='')}",
                              json={"flag": {"flagStatus": "flagged"}, "importance": "high"})
        if response.status_code == 404:
            raise self._gone(message)
        self._check(response)

    def _categorise(self, message: StoredMail, category: str) -> None:
        """The category added to the message's own (a person's are kept), and to the master list when missing."""
        url = f"{self._user}/messages/{quote(message.key, safe='')}"
        response = self._send("GET", url, params={"$select": "categories"})
        if response.status_code == 404:
            raise self._gone(message)
        categories = list(self._json(response).get("categories", []))
        if category in categories:
            return
        master = f"{self._user}/outlook/masterCategories"
        if self._first(master, f"displayName eq {_literal(category)}", "id") is None:
            made = self._send("POST", master, json={"displayName": category, "color": f"preset{CATEGORY_COLOUR}"})
            if made.status_code != 409:  # 409: made meanwhile (another instance, or a person)
                self._check(made)
        response = self._send("PATCH", url, json={"categories": [*categories, category]})
        if response.status_code == 404:
            raise self._gone(message)
        self._check(response)

    def _gone(self, message: StoredMail) -> MessageGone:
        return MessageGone(self.role, message.key, message.folder.value)

    def _folder_id(self, folder: Folder, create: bool) -> str | None:
        if folder in WELL_KNOWN:
            return WELL_KNOWN[folder]
        if folder not in self._folder_ids:
            children = f"{self._user}/mailFolders/msgfolderroot/childFolders"
            condition = f"displayName eq {_literal(self._information_requests)}"
            found = self._first(children, condition, "id")
            if found is None and create:
                found = self._create_folder(children, condition)
            if found is None:
                return None
            self._folder_ids[folder] = str(found["id"])
        return self._folder_ids[folder]

    def _create_folder(self, parent: str, condition: str) -> dict[str, Any] | None:
        response = self._send("POST", parent, json={"displayName": self._information_requests})
        if response.status_code == 409:  # ErrorFolderExists: made meanwhile by someone else
            return self._first(parent, condition, "id")
        return self._json(response)

    # -- requests, errors, retries --

    def _list(self, url: str, params: dict[str, str]) -> Iterator[dict[str, Any]]:
        """Every item of a collection, following @odata.nextLink (which carries the query itself)."""
        page = self._json(self._send("GET", url, params=params))
        yield from page.get("value", [])
        while link := page.get("@odata.nextLink"):
            if not str(link).startswith(self._base + "/"):  # the token goes to Graph only
                raise MailboxError(f"{self.role}: Graph sent a next link elsewhere: {link!r}")
            page = self._json(self._send("GET", link))
            yield from page.get("value", [])

    def _first(self, url: str, condition: str, select: str) -> dict[str, Any] | None:
        params = {"$filter": condition, "$select": select, "$top": "1"}
        found = self._json(self._send("GET", url, params=params)).get("value", [])
        return found[0] if found else None

    def _matching(self, url: str, condition: str, select: str) -> list[dict[str, Any]]:
        """The items a filter finds, their markers expanded: Exchange matched without regard to case."""
        wanted = " or ".join(f"id eq '{marker}'" for marker in MARKERS)
        params = {"$filter": condition, "$select": select, "$top": "10",
                  "$expand": f"singleValueExtendedProperties($filter={wanted})"}
        return list(self._json(self._send("GET", url, params=params)).get("value", []))

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request: the token added, renewed once on 401, and throttling waited out."""
        renewed, throttles = False, 0
        headers = dict(kwargs.pop("headers", {}))
        token = self._token.get()
        while True:
            log.debug("%s: %s %s", self.role, method, url)
            try:
                response = self._http.request(method, url, headers={**headers, "Authorization": f"Bearer {token}"},
                                              **kwargs)
            except httpx.TransportError as exc:
                raise _Transient(f"{type(exc).__name__}: {exc}") from exc
            if response.status_code == 401 and not renewed:
                log.info("%s: Graph refused the access token (%s); fetching a new one", self.role, _code(response))
                token, renewed = self._token.renew(), True
                continue
            if response.status_code not in _THROTTLED:
                self._throttled = False
                return response
            throttles += 1
            delay = _retry_after(response, self._base_delay * 2 ** (throttles - 1))
            if self._waited + delay > self._settings.max_wait_seconds:
                raise MailboxError(f"{self.role}: Graph is throttling the bot ({response.status_code}, Retry-After "
                                   f"{delay:.0f} s, {self._waited:.0f} s waited already): trying again next time")
            if not self._throttled:  # once per episode, not once per wait
                log.warning("%s: Graph is throttling the bot (%s); waiting %.0f s as asked", self.role,
                            response.status_code, delay)
                self._throttled = True
            self._sleep(delay)
            self._waited += delay

    def _check(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        if status in _TRANSIENT:
            raise _Transient(f"Graph answered {status} {_code(response)}")
        if status in (401, 403):
            raise MailboxAuthError(
                f"{self.role}: Graph refused access to {self.address} ({status} {_code(response)}): the app needs "
                "Application Mail.ReadWrite on this mailbox, through an RBAC for Applications role assignment "
                "whose management scope holds it (docs/exchange.md)")
        raise MailboxError(f"{self.role}: Graph refused {response.request.method} "
                           f"{response.request.url.path}: {status} {_code(response)}")

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        self._check(response)
        try:
            value = response.json()
        except ValueError as exc:
            raise _Transient(f"Graph sent a body that is not JSON ({len(response.content)} bytes)") from exc
        if not isinstance(value, dict):
            raise MailboxError(f"{self.role}: Graph sent JSON of an unexpected shape")
        return value

    def _retry(self, work: Callable[[], T]) -> T:
        """Run one operation of the interface, again after a transient failure; its throttling waits add up."""
        self._waited = 0.0
        return retrying(work, log=log, role=self.role, server="Graph", transient=(_Transient, SignInUnavailable),
                        max_attempts=self._max_attempts, base_delay=self._base_delay, sleep=self._sleep)


def _position(position: str | None) -> tuple[str | None, str]:
    """(delta link, newest receivedDateTime read) from a stored position; a link alone from before they were two."""
    if not position:
        return None, ""
    link, _, received = position.partition(" ")
    return link, received


def _join(link: str, received: str) -> str:
    """A position: the link, then the time (a URL has no spaces)."""
    return f"{link} {received}" if received else link


def _marks(item: dict[str, Any]) -> set[str]:
    """The bot's Message-IDs a Graph item carries in its markers."""
    return {"".join(str(p.get("value", "")).split()) for p in item.get("singleValueExtendedProperties", [])
            if str(p.get("id", "")).lower() in {m.lower() for m in MARKERS}}


def _with_headers(raw: bytes, headers: dict[str, str]) -> bytes:
    """`raw` with these header fields put first (the rest, body included, byte for byte)."""
    eol = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
    added = b"".join(f"{name}: {_header_value(value)}".encode("ascii") + eol for name, value in headers.items())
    return added + raw


def _header_value(value: str) -> str:
    """`value` as a header field takes it: as it is when ASCII, else an RFC 2047 encoded word (a category in
    Welsh, say)."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def _literal(text: str) -> str:
    """An OData string literal: quotes doubled (OData ABNF, SQUOTE-in-string)."""
    return "'" + text.replace("'", "''") + "'"


def _code(response: httpx.Response) -> str:
    """Graph's error code and message, or the reason phrase."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return response.reason_phrase
    return f"{error.get('code', '')}: {error.get('message', '')}" if isinstance(error, dict) else str(error)


def _retry_after(response: httpx.Response, default: float) -> float:
    """Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _body(msg: EmailMessage) -> dict[str, str]:
    """The HTML part (what Outlook shows), else the plain text."""
    part = msg.get_body(preferencelist=("html", "plain"))
    if part is None:
        return {"contentType": "text", "content": ""}
    content = part.get_content() if isinstance(part, EmailMessage) else ""
    return {"contentType": "html" if part.get_content_subtype() == "html" else "text", "content": str(content)}


def _recipients(msg: EmailMessage, header: str) -> list[dict[str, dict[str, str]]]:
    pairs = email.utils.getaddresses([str(v) for v in msg.get_all(header, [])])
    return [{"emailAddress": {"address": address, **({"name": name} if name else {})}}
            for name, address in pairs if address]
