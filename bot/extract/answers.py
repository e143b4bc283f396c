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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.extract.document import Table, html_tables, split_segments, text_tables
from bot.extract.names import NICKNAMES, normalise, parse_name
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
    r"send|do\s+(?:it|this)|pick\s+(?:it|this)\s+up|run)",
    r"\b(?:system|CHARMS|database|CareFirst|Eclipse)\s+is\s+down\b",
    r"\b(?:received|got\s+(?:this|it)|noted)\b[,.\s-]{0,5}(?:thanks|thank)",
    r"\bchecking\b", r"\bbear\s+with\b", r"\bin\s+(?:a\s+)?meeting", r"\bsystem\s+is\s+down\b",
    r"\bback\s+to\s+you\s+(?:by|this|tomorrow|later|shortly)", r"\bstill\s+(?:looking|checking|waiting)\b",
    r"\b(?:I['’]ll|I\s+will|we['’]ll|we\s+will)\s+(?:get|pull|chase|have\s+a\s+look|look\s+again|do\s+yours)\b",
    r"\b(?:get|do)\s+(?:these|this|it|them|yours)\s+(?:done|over)\b", r"\bcome\s+back\s+to\s+you\b",
    r"\b(?:can['’]t|cannot|unable\s+to)\s+(?:get\s+into|access|pull|run|open)\b", r"\bread-only\b",
    r"\bis\s+down\b", r"\bas\s+soon\s+as\s+(?:it['’]s|I\s+can|I['’]m|possible)\b",
)
_NEGATIVE = any_of(
    r"\b(?:are|is|were|was)\s+not\s+known\b", r"\bnot\s+known\b", r"\bunknown\s+to\b", r"\bno\s+trace", r"\bnil\b",
    r"\bnothing\s+(?:held|known|recorded|found|on\s+(?:our|the)\s+(?:system|records|database)|for|on|about)\b",
    r"\bnot\s+(?:known\s+)?to\s+(?:LADO|us)\b",
    r"\bno\s+(?:LADO\s+)?(?:records?|involvement|information|history|concerns|match(?:es)?|referrals?|contact)\b",
    r"\bnot\s+(?:on|in)\s+(?:our|the)\s+(?:system|records|database)", r"\bnot\s+(?:been\s+)?(?:referred|involved)",
    r"\b(?:none|neither)\b[^.]{0,60}\bknown\b", r"^\s*(?:no|n|none|nil|nothing|not\s+known|clear)\s*[.!]?\s*$",
    r"\bhas\s*n['’]t\s+come\s+up\b", r"\bno\s+LADO\b", r"\b(?:is|are|was|were)\s*n['’]t\.?\s*$",
    r"\b(?:is|are)\s+not\.?\s*$", r"\bneither\b", r"(?-i:\bNK\b)", r"\bN/K\b", r"^\s*no\s+to\b",
)
_POSITIVE = any_of(
    r"\bknown\b", r"\breferr(?:ed|al)\b", r"\ballegations?\b", r"\bNFA\b", r"\bno\s+further\s+action\b",
    r"\bconsultations?\b", r"\bstrategy\s+(?:discussion|meeting)",
    r"\bon\s+(?:our|the)\s+(?:system|records|database)\b",
    r"\b(?:we|LADO)\s+(?:hold|holds|have|has)\b", r"\brecords?\s+(?:for|of|on|relating)\b", r"\bfeatured\b",
    r"^\s*(?:yes|y)\b", r"\byes\b", r"\binvestigat", r"\b(?:un)?substantiated\b", r"\bthreshold\b", r"\bmanaged\b",
    r"\bconcerns?\s+(?:were|was)\s+raised\b", r"\bpreviously\s+(?:involved|referred)\b",
)
# What outweighs a negative beside it: a referral, an allegation, NFA ("not substantiated, NFA").
_STRONG_POSITIVE = any_of(r"\breferr(?:ed|al)\b(?!\s+to\s+(?:us|LADO)\s+(?:is|was)\s+not)", r"\ballegations?\b",
                          r"\bNFA\b", r"\bno\s+further\s+action\b", r"\bconsultations?\b",
                          r"\bstrategy\s+(?:discussion|meeting)",
                          r"\binvestigat", r"\b(?:un)?substantiated\b", r"\bthreshold\b",
                          r"\bconcerns?\s+(?:were|was)\s+raised\b")
_ELSEWHERE = any_of(r"\bknown\s+to\s+(?!(?:the\s+)?(?:LADO|us|our\s+service|this\s+service|me)\b)\w+",
                    r"\b(?:police|children['’]?s\s+social\s+care|CSC|social\s+care|CareFirst|school)\b")
_NOT_LADO = any_of(r"\bnot\s+(?:to\s+)?(?:LADO|us)\b", r"\bbut\s+not\s+(?:by|to)\b",
                   r"\bnot\s+known\s+to\s+(?:LADO|us)\b",
                   r"\b(?:nothing|never|none)\b[^.;]{0,40}\b(?:come|came|been|referred|reported|passed)\s+(?:\w+\s+)?to\s+"
                   r"(?:LADO|us|this\s+(?:office|service))\b", r"\bnot\s+a\s+LADO\s+matter\b")
_QUESTION = any_of(r"\?", r"\bcan(?:not|['’]t)\s+(?:find|tell|say|confirm|check)\b", r"\bunable\s+to\b",
                   r"\bnot\s+sure\b",
                   r"\b(?:could|can)\s+you\s+(?:please\s+)?(?:double[\s-]?check|confirm|check|send|get|provide|clarify|"
                   r"let\s+me\s+have|find\s+out)\b(?![^.]{0,40}\bofsted)",
                   r"\b(?:two|three|several|\d+)\s+records\b", r"\bmore\s+than\s+one\b", r"\bpossible\s+match",
                   r"\bthere\s+are\s+(?:two|three|four|several|\d+)\s+[A-Z]", r"\bwithout\s+(?:a|his|her|their)\s+"
                   r"(?:DOB|date\s+of\s+birth|address)", r"\bdouble[\s-]?check\b", r"\bconfirm\s+either\s+way\b",
                   r"\b(?:DOB|date\s+of\s+birth)\b[^.]{0,60}\b(?:does\s*n['’]?t\s+match|differ|different|not\s+\d)",
                   r"\bnot\s+(?:the\s+)?same\s+(?:person|DOB|date)\b", r"\bsame\s+(?:person|man|woman)\b",
                   r"\brather\s+be\s+sure\b", r"\b(?:DOB|date\s+of\s+birth)\s+(?:we|I)\s+(?:hold|have)\b",
                   r"\bif\s+(?:it['’]s|it\s+is|this\s+is)\b",
                   r"\b(?:don['’]t|do\s+not)\s+think\b", r"\bmay\s+(?:or\s+may\s+not\s+)?be\s+(?:him|her|them)\b")
# A record LADO found and set aside: a namesake, not the person asked about.
_RULED_OUT = any_of(r"\b(?:is\s*n['’]t|is\s+not|was\s*n['’]t|not)\s+(?:your|the\s+same|(?:him|her|them)\b)(?!\s+"
                    r"(?:known|on))", r"\bruled\s+(?:him|her|them|it|this|that)?\s*out\b",
                    r"\bdifferent\s+(?:person|man|woman|individual)\b", r"\bnot\s+a\s+match\b")
_EVERYONE_NOT = any_of(
    r"\b(?:about|on|for)\s+any\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:people|individuals|persons|adults|names|them)\b",
    r"\b(?:not\s+known|NK|nothing|no\s+trace)\b[^.]{0,30}\ball\s+(?:\d|two|three|four|five|of\s+them)\b",
    r"\b(?:none|neither)\s+of\s+(?:the\s+)?(?:above|them|these|those|named|people|individuals|applicants|household)",
    r"\bno\s+trace\s+(?:of|for)\s+(?:any|all)\b", r"\bnothing\s+(?:held|known)\s+(?:for|on|about)\s+(?:any|the|them)",
    r"^\s*not\s+known\b",
    r"\bno\s+LADO\s+(?:involvement|records?|history)\b", r"\bcan\s+confirm\s+(?:that\s+)?there\s+is\s+no\b",
    r"\bnone\s+(?:are|is)\s+known\b", r"\bno\s+trace\s+of\s+any\b", r"\ball\s+(?:clear|negative|not\s+known)\b",
    r"\bno\s+to\s+(?:all|both|each|everyone)\b",
    r"\b(?:nil|no)\s+trace\b[^.]{0,25}\b(?:all|both|any|each|everyone)\b",
    r"\b(?:all|both)\s+(?:\d+\s+|two\s+|three\s+|four\s+|five\s+|of\s+them\s+)?(?:are\s+|is\s+)?(?:not\s+known|NK|N/K)\b",
)


def read_lado_answer(mail: ParsedMail, checked: Sequence[str]) -> TeamAnswer:
    """LADO's answer, person by person, safe by default."""
    text = _answer_text(mail)
    read = _per_person(text, html_tables(mail.html) + text_tables(text), checked)
    everyone = _everyone_not_known(text, bool(read))
    if not read and not everyone and _HOLDING.search(text):
        waiting = {name: UNCLEAR for name in checked}
        return TeamAnswer("LADO have not answered yet (a holding reply)", {}, (), _lado_facts(waiting, False), False)
    people = {name: read.get(name) or ((NOT_KNOWN, everyone) if everyone else (UNCLEAR, "")) for name in checked}
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
    not_known = [name for name, v in people.items() if v[0] == NOT_KNOWN]
    response = {"lado_known": known, "lado_not_known": not_known, "lado_unclear": unclear,
                "lado_none_known": not known and not unclear, "ofsted": bool(known or unclear)}
    return TeamAnswer(summary, response, notes, _lado_facts(verdicts, True))


def _lado_facts(verdicts: dict[str, str], final: bool) -> dict[str, Any]:
    return {"final": final, "people": verdicts,
            "ofsted_paragraph": any(v in (KNOWN, UNCLEAR) for v in verdicts.values())}


def _answer_text(mail: ParsedMail) -> str:
    """The team's own words: above the quoted request, without signature or disclaimer. When the team's
    box forwards a colleague's answer ("See below from Tom"), the colleague's words below."""
    segments = split_segments(mail.body_text[:8000], mail.from_address, None)
    if not segments:
        return ""
    domain = mail.from_address.rpartition("@")[2]
    own = _untyped(segments[0].text)
    if len(segments) > 1 and not _SAYS.search(own) and _SEE_BELOW.search(own):
        colleague = _untyped(segments[1].text)
        if domain and segments[1].sender.endswith("@" + domain) and _SAYS.search(colleague):
            return colleague
    return own


_VOCABULARY = ("not", "known", "trace", "nothing", "held", "record", "records", "none", "neither", "checked")
# "nto knwon": the answer's words with two neighbouring letters swapped back. Only swaps, and only into
# these words: "now" is never read as "not".
_SWAPPED = {word[:i] + word[i + 1] + word[i] + word[i + 2:]: word for word in _VOCABULARY
            for i in range(len(word) - 1) if word[i] != word[i + 1]}


def _untyped(text: str) -> str:
    return re.sub(r"[A-Za-z]{3,}", lambda m: _SWAPPED.get(m.group().lower(), m.group()), text)


_SEE_BELOW = any_of(r"\b(?:see|as|read)\s+below\b", r"\bbelow\s+from\b", r"\bforward(?:ed|ing)\b", r"\bpassing\s+on\b")


_SAYS = any_of(r"\bknown\b", r"\bNK\b", r"\bN/K\b", r"\bno\s+trace\b", r"\bnil\b", r"\brecords?\b", r"\bnothing\b",
               r"\breferr", r"\ballegation", r"\bNFA\b", r"\bnone\b", r"\bneither\b", r"\bapproved\b",
               r"\bwithdr[ae]w", r"\bCHARMS\b", r"\bsummary\b")


def _per_person(text: str, tables: list[Table], checked: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Each person the answer speaks of, with LADO's verdict and the words it rests on."""
    said: dict[str, list[tuple[str, str]]] = {}
    for name in checked:
        from_table = _from_tables(tables, name, checked)
        if from_table is not None:
            said.setdefault(name, []).append(from_table)
    for paragraph in re.split(r"\n\s*\n", text):
        last_named: list[str] = []
        for statement in _statements(paragraph):
            verdicts = _statement_verdicts(statement, checked) or _by_elimination(statement, checked, text)
            if not verdicts and last_named and _verdict(statement) == UNCLEAR:
                verdicts = {name: UNCLEAR for name in last_named}  # "Can you check his DOB?" after naming him
            for name, verdict in verdicts.items():
                said.setdefault(name, []).append((verdict, " ".join(statement.split())[:200]))
            last_named = list(verdicts) or last_named
    return {name: _weighed(verdicts) for name, verdicts in said.items()}


def _weighed(verdicts: list[tuple[str, str]]) -> tuple[str, str]:
    """One verdict from all the answer says of a person. The cautious one stands (a question back, then
    known), except that LADO saying plainly that they do not know someone outweighs what other services
    hold ("a police DA notification ... none of that is LADO business: not known to LADO")."""
    plain_no = [v for v in verdicts if v[0] == NOT_KNOWN and re.search(r"\bLADO\b|\bto\s+us\b", v[1])]
    known = [v for v in verdicts if v[0] == KNOWN]
    if plain_no and known and all(_ELSEWHERE.search(words) and not _LADO_HOLDS.search(words) for _, words in known):
        return plain_no[0]
    return max(verdicts, key=lambda v: _rank(v[0]))


# LADO speaking of their own record: what outweighs a plain "not known to LADO" said elsewhere in the answer.
_LADO_HOLDS = any_of(r"\b(?:LADO|we|our)\s+(?:\w+\s+){0,3}(?:referr|allegation|consult|record|hold|held|had)",
                     r"\bknown\s+to\s+(?:us|LADO)\b", r"\bLADO\s+(?:referral|process|case|involvement)\b")


def _by_elimination(statement: str, checked: Sequence[str], text: str) -> dict[str, str]:
    """"Mrs Priestley ..." when Helen, Simon and Ruby Priestley were asked about and Simon and Ruby are named
    elsewhere in the answer: the one of that surname the answer names no other way."""
    verdict = _verdict(statement)
    titled = re.search(r"\b(?:Mrs|Ms|Miss|Mr|Mx|Dr)\.?\s+([A-Z][\w'’\-]+)", statement)
    if verdict is None or titled is None:
        return {}
    surname = normalise(titled.group(1))
    same = [n for n in checked if (k := parse_name(n)) and k.last == surname]
    rest = [n for n in same if not any(_mention_positions(s, n, checked) for s in _statements(text)
                                        if s.strip() != statement.strip())]
    return {rest[0]: verdict} if len(same) > 1 and len(rest) == 1 else {}


# "Ms Hayley Brooks - not known", "Tyler: Y": a name of up to five words, then the verdict. Words are
# whole (each followed by a space), so a long run of letters cannot be split every which way.
_LABELLED = re.compile(r"^((?:[\w'’.\-]+\s){0,4}[\w'’.\-]+)\s*(?::|\s[-–—]\s?)\s*(.+)$")
_CLAUSE_BREAK = re.compile(r";|\s+but\s+|\s+whereas\s+|\s+-\s+(?=[A-Z])|,\s+(?=[A-Z][\w'’]+\s+(?:is|was|has)\b)")


def _rank(verdict: str) -> int:
    """When two statements differ, the cautious one stands: a question back (LADO are not sure) over known
    over not known. An unclear person is never said to be known or not known in the response."""
    return {UNCLEAR: 2, KNOWN: 1, NOT_KNOWN: 0}[verdict]


def _statement_verdicts(statement: str, checked: Sequence[str]) -> dict[str, str]:
    """What one sentence or line says of each person it names: each clause's own verdict, and for names
    in a clause that gives none ("No trace for Mrs Achterberg or Lotte"), the sentence's, if it has one."""
    if _RULED_OUT.search(statement):  # "a Paul Dean on our system, but ... he isn't your applicant"
        return {n: NOT_KNOWN for n in checked if _mention_positions(statement, n, checked)}
    clauses = [c for c in _CLAUSE_BREAK.split(statement) if c.strip()]
    labelled = _LABELLED.match(statement)
    label = labelled.group(1) if labelled else ""
    if labelled and not re.search(r"\b(?:is|are|was|were|known)\b", label) and any(
            _mention_positions(label, n, checked) for n in checked):
        tail = labelled.group(2).strip(" .")
        verdict = {"y": KNOWN, "yes": KNOWN, "n": NOT_KNOWN, "no": NOT_KNOWN}.get(tail.lower()) or _verdict(tail)
        if verdict is not None:  # "Mrs Nwosu: no", "Rachel - no trace"
            return {n: verdict for n in checked if _mention_positions(labelled.group(1), n, checked)}
    said = {v for v in (_verdict(c) for c in clauses) if v}
    whole = next(iter(said)) if len(said) == 1 else (_verdict(statement) if not said else None)
    verdicts: dict[str, str] = {}
    for clause in clauses:
        own = _verdict(clause)
        for name in checked:
            if _mention_positions(clause, name, checked):
                verdict = own or whole
                if verdict is not None:
                    verdicts[name] = verdict
    return verdicts


def _everyone_not_known(text: str, anyone_named: bool) -> str:
    """A negative said of everyone ("None of the above are known", "No trace of any of them"), or a bare
    "Not known." when the answer names no one; else ""."""
    for sentence in _statements(text):
        if _EVERYONE_NOT.search(sentence) and _verdict(sentence) != KNOWN:
            return sentence
    body = [s for s in _statements(text) if not re.match(r"^(?:hi|hello|dear|morning|afternoon|thanks|regards)\b", s,
                                                          re.IGNORECASE) and len(s.split()) > 1]
    if not anyone_named and len(body) == 1 and _verdict(body[0]) == NOT_KNOWN and len(body[0].split()) <= 12:
        return body[0]
    return ""


def _from_tables(tables: list[Table], name: str, checked: Sequence[str]) -> tuple[str, str] | None:
    """A row naming the person: its "Known to LADO?" cell (Y, No, ?), and any detail that outweighs it."""
    for table in tables:
        known_col = table.column("known", "lado", "outcome", "result")
        if known_col is None:
            continue  # a table of people without a verdict: the request quoted, or a list
        for row in table.rows:
            if not row or not _mentions(row[0], name, checked):
                continue
            cell = row[known_col].strip(" .").lower() if known_col is not None and known_col < len(row) else ""
            verdict = {"y": KNOWN, "yes": KNOWN, "n": NOT_KNOWN, "no": NOT_KNOWN, "?": UNCLEAR}.get(cell)
            detail = " | ".join(c for c in row[1:] if c)
            if verdict is None or (verdict == NOT_KNOWN and _STRONG_POSITIVE.search(detail)):
                verdict = _verdict(detail) or UNCLEAR
            return verdict, " | ".join(row)
    return None


def _statements(text: str) -> list[str]:
    """Sentences, bullet lines and table-like lines: each says something of someone."""
    lines: list[str] = []
    for line in text.splitlines():
        if lines and len(lines[-1]) >= 50 and not re.search(r"[.!?:;)]\s*$", lines[-1]) and line.strip() \
                and not re.match(r"\s*[-•*·]", line) and not re.search(r"[\t|]", lines[-1] + line):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    pieces = [p for line in lines for p in re.split(r"(?<=[.!?])\s+(?=[A-Z])", line)]
    return [p.strip(" \t*•-·") for p in pieces if p.strip(" \t*•-·")]


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
    if parsed.title and parsed.last and _unique_titled(parsed.title, parsed.last, checked):
        forms.add(f"{parsed.title} {name.split()[-1]}")
    forms.update(_short_forms(statement, parsed.first, checked))
    forms.update(_nicknames(statement, parsed.first, checked))
    lowered = normalise(statement)
    for form in forms:
        for match in re.finditer(rf"(?<![\w'’-]){re.escape(normalise(form))}(?![\w'’-])", lowered):
            found.append(match.start())
    if parsed.title and parsed.last and _unique_titled(parsed.title, parsed.last, checked):  # "Mr or Mrs Whitfield"
        couple = rf"\b(?:mr|mrs|ms|miss|mx|dr)\s+(?:and|or|&)\s+(?:mr|mrs|ms|miss|mx|dr)\s+{re.escape(parsed.last)}\b"
        found.extend(m.start() for m in re.finditer(couple, lowered)
                     if re.search(rf"\b{parsed.title.lower()}\b", m.group()))
    return found


_SHORT_FIRST = re.compile(r"(?<![\w'’-])[A-Z][a-z]{2,}(?![\w'’-])")
_NOT_SHORT = frozenset({"will", "rob", "pat", "can", "may", "art", "her", "his", "the", "and"})


def _short_forms(statement: str, first: str, checked: Sequence[str]) -> set[str]:
    """"Sam" for Samuel, "Ben" for Benjamin: a capitalised word the first name starts with, when no one
    else asked about has a first name starting so."""
    others = [k.first for k in map(parse_name, checked) if k and k.first and k.first != first]
    forms = set()
    for short in _SHORT_FIRST.finditer(statement):
        word = normalise(short.group())
        if first and first.startswith(word) and word != first and word not in _NOT_SHORT \
                and not any(o.startswith(word) for o in others):
            forms.add(short.group())
    return forms


def _nicknames(statement: str, first: str, checked: Sequence[str]) -> set[str]:
    """"Bex" for Rebecca, "Tony" for Anthony, when no one else asked about has a name it could stand for."""
    firsts = [k.first for k in map(parse_name, checked) if k and k.first]
    found = set()
    for word in _SHORT_FIRST_ANY.findall(statement):
        fulls = NICKNAMES.get(normalise(word), ())
        if first in fulls and sum(f in fulls for f in firsts) == 1:
            found.add(word)
    return found


_SHORT_FIRST_ANY = re.compile(r"(?<![\w'’-])[A-Z][a-z]{1,}(?![\w'’-])")


def _unique_titled(title: str, last: str, checked: Sequence[str]) -> bool:
    """"Mr Greenhalgh" names one person only if one Mr Greenhalgh was asked about."""
    keys = [parse_name(n) for n in checked]
    return len([k for k in keys if k and k.last == last and k.title.lower() == title.lower()]) == 1


def _unique(part: str, checked: Sequence[str], first: bool) -> bool:
    keys = [parse_name(n) for n in checked]
    same = [k for k in keys if k and (k.first if first else k.last) == part]
    return len(same) == 1


def _mentions(cell: str, name: str, checked: Sequence[str]) -> bool:
    return bool(_mention_positions(cell, name, checked))


def _verdict(words: str) -> str | None:
    """Known, not known, unclear, or None when the words say none of these."""
    if _RULED_OUT.search(words):
        return NOT_KNOWN  # "there is a Paul Dean on our system, but a different DOB: he isn't your applicant"
    if _QUESTION.search(words):
        return UNCLEAR
    if _NOT_LADO.search(words) and not _STRONG_POSITIVE.search(_unnegated(_NOT_LADO.split(words)[-1])):
        return NOT_KNOWN  # "known to police but not to LADO"
    negative = _NEGATIVE.search(words)
    said = _unnegated(words)
    if negative and (_NOT_LADO.search(words) or not _STRONG_POSITIVE.search(said)):
        return NOT_KNOWN
    if _ELSEWHERE.search(words) and not re.search(r"\bLADO\b", words) and not re.search(
            r"\b(?:referr|allegation|NFA|strategy|consultation)", said, re.IGNORECASE):
        return None  # "known to police": not an answer about LADO
    if _POSITIVE.search(said):
        return KNOWN
    return NOT_KNOWN if negative else None


def _unnegated(words: str) -> str:
    """The words with what a negation governs blanked, to the end of its clause: "no concerns or allegations
    were ever referred to us" says nothing positive; "not substantiated, NFA" still says NFA."""
    return _NEGATED.sub(lambda m: " " * len(m.group()), words)


_NEGATED = re.compile(r"(?:\b(?:no|not|never|nothing|without|neither|nor)\b|n['’]t\b)[^,;.:()]*?(?=[,;.:()]|\bbut\b|$)",
                      re.IGNORECASE)


# -- A&F (CHARMS) ---------------------------------------------------------------------------------

_APPROVED = any_of(r"\bapproved\b(?!\s+(?:by\s+)?panel\s+(?:was|had)\s+not)", r"\bregistered\s+(?:as\s+)?(?:a\s+)?"
                   r"(?:foster|carer)", r"\b(?:was|were)\s+(?:a\s+|an\s+)?(?:foster\s+)?carers?\b",
                   r"\bfostered\s+for\s+(?:us|the\s+trust)\b")
_DEREGISTERED = any_of(r"\bde-?registered\b", r"\bresign(?:ed|ation)\b", r"\bapproval\s+(?:was\s+)?(?:ended|terminated"
                       r"|ceased|removed|revoked)\b", r"\b(?:retired|stopped\s+fostering)\b", r"\btermination\b")
_WITHDREW = any_of(r"\bwithdr(?:ew|awn|awal)\b", r"\bpulled\s+out\b",
                   r"(?<!\bwe\s)\bdid\s*(?:n['’]t|\s+not)\s+(?:proceed|continue|"
                   r"progress|go\s+ahead)\b",
                   r"\b(?:chose|decided)\s+not\s+to\s+(?:proceed|continue|progress|go\s+ahead)\b",
                   r"\bchanged\s+their\s+minds?\b", r"\bchanged\s+(?:her|his)\s+mind\b")
_SENSITIVE = any_of(
    r"\b(?:health|medical|medically|illness|ill|unwell|diagnos\w*|surgery|operation|treatment|cancer|depression|"
    r"anxiety|stroke|heart|cardiac|(?-i:MS)|multiple\s+sclerosis|mental\s+health|disability|chronic|"
    r"terminal|condition)\b",
    r"\b(?:financ\w*|debts?|money|bankrupt\w*|insolven\w*|IVA|arrears|afford\w*|unemploy\w*|repossess\w*|CCJs?|"
    r"redundan\w*|mortgage|income|benefits|loans?)\b",
)
_NOT_SENSITIVE = any_of(
    r"\b(?:health|medical|financ\w*)(?:\s*(?:/|and|&|or)\s*(?:health|medical|financ\w*))?\s*[:\-–]?\s*(?:concerns?\s*)?"
    r"[:\-–]?\s*(?:none|nil|n/?a|no\s+concerns?|not\s+(?:recorded|noted|known|applicable))\b",
    r"\bhealth\s+(?:and|&)\s+safety\b", r"\bhealth\s+visit\w*", r"\bhealth\s+check\s+of\s+the\s+home",
    r"\b(?:health|medical|financ\w*)\b[^.]{0,30}\b(?:checks?|references?|assessments?)\b[^.]{0,40}\b(?:fine|clear|"
    r"satisfactory|ok|no\s+concerns|positive)\b",
)
_DENIED = any_of(r"(?:\b(?:no|not|nor|without|none)|n['’]t)\s+(?:\w+\s+){0,2}(?:(?:or|and|nor|&)\s+(?:\w+\s+)?)?$")
_DENIED_BEFORE = re.compile(r"\b(?:not|never|no|be|for|recommend)\s+(?:\w+\s+)?$", re.IGNORECASE)
_NO_RECORD = any_of(r"\bno\s+(?:record|trace|match)", r"\bnot\s+(?:on|known\s+to)\s+CHARMS\b",
                    r"\bnothing\s+(?:on|held)")


def read_af_answer(mail: ParsedMail, checked: Sequence[str]) -> TeamAnswer:
    """A&F's CHARMS answer: approval, deregistration, withdrawal, and any health or money reason."""
    text = _answer_text(mail)
    said = _APPROVED.search(text) or _WITHDREW.search(text) or _NO_RECORD.search(text) or _DEREGISTERED.search(text)
    if not said and (_HOLDING.search(text) or _QUESTION.search(text)):  # not answered yet, or a question back
        facts = {"final": False, "previously_approved": False, "deregistered": False, "withdrew": False,
                 "sensitive_reason": False}
        return TeamAnswer("A&F have not answered yet (a holding reply)", {}, (), facts, False)
    approved = _said(_APPROVED, text)
    withdrew, deregistered = bool(_WITHDREW.search(text)), bool(_DEREGISTERED.search(text))
    record = not _NO_RECORD.search(text) or approved or withdrew or deregistered
    sensitive = bool(record) and _sensitive_reason(text)
    facts = {"final": True, "previously_approved": approved, "deregistered": deregistered, "withdrew": withdrew,
             "sensitive_reason": sensitive}
    summary = ("A&F gave health or financial reasons: the response says only that the applicant withdrew"
               if sensitive else "CHARMS summary received" if record else "A&F hold no record on CHARMS")
    return TeamAnswer(summary, {"charms_checked": True, "af_withdrew_sensitive": sensitive}, (), facts)


def _sensitive_reason(text: str) -> bool:
    """Health or money given as a reason, not denied ("no health or financial concerns"); "could not
    afford" is a reason, not a denial."""
    cleaned = _NOT_SENSITIVE.sub(" ", text)
    return any(m.group().lower().startswith("afford")
               or not _DENIED.search(window(cleaned, m.start(), m.start(), 40, 0))
               for m in _SENSITIVE.finditer(cleaned))


def _said(pattern: re.Pattern[str], text: str) -> bool:
    """`pattern` said of what happened, not denied or only hoped for ("not approved", "to be approved")."""
    return any(not _DENIED_BEFORE.search(text[max(0, m.start() - 25):m.start()]) for m in pattern.finditer(text))

