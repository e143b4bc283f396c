"""Read what a request says about consent: given or not, attached, when signed, and how old."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import dateparser
from dateutil.relativedelta import relativedelta

from bot.extract.text import any_of, clauses, head, window

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


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_DATE = any_of(
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b",
    rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+(?:\d{{4}}\b|['’]\d{{2}}\b))?",
    rf"\b{_MONTH}\s+{_DAY},?\s+\d{{4}}\b",
    rf"\b{_MONTH},?\s+\d{{4}}\b",
    r"\b(?:today|yesterday)\b",
)
_BIRTH = any_of(r"\b(?:DOB|D\.O\.B|born|birth|birthday)\b\W{0,3}(?:(?:is|was|on|of)\s+)?$")
_SIGNING = any_of(r"\b(?:signed|dated|consent\w*|signature)\b")
# "the court order dated 27 November", "release on licence on 14/12": not when consent was signed.
_OTHER_PAPERS = any_of(r"\b(?:order|hearing|judg(?:e)?ment|licen[cs]e|release|panel|report)\b")
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
        before = _SENTENCE_END.split(window(text, match.start(), match.start(), 90, 0))[-1]
        after = _SENTENCE_END.split(window(text, match.end(), match.end(), 0, 40))[0]
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
    text = head(body)
    mentioned, denied = consent_said(text)
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
