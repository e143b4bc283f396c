"""Read what a request mail says, for the drafting step: pure functions, no I/O.

Each function takes plain values (text, dates, `Settings`) and returns a value;
none of them raises on odd input. Names are kept as the users wrote them. Where
a mail cannot be read with confidence the answer is None, an empty list or a
note for a person, never a guess. The conventions come from the seeds: 000 (OLA
requests: consent, the household over 16, CHARMS and LADO answers, secure
addresses) and 001 (partner agencies' Level 2 requests, Probation).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import dateparser  # type: ignore[import-untyped]
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from bot.config import Settings

# Bodies are already cut by bot.mail; this bounds the regex work if a caller does not.
TEXT_LIMIT = 64_000
# Widening a window to whole words stops here: a longer "word" is no word.
_LONGEST_WORD = 40


def _any(*alternatives: str) -> re.Pattern[str]:
    """One case-insensitive pattern from alternatives written one per line."""
    return re.compile("|".join(alternatives), re.IGNORECASE)


# Where a reply's quoted history starts (Outlook, Gmail/Apple, "> " quoting).
_QUOTED = re.compile(
    r"^(?:-{2,}\s*Original Message\s*-{2,}|_{10,}|From:\s.*|On .{5,200}wrote:|>.*)$", re.IGNORECASE | re.MULTILINE,
)


def _head(text: str) -> str:
    """The mail's own words: above the quoted history of a reply, and bounded."""
    text = text[:TEXT_LIMIT]
    quoted = _QUOTED.search(text)
    return text[: quoted.start()] if quoted else text

# Sentences, and the parts of one that a "but" sets against each other. Not on
# commas: "None of Grace, Samuel or Tobi are known" is one statement.
_CLAUSE_BREAK = _any(
    r"(?<!\bM[rsx]\.)(?<!\bMrs\.)(?<!\bDr\.)(?<!\b[A-Z]\.)(?<=[.!?])\s+",
    r"\n\s*\n",
    r";",
    r",?\s+\b(?:but|however|whereas|although|though)\b",
)


def _window(text: str, start: int, end: int, before: int, after: int) -> str:
    """The text around [start, end), widened to whole words so "now" is never read as "no"."""
    low, high = max(0, start - before), min(len(text), end + after)
    floor, ceiling = max(0, low - _LONGEST_WORD), min(len(text), high + _LONGEST_WORD)
    while before and low > floor and text[low - 1].isalnum():
        low -= 1
    while after and high < ceiling and text[high].isalnum():
        high += 1
    return text[low:high]


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_BREAK.split(text) if c and c.strip()]


# --- names -----------------------------------------------------------------
# Names are matched case-sensitively: a capital letter is the signal.
_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_WORD = rf"(?:[{_UPPER}](?=[\w'’\-]*[{_LOWER}])[\w'’\-]*\w|[{_UPPER}]\.?(?![\w'’]))"
_PARTICLE = r"(?:(?:de|da|del|van|von|der|den|bin|binti|al|el|le|la|du|di)[ \t]+)?"
_GAP = r"(?:[ \t]+|[ \t]*\r?\n[ \t]*)"  # one line break: plain-text mail wraps mid-name
_TITLE = r"\b(?:Mrs|Mr|Ms|Miss|Mx|Dr)\b\.?"
_RUN = rf"{_WORD}(?:{_GAP}{_PARTICLE}{_WORD}){{0,3}}"
_TITLED = rf"{_TITLE}{_GAP}{_RUN}"
_COUPLE = rf"{_TITLE}[ \t]+(?:and|&)[ \t]+{_TITLE}{_GAP}{_RUN}|{_TITLED}[ \t]+(?:and|&)[ \t]+{_TITLED}"
_TITLES = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "and", "&"})
# Capitalised words that follow a name in busy prose but are never part of one.
_NOT_NAMES = frozenset({
    "Please", "Thanks", "Thank", "Many", "Kind", "Best", "Regards", "Dear", "Hi", "Hello", "The", "This", "That",
    "These", "We", "She", "He", "They", "Her", "His", "Their", "Our", "Could", "Can", "Would", "Will", "Also", "And",
    "Or", "But", "Consent", "Signed", "Both", "All", "Who", "Which", "As", "At", "In", "On", "Of", "For", "To",
    "From", "With", "Is", "Are", "Was", "Were", "Has", "Have", "Had", "If", "Sent", "Yours", "Re", "Fw", "Fwd",
    "Subject", "Tel", "Mob", "Mobile", "Email", "Phone", "Date", "DOB",
})

_SUBJECT_NAMES = (
    re.compile(rf"(?P<name>{_COUPLE}|{_TITLED})"),
    re.compile(rf"(?i:\bapplicants?\b)(?:[ \t]*[,:\-–][ \t]*|[ \t]+)(?P<name>{_RUN})"),
)
# Where a body names the applicant: "assessment of Mr X", "assessing Ms X as",
# "applicant, Mr X", "connected carer Mr X", "place ... with their uncle, Mr X".
_APPLICANT_LEAD = "|".join((
    r"\bassess(?:ment|ing)?\b",
    r"\bapplicants?\b",
    r"\b(?:connected|kinship|family\s+(?:and|&)\s+friends)\s+(?:carers?|persons?|assessment)\b",
    r"\b(?:prospective|proposed|potential)\s+(?:\w+\s+)?(?:carers?|adopters?|parents?|guardians?)\b",
    r"\binformation\s+(?:held\s+)?(?:on|about|regarding)\b",
    r"\b(?:checks?|enquir(?:y|ies))\s+(?:on|about|regarding|for|into)\b",
    r"\bplac(?:e|ed|ing|ement)\b[^.!?]{0,80}?\bwith\b",
    r"\b(?:maternal|paternal|great)[\s\-]+(?:great[\s\-]+)?(?:aunt|auntie|uncle|grand(?:mother|father|parents?)|cousin)s?\b",
))
_BODY_NAMES = (
    re.compile(rf"(?i:{_APPLICANT_LEAD})[^.!?()]{{0,40}}?(?P<name>{_COUPLE}|{_TITLED})"),
    _SUBJECT_NAMES[1],
)


def _tidy(raw: str, *, titled_or_two: bool) -> str | None:
    """A matched name cut at the first word that is no name, possessive dropped."""
    words: list[str] = []
    for word in raw.split():
        if word in _NOT_NAMES:
            break
        words.append(word)
    if words:
        words[-1] = re.sub(r"['’]s$", "", words[-1])
    named = [w for w in words if w not in _TITLES]
    if not named or (titled_or_two and len(named) < 2 and words[0] not in _TITLES):
        return None
    return " ".join(words)


def applicant_name(subject: str, body: str) -> str | None:
    """The applicant as written, title included; the subject is read first.

    Titled names are the signal; an untitled one only after "applicant".
    """
    for text, patterns in ((subject[:1000], _SUBJECT_NAMES), (_head(body), _BODY_NAMES)):
        for pattern in patterns:
            for match in pattern.finditer(text):
                name = _tidy(match.group("name"), titled_or_two=True)
                if name:
                    return name
    return None


# "her son", "Mr Farrell's partner", "a son,", "lives with", "household members:".
# Not the child's relatives ("the child's mother", "their uncle, Mr X"): that is the applicant.
_OWNER = r"(?:his|her|the\s+applicant['’]s|(?!(?:child|children|baby|pupil|boy|girl)['’]s)\w+['’]s)"
_AGE_WORD = r"(?:(?:adult|eldest|oldest|older|younger|youngest|teenage|grown[\s\-]up|new|current)[\s\-]+)?"
_HOUSEHOLD_LEAD = re.compile("(?i:" + "|".join((
    rf"\b(?:{_OWNER}|their|a|an|one)\s+{_AGE_WORD}"
    r"(?:partner|husband|wife|spouse|fianc[ée]e?|boyfriend|girlfriend|lodger|step-?sons?|step-?daughters?"
    r"|sons?|daughters?|children|grandsons?|granddaughters?|nephews?|nieces?)\b[ \t]*[,:\-–]?",
    rf"\b{_OWNER}\s+{_AGE_WORD}(?:mother|father|mum|dad|brothers?|sisters?)\b[ \t]*[,:\-–]?",
    r"\blives?\s+with\b",
    r"\bhousehold(?:\s+members?)?\s*(?::|\bis\b|\bare\b|\bincludes?\b|\bcomprises?\b)",
)) + ")")
_LIST_ITEM = re.compile(
    rf"\s*(?P<name>{_TITLED}|{_RUN})(?:[ \t]*\([^()\n]{{0,40}}\))?(?P<more>[ \t]*(?:,|\band\b|&)[ \t]*)?"
)


def _listed_names(text: str, pos: int) -> Iterator[str]:
    """Names listed from `pos`: "Mr Kofi Bello", "Jake and Liam Bello (17)"."""
    while match := _LIST_ITEM.match(text, pos):
        name = _tidy(match.group("name"), titled_or_two=False)
        if not name:
            return
        yield name
        if not match.group("more"):
            return
        pos = match.end()


def household_names(body: str) -> list[str]:
    """Other household members the mail names, as written; never ages or DOBs."""
    text = _head(body)
    names = (name for lead in _HOUSEHOLD_LEAD.finditer(text) for name in _listed_names(text, lead.end()))
    return list(dict.fromkeys(names))


# --- consent ---------------------------------------------------------------
_CONSENT = _any(r"\bconsent(?:s|ed|ing)?\b")
_CONSENT_GIVEN = _any(
    r"\b(?:attached|enclosed|included|provided|given|obtained|signed|supplied|received|gave|agreed|consented)\b",
    r"\bplease find\b",
    r"\bhere(?:with| is)\b",
)
_CONSENT_DENIED = _any(
    r"\b(?:not|no|never|without|nor|refused|declined|withdrawn|withdrew|missing|outstanding|pending)\b",
    r"n['’]t\b",
    r"\b(?:will|to)\s+follow\b",
    r"\bfollow(?:s|ing)?\s+(?:shortly|separately|later|on)\b",
    r"\b(?:await(?:s|ing|ed)?|waiting|chasing)\b",
    r"\bstill\s+(?:trying|to\s+come)\b",
    r"\bwill\s+(?:send|forward|chase)\b",
    r"\bsend\s+(?:it|this|them)\s+on\b",
    r"\byet\s+to\b",
    r"\bunable\s+to\b",
)
_CONSENT_NOT_REQUIRED = _any(r"\bnot\s+(?:be\s+)?(?:required|needed|necessary)\b", r"\bno\s+need\b")


# How far either side of "consent" a "not" belongs to it rather than to the next thought.
_NEGATION_REACH = (40, 30)


def _consent_said(text: str) -> tuple[bool, bool]:
    """(the mail says consent is given, the mail says some consent is not)."""
    given = denied = False
    for clause in _clauses(text):
        giving = _CONSENT_GIVEN.search(clause) is not None
        for word in _CONSENT.finditer(clause):
            near = _window(clause, word.start(), word.end(), *_NEGATION_REACH)
            if _CONSENT_NOT_REQUIRED.search(near):
                continue
            if _CONSENT_DENIED.search(near):
                denied = True
            else:
                given = given or giving
    return given, denied


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_DATE = _any(
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b",
    rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+(?:\d{{4}}\b|['’]\d{{2}}\b))?",
    rf"\b{_MONTH}\s+{_DAY},?\s+\d{{4}}\b",
    rf"\b{_MONTH},?\s+\d{{4}}\b",
    r"\b(?:today|yesterday)\b",
)
_BIRTH = _any(r"\b(?:DOB|D\.O\.B|born|birth|birthday)\b\W{0,3}(?:(?:is|was|on|of)\s+)?$")
_SIGNING = _any(r"\b(?:signed|dated|consent\w*|signature)\b")
# "the court order dated 27 November", "release on licence on 14/12": not when consent was signed.
_OTHER_PAPERS = _any(r"\b(?:order|hearing|judg(?:e)?ment|licen[cs]e|release|panel|report)\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n\s*\n")
# A request gives one or two consent dates; more than this is not prose to read.
_MOST_DATES = 12
# dateparser reads a small snippet, never the whole body (it is slow there).
# UK writers put the day first; a month alone means its 1st, the older reading.
_DATEPARSER = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"}


def _read_date(snippet: str, now: datetime) -> date | None:
    snippet = re.sub(r"['’](\d{2})\b", r"20\1", snippet)  # "Nov '26"
    settings = {**_DATEPARSER, "RELATIVE_BASE": now.replace(tzinfo=None)}
    try:
        parsed = dateparser.parse(snippet, languages=["en"], settings=settings)
    except Exception:  # dateparser's own errors on odd text: an unread date is a note, not a crash
        return None
    return parsed.date() if isinstance(parsed, datetime) else None


def _consent_dates(text: str, now: datetime) -> list[date]:
    """Dates written next to "signed", "dated" or "consent" in the same sentence; DOBs skipped."""
    snippets: dict[str, None] = {}
    for match in _DATE.finditer(text):
        before = _SENTENCE_END.split(_window(text, match.start(), match.start(), 90, 0))[-1]
        after = _SENTENCE_END.split(_window(text, match.end(), match.end(), 0, 40))[0]
        sentence = f"{before} {after}"
        if not (_BIRTH.search(before) or not _SIGNING.search(sentence) or _OTHER_PAPERS.search(sentence)):
            snippets[match.group()] = None
        if len(snippets) >= _MOST_DATES:
            break
    return [day for snippet in snippets if (day := _read_date(snippet, now)) is not None]


def _months_before(now: datetime, months: int) -> date:
    try:
        limit: date = now.date() - relativedelta(months=max(0, min(months, 1200)))
    except (OverflowError, ValueError):
        return date.min
    return limit


@dataclass(frozen=True)
class ConsentEvidence:
    """What a request says about consent; `note` says what a person must check."""

    mentioned: bool
    attached: bool
    signed_on: date | None
    too_old: bool | None
    note: str


def consent_evidence(
    body: str, attachment_names: Sequence[str], now: datetime, max_age_months: int
) -> ConsentEvidence:
    """Whether consent is given, attached and recent enough (000: at most 3 months old)."""
    text = _head(body)
    mentioned, denied = _consent_said(text)
    attached = any("consent" in name.lower() for name in attachment_names)
    dates = _consent_dates(text, now)
    past = [d for d in dates if d <= now.date()]
    signed_on = min(past, default=None)
    too_old = None if signed_on is None else signed_on < _months_before(now, max_age_months)
    notes = _consent_notes(mentioned or attached, denied, signed_on, too_old, max_age_months)
    if len(past) < len(dates):
        notes.append("A consent date later than today was ignored.")
    if len(set(past)) > 1:
        notes.append("The consents carry different dates; the oldest is used.")
    return ConsentEvidence(mentioned, attached, signed_on, too_old, " ".join(notes))


def _consent_notes(
    evidence: bool, denied: bool, signed_on: date | None, too_old: bool | None, months: int
) -> list[str]:
    notes = []
    if not evidence:
        notes.append("No consent is mentioned or attached.")
    if denied:
        notes.append("The mail says some consent has not been given or will follow.")
    if evidence and signed_on is None:
        notes.append("Consent is mentioned but no signing date could be read: check the form.")
    if too_old and signed_on is not None:
        notes.append(f"Consent signed {signed_on.day} {signed_on:%B %Y} is more than {months} months old.")
    return notes


# --- what the applicant did before, and the checks' answers ----------------
_NOT_BEFORE = _any(r"\b(?:not|never|no)\b[^.!?;]{0,30}$", r"n['’]t\b[^.!?;]{0,30}$")
_PREVIOUSLY_FOSTERED = _any(
    r"\bpreviously\s+(?:been\s+)?(?:fostered|adopted|approved|assessed|applied|registered|an?\s+(?:foster|adopt))",
    r"\b(?:former|ex-?|previous|past)\s+(?:approved\s+)?(?:foster(?:ing)?\s+carers?|adopters?)\b",
    r"\b(?:was|were|has\s+been|have\s+been|had\s+been|used\s+to\s+be)\s+(?:an?\s+)?(?:approved\s+|registered\s+)?"
    r"(?:foster(?:ing)?\s+carers?|adopters?)\b",
    r"\b(?:has|have|had)\s+(?:previously\s+|already\s+)?(?:fostered|adopted)\b",
    r"\b(?:fostered|adopted|applied\s+to\s+(?:foster|adopt))\s+(?:before|previously)\b",
    r"\b(?:was|were|been)\s+(?:approved|assessed|registered)\s+as\s+an?\s+(?:foster\s+carer|adopter)\b[^.\n]{0,60}"
    r"\b(?:19|20)\d{2}\b",
    r"\b(?:approved|assessed|registered|fostered|applied)\b[^.\n]{0,40}\b(?:with|by|to)\s+"
    r"(?:your|you|another|a\s+different|an\s+independent)\b",
    r"\bapplied\s+to\s+(?:foster|adopt|become)\b[^.\n]{0,60}\b(?:before|previously|in\s+(?:19|20)\d{2}|years?\s+ago)\b",
    r"\bskills\s+to\s+foster\b",
    r"\b(?:foster(?:ing)?\s+carer|adopter)\s+role\b",
)


def previously_fostered_or_adopted(body: str) -> bool:
    """The mail says the applicant fostered, adopted, was approved or applied before (000)."""
    text = _head(body)
    for match in _PREVIOUSLY_FOSTERED.finditer(text):
        if not _NOT_BEFORE.search(_window(text, match.start(), match.start(), 40, 0)):
            return True
    return False


_KNOWN = _any(r"\b(?:un)?known\b")
_NEGATION = _any(r"\b(?:not|no|none|neither|nor|never|nothing|nobody|no-one)\b", r"n['’]t\b")
_CONDITIONAL = _any(r"\b(?:whether|if)\b")
# "known to police" or "to Children's Social Care" is not a LADO answer.
_KNOWN_ELSEWHERE = _any(r"\s+to\s+(?!(?:the\s+)?(?:LADO|us|our|this|me)\b)")
_NOTHING_HELD = _any(
    r"\bno\s+(?:LADO\s+)?(?:trace|records?|information|involvement|concerns|match(?:es)?|history)\b",
    r"\bnothing\s+(?:held|recorded|found|known|on\s+(?:our|the)\s+(?:system|records))\b",
    r"\bnil\s+(?:return|trace)\b",
)


def _lado_verdicts(clause: str) -> Iterator[bool]:
    """Each "known" in a clause, read as yes or no; a question ("whether ... known") is no answer."""
    if "?" in clause:
        return
    conditional = _CONDITIONAL.search(clause)
    start = 0
    for match in _KNOWN.finditer(clause):
        if conditional and conditional.start() < match.start():
            return
        if not _KNOWN_ELSEWHERE.match(clause, match.end()):
            negated = match.group().lower() == "unknown" or _NEGATION.search(clause, start, match.start())
            yield not negated
        start = match.end()
    if _NOTHING_HELD.search(clause):
        yield False


def known_to_lado(body: str) -> bool | None:
    """LADO's answer: True if anyone is known, False if all it says is negative, else None."""
    verdicts = [v for clause in _clauses(_head(body)) for v in _lado_verdicts(clause)]
    if True in verdicts:
        return True
    return False if verdicts else None


_TURNED_DOWN = _any(
    r"\bturned\s+down\b",
    r"\b(?:declined|refused|rejected|unsuccessful|unsuitable|resigned|deregistered|de-registered|retired)\b",
    r"\bnot\s+(?:approved|progressed|suitable|taken\s+forward|accepted)\b",
    r"\bdid\s+not\s+(?:progress|proceed|continue)\b",
    r"\bwithdr(?:ew|awn|awal|aw)\b",
    r"\bcounsell?ed\s+out\b",
    r"\b(?:closed|ended|stopped|paused)\b|\bput\s+on\s+hold\b",
)
_SENSITIVE_REASON = _any(
    r"\b(?:health|medical|medically|illness|ill|unwell|diagnos\w*|surgery|treatment|cancer|depression|anxiety)\b",
    r"\b(?:financ\w*|debts?|money|bankrupt\w*|insolven\w*|IVA|arrears|afford\w*|unemploy\w*|repossess\w*|CCJs?)\b",
)
_NOT_SENSITIVE = _any(r"\bhealth\s+(?:and|&)\s+safety\b", r"\bhealth\s+visit\w*")
# "no financial concerns", "not for health reasons"; but "did not progress due to health" is a reason.
_DENIED_JUST_BEFORE = _any(r"(?:\b(?:no|not|nor|without)|n['’]t)\s+(?:\w+\s+)?(?:(?:or|and|nor|&)\s+(?:\w+\s+)?)?$")


def af_gave_sensitive_reason(body: str) -> bool:
    """A&F say the applicant was turned down or withdrew for health or money reasons (000).

    Read over the whole answer, not one sentence ("Withdrew 2019. Reason: health."):
    a wrong yes only makes the response more discreet.
    """
    text = _NOT_SENSITIVE.sub(" ", _head(body))
    if not _TURNED_DOWN.search(text):
        return False
    return any(
        not _DENIED_JUST_BEFORE.search(_window(text, m.start(), m.start(), 30, 0))
        for m in _SENSITIVE_REASON.finditer(text)
    )


# --- addresses ---------------------------------------------------------------
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


# The shipped config's generic local parts, for callers without `Settings` at hand.
_GENERIC_LOCAL_PARTS = (
    "info", "admin", "administration", "enquiries", "enquiry", "office", "contact", "hello", "mail", "reception",
    "team", "referrals", "assessments", "fostering", "adoption", "duty", "noreply", "no-reply", "donotreply",
)
_OFFERED = _any(
    r"\bmy\s+(?:own\s+|direct\s+|personal\s+|work\s+|secure\s+)*(?:e-?mail|address)",
    r"\b(?:send|reply|respond|forward|write)\b[^.\n]{0,30}\b(?:to|at)\s*:?\s*$",
    r"\b(?:contact|reach|email)\s+me\s+(?:on|at|via)\s*:?\s*$",
)


def own_address_offered(
    body: str, org_domain: str, generic_local_parts: Collection[str] = _GENERIC_LOCAL_PARTS
) -> str | None:
    """The requester's own address in a follow-up, lower case; a team box only if nothing better.

    Addresses at `org_domain` are ours, never theirs. An address the writer offers
    ("my direct email is ...", "reply to me at ...") comes before one merely mentioned.
    """
    text = _head(body)
    org = org_domain.strip().lower().lstrip("@")
    generic = {p.lower() for p in generic_local_parts}
    ranked: list[tuple[bool, bool, int, str]] = []
    for position, match in enumerate(_ADDRESS.finditer(text)):
        local, _, domain = match.group().lower().rpartition("@")
        if not _under(domain, (org,)):
            offered = bool(_OFFERED.search(_window(text, match.start(), match.start(), 60, 0)))
            ranked.append((_generic_local(local, generic), not offered, position, f"{local}@{domain}"))
    return min(ranked)[3] if ranked else None


# --- partner requests (001) ----------------------------------------------------
_CONSENT_NOT_NEEDED = _any(
    r"\b(?:s\.?\s?47|section\s+47)\b",
    r"\bchild\s+protection\s+(?:enquir(?:y|ies)|investigation)\b",
    r"\bcare\s+proceedings\b",
    r"\b(?:s\.?\s?(?:7|37)|section\s+(?:7|37))\s+(?:welfare\s+)?(?:reports?|direction|investigation|enquiry)\b",
    r"\b(?:PLO|public\s+law\s+outline)\b",
    r"\bconsent\b[^.\n]{0,60}\bnot\s+(?:been\s+)?(?:required|needed|necessary|sought|obtained|requested|asked)\b"
    r"(?:\s*[-–—:(]\s*\w|[^.\n]{0,60}\b(?:because|due\s+to|owing\s+to|since|given|on\s+the\s+grounds|as\b(?!\s+yet)))",
    r"\b(?:overrid\w*|overrule\w*|dispens\w*)\b[^.\n]{0,40}\bconsent\b",
    r"\bconsent\b[^.\n]{0,60}\b(?:overridden|overruled|dispensed)\b",
)
_PROBATION = _any(r"(?<!\bon\s)\bprobation\b")
_PROBATION_CONCERNS = _any(
    r"\b(?:offen[cs]es?|offending|convict(?:ed|ions?)|charged|charges?|assault\w*|violen\w*|abuse|sexual|threats?)\b",
    r"\b(?:stalking|harassment|arson|weapons?|indecent|grooming|cruelty|neglect|animals?|coercive|controlling)\b",
    r"\b(?:risk|harm|danger)\s+(?:to|of|towards)\b",
    r"\b(?:concern(?:s|ed)?|worried|worries)\s+(?:about|regarding|that|around|over|for)\b",
    r"\bDA\b",
)
_PROBATION_PURPOSE = _any(
    r"\breports?\b",
    r"\b(?:parole|court|sentenc\w*|licen[cs]e|MAPPA|supervision|HDC|curfew|approved\s+premises)\b",
    r"\brisk\s+assess\w*",
    r"\brelease\w*\b",
    r"\bcause\s+for\s+concern\b",
)
GAP_CONSENT = (
    "The request gives no evidence of consent and no reason why consent is not needed "
    "(such as a section 47 enquiry, care proceedings, a section 7 or 37 report, or PLO)."
)
GAP_CONCERNS = "It does not say what Probation's concerns are: the offences, and what they are worried about."
GAP_PURPOSE = (
    "It does not say why the information is needed (a report for court or the Parole Board, "
    "a risk assessment for release, work during the licence period)."
)
GAP_CONSENT_SOUGHT = "It does not say whether consent was sought and, if not, why not."
GAP_CONSENT_WHY_NOT = "It says consent was not sought or given, but not why."


def partner_request_gaps(body: str, sender: str) -> list[str]:
    """What a Level 2 request still needs before CASS can answer it (001), one sentence each."""
    text = _head(body)
    given, denied = _consent_said(text)
    explained = given or bool(_CONSENT_NOT_NEEDED.search(text))
    if not ("probation" in sender.lower() or _PROBATION.search(text)):
        return [] if explained else [GAP_CONSENT]
    gaps = [] if _PROBATION_CONCERNS.search(text) else [GAP_CONCERNS]
    if not _PROBATION_PURPOSE.search(text):
        gaps.append(GAP_PURPOSE)
    if not explained:
        gaps.append(GAP_CONSENT_WHY_NOT if denied else GAP_CONSENT_SOUGHT)
    return gaps
