"""Read what a request says about consent, person by person, and judge it as seed 000 does.

Consent is fine only when every applicant and every household member aged 16 or over
has signed in writing within the limit (3 months) of the mail's date. Who signed, who
has not, who only agreed verbally and when each signature was made is read from a
table's consent column, from sentences ("Pauline signed on 09/06/2026 and Trevor on
11/06/2026", "all three adults signed yesterday", "Ruan has not signed yet"), and from
the consent forms attached (the date on a PDF form with a text layer). A date of birth
beside a consent word is never a signing date. A vague time is judged at its earliest
day; a signature with no day the bot can read is "undated", and the drafts ask the RAO
to confirm the date on the form before sending.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from bot.extract.dates import DateSpan, find_dates
from bot.extract.document import Document
from bot.extract.names import names_in, parse_name
from bot.extract.people import People, Person
from bot.extract.text import any_of, clauses, window

_CONSENT = any_of(r"\bconsent(?:s|ed|ing)?\b")
_CONSENT_GIVEN = any_of(
    r"\b(?:attached|enclosed|included|provided|given|obtained|signed|supplied|received|gave|agreed|consented)\b",
    r"\bplease find\b",
    r"\bhere(?:with| is)\b",
)
_CONSENT_DENIED = any_of(
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
_CONSENT_NOT_REQUIRED = any_of(r"\bnot\s+(?:be\s+)?(?:required|needed|necessary)\b", r"\bno\s+need\b")


# How far either side of "consent" a "not" belongs to it rather than to the next thought.
_NEGATION_REACH = (40, 30)


def consent_said(text: str) -> tuple[bool, bool]:
    """(the mail says consent is given, the mail says some consent is not)."""
    given = denied = False
    for clause in clauses(text):
        giving = _CONSENT_GIVEN.search(clause) is not None
        for word in _CONSENT.finditer(clause):
            near = window(clause, word.start(), word.end(), *_NEGATION_REACH)
            if _CONSENT_NOT_REQUIRED.search(near):
                continue
            if _CONSENT_DENIED.search(near):
                denied = True
            else:
                given = given or giving
    return given, denied



class Signed(StrEnum):
    """One person's consent, as the mail tells it."""

    SIGNED = "signed"
    VERBAL = "verbal"
    NOT_YET = "not yet signed"
    NOT_NEEDED = "not needed"  # under 16
    UNKNOWN = "unknown"


class Status(StrEnum):
    """The request's consent as a whole (seed 000), as the labels and the drafts name it."""

    OK = "ok"
    MISSING = "missing"
    EXPIRED = "expired"
    INCOMPLETE = "incomplete"
    VERBAL_ONLY = "verbal_only"
    UNDATED = "undated"


@dataclass(frozen=True)
class Said:
    """What one sentence (or table cell, or form) says of some people's consent."""

    signed: Signed
    who: tuple[Person, ...] | None  # None: everyone who must sign
    when: DateSpan | None
    words: str


@dataclass(frozen=True)
class ConsentFacts:
    status: Status
    signed_on: date | None  # the oldest signing day the mail gives
    earliest: date | None  # the earliest day any signature can have been made (a vague time's first day)
    per_person: tuple[tuple[str, Signed, date | None], ...]
    evidence: tuple[str, ...]
    notes: tuple[str, ...]


_SIGN_WORDS = any_of(r"\bconsent", r"\bsign(?:ed|s|ing|ature)?\b", r"\bforms?\b")
_VERBAL = any_of(r"\bverbal(?:ly)?\b", r"\bover\s+the\s+(?:tele)?phone\b", r"\bby\s+phone\b", r"\borally\b")
_NOT_YET = any_of(
    r"\b(?:has|have|had)\s*(?:n['’]t|not)\s+(?:yet\s+)?(?:signed|returned|sent|given)",
    r"\b(?:not|never)\s+(?:yet\s+)?(?:signed|returned|given|been\s+(?:signed|returned|received))",
    r"\byet\s+to\s+(?:sign|return|be\s+signed)", r"\bstill\s+to\s+(?:sign|return|come)",
    r"\b(?:to|will)\s+follow\b", r"\bfollow(?:ing)?\s+(?:shortly|separately|later|on)\b",
    r"\bwill\s+(?:sign|send|forward|return|be\s+(?:sent|forwarded|signed))", r"\bin\s+the\s+post\b",
    r"\b(?:await(?:ing|ed)?|waiting\s+for|chasing|outstanding)\b", r"\b(?:refused|declined|unwilling)\s+to\s+sign",
    r"\bunable\s+to\s+sign", r"\bhave\s+been\s+sent\s+to\b", r"\bon\s+receipt\b", r"\bnot\s+(?:yet\s+)?available\b",
    r"\bdoes\s*n['’]?t\s+want\s+to\s+sign", r"\bno\s+(?:signed\s+)?consent\b", r"\bwithout\s+(?:signed\s+)?consent\b",
    r"\bnext\s+week\b(?=[^.]*\bsign)", r"\bonce\s+(?:they|he|she|it|we)\b[^.]{0,30}\b(?:back|returned|signed)\b",
)
_SIGNED = any_of(
    r"\bsigned\b", r"\b(?:gave|given|provided|obtained|completed|returned)\b[^.]{0,30}\bconsent",
    r"\bconsent(?:\s+forms?)?\b[^.]{0,40}\b(?:attached|enclosed|included|provided|received|given|obtained|on\s+file)\b",
    r"\b(?:attached|enclosed|please\s+find)\b[^.]{0,40}\bconsent", r"\bconsented\b", r"\bsignatures?\b",
)
_NOT_NEEDED = any_of(r"\btoo\s+young\b", r"\bunder\s*(?:16|sixteen)\b", r"\bn/?a\b", r"\bnot\s+(?:required|needed)\b")
_EVERYONE = any_of(
    r"\ball\s+(?:three|four|five|six|3|4|5|6|of\s+them|adults|the\s+adults|household\s+members|members|parties|"
    r"over[\s\-]*16s?|those\s+over)", r"\beveryone\b", r"\beach\s+(?:of\s+them|adult|signed)\b",
    r"\bthey\s+(?:have\s+)?(?:all|both)\b", r"\b(?:the|both)\s+forms\b", r"\b(?:both|all)\s+(?:of\s+)?(?:their|the)\s+",
    r"\ball\s+signed\b", r"\bthe\s+(?:whole\s+)?(?:family|household)\b",
)
_APPLICANTS = any_of(r"\b(?:both|the|two)\s+(?:joint\s+)?applicants\b", r"\bthe\s+couple\b", r"\bboth\b",
                     r"\b(?:she|he)\s+(?:has\s+)?signed\b", r"\bthe\s+applicant\b")
_BIRTH_BEFORE = any_of(r"\b(?:DOB|D\.O\.B|born|birth|date\s+of\s+birth|b\.)\W{0,4}$", r"\(\s*$")
_OTHER_PAPERS = any_of(r"\b(?:order|hearing|judg(?:e)?ment|licen[cs]e|release|panel|report|review|visit|"
                       r"lived|moved|approved|registered|fostered|adopted|applied|since|until|from\s+\d{4})\b")


def read_consent(document: Document, people: People, on: date, attachments: list[tuple[str, str]],
                 months: int) -> ConsentFacts:
    """What the request says of consent, judged against `months` (seed 000: 3) before `on`.

    `attachments` are (file name, text read from it, "" when it has none).
    """
    said = [*_from_tables(document, people, on), *_from_text(document, people, on), *_from_forms(attachments, on)]
    required = [p for p in people.applicants] + [p for p in people.household if p.over_16(on)]
    per_person = {id(p): _person_consent(p, said) for p in [*required, *people.household]}
    status, evidence = _status(said, required, per_person, on, months)
    signed_days = [s.when for s in said if s.signed == Signed.SIGNED and s.when is not None]
    exact = [d.exact for d in signed_days if d.exact]
    return ConsentFacts(
        status=status, signed_on=min(exact) if exact else None,
        earliest=min((d.earliest for d in signed_days), default=None),
        per_person=tuple((p.name.written, *per_person[id(p)]) for p in [*required, *people.household]
                         if id(p) in per_person),
        evidence=tuple(dict.fromkeys(s.words for s in said))[:6],
        notes=tuple(_notes(status, said, people, per_person, on, attachments)),
    )


def _from_tables(document: Document, people: People, on: date) -> Iterator[Said]:
    for table in document.tables:
        name_col = table.column("name", "person", "household member")
        consent_col = table.column("consent", "signed", "signature")
        if name_col is None or consent_col is None:
            continue
        for row in table.rows:
            if max(name_col, consent_col) >= len(row):
                continue
            name = parse_name(row[name_col])
            person = people.find(name) if name else None
            if person is not None:
                yield _cell(row[consent_col], person, on, " | ".join(row))


def _cell(cell: str, person: Person, on: date, words: str) -> Said:
    spans = find_dates(cell, on)
    if spans:
        return Said(Signed.SIGNED, (person,), spans[0], words)
    lowered = cell.lower()
    if _NOT_NEEDED.search(lowered):
        return Said(Signed.NOT_NEEDED, (person,), None, words)
    if _VERBAL.search(lowered):
        return Said(Signed.VERBAL, (person,), None, words)
    if re.search(r"\b(?:no|not|to follow|outstanding|awaiting|pending)\b", lowered):
        return Said(Signed.NOT_YET, (person,), None, words)
    if re.search(r"\b(?:yes|y|signed|✓|✔|received|attached)\b", lowered):
        return Said(Signed.SIGNED, (person,), None, words)
    return Said(Signed.UNKNOWN, (person,), None, words)


def _from_text(document: Document, people: People, on: date) -> Iterator[Said]:
    for segment in document.segments:
        base = segment.sent or on
        for sentence in _consent_sentences(segment.text):
            yield from _sentence_says(sentence, people, base)


def _consent_sentences(text: str) -> Iterator[str]:
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])|\n\s*\n|\n(?=\s*(?:[-•*·]|\d{1,2}[.)])\s)|\n(?=[A-Z][\w ]{0,30}:)",
                             text):
        flat = " ".join(sentence.split())
        if flat and _SIGN_WORDS.search(flat):
            yield flat


def _sentence_says(sentence: str, people: People, base: date) -> Iterator[Said]:
    kind = _kind(sentence)
    if kind is None:
        return
    dates = [d for d in find_dates(sentence, base) if _signing_date(sentence, d)]
    mentions = _people_in(sentence, people)
    if not mentions:
        yield Said(kind, _group(sentence, people), dates[0] if dates else None, sentence)
        return
    for n, (person, start, end) in enumerate(mentions):
        stop = mentions[n + 1][1] if n + 1 < len(mentions) else len(sentence)
        own = [d for d in dates if end <= d.start < stop]
        after_all = [d for d in dates if d.start >= mentions[-1][2]]
        own_kind = _kind(sentence[start:stop]) if n + 1 < len(mentions) and _kind(sentence[start:stop]) else kind
        yield Said(own_kind, (person,), (own or after_all or [None])[0], sentence)


def _kind(words: str) -> Signed | None:
    if _NOT_NEEDED.search(words) and not _SIGNED.search(words.split("under")[0]):
        return Signed.NOT_NEEDED if re.search(r"too\s+young|under\s*(?:16|sixteen)", words, re.IGNORECASE) else None
    if _VERBAL.search(words) and not re.search(r"\bsigned\s+(?:consent|forms?)\b", words, re.IGNORECASE):
        return Signed.VERBAL
    if _NOT_YET.search(words):
        return Signed.NOT_YET
    if _SIGNED.search(words):
        return Signed.SIGNED
    return None


def _signing_date(sentence: str, span: DateSpan) -> bool:
    before = sentence[max(0, span.start - 30):span.start]
    if _BIRTH_BEFORE.search(before) or re.search(r"\bDOB\b", sentence[span.end:span.end + 3]):
        return False
    clause = re.split(r"[;,]|\band\b", sentence[max(0, span.start - 60):span.start])[-1]
    return not _OTHER_PAPERS.search(clause) and span.earliest.year >= base_year_floor(span)


def base_year_floor(span: DateSpan) -> int:
    """Consent forms are recent: a date more than five years old is a date of something else."""
    return span.latest.year - 5 if span.exact is None else 2000


def _people_in(sentence: str, people: People) -> list[tuple[Person, int, int]]:
    found: list[tuple[Person, int, int]] = []
    for name in names_in(sentence, singles=True):
        person = people.find(name)
        if person is not None and not any(p is person for p, _, _ in found):
            found.append((person, name.start, name.end))
    return sorted(found, key=lambda f: f[1])


def _group(sentence: str, people: People) -> tuple[Person, ...] | None:
    """Who "all three adults", "both applicants", "the couple" are; None: everyone who must sign."""
    if _EVERYONE.search(sentence):
        return None
    if _APPLICANTS.search(sentence):
        return tuple(people.applicants)
    return None


def _from_forms(attachments: list[tuple[str, str]], on: date) -> Iterator[Said]:
    for name, text in attachments:
        if not re.search(r"consent|form|signed|scan", name, re.IGNORECASE):
            continue
        dates = [d for d in find_dates(text, on) if d.exact and d.exact.year >= on.year - 1
                 and not _BIRTH_BEFORE.search(text[max(0, d.start - 30):d.start])]
        yield Said(Signed.SIGNED, None, dates[-1] if dates else None, f"attached: {name}")


def _person_consent(person: Person, said: list[Said]) -> tuple[Signed, date | None]:
    own = [s for s in said if s.who is not None and any(p is person for p in s.who) and s.signed != Signed.UNKNOWN]
    general = [s for s in said if s.who is None]
    for group in (own, general):
        for kind in (Signed.SIGNED, Signed.NOT_YET, Signed.VERBAL, Signed.NOT_NEEDED):
            found = [s for s in group if s.signed == kind]
            if found:
                dated = [s.when for s in found if s.when is not None]
                return kind, min((d.earliest for d in dated), default=None)
    return Signed.UNKNOWN, None


def _status(said: list[Said], required: list[Person], per_person: dict[int, tuple[Signed, date | None]], on: date,
            months: int) -> tuple[Status, list[str]]:
    kinds = [per_person[id(p)][0] for p in required] or [s.signed for s in said if s.who is None]
    if not said or not any(k in (Signed.SIGNED, Signed.VERBAL, Signed.NOT_YET) for k in kinds):
        return Status.MISSING, []
    if not any(k == Signed.SIGNED for k in kinds):
        return (Status.VERBAL_ONLY if any(k == Signed.VERBAL for k in kinds) else Status.MISSING), []
    spans = [s.when for s in said if s.signed == Signed.SIGNED and s.when is not None]
    if spans and min(d.earliest for d in spans) < limit(on, months):
        return Status.EXPIRED, []
    if any(k in (Signed.NOT_YET, Signed.VERBAL, Signed.UNKNOWN) for k in kinds):
        return Status.INCOMPLETE, []
    if not any(d.exact for d in spans):
        return Status.UNDATED, []
    return Status.OK, []


def limit(on: date, months: int) -> date:
    """The oldest signing day still in date: `months` calendar months before `on`."""
    try:
        return on - relativedelta(months=max(0, min(months, 1200)))
    except (OverflowError, ValueError):
        return date.min


def _notes(status: Status, said: list[Said], people: People, per_person: dict[int, tuple[Signed, date | None]],
           on: date, attachments: list[tuple[str, str]]) -> Iterator[str]:
    if status == Status.UNDATED:
        unread = [name for name, text in attachments if not text.strip()]
        yield ("Confirm the signing date on the form before sending: the mail gives none"
               + (f" and {', '.join(unread)} has no text the bot can read (a scan)" if unread else "") + ".")
    for person in people.household:
        if person.over_16(on) is None and per_person.get(id(person), (Signed.UNKNOWN, None))[0] != Signed.SIGNED:
            yield (f"{person.name.written}'s age is not given and the mail does not say they signed: confirm their "
                   "age before sending; if they are 16 or over, ask for their signed consent.")
