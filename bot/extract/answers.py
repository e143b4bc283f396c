"""Read a check team's answer person by person, and say what it means for the response.

LADO (seed 000): for each person asked about, known, not known, or unclear, with LADO's
words. "Not known" only where the answer says so of that person, or of everyone, in
words recognised as a negative ("not known", "no trace", "nothing held", "none of the
above"); "NFA" means a referral existed, so it is known. Anything else is known or
unclear, and the response then carries the OFSTED paragraph. A holding reply ("I will
check and come back to you") is no answer yet.

A&F (CHARMS): whether the applicant was approved, deregistered or withdrew, and whether
A&F gave health or financial reasons, which never reach the response: it then says only
that the applicant withdrew, the circumstances not being appropriate at the time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.extract.document import Table, html_tables, split_segments
from bot.extract.names import names_in, normalise, parse_name
from bot.extract.text import any_of, window
from bot.mail import ParsedMail

KNOWN, NOT_KNOWN, UNCLEAR = "known", "not_known", "unclear"


@dataclass(frozen=True)
class TeamAnswer:
    """What one team's answer means for the response, read from its words.

    `response` holds only what the response draft needs (never A&F's health or money
    reasons themselves); `notes` what the RAO must look at before sending; `facts` what
    was read, for `cassbot classify --facts` and the chronology; `final` is False for a
    holding reply, which does not answer the check.
    """

    summary: str  # one line for the audit trail
    response: dict[str, object] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    final: bool = True


_HOLDING = any_of(
    r"\b(?:will|I['’]ll|we['’]ll)\s+(?:check|look|come\s+back|get\s+back|respond|reply|confirm|let\s+you\s+know|"
    r"send|do\s+(?:it|this)|pick\s+(?:it|this)\s+up)", r"\b(?:received|got\s+(?:this|it)|noted)\b[,.\s-]{0,5}(?:thanks|thank)",
    r"\bchecking\b", r"\bbear\s+with\b", r"\bin\s+(?:a\s+)?meeting", r"\bsystem\s+is\s+down\b",
    r"\bback\s+to\s+you\s+(?:by|this|tomorrow|later|shortly)", r"\bstill\s+(?:looking|checking|waiting)\b",
)
_NEGATIVE = any_of(
    r"\b(?:are|is|were|was)\s+not\s+known\b", r"\bnot\s+known\b", r"\bunknown\s+to\b", r"\bno\s+trace", r"\bnil\b",
    r"\bnothing\s+(?:held|known|recorded|found|on\s+(?:our|the)\s+(?:system|records|database))",
    r"\bno\s+(?:LADO\s+)?(?:records?|involvement|information|history|concerns|match(?:es)?|referrals?|contact)\b",
    r"\bnot\s+(?:on|in)\s+(?:our|the)\s+(?:system|records|database)", r"\bnot\s+(?:been\s+)?(?:referred|involved)",
    r"\b(?:none|neither)\b[^.]{0,60}\bknown\b", r"^\s*(?:no|n|none|nil|not\s+known|clear)\s*[.!]?\s*$",
    r"\bhas\s*n['’]t\s+come\s+up\b", r"\bno\s+LADO\b",
)
_POSITIVE = any_of(
    r"\bknown\b", r"\breferr(?:ed|al)\b", r"\ballegations?\b", r"\bNFA\b", r"\bno\s+further\s+action\b",
    r"\bconsultations?\b", r"\bstrategy\s+(?:discussion|meeting)", r"\bon\s+(?:our|the)\s+(?:system|records|database)\b",
    r"\b(?:we|LADO)\s+(?:hold|holds|have|has)\b", r"\brecords?\s+(?:for|of|on|relating)\b", r"\bfeatured\b",
    r"^\s*(?:yes|y)\b", r"\byes\b", r"\binvestigat", r"\b(?:un)?substantiated\b", r"\bthreshold\b", r"\bmanaged\b",
    r"\bconcerns?\s+(?:were|was)\s+raised\b", r"\bpreviously\s+(?:involved|referred)\b",
)
_ELSEWHERE = any_of(r"\bknown\s+to\s+(?!(?:the\s+)?(?:LADO|us|our\s+service|this\s+service|me)\b)\w+",
                    r"\b(?:police|children['’]?s\s+social\s+care|CSC|social\s+care|CareFirst|school)\b")
_NOT_LADO = any_of(r"\bnot\s+(?:to\s+)?(?:LADO|us)\b", r"\bbut\s+not\s+(?:by|to)\b", r"\bnot\s+known\s+to\s+(?:LADO|us)\b")
_QUESTION = any_of(r"\?", r"\bcan(?:not|['’]t)\s+find\b", r"\bunable\s+to\b", r"\bnot\s+sure\b", r"\bcan\s+you\s+confirm\b",
                   r"\btwo\s+records\b", r"\bmore\s+than\s+one\b", r"\bpossible\s+match")
_EVERYONE_NOT = any_of(
    r"\b(?:none|neither)\s+of\s+(?:the\s+)?(?:above|them|these|those|named|people|individuals|applicants|household)",
    r"\bno\s+trace\s+(?:of|for)\s+(?:any|all)\b", r"\bnothing\s+(?:held|known)\s+(?:for|on|about)\s+(?:any|the|them)",
    r"\b(?:are|is)\s+not\s+known\s+to\s+LADO\b(?![^.]*\bbut\b)", r"^\s*not\s+known\b",
    r"\bno\s+LADO\s+(?:involvement|records?|history)\b", r"\bcan\s+confirm\s+(?:that\s+)?there\s+is\s+no\b",
    r"\bnone\s+(?:are|is)\s+known\b", r"\bno\s+trace\s+of\s+any\b", r"\ball\s+(?:clear|negative|not\s+known)\b",
)


def read_lado_answer(mail: ParsedMail, checked: Sequence[str]) -> TeamAnswer:
    """LADO's answer, person by person, safe by default."""
    text = _answer_text(mail)
    if _holding(text):
        people = {name: UNCLEAR for name in checked}
        return TeamAnswer("LADO have not answered yet (a holding reply)", {}, (), _lado_facts(people, False), False)
    people = _per_person(text, html_tables(mail.html), checked)
    known = [name for name, v in people.items() if v[0] == KNOWN]
    unclear = [name for name, v in people.items() if v[0] == UNCLEAR]
    notes = tuple(f"LADO know {name}: \"{people[name][1]}\"" for name in known)
    notes += tuple(f"LADO's answer does not say whether {name} is known: ask LADO before sending" for name in unclear)
    verdicts = {name: v[0] for name, v in people.items()}
    if known:
        summary = f"LADO know {', '.join(known)}"
    elif unclear:
        summary = f"LADO's answer is unclear about {', '.join(unclear)}"
    else:
        summary = "LADO say no one asked about is known"
    response = {"lado_known": [f"{n}" for n in known], "lado_unclear": unclear,
                "lado_none_known": not known and not unclear, "ofsted": bool(known or unclear)}
    return TeamAnswer(summary, response, notes, _lado_facts(verdicts, True))


def _lado_facts(verdicts: dict[str, str], final: bool) -> dict[str, Any]:
    return {"final": final, "people": verdicts,
            "ofsted_paragraph": any(v in (KNOWN, UNCLEAR) for v in verdicts.values())}


def _answer_text(mail: ParsedMail) -> str:
    """The team's own words: above the quoted request, without signature or disclaimer."""
    segments = split_segments(mail.fresh_text or mail.body_text[:8000], mail.from_address, None)
    return segments[0].text if segments else ""


def _holding(text: str) -> bool:
    return bool(_HOLDING.search(text)) and not (_NEGATIVE.search(text) or re.search(
        r"\bknown\b|\breferr|\bNFA\b|\bno\s+trace|\brecord", text, re.IGNORECASE))


def _per_person(text: str, tables: list[Table], checked: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each person asked about, with LADO's verdict and the words it rests on."""
    found: dict[str, tuple[str, str]] = {}
    for name in checked:
        verdict = _from_tables(tables, name, checked) or _from_words(text, name, checked)
        if verdict is not None:
            found[name] = verdict
    everyone = _everyone_not_known(text)
    for name in checked:
        if name not in found:
            found[name] = (NOT_KNOWN, everyone) if everyone else (UNCLEAR, "")
    return found


def _everyone_not_known(text: str) -> str:
    for sentence in _statements(text):
        if _EVERYONE_NOT.search(sentence) and not _names_in_statement(sentence):
            return sentence
        if _NEGATIVE.search(sentence) and _verdict(sentence) != KNOWN and not _names_in_statement(sentence) \
                and len(sentence.split()) <= 14 and not re.search(r"\b(?:son|daughter|partner|husband|wife|"
                                                                   r"mother|father)\b", sentence, re.IGNORECASE):
            return sentence
    return ""


def _names_in_statement(sentence: str) -> bool:
    return next(names_in(sentence), None) is not None


def _from_tables(tables: list[Table], name: str, checked: Sequence[str]) -> tuple[str, str] | None:
    for table in tables:
        for row in table.rows:
            if row and _mentions(row[0], name, checked):
                words = " | ".join(c for c in row[1:] if c)
                return (_verdict(words) or UNCLEAR), " | ".join(row)
    return None


def _from_words(text: str, name: str, checked: Sequence[str]) -> tuple[str, str] | None:
    verdicts: list[tuple[str, str]] = []
    for statement in _statements(text):
        for part in _parts_about(statement, name, checked):
            verdict = _verdict(part)
            if verdict is not None:
                verdicts.append((verdict, " ".join(statement.split())[:200]))
    for wanted in (KNOWN, NOT_KNOWN, UNCLEAR):
        found = [v for v in verdicts if v[0] == wanted]
        if found:
            return found[0]
    return None


def _statements(text: str) -> list[str]:
    """Sentences, bullet lines and table-like lines: each says something of someone."""
    pieces = re.split(r"(?<=[.!?])\s+(?=[A-Z])|\n", text)
    return [p.strip(" \t*•-·") for p in pieces if p.strip(" \t*•-·")]


def _parts_about(statement: str, name: str, checked: Sequence[str]) -> Iterator[str]:
    """The part of a statement about `name`: from their mention up to the next person's."""
    marks = sorted((m, other) for other in checked for m in _mention_positions(statement, other, checked))
    for n, (start, other) in enumerate(marks):
        if other != name:
            continue
        stop = next((s for s, o in marks[n + 1:] if o != name), len(statement))
        begin = max((e for e in _joins_before(statement, start, marks, name)), default=start)
        yield statement[begin:stop]


def _joins_before(statement: str, start: int, marks: list[tuple[int, str]], name: str) -> Iterator[int]:
    """"Neither Ms Lind nor Jay Lind are known": a name joined to the one before shares its verdict."""
    for other_start, other in marks:
        if other_start < start and other != name and re.fullmatch(
                r"[\w'’.\- ]{1,60}?\s*(?:,|and|nor|or|&)\s*", statement[other_start:start]):
            yield max(0, statement.rfind(".", 0, other_start) + 1)


def _mention_positions(statement: str, name: str, checked: Sequence[str]) -> list[int]:
    parsed = parse_name(name)
    if parsed is None:
        return []
    found = []
    forms = {name}
    if parsed.first and len(parsed.first) > 1 and _unique(parsed.first, checked, first=True):
        forms.add(name.split()[1] if name.split()[0].rstrip(".").lower() in {"mr", "mrs", "ms", "miss", "mx", "dr"}
                  else name.split()[0])
    if parsed.last and _unique(parsed.last, checked, first=False):
        forms.add(name.split()[-1])
    if parsed.title and parsed.last:
        forms.add(f"{parsed.title} {name.split()[-1]}")
    lowered = normalise(statement)
    for form in forms:
        for match in re.finditer(rf"(?<![\w'’-]){re.escape(normalise(form))}(?![\w'’-])", lowered):
            found.append(match.start())
    return found


def _unique(part: str, checked: Sequence[str], first: bool) -> bool:
    keys = [parse_name(n) for n in checked]
    same = [k for k in keys if k and (k.first if first else k.last) == part]
    return len(same) == 1


def _mentions(cell: str, name: str, checked: Sequence[str]) -> bool:
    return bool(_mention_positions(cell, name, checked))


def _verdict(words: str) -> str | None:
    """Known, not known, unclear, or None when the words say none of these."""
    if _QUESTION.search(words):
        return UNCLEAR
    negative = _NEGATIVE.search(words)
    if negative and (_NOT_LADO.search(words) or not _positive_beside(words, negative)):
        return NOT_KNOWN
    if _ELSEWHERE.search(words) and not re.search(r"\bLADO\b", words) and not re.search(
            r"\b(?:referr|allegation|NFA|strategy|consultation)", words, re.IGNORECASE):
        return None  # "known to police": not an answer about LADO
    if _POSITIVE.search(words):
        return KNOWN
    return NOT_KNOWN if negative else None


def _positive_beside(words: str, negative: re.Match[str]) -> bool:
    """A positive word outside the negative phrase: "not known; she was referred in 2019"."""
    rest = words[:negative.start()] + " " + words[negative.end():]
    positive = _POSITIVE.search(rest)
    return positive is not None and not re.search(r"\bknown\b", positive.group(), re.IGNORECASE)


# -- A&F (CHARMS) ---------------------------------------------------------------------------------

_APPROVED = any_of(r"\bapproved\b(?!\s+(?:by\s+)?panel\s+(?:was|had)\s+not)", r"\bregistered\s+(?:as\s+)?(?:a\s+)?"
                   r"(?:foster|carer)", r"\b(?:was|were)\s+(?:a\s+|an\s+)?(?:foster\s+)?carers?\b",
                   r"\bfostered\s+for\s+(?:us|the\s+trust)\b")
_DEREGISTERED = any_of(r"\bde-?registered\b", r"\bresign(?:ed|ation)\b", r"\bapproval\s+(?:was\s+)?(?:ended|terminated"
                       r"|ceased|removed|revoked)\b", r"\b(?:retired|stopped\s+fostering)\b", r"\btermination\b")
_WITHDREW = any_of(r"\bwithdr(?:ew|awn|awal)\b", r"\bpulled\s+out\b", r"\bdid\s+not\s+(?:proceed|continue|progress)\b",
                   r"\bchose\s+not\s+to\s+(?:proceed|continue)\b", r"\bdecided\s+not\s+to\s+(?:proceed|continue)\b")
_SENSITIVE = any_of(
    r"\b(?:health|medical|medically|illness|ill|unwell|diagnos\w*|surgery|operation|treatment|cancer|depression|"
    r"anxiety|stroke|heart|cardiac|MS|multiple\s+sclerosis|mental\s+health|disability|chronic|hospital\w*|"
    r"terminal|condition)\b",
    r"\b(?:financ\w*|debts?|money|bankrupt\w*|insolven\w*|IVA|arrears|afford\w*|unemploy\w*|repossess\w*|CCJs?|"
    r"redundan\w*|mortgage|income|benefits|loans?)\b",
)
_NOT_SENSITIVE = any_of(r"\bhealth\s+(?:and|&)\s+safety\b", r"\bhealth\s+visit\w*", r"\bhealth\s+check\s+of\s+the\s+home")
_DENIED = any_of(r"(?:\b(?:no|not|nor|without|none)|n['’]t)\s+(?:\w+\s+){0,2}(?:(?:or|and|nor|&)\s+(?:\w+\s+)?)?$")
_NO_RECORD = any_of(r"\bno\s+(?:record|trace|match)", r"\bnot\s+(?:on|known\s+to)\s+CHARMS\b", r"\bnothing\s+(?:on|held)")


def read_af_answer(mail: ParsedMail, checked: Sequence[str]) -> TeamAnswer:
    """A&F's CHARMS answer: approval, deregistration, withdrawal, and any health or money reason."""
    text = _answer_text(mail)
    if _holding(text) and not (_APPROVED.search(text) or _WITHDREW.search(text) or _NO_RECORD.search(text)):
        facts = {"final": False, "previously_approved": False, "deregistered": False, "withdrew": False,
                 "sensitive_reason": False}
        return TeamAnswer("A&F have not answered yet (a holding reply)", {}, (), facts, False)
    record = not _NO_RECORD.search(text)
    sensitive = record and _sensitive_reason(text)
    facts = {"final": True, "previously_approved": record and bool(_APPROVED.search(text)),
             "deregistered": record and bool(_DEREGISTERED.search(text)),
             "withdrew": record and bool(_WITHDREW.search(text)), "sensitive_reason": sensitive}
    summary = ("A&F gave health or financial reasons: the response says only that the applicant withdrew"
               if sensitive else "CHARMS summary received" if record else "A&F hold no record on CHARMS")
    return TeamAnswer(summary, {"charms_checked": True, "af_withdrew_sensitive": sensitive}, (), facts)


def _sensitive_reason(text: str) -> bool:
    """Health or money given as a reason, not denied ("no health or financial concerns")."""
    cleaned = _NOT_SENSITIVE.sub(" ", text)
    return any(not _DENIED.search(window(cleaned, m.start(), m.start(), 40, 0))
               for m in _SENSITIVE.finditer(cleaned))


def known_to_lado(body: str) -> bool | None:
    """Kept for callers with only text: True if anyone is known, False if all is negative, else None."""
    verdict = _verdict(body)
    return {KNOWN: True, NOT_KNOWN: False}.get(verdict or "", None)
