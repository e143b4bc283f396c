"""The Microsoft Graph backend (Exchange Online): a small client over httpx, app-only OAuth2 with MSAL.

- Never marks mail read: it only GETs mail (the MIME from `$value`) and never PATCHes isRead.
- Incremental: the position is the folder's delta link (`@odata.deltaLink`, or the
  `@odata.nextLink` of a poll cut short). Graph answers 410 when a delta link's sync
  state has expired; the folder is then read again from scratch, logged once, and the
  pipeline skips mail it has recorded by Message-ID. A message changed after it was
  read (someone opened it) comes back in the next delta; that is safe for the same reason.
- Drafts: a reply is made with createReply, so Outlook threads it, then PATCHed with
  the bot's body, subject and recipients; a new mail is created from its MIME. Both
  carry the bot's category, and the bot's Message-ID is kept twice: as the draft's
  internetMessageId (updatable while it is a draft) and in a named extended property
  of the bot's own, because Exchange may keep an id of its own. A retried save finds
  the earlier draft by either, and finishes it if a crash came before the PATCH
  (the category marks a finished draft), so it never makes two.
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
WELL_KNOWN = {Folder.INBOX: "inbox", Folder.DRAFTS: "drafts", Folder.SENT: "sentitems"}
_THROTTLED = {429, 503}
_TRANSIENT = {500, 502, 504}
class _Transient(MailboxError):
    """A dropped connection or a server error: the operation may succeed if tried again."""


class _SyncStateGone(MailboxError):
    """Graph answered 410: the delta link's sync state is gone; read the folder from scratch."""


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
        start = self._start(folder, position)
        if start is None:
            return Poll([], position)  # Information Requests: made the first time a request is filed
        try:
            return self._read_delta(folder, start)
        except _SyncStateGone:
            log.warning("%s/%s: Graph no longer knows the delta link (410): reading the folder again; mail "
                        "already processed is recognised by its Message-ID", self.role, folder.value)
            fresh = self._start(folder, None)
            return self._read_delta(folder, fresh) if fresh else Poll([], None)

    def _start(self, folder: Folder, position: str | None) -> str | None:
        if position and position.startswith(self._base + "/"):
            return position
        if position:  # never send the token elsewhere: the base URL changed since this was stored
            log.warning("%s/%s: stored position is not on %s: reading the folder again", self.role,
                        folder.value, self._base)
        folder_id = self._folder_id(folder, create=False)
        return f"{self._user}/mailFolders/{folder_id}/messages/delta?$select=id" if folder_id else None

    def _read_delta(self, folder: Folder, link: str) -> Poll:
        messages: list[StoredMail] = []
        seen: set[str] = set()  # Graph may list a message twice in one round
        while True:
            response = self._send("GET", link, headers={"Prefer": f"odata.maxpagesize={PAGE_SIZE}"})
            if response.status_code == 410:
                raise _SyncStateGone(f"{self.role}/{folder.value}: Graph answered 410 to a delta link")
            page = self._json(response)
            for item in page.get("value", []):
                if "@removed" in item or item["id"] in seen:
                    continue  # moved out or deleted: the bot forgets nothing it read
                seen.add(item["id"])
                raw = self._mime(item["id"])
                if raw is not None:
                    messages.append(StoredMail(folder, item["id"], raw))
            if "@odata.deltaLink" in page:
                return Poll(messages, page["@odata.deltaLink"])
            link = page.get("@odata.nextLink", "")
            if not link.startswith(self._base + "/"):
                raise MailboxError(f"{self.role}/{folder.value}: a delta page without a usable link: {link!r}")
            if len(messages) >= POLL_LIMIT:
                return Poll(messages, link, more=True)

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
        if found is not None and self._settings.category in found.get("categories", []):
            log.debug("%s: draft %s already saved as %s", self.role, message_id, found["id"])
            return str(found["id"])
        original = self._original(msg)
        draft_id = str(found["id"]) if found else self._create_draft(raw, original, message_id)
        self._finish_draft(draft_id, msg, message_id, replying=original is not None)
        return draft_id

    def _find_draft(self, message_id: str) -> dict[str, Any] | None:
        for condition in (f"singleValueExtendedProperties/any(ep: ep/id eq '{MESSAGE_ID_PROPERTY}' "
                          f"and ep/value eq {_literal(message_id)})",
                          f"internetMessageId eq {_literal(message_id)}"):
            found = self._first(f"{self._user}/mailFolders/drafts/messages", condition, "id,categories")
            if found is not None:
                return found
        return None

    def _original(self, msg: EmailMessage) -> str | None:
        """The Graph id of the message `msg` replies to, when the mailbox still has it."""
        wanted = MESSAGE_ID.search(str(msg.get("In-Reply-To", "")))
        if wanted is None:
            return None
        found = self._first(f"{self._user}/messages", f"internetMessageId eq {_literal(wanted.group(0))}", "id")
        return str(found["id"]) if found else None

    def _create_draft(self, raw: bytes, original: str | None, message_id: str) -> str:
        if original is not None:  # createReply: Outlook shows the draft in the request's conversation
            marker = {"singleValueExtendedProperties": [{"id": MESSAGE_ID_PROPERTY, "value": message_id}]}
            response = self._send("POST", f"{self._user}/messages/{quote(original, safe='')}/createReply",
                                  json={"message": marker})
        else:  # Graph's "create message in MIME format": the MIME, base64, as text/plain
            response = self._send("POST", f"{self._user}/messages", content=base64.b64encode(raw),
                                  headers={"Content-Type": "text/plain"})
        return str(self._json(response)["id"])

    def _finish_draft(self, draft_id: str, msg: EmailMessage, message_id: str, replying: bool) -> None:
        """Set what Graph cannot take at creation, in one PATCH: a draft with the category is a finished one."""
        change: dict[str, Any] = {
            "categories": [self._settings.category],
            "singleValueExtendedProperties": [{"id": MESSAGE_ID_PROPERTY, "value": message_id}],
        }
        if replying:  # X-Cassbot-Reference cannot be added after creation; the subject carries the reference
            change.update(subject=str(msg.get("Subject", "")), body=_body(msg), internetMessageId=message_id,
                          toRecipients=_recipients(msg, "To"), ccRecipients=_recipients(msg, "Cc"))
        self._check(self._send("PATCH", f"{self._user}/messages/{quote(draft_id, safe='')}", json=change))

    def _draft_ids(self) -> set[str]:
        """The bot's Message-ID where a draft carries it, else the draft's internetMessageId."""
        found: set[str] = set()
        params = {"$select": "internetMessageId", "$top": "100",
                  "$expand": f"singleValueExtendedProperties($filter=id eq '{MESSAGE_ID_PROPERTY}')"}
        for item in self._list(f"{self._user}/mailFolders/drafts/messages", params):
            marked = [p["value"] for p in item.get("singleValueExtendedProperties", [])]
            value = marked[0] if marked else item.get("internetMessageId")
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
                "the Mail.ReadWrite application permission, and the mailbox must be in its application access "
                "policy (or RBAC for Applications scope)")
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
