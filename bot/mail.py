"""Parse raw RFC 5322 bytes into a `ParsedMail`: pure, and never raises.

Every mailbox backend hands raw bytes to `parse_mail`; the classifier, the linker
and the store only ever see the typed value it returns. Whatever is wrong with a
mail (broken MIME, unknown charsets, NUL bytes, missing headers) is written into
`ParsedMail.defects` instead of being raised, so a person can be shown why.
"""

from __future__ import annotations

import email
import email.message
import email.parser
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.header import Header, decode_header
from typing import Any

from bot.autoreply import auto_reply_signals
from bot.html_text import HTML_LIMIT, html_to_text
from bot.patterns import MESSAGE_ID, QUOTED_HISTORY

# Bodies longer than this are cut for classification: the conventions the bot
# reads are in the first lines, and a 50 MB mail must not cost 50 MB of regex.
BODY_TEXT_LIMIT = 64_000
# The classifier reads the new part of a mail; requests say what they want early.
FRESH_TEXT_LIMIT = 8_000

_REPLY_PREFIXES = frozenset({"re", "aw", "sv", "vs", "antw", "r", "ref", "rif", "odp"})
_FORWARD_PREFIXES = frozenset({"fw", "fwd", "wg", "tr", "rv", "enc", "doorst", "vb"})
# One leading prefix ("RE:", "Fwd[2]:", "AW :") or a bracketed tag that mail
# gateways put first ("[EXTERNAL]", "[OFFICIAL-SENSITIVE]"); tags with digits,
# such as a request reference "[CASS-2026-000412]", are part of the subject.
_PREFIX = re.compile(
    r"^\s*(?:(?P<word>[a-z]{1,6})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]|\[[a-z][a-z \-]{0,38}\])\s*",
    re.IGNORECASE,
)
# One angle-bracketed address and, before it, a name with no "@" or "<" in it as written (commas, brackets and
# encoded words allowed): the name cannot hide another address, so the addr-spec is the sender.
_ONE_ANGLE = re.compile(r"\s*([^<>@]*?)\s*<\s*([^<>@\s\"]+@[^<>@\s\"]+)\s*>\s*")
_SIMPLE_ADDRESS = re.compile(r'([^<>",;:@]*|"[^"<>]*")\s*<([^<>@\s,;]+@[^<>@\s,;]+)>|([^<>@\s,;"]+@[^<>@\s,;"]+)')


@dataclass(frozen=True)
class Attachment:
    """What the bot knows of an attachment. A form's bytes (`data`) are held only while the mail is
    read, so its text can be read for a signing date; they are never stored."""

    name: str
    content_type: str
    size: int
    data: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class ParsedMail:
    """One mail as the rest of the bot sees it."""

    subject: str  # decoded, reply/forward prefixes stripped
    raw_subject: str  # decoded, as written
    reply_prefixes: tuple[str, ...]
    from_address: str  # lower case, the parsed addr-spec, "" when missing
    from_name: str
    from_count: int
    from_problem: str  # why the From cannot stand for one sender ("" when it can): never trusted then
    sender_address: str  # the Sender header: who pressed Send "on behalf of" a shared mailbox
    to: tuple[str, ...]
    cc: tuple[str, ...]
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    thread_index: str
    date: datetime | None
    body_text: str
    fresh_text: str  # the body above a reply's quoted history, cut to FRESH_TEXT_LIMIT
    html: str  # the HTML part as sent (Outlook's tables are read from it), "" when there is none
    attachments: tuple[Attachment, ...]
    auto_reply_signals: tuple[str, ...]
    authentication_results: tuple[str, ...]  # top to bottom, as the headers are
    exchange_auth_as: tuple[str, ...]  # every X-MS-Exchange-Organization-AuthAs, as written
    # A bare CR among the header lines of a mail that otherwise ends them with LF: a server reading only CRLF
    # saw one header where the bot sees two, so nothing in the headers can vouch for the mail.
    mixed_line_ends: bool
    reference_header: str
    size: int
    defects: tuple[str, ...]

    @property
    def is_reply(self) -> bool:
        """A reply prefix or an In-Reply-To header: a later mail in a thread."""
        return bool(self.in_reply_to) or any(p in _REPLY_PREFIXES for p in self.reply_prefixes)

    @property
    def starts_as_forward(self) -> bool:
        """The subject's first prefix forwards ("FW: RE: ..."): someone passing a thread on, not answering."""
        return bool(self.reply_prefixes) and self.reply_prefixes[0] in _FORWARD_PREFIXES

    @property
    def is_forward(self) -> bool:
        return any(p in _FORWARD_PREFIXES for p in self.reply_prefixes) or any(
            a.content_type == "message/rfc822" for a in self.attachments
        )

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc

    @property
    def digest(self) -> str:
        """What the mail says, as one hash: its sender, date, subject, text and attachments, not the
        headers servers add on the way, so the same mail fetched again (or filed elsewhere) has the same."""
        parts = [self.from_address, self.date.isoformat() if self.date else "", self.raw_subject, self.body_text,
                 *(f"{a.name}:{a.size}" for a in self.attachments)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()



def parse_mail(raw: bytes) -> ParsedMail:
    """Parse `raw`; every problem becomes a defect, never an exception."""
    defects: list[str] = []
    if b"\x00" in raw:
        # RFC 5322 §2.1 forbids NUL anywhere in a message; drop them.
        raw = raw.replace(b"\x00", b"")
        defects.append("NUL bytes removed (RFC 5322 forbids them)")
    raw = _strip_leading_junk(raw, defects)
    try:
        msg = email.message_from_bytes(raw)
    except Exception as exc:  # noqa: BLE001 - the parser must never raise
        defects.append(f"unparseable message: {type(exc).__name__}")
        msg = _headers_only(raw)
    try:
        return _build(msg, raw, defects)
    except Exception as exc:  # noqa: BLE001 - last-resort guard, see module docstring
        defects.append(f"unreadable structure: {type(exc).__name__}: {str(exc)[:120]}")
        return _build(_headers_only(raw), raw, defects)


def _headers_only(raw: bytes) -> email.message.Message:
    """The top-level headers of a mail whose body cannot be walked (a thousand levels of nesting), so a
    person still sees who sent what; the body is left out."""
    try:
        top = email.parser.BytesHeaderParser().parsebytes(raw[:256_000])
        top.set_payload("")
        del top["Content-Type"], top["Content-Transfer-Encoding"]
        return top
    except Exception:  # noqa: BLE001 - nothing of it can be read: an empty message
        return email.message.Message()


def _strip_leading_junk(raw: bytes, defects: list[str]) -> bytes:
    """Drop a byte-order mark or blank lines before the first header.

    RFC 5322 §2.1 starts a message with its header fields; a BOM or blank line
    there would make every header part of the body, losing From and Subject.
    """
    start = raw[:3] == b"\xef\xbb\xbf" and 3 or 0
    while start < len(raw) and raw[start:start + 1] in (b" ", b"\t", b"\r", b"\n"):
        start += 1
    if start:
        defects.append("junk before the first header removed")
    return raw[start:]


def _build(msg: email.message.Message, raw: bytes, defects: list[str]) -> ParsedMail:
    leaves = _leaf_parts(msg, defects)
    headers = header_index(msg)
    raw_subject = header_text(headers, "Subject", defects)
    subject, prefixes = strip_prefixes(raw_subject)
    from_pairs = _addresses(headers, "From", defects)
    from_name, from_address = from_pairs[0] if from_pairs else ("", "")
    from_count = len(from_pairs) + _extra_from_headers(headers, defects)
    from_problem = _from_problem(from_pairs, from_count, headers, "unreadable address in From" in defects,
                                 "a group in From" in defects)
    if from_problem:
        defects.append(from_problem)
    body_text, html, attachments = _body_and_attachments(leaves, defects)
    return ParsedMail(
        subject=subject,
        raw_subject=raw_subject,
        reply_prefixes=prefixes,
        from_address=from_address,
        from_name=from_name,
        from_count=from_count,
        from_problem=from_problem,
        sender_address=next((a for _, a in _addresses(headers, "Sender", defects)), ""),
        to=tuple(a for _, a in _addresses(headers, "To", defects)),
        cc=tuple(a for _, a in _addresses(headers, "Cc", defects)),
        message_id=_first_msg_id(header_text(headers, "Message-ID", defects)),
        in_reply_to=_first_msg_id(header_text(headers, "In-Reply-To", defects)),
        references=tuple(MESSAGE_ID.findall(header_text(headers, "References", defects))),
        thread_index=header_text(headers, "Thread-Index", defects).strip(),
        date=_believable_date(header_text(headers, "Date", defects), _arrived(headers), defects),
        body_text=body_text[:BODY_TEXT_LIMIT],
        fresh_text=_fresh_text(body_text[:BODY_TEXT_LIMIT]),
        html=html[:HTML_LIMIT],
        attachments=attachments,
        auto_reply_signals=auto_reply_signals(msg, headers, raw_subject, from_address, {t for _, t in leaves}),
        authentication_results=tuple(
            _clean(str(v)) for v in headers.get("authentication-results", [])
        ),
        exchange_auth_as=tuple(_clean(str(v)) for v in headers.get("x-ms-exchange-organization-authas", [])),
        mixed_line_ends=_mixed_line_ends(raw),
        reference_header=header_text(headers, "X-Cassbot-Reference", defects).strip(),
        size=len(raw),
        defects=tuple(dict.fromkeys(defects)),
    )


def _mixed_line_ends(raw: bytes) -> bool:
    end = _HEADERS_END.search(raw, 0, 256_000)
    head_end = end.start() if end else min(len(raw), 256_000)
    if raw.find(b"\r", 0, head_end) == -1:  # LF only, as most stored mail is: nothing to look for
        return False
    return raw.find(b"\n", 0, head_end) != -1 and _BARE_CR.search(raw, 0, head_end) is not None


_HEADERS_END = re.compile(rb"\r?\n\r?\n")
_BARE_CR = re.compile(rb"\r(?!\n)")


def _fresh_text(body: str) -> str:
    """The body above the quoted history of a reply ("-----Original Message-----", "On ... wrote:")."""
    match = QUOTED_HISTORY.search(body, 0, FRESH_TEXT_LIMIT)
    return body[: match.start() if match else FRESH_TEXT_LIMIT]


def strip_prefixes(subject: str) -> tuple[str, tuple[str, ...]]:
    """Remove leading reply/forward prefixes and gateway tags, any case, repeated."""
    prefixes: list[str] = []
    rest = subject
    while True:
        match = _PREFIX.match(rest)
        if not match or match.end() == 0:
            break
        word = (match.group("word") or "").lower()
        if word and word not in _REPLY_PREFIXES | _FORWARD_PREFIXES:
            break  # "Urgent: ..." or "LADO CHECK: ..." is the subject itself
        if word:
            prefixes.append(word)
        rest = rest[match.end():]
    return " ".join(rest.split()), tuple(prefixes)


Headers = dict[str, list[Any]]


def header_index(msg: email.message.Message) -> Headers:
    """Every header by lower-case name, in order, as `msg.items()` gives it: one pass instead of a scan per lookup.
    Plain ASCII text is what compat32, the policy parse_mail reads with, gives back unchanged; only other values
    go through it (8-bit bytes come back as a `Header`)."""
    index: Headers = {}
    for name, value in msg.raw_items():
        if not (isinstance(value, str) and value.isascii()):
            value = msg.policy.header_fetch_parse(name, value)
        index.setdefault(name.lower(), []).append(value)
    return index


def header_text(headers: Headers, name: str, defects: list[str]) -> str:
    """The first `name` header decoded to text, "" if absent."""
    values = headers.get(name.lower())
    return decode_header_value(values[0], name, defects) if values else ""


def decode_header_value(value: Any, name: str, defects: list[str]) -> str:
    """RFC 2047 encoded words, and raw 8-bit bytes read as UTF-8 (RFC 6532)."""
    if isinstance(value, str) and "=?" not in value and value.isascii():
        return _clean(value)  # nothing encoded: the common case, kept cheap
    try:
        chunks = decode_header(value)
    except Exception:  # noqa: BLE001 - malformed encoded words: keep the text as written
        defects.append(f"malformed encoded words in {name}")
        return _clean(str(value))
    return _clean("".join(
        part if isinstance(part, str) else decode_bytes(part, charset, defects)
        for part, charset in chunks
    ))


def decode_bytes(data: bytes, charset: str | None, defects: list[str]) -> str:
    """Decode with the declared charset, falling back to UTF-8 then Windows-1252.

    RFC 2045 §5.2 says an unknown charset should be treated as US-ASCII; in
    practice such mail is UTF-8 or Windows-1252 (what Outlook writes), so those
    are tried instead and the choice is recorded as a defect.
    """
    declared = (charset or "utf-8").strip().strip('"').lower()
    if declared == "unknown-8bit":
        # 8-bit bytes in a header with no charset: RFC 6532 allows only UTF-8.
        declared = "utf-8"
    for codec in (declared, "utf-8"):
        try:
            return data.decode(codec)
        except LookupError:
            defects.append(f"unknown charset {declared!r}")
        except UnicodeDecodeError:
            if codec == declared:
                defects.append(f"bytes not valid in charset {declared!r}")
    return data.decode("cp1252", errors="replace")


def _clean(text: str) -> str:
    return " ".join(text.replace("\x00", "").split())


def _addresses(headers: Headers, name: str, defects: list[str]) -> list[tuple[str, str]]:
    """(display name, addr-spec) of each address in the first `name` header, parsed as RFC 5322 says:
    the address from the addr-spec, never from a display name, however it is encoded (an encoded word
    that decodes to "<lado@...>" stays part of the name)."""
    values = headers.get(name.lower())
    if not values:
        return []
    text = _header_source(values[0])
    simple = _SIMPLE_ADDRESS.fullmatch(text) if text.isascii() and "=?" not in text else None
    if simple and "@" not in (simple.group(1) or ""):  # "Name <a@b>" or "a@b": most mail, the fast way
        return [(_clean((simple.group(1) or "").strip().strip('"')), (simple.group(2) or simple.group(3)).lower())]
    one = _ONE_ANGLE.fullmatch(text)
    if one:  # "Quayle, Marsha <m@x>", "MBEKI, Claire (NHS TRUST) <c@x>": a name left unquoted, one address
        written = one.group(1)
        name = (decode_header_value(written, name, defects) if "=?" in written else written).strip().strip('"')
        return [(_clean(name), one.group(2).lower())]
    try:
        parsed = email.policy.default.header_factory(name, text)
    except Exception:  # noqa: BLE001 - a header the standard parser cannot read: no address from it
        defects.append(f"unreadable address in {name}")
        return []
    found = [(_clean(a.display_name), a.addr_spec.lower()) for a in parsed.addresses if a.username and a.domain]
    if parsed.defects or len(found) < len(parsed.addresses):
        defects.append(f"unreadable address in {name}")
    if any(group.display_name is not None for group in parsed.groups):
        defects.append(f"a group in {name}")  # "Safeguarding: lado@...;": a list of people, not one sender
    return found


def _header_source(value: Any) -> str:
    """A header as written, for the address parser: 8-bit bytes read as UTF-8 (RFC 6532)."""
    if isinstance(value, Header):  # 8-bit bytes: the chunks as written, encoded words left as they are
        return "".join(part.decode("utf-8", "replace") if isinstance(part, bytes) else part
                       for part, _ in decode_header(value))
    text = value if isinstance(value, str) else str(value)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _from_problem(pairs: list[tuple[str, str]], count: int, headers: Headers, unreadable: bool, group: bool) -> str:
    """Why the From cannot stand for one sender: absent, several, unreadable, a quoted local part, or a
    display name that names another address ("lado@childrenstrust.example" <someone@gmail.com>)."""
    if not pairs:
        return "no From address" if not headers.get("from") else "no From address (the From header could not be read)"
    if len(headers.get("from", [])) > 1:
        return f"{len(headers['from'])} From headers"
    if count > 1:
        return f"the From header names {count} addresses"
    if group:
        return "the From header is a group of addresses, not one sender"
    if unreadable:  # "<lado@childrenstrust.example> <someone@gmail.com>": which is the sender cannot be told
        return f"the From header could not be read cleanly ({_header_source(headers['from'][0])[:80]})"
    name, address = pairs[0]
    local = address.rpartition("@")[0]
    if local.startswith('"') or "@" in local or "\\" in local:
        return f"the From address {address} has a quoted local part"
    named = _ADDRESS_IN_NAME.findall(name)
    if any(n.lower() != address for n in named):
        return f"the From's display name names another address ({named[0]}) than its own ({address})"
    return ""


_ADDRESS_IN_NAME = re.compile(r"[^\s<>\"'(),;:@]+@[^\s<>\"'(),;:@]+")


def _extra_from_headers(headers: Headers, defects: list[str]) -> int:
    """RFC 5322 §3.6 allows one From header; a second is a classic spoofing trick."""
    extra = len(headers.get("from", [])) - 1
    if extra > 0:
        defects.append(f"{extra + 1} From headers")
    return max(extra, 0)


def _first_msg_id(text: str) -> str:
    match = MESSAGE_ID.search(text)
    return match.group(0) if match else ""


def _arrived(headers: Headers) -> datetime | None:
    """When the organisation's server took the mail: the date at the end of the topmost Received header."""
    for value in headers.get("received", [])[:1]:
        when = _date(str(value).rpartition(";")[2], [])
        if when is not None:
            return when
    return None


_EARLIEST, _LATEST = datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _believable_date(text: str, arrived: datetime | None, defects: list[str]) -> datetime | None:
    """The Date header, unless it cannot be so (year 9999, a week away from when the mail arrived): then the
    time it arrived, with a note, as when there is no Date at all. None: the time the bot reads it."""
    written = _date(text, defects)
    if written is not None and not _EARLIEST <= written < _LATEST:
        defects.append(f"Date header {text[:40]!r} is not believable: the time it arrived is used")
        written = None
    elif written is not None and arrived is not None and abs(written - arrived) > timedelta(days=7):
        defects.append(f"Date header {text[:40]!r} is more than a week from when the mail arrived "
                       f"({arrived:%d %b %Y %H:%M}): that time is used")
        written = None
    return written if written is not None else (arrived if arrived and _EARLIEST <= arrived < _LATEST else None)


def _date(text: str, defects: list[str]) -> datetime | None:
    if not text:
        defects.append("no Date header")
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("unreadable Date header")
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _leaf_parts(
    msg: email.message.Message, defects: list[str]
) -> list[tuple[email.message.Message, str]]:
    """Leaf parts with their content types; an attached message counts as one leaf.

    Collects the parser's own defect notes from every part on the way.
    """
    defects.extend(type(d).__name__ for d in msg.defects)
    content_type = msg.get_content_type()
    if not msg.is_multipart() or content_type.startswith("message/"):
        return [(msg, content_type)]
    payload = msg.get_payload()
    subparts = payload if isinstance(payload, list) else []
    return [leaf for sub in subparts if isinstance(sub, email.message.Message) for leaf in _leaf_parts(sub, defects)]


def _body_and_attachments(
    leaves: list[tuple[email.message.Message, str]], defects: list[str]
) -> tuple[str, str, tuple[Attachment, ...]]:
    """The text body (plain preferred, else HTML's text), the HTML as sent, and the attachments' metadata."""
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part, content_type in leaves:
        filename = _filename(part, content_type, defects)
        if filename or not content_type.startswith("text/") or part.get_content_disposition() == "attachment":
            attachments.append(_attachment(part, filename, content_type))
            attachments.extend(_forwarded_documents(part, content_type, defects))
        elif content_type == "text/plain":
            plain.append(_part_text(part, defects))
        elif content_type == "text/html":
            html.append(_part_text(part, defects))
    if plain:
        return "\n".join(plain), "\n".join(html), tuple(attachments)
    return "\n".join(html_to_text(h) for h in html), "\n".join(html), tuple(attachments)


def _forwarded_documents(part: email.message.Message, content_type: str, defects: list[str],
                         depth: int = 0) -> list[Attachment]:
    """The documents a forwarded mail (an attached message) carries, two forwards deep: a consent form
    forwarded as an attachment is still the request's form."""
    payload = part.get_payload() if content_type == "message/rfc822" else None
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, email.message.Message) or depth >= 2:
        return []
    found: list[Attachment] = []
    for leaf, leaf_type in _leaf_parts(inner, [])[:20]:
        name = _filename(leaf, leaf_type, defects)
        if document_kind(name, leaf_type):
            found.append(_attachment(leaf, name, leaf_type))
        found.extend(_forwarded_documents(leaf, leaf_type, defects, depth + 1))
    return found


def _filename(part: email.message.Message, content_type: str, defects: list[str]) -> str:
    if "name" not in str(part.get("Content-Disposition", "")) + str(part.get("Content-Type", "")):
        return "attached message" if content_type.startswith("message/") else ""
    try:
        name = part.get_filename() or ""
    except Exception:  # noqa: BLE001 - broken RFC 2231 parameters
        defects.append("unreadable attachment name")
        return "unnamed"
    if not name and content_type.startswith("message/"):
        return "attached message"
    # Outlook RFC 2047-encodes file names, against RFC 2231; decode them anyway.
    return decode_header_value(name, "attachment name", defects) if name else ""


# Documents worth reading (a consent form, a Request for Information Form) are kept while the mail is read,
# up to this size: a form is a few pages, a phone's photo of one a few megabytes.
FORM_LIMIT = 15_000_000
_DOCUMENT_SUFFIXES = {
    ".pdf": "pdf", ".docx": "docx", ".docm": "docx", ".doc": "doc", ".odt": "odt", ".rtf": "rtf",
    ".jpg": "image", ".jpeg": "image", ".png": "image", ".tif": "image", ".tiff": "image", ".heic": "image",
    ".heif": "image", ".bmp": "image", ".gif": "image", ".webp": "image",
}
_DOCUMENT_TYPES = {
    "application/pdf": "pdf", "application/msword": "doc", "application/rtf": "rtf", "text/rtf": "rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt",
}


def document_kind(name: str, content_type: str) -> str:
    """"pdf", "docx", "doc", "odt", "rtf", "image", or "" for an attachment that is no document."""
    lowered = name.lower()
    suffix = lowered[lowered.rfind("."):] if "." in lowered else ""
    if suffix in _DOCUMENT_SUFFIXES:
        return _DOCUMENT_SUFFIXES[suffix]
    if content_type.startswith("image/"):
        return "image"
    return _DOCUMENT_TYPES.get(content_type, "")


def _attachment(part: email.message.Message, name: str, content_type: str) -> Attachment:
    payload = part.get_payload(decode=True) if document_kind(name, content_type) else None
    if isinstance(payload, bytes) and len(payload) <= FORM_LIMIT:
        return Attachment(name, content_type, len(payload), payload)
    return Attachment(name, content_type, _payload_size(part))


def _payload_size(part: email.message.Message) -> int:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return len(payload)
    inner = part.get_payload()
    return len(str(inner)) if inner else 0


def _part_text(part: email.message.Message, defects: list[str]) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, _charset(part), defects).replace("\x00", "")


def _charset(part: email.message.Message) -> str | None:
    """The charset declared, as `get_content_charset` reads it: the common `text/plain; charset="utf-8"` at
    once, anything else (RFC 2231 parameters, several, none) by the library."""
    value = part.get("content-type")
    simple = _ONE_CHARSET.fullmatch(value) if isinstance(value, str) else None
    return (simple.group(1) or simple.group(2)).lower() if simple else part.get_content_charset()


_ONE_CHARSET = re.compile(r'[^;"]*;\s*charset\s*=\s*(?:"([\w.:+-]+)"|([\w.:+-]+))\s*', re.IGNORECASE | re.ASCII)

