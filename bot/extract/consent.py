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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from bot.extract.dates import DateSpan, find_dates
from bot.extract.document import Document
from bot.extract.forms import Attached, ConsentForm
from bot.extract.names import COUPLE, names_in, parse_name
from bot.extract.people import People, Person, couple_names
from bot.extract.signatures import RowVerdict, judge_rows
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
    UNCONFIRMED = "unconfirmed"  # a form cassbot has but cannot judge (a scan it cannot read well): a person reads it


@dataclass(frozen=True)
class Said:
    """What one sentence (or table cell, or form) says of some people's consent."""

    signed: Signed
    who: tuple[Person, ...] | None  # None: everyone who must sign
    when: DateSpan | None
    words: str
    later: tuple[DateSpan, ...] = ()  # signing dates after the mail's own: not believed


@dataclass(frozen=True)
class ConsentFacts:
    status: Status
    signed_on: date | None  # the oldest signing day the mail gives
    earliest: date | None  # the earliest day any signature can have been made (a vague time's first day)
    per_person: tuple[tuple[str, Signed, date | None], ...]
    evidence: tuple[str, ...]
    notes: tuple[str, ...]
    nothing_attached: bool = False  # the mail says consent is attached, and no consent form is
    unsigned: tuple[str, ...] = ()  # who the form shows without a signature and a date (for the resubmission)


_SIGN_WORDS = any_of(r"\bconsent", r"\bsign(?:ed|s|ing|ature)?\b", r"\bforms?\b")
_VERBAL = any_of(r"\bverbal(?:ly)?\b", r"\bover\s+the\s+(?:tele)?phone\b", r"\bby\s+phone\b", r"\borally\b")
# "Not yet" of the signing, not of the date: "they signed it, though it's not yet dated" is signed, undated.
_NOT_YET_SIGNED = r"\bnot\s+yet\b(?!\s+(?:been\s+)?dated\b)"
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
    r"\bwill\s+(?:\w+\s+){0,4}(?:sign|signed|send|email|forward|collect|get|bring|post)\b",
    r"\b(?:going|about)\s+to\s+(?:sign|send|get|collect)\b", r"\bwaiting\s+(?:on|for)\b",
    r"\b(?:I['’]m|I\s+am|we['’]re|we\s+are)\s+(?:seeing|visiting|collecting|meeting|getting|chasing)\b",
    r"\blater\s+(?:today|this\s+week)\b", _NOT_YET_SIGNED, r"\bhas\s*n['’]t\b", r"\bhave\s*n['’]t\b",
    r"\bstill\s+(?:needs?|has)\s+to\b", r"\b(?:refuses|refused|won['’]t)\b",
    r"\b(?:I|we|they|he|she)['’]ll\b", r"\bto\s+get\s+(?:the\s+|them\s+|their\s+)?(?:forms?|consents?)\s+signed\b",
    r"\bonce\b[^.]{0,60}\b(?:signed|back|returned)\b", r"\bnext\s+week\b",
)
# What CASS needs in general, not what these people did: "I know you normally need signed consent".
_GENERAL = any_of(r"\b(?:you|CASS|they)(?:['’]ll)?\s+(?:normally\s+|usually\s+|will\s+|would\s+)?"
                  r"(?:need|require|ask\s+for)",
                  r"\bneed\s+(?:to\s+(?:see|have)\s+)?(?:the\s+)?signed\s+consent\b", r"\bif\s+you\s+need\b")
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


def read_consent(document: Document, people: People, on: date, attached: Attached,
                 forms: Sequence[ConsentForm], months: int) -> ConsentFacts:
    """What the request and its consent forms say of consent, judged against `months` (seed 000: 3) before
    `on`. A form with a signature table is the evidence; the mail's words about signing count only where they
    are the cautious ones ("Tom has not signed yet"). Without one, the mail's words are read, and a mail that
    says its consent is attached when no consent form is has missing consent."""
    said = [*_from_tables(document, people, on), *_from_text(document, people, on)]
    if any(form.signatures for form in forms):
        return _from_forms(said, people, forms, on, months)
    if forms or attached.unreadable or attached.forms:  # a form cassbot cannot judge, or set aside for another
        return _unconfirmed(said, attached, forms)          # family: a person reads it
    if _claims_attached(document.text):
        why = "none of the attachments is a consent form" if attached.documents else "nothing is attached"
        return ConsentFacts(Status.MISSING, None, None, (), tuple(dict.fromkeys(s.words for s in said))[:6],
                            (f"The request says consent is attached, but {why}: there is no consent to go on.",),
                            nothing_attached=True)
    return _from_words(document, people, on, said, months)


def _from_words(document: Document, people: People, on: date, said: list[Said], months: int) -> ConsentFacts:
    required = people.must_sign(on)
    everyone = [p for n, p in enumerate([*required, *people.household])
                if not any(p is q for q in [*required, *people.household][:n])]
    per_person = {id(p): _person_consent(p, said) for p in everyone}
    status, evidence = _status(said, required, per_person, on, months)
    strangers = list(_strangers_not_signed(document, people))
    if strangers and status in (Status.OK, Status.UNDATED):
        status = Status.INCOMPLETE  # someone the bot could not place has not signed: the cautious branch
    signed_days = [s.when for s in said if s.signed == Signed.SIGNED and s.when is not None]
    exact = [d.exact for d in signed_days if d.exact]
    return ConsentFacts(
        status=status, signed_on=min(exact) if exact else None,
        earliest=min((d.earliest for d in signed_days), default=None),
        per_person=tuple((p.name.written, *per_person[id(p)]) for p in everyone),
        evidence=tuple(dict.fromkeys(s.words for s in said))[:6],
        notes=tuple(_notes(status, said, people, per_person, on)) + tuple(
            f"The request says {name} has not signed (\"{words}\"), and cassbot could not tell who {name} is "
            "in the household: treated as incomplete consent." for name, words in strangers),
    )


def _strangers_not_signed(document: Document, people: People) -> Iterator[tuple[str, str]]:
    """Whole names in a sentence saying someone has not signed, who are none of the people read."""
    for segment in document.segments:
        for sentence in _consent_sentences(segment.text):
            if _kind(sentence) not in (Signed.NOT_YET, Signed.VERBAL):
                continue
            for name in names_in(sentence):
                if people.find(name) is None and (name.title or name.last):
                    yield name.written, sentence[:200]


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
    lowered = cell.lower()
    if re.search(r"\b(?:no|not|to follow|outstanding|awaiting|pending|refused|declined)\b", lowered):
        return Said(Signed.VERBAL if _VERBAL.search(lowered) else Signed.NOT_YET, (person,), None, words)
    spans = find_dates(cell, on)
    if spans:
        return Said(Signed.SIGNED, (person,), spans[0], words)
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
    for sentence in _SENTENCE_BREAK.split(_unwrap(text)):
        flat = " ".join(part for part in re.split(r"(?<=[,;])\s+|\s+(?=but\b)", " ".join(sentence.split()))
                        if not _GENERAL.search(part))
        if flat and _SIGN_WORDS.search(flat):
            yield flat


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])|\n")


def _unwrap(text: str) -> str:
    """Lines a plain-text mail wrapped mid-sentence joined again; other line breaks kept."""
    joined: list[str] = []
    for line in text.splitlines():
        wrapped = joined and len(joined[-1]) >= 55 and not re.search(r"[.!?:;|)]\s*$", joined[-1]) and (
            line[:1].islower() or re.search(r"\b(?:of|the|a|an|and|on|in|to|by|at|with|for|from|their|his|her)\s*$",
                                            joined[-1], re.IGNORECASE))
        if wrapped and line.strip() and not re.match(r"\s*(?:[-•*·]|\d{1,2}[.)])\s", line):
            joined[-1] += " " + line.strip()
        else:
            joined.append(line)
    return "\n".join(joined)


def _sentence_says(sentence: str, people: People, base: date) -> Iterator[Said]:
    kind = _kind(sentence)
    if kind is None:
        return
    signing = [d for d in find_dates(sentence, base) if _signing_date(sentence, d)]
    dates = [d for d in signing if d.earliest <= base]
    later = tuple(d for d in signing if d.earliest > base)
    mentions = _people_in(sentence, people)
    if not mentions:
        required = len(people.must_sign(base))
        yield Said(kind, _group(sentence, people, required), _oldest(dates), sentence, later)
        return
    for n, (person, start, end) in enumerate(mentions):
        stop = mentions[n + 1][1] if n + 1 < len(mentions) else len(sentence)
        own = [d for d in dates if end <= d.start < stop]
        after_all = [d for d in dates if d.start >= mentions[-1][2]]
        yield Said(_kind(sentence[start:stop]) or kind, (person,), _oldest(own or after_all), sentence, later)


def _oldest(dates: list[DateSpan]) -> DateSpan | None:
    """"Consents signed 02/11/2026 and 28/10/2026": the older signature is the one that runs out first."""
    return min(dates, key=lambda d: d.earliest, default=None)


def _kind(words: str) -> Signed | None:
    """What words say of consent. Signing still to come beats a signature; a signature beats paperwork still
    to come ("signed on 3rd August, I'll send a copy over once I'm back")."""
    if _NOT_NEEDED.search(words) and not _SIGNED.search(words.split("under")[0]):
        return Signed.NOT_NEEDED if re.search(r"too\s+young|under\s*(?:16|sixteen)", words, re.IGNORECASE) else None
    signing_ahead = _SIGNING_AHEAD.search(words)
    if _VERBAL.search(words) and (signing_ahead or _NOT_YET.search(words) or not re.search(r"\bsigned\b", words,
                                                                                           re.IGNORECASE)):
        return Signed.VERBAL  # agreed verbally; the signed forms, if any, are still to come
    if signing_ahead:
        return Signed.NOT_YET
    done = [m for m in _SIGNED.finditer(words) if not _ADJECTIVE.match(words, m.start()) and not _denied(words, m)]
    if done:
        return Signed.SIGNED
    if _NOT_YET.search(words):
        return Signed.NOT_YET  # "the signed forms will follow": paperwork about signatures, none yet made
    return Signed.SIGNED if _SIGNED.search(words) else None


def _denied(words: str, match: re.Match[str]) -> bool:
    """"Consent has not been obtained", "no one has signed": the words say it did not happen."""
    return bool(_DENIAL.search(match.group()) or _DENIAL_BEFORE.search(words[max(0, match.start() - 25):match.start()]))


_DENIAL = any_of(r"(?:\b(?:not|never)|n['’]t)\s+(?:yet\s+)?(?:been\s+)?(?:yet\s+)?(?:attached|enclosed|included|"
                 r"provided|received|given|obtained|signed|returned|completed|on\s+file)\b")
_DENIAL_BEFORE = any_of(r"\b(?:not|never|no\s+one|nobody|n['’]t)\s+(?:yet\s+)?(?:been\s+)?$")


# "signed" naming paperwork rather than saying someone signed: "the signed forms", "signed consent".
_ADJECTIVE = re.compile(r"signed\s+(?:consent\s+)?(?:forms?|consents?|cop(?:y|ies)|paperwork|sections?)\b",
                        re.IGNORECASE)


# Signing itself still to come (not merely the forms still to be sent on).
_SIGNING_AHEAD = any_of(
    r"\b(?:has|have|had)\s*(?:n['’]t|not)\s+(?:yet\s+)?(?:signed|returned|given)",
    r"\b(?:not|never)\s+(?:yet\s+)?(?:signed|returned|given|been\s+(?:signed|returned|received|obtained|given|"
    r"completed|provided))",
    r"\byet\s+to\s+(?:sign|return|be\s+signed)", r"\bstill\s+to\s+(?:sign|return)",
    r"\b(?:will|['’]ll|going\s+to|about\s+to)\s+(?:\w+\s+){0,5}(?:sign|signed)\b",
    r"\b(?:I['’]m|I\s+am|we['’]re|we\s+are)\s+(?:collecting|picking\s+up|getting|seeing|visiting)\b",
    r"\bto\s+get\s+(?:the\s+|them\s+|their\s+)?(?:forms?|consents?)\s+signed\b",
    r"\bonce\b[^.]{0,60}\b(?:have|has)\s+signed\b",
    r"\bsign(?:ed)?\b[^.]{0,40}\bnext\s+week\b", r"\b(?:refused|declined|unwilling|unable)\s+to\s+sign",
    r"\b(?:refuses|won['’]t|does\s*n['’]?t\s+want\s+to)\s+sign", _NOT_YET_SIGNED, r"\bno\s+(?:signed\s+)?consent\b",
)


def _signing_date(sentence: str, span: DateSpan) -> bool:
    before = sentence[max(0, span.start - 30):span.start]
    if _BIRTH_BEFORE.search(before) or re.search(r"\bDOB\b", sentence[span.end:span.end + 3]):
        return False
    clause = re.split(r"[;,]|\band\b", sentence[max(0, span.start - 60):span.start])[-1]
    return not _OTHER_PAPERS.search(clause) and span.earliest.year >= base_year_floor(span)


def base_year_floor(span: DateSpan) -> int:
    """Consent forms are recent: a date more than five years old is a date of something else."""
    return span.latest.year - 5 if span.exact is None else 2000


_POSSESSIVE = re.compile(r"['’]s\s+(?!(?:signed\s+)?(?:consent|form|signature|paperwork)s?\b)")


def _people_in(sentence: str, people: People) -> list[tuple[Person, int, int]]:
    """The people a sentence names: by name, or as "her mother", "their son" when only one has that relation."""
    found: list[tuple[Person, int, int]] = []
    for name in names_in(sentence, singles=True):
        person = people.find(name)
        # "Meena's daughter ... signed": the daughter; "Mr Dickinson's consent": Mr Dickinson
        possessive = _POSSESSIVE.match(sentence[name.end:])
        if person is not None and not possessive and not any(p is person for p, _, _ in found):
            found.append((person, name.start, name.end))
    for couple in COUPLE.finditer(sentence):  # "Mr and Mrs Ofori-Darko and Kofi each signed"
        for name in couple_names(couple):
            person = people.find(name)
            if person is not None and not any(p is person for p, _, _ in found):
                found.append((person, couple.start(), couple.end()))
    for match in _RELATION_REFERENCE.finditer(sentence):
        same = [p for p in people.household if p.relation and p.relation.rstrip("s") == match.group(1).lower()]
        if len(same) == 1 and not any(p is same[0] for p, _, _ in found):
            found.append((same[0], match.start(), match.end()))
    return sorted(found, key=lambda f: f[1])


_RELATION_REFERENCE = re.compile(r"\b(?:his|her|their|the)\s+((?:mother|father|mum|dad|partner|husband|wife|son|"
                                 r"daughter|"
                                 r"lodger|brother|sister|grandmother|grandfather|mother-in-law|father-in-law|"
                                 r"stepson|stepdaughter|nephew|niece|aunt|uncle|grandson|granddaughter))\b",
                                 re.IGNORECASE)


def _group(sentence: str, people: People, required: int) -> tuple[Person, ...] | None:
    """Who "all three adults", "both", "the applicants" are; None: everyone who must sign."""
    count = re.search(r"\b(?:all|the)\s+(two|three|four|five|six|2|3|4|5|6)\b|\b(both)\b", sentence, re.IGNORECASE)
    if count is not None and _NUMBERS.get((count.group(1) or count.group(2)).lower(), 0) == required:
        return None
    if _EVERYONE.search(sentence) and not re.search(r"\bboth\b", sentence, re.IGNORECASE):
        return None
    if _APPLICANTS.search(sentence):
        return tuple(people.applicants)
    return None


_NUMBERS = {"two": 2, "both": 2, "2": 2, "three": 3, "3": 3, "four": 4, "4": 4, "five": 5, "5": 5, "six": 6, "6": 6}


def _person_consent(person: Person, said: list[Said]) -> tuple[Signed, date | None]:
    """What is said of this person: their table row first, then what names them, then what names no one.

    What names no one ("consent forms attached", "all three adults signed") covers a person only
    when nothing names anyone in particular: "the applicants both signed" says nothing of an adult son.
    """
    own = [s for s in said if s.who is not None and any(p is person for p in s.who) and s.signed != Signed.UNKNOWN]
    table = [s for s in own if " | " in s.words]
    everyone = [s for s in said if s.who is None]
    for group in (table, own, everyone):
        for kind in (Signed.SIGNED, Signed.VERBAL, Signed.NOT_YET, Signed.NOT_NEEDED):
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
    if spans and too_old(min(d.earliest for d in spans), on, months):
        return Status.EXPIRED, []
    if any(k in (Signed.NOT_YET, Signed.VERBAL, Signed.UNKNOWN) for k in kinds):
        return Status.INCOMPLETE, []
    if not any(d.exact for d in spans):
        return Status.UNDATED, []
    return Status.OK, []


def too_old(signed: date, on: date, months: int) -> bool:
    """Older than `months` calendar months at `on`: signed + months is before `on` (30 April runs out on
    30 July, so a mail of 31 July finds it expired)."""
    try:
        return signed + relativedelta(months=max(0, min(months, 1200))) < on
    except (OverflowError, ValueError):
        return False


def _notes(status: Status, said: list[Said], people: People, per_person: dict[int, tuple[Signed, date | None]],
           on: date) -> Iterator[str]:
    for later in dict.fromkeys(d.words for s in said for d in s.later):
        yield (f"The mail gives a signing date later than the mail itself (\"{later}\"): it was not believed; "
               "confirm the date on the form before sending.")
    if status == Status.UNDATED and not any(s.later for s in said):
        yield "Confirm the signing date on the form before sending: the mail gives none, and no form is attached."
    for person in people.household:
        if person.over_16(on) is None and per_person.get(id(person), (Signed.UNKNOWN, None))[0] != Signed.SIGNED:
            yield (f"{person.name.written}'s age is not given and the mail does not say they signed: confirm their "
                   "age before sending; if they are 16 or over, ask for their signed consent.")


# -- the form as evidence -------------------------------------------------------------------------

_ATTACHED = any_of(r"\b(?:attached|attachment|enclosed|please\s+find|herewith|see\s+(?:the\s+)?attached)\b")


def _claims_attached(text: str) -> bool:
    """The mail says its consent (or the form) is attached: "Please find attached the signed consent"."""
    return any(_ATTACHED.search(sentence) and not _CONSENT_DENIED.search(sentence)
               for sentence in _consent_sentences(text))


def _from_forms(said: list[Said], people: People, forms: Sequence[ConsentForm], on: date,
                months: int) -> ConsentFacts:
    vetoes = {id(p): s for s in said if s.signed in (Signed.NOT_YET, Signed.VERBAL) and s.who for p in s.who}
    rows = [_vetoed(r, vetoes.get(id(r.person))) for r in judge_rows(people, forms, on)]
    dated = [r.on for r in rows if r.signed and r.on is not None]
    sure_dated = [r.on for r in rows if r.signed and r.sure and r.on is not None]
    if sure_dated and too_old(min(sure_dated), on, months):
        status = Status.EXPIRED
    elif any(not r.signed and r.sure for r in rows):
        status = Status.INCOMPLETE
    elif any(not r.sure for r in rows) or not rows:
        status = Status.UNCONFIRMED
    else:
        status = Status.OK
    per_person = tuple((r.person.name.written, Signed.SIGNED if r.marked else Signed.NOT_YET, r.on) for r in rows)
    under = tuple((p.name.written, Signed.NOT_NEEDED, None) for p in people.household if p.over_16(on) is False)
    return ConsentFacts(status, min(dated, default=None), min(dated, default=None), per_person + under,
                        tuple(dict.fromkeys(r.words for r in rows if r.words))[:8],
                        tuple(_form_notes(status, rows, forms, people, on)),
                        unsigned=tuple(r.person.name.written for r in rows if not r.signed and r.sure))


def _vetoed(row: RowVerdict, said: Said | None) -> RowVerdict:
    """The mail saying someone has not signed (or agreed only verbally) outweighs the form's row."""
    if said is None or not row.signed:
        return row
    return RowVerdict(row.person, False, None, True, row.words,
                      f"is said by the mail not to have signed (\"{said.words[:160]}\")")


def _form_notes(status: Status, rows: list[RowVerdict], forms: Sequence[ConsentForm], people: People,
                on: date) -> Iterator[str]:
    for row in rows:
        if not row.signed and row.sure:
            yield f"{row.person.name.written} {row.problem}" + (f": {row.words}." if row.words else ".")
        elif not row.sure:
            yield (f"Could not confirm {row.person.name.written}'s signature and date from the scan (OCR read "
                   f"{row.words or 'nothing'}): check the form.")
    scanned = [f.file for f in forms if f.scanned]
    if scanned and status in (Status.OK, Status.EXPIRED):
        read = "; ".join(f"{r.person.name.written}: {r.words}" for r in rows if r.signed)
        yield f"Read from a scan ({', '.join(scanned)}): {read}. Check it against the form before sending."
    for person in people.household:
        if person.over_16(on) is None:
            yield (f"{person.name.written}'s age is not given: confirm it before sending; if they are 16 or over, "
                   "their signature is needed too.")


def _unconfirmed(said: list[Said], attached: Attached, forms: Sequence[ConsentForm]) -> ConsentFacts:
    """A consent form cassbot cannot judge (no signature table it can make out) or a file it cannot open."""
    notes = [f"{why}: a person checks the consent form." for why in attached.unreadable]
    notes += [f"cassbot could not make out the signatures on {form.file}" + (" (a scan)" if form.scanned else "")
              + ": a person checks the consent form." for form in forms]
    return ConsentFacts(Status.UNCONFIRMED, None, None, (), tuple(dict.fromkeys(s.words for s in said))[:6],
                        tuple(notes))
