"""Whether a check answer is vouched for: positive evidence only (DESIGN "Safe by default").

A mail says whatever its sender wants about itself: a From address, an
Authentication-Results header saying "pass", a display name. What counts is what
the organisation's own servers add, and only those the operator names in `[trust]`:

- `exchange`: Exchange stamps `X-MS-Exchange-Organization-AuthAs: Internal` on mail
  from a sender who signed in to the organisation, and its header firewall removes
  every `X-MS-Exchange-Organization-*` header from mail that enters from outside.
- `authentication-results`: the topmost `Authentication-Results` header with the
  configured authserv-id (RFC 8601: results from any other authserv-id are ignored,
  and a boundary server's own header is added above those already there) says
  `dmarc=pass` or `dkim=pass` for the From's own domain, or `auth=pass`, and nothing
  in it failed or erred.

With neither, an answer is trusted on its address alone only when the operator has
said so (`trust.address_alone`), and status and the digest say so every day.
Pure: reads the parsed mail and the settings, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Trust
from bot.mail import ParsedMail

_FAILED = frozenset({"fail", "softfail", "temperror", "permerror", "policy", "neutral"})
_CHECKED = frozenset({"spf", "dkim", "dmarc", "arc", "compauth", "auth", "iprev"})


@dataclass(frozen=True)
class Verdict:
    trusted: bool
    why: str  # for the reasons and, when not trusted, for the person who looks


def vouched_for(mail: ParsedMail, trust: Trust) -> Verdict:
    """Whether the organisation's servers vouch for this mail's sender, as `trust` says to read them."""
    if mail.mixed_line_ends:
        return Verdict(False, "its headers mix line endings (a bare CR), so a header may be hidden inside another")
    found = [_exchange(mail) if kind == "exchange" else _authentication_results(mail, trust.authserv_id)
             for kind in trust.evidence]
    passed = [v for v in found if v.trusted]
    if passed:
        return passed[0]
    if trust.address_alone:
        return Verdict(True, "trusted on its From address alone (trust.address_alone = true)")
    return Verdict(False, "nothing vouches for it: " + "; ".join(v.why for v in found) if found
                   else "nothing vouches for it: no evidence is configured ([trust] evidence)")


def _exchange(mail: ParsedMail) -> Verdict:
    stamps = [value.strip().lower() for value in mail.exchange_auth_as]
    if not stamps:
        return Verdict(False, "Exchange did not stamp it as from a signed-in sender (no "
                              "X-MS-Exchange-Organization-AuthAs)")
    if any(stamp != "internal" for stamp in stamps):
        return Verdict(False, f"Exchange stamped it X-MS-Exchange-Organization-AuthAs: {', '.join(stamps)}")
    return Verdict(True, "Exchange stamped it as from a signed-in internal sender (AuthAs: Internal)")


def _authentication_results(mail: ParsedMail, authserv_id: str) -> Verdict:
    import authres  # only deployments that read Authentication-Results load the parser

    ours = None
    for value in mail.authentication_results:
        try:
            header = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
        except Exception:  # noqa: BLE001 - authres raises its own syntax errors on malformed headers
            continue
        if str(header.authserv_id).lower() == authserv_id.lower():
            ours = header
            break  # the topmost one from our server; any below it came with the mail
    if ours is None:
        return Verdict(False, f"no Authentication-Results from {authserv_id}")
    results = [(str(r.method).lower(), str(r.result).lower(), r) for r in ours.results]
    bad = [f"{method}={result}" for method, result, _ in results if method in _CHECKED and result in _FAILED]
    if bad:
        return Verdict(False, f"{authserv_id} says {', '.join(bad)}")
    domain = mail.from_address.rpartition("@")[2]
    for method, result, found in results:
        if result == "pass" and (method == "auth" or method in ("dmarc", "dkim") and _aligned(found, domain)):
            return Verdict(True, f"{authserv_id} says {method}=pass")
    return Verdict(False, f"{authserv_id} gives no pass for {domain}")


def _aligned(result: object, domain: str) -> bool:
    """The result is about the From's own domain: dmarc's header.from, dkim's header.d."""
    for prop in getattr(result, "properties", []):
        name = f"{prop.type}.{prop.name}".lower()
        if name in ("header.from", "header.d") and str(prop.value).lower().strip() == domain:
            return True
    return False
