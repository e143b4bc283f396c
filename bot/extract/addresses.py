"""Read mail addresses: how safe one is to send to, and which one a requester offers as their own."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from bot.config import Settings
from bot.extract.text import any_of, head, window

AddressKind = Literal["secure", "personal", "generic", "webmail"]
# Bounded parts (RFC 5321 limits) keep the search linear over long runs of text without "@".
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,8}", re.IGNORECASE)


def _under(domain: str, domains: Collection[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in domains if d)


def _generic_local(local: str, generic: Collection[str]) -> bool:
    """"info", "info.uk", "admin-team", "kinship.team": a team's box, not a person's."""
    parts = [p.rstrip("0123456789") for p in re.split(r"[._\-+]", local)]
    return parts[0] in generic or parts[-1] in generic


def address_kind(address: str, settings: Settings) -> AddressKind:
    """How safe an address is to send to (000: a person's own, or an LA's secure generic one).

    An address that cannot be read counts as generic: it is never sent to.
    """
    found = _ADDRESS.search(address[:1000])
    if not found:
        return "generic"
    local, _, domain = found.group().lower().rpartition("@")
    rules = settings.addresses
    if _under(domain, rules.secure_domains):
        return "secure"
    if _under(domain, rules.webmail_domains):
        return "webmail"
    return "generic" if _generic_local(local, {p.lower() for p in rules.generic_local_parts}) else "personal"


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
            ranked.append((_generic_local(local, generic), not offered, position, f"{local}@{domain}"))
    return min(ranked)[3] if ranked else None
