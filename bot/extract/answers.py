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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.extract.document import Table, html_tables, is_closing, split_segments, text_tables, without_disclaimers
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
    r"^\W*(?:thanks|thank\s+you)\b[^.\n]{0,30}\b(?:received|noted|got\s+(?:this|it))\b",
    r"\b(?:dae|do)\s+that\s+the\s+morra\b", r"\bget\s+back\s+tae\s+ye\b",
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
    r"\bno\s+(?:LADO\s+)?(?:records?|involvement|information|history|concerns|match(?:es)?|referrals?|contact|"
    r"allegations?)\b",
    r"\bnot\s+(?:on|in)\s+(?:our|the)\s+(?:system|records|database)", r"\bnot\s+(?:been\s+)?(?:referred|involved)",
    r"\b(?:none|neither)\b[^.]{0,60}\bknown\b", r"^\s*(?:no|n|none|nil|nothing|not\s+known|clear)\s*[.!]?\s*$",
    r"\bhas\s*n['’]t\s+come\s+up\b", r"\bno\s+LADO\b", r"\b(?:is|are|was|were)\s*n['’]t\.?\s*$",
    r"\b(?:is|are)\s+not\.?\s*$", r"\bneither\b", r"(?-i:\bNK\b)", r"\bN/K\b", r"^\s*no\s+to\b",
    r"\bcan(?:not|['’]t)\s+find\s+(?:anything|any\s+(?:record|trace))", r"\bnothing\s+to\s+suggest\b",
    r"\b(?:is|are|was|were)\s*n['’]t\s+known\b", r"^\W*nor\s+(?:is|are|was)\b",
    r"\bnid\s+yw\b[^.]{0,80}\byn\s+hysbys\b", r"\bdim\s+(?:cofnod|gwybodaeth)\b", r"\banhysbys\b",
    r"\bnae\s+(?:record|trace|bother)\b", r"\bno\s+kent\b",
)
_POSITIVE = any_of(
    r"\bknown\b", r"\breferr(?:ed|al)\b", r"\ballegations?\b", r"\bNFA\b", r"\bno\s+further\s+action\b",
    r"\bconsultations?\b", r"\b(?:LADO|we|I)\s+(?:was|were)\s+consulted\b", r"\bstrategy\s+(?:discussion|meeting)",
    r"\bon\s+(?:our|the)\s+(?:system|records|database)\b",
    r"\b(?:we|LADO)\s+(?:hold|holds|have|has)\b", r"\brecords?\s+(?:for|of|on|relating)\b", r"\bfeatured\b",
    r"^\s*(?:yes|y)\b", r"\byes\b", r"\binvestigat", r"\b(?:un)?substantiated\b", r"\bthreshold\b", r"\bmanaged\b",
    r"\bconcerns?\s+(?:were|was)\s+raised\b", r"\bpreviously\s+(?:involved|referred)\b",
    r"\bcame\s+to\s+(?:our|LADO['’]?s?)\s+attention\b", r"\b(?:some|LADO|previous|historic(?:al)?)\s+involvement\b",
    r"\bcomplaints?\b", r"\bdoes\s+come\s+up\b", r"\bon\s+file\b", r"\barchived?\s+(?:record|entry|file)",
    r"\bdiscussed\s+with\s+(?:LADO|us|me)\b", r"\bhistoric(?:al)?\s+only\b", r"\bconduct\s+matter\b",
    r"\b(?:go|goes|going|went)\s+(?:through|via)\s+Ofsted\b", r"\b(?:ask|contact|approach)\s+Ofsted\b",
    # Welsh: "we have a record", a record, a concern, a referral, an allegation
    r"\bgennym\s+gofnod\b", r"\bcofnod\s+(?:ar\s+gyfer|o)\b", r"\bpryder\b", r"\batgyfeiri", r"\bhonia",
)
# "I wouldn't say he's unknown to us": a double negative says known.
_DOUBLE_NEGATIVE = any_of(r"\b(?:would\s*n['’]t|would\s+not|could\s*n['’]t|can['’]?t|cannot)\s+say\s+(?:that\s+)?"
                          r"(?:he|she|they)(?:['’]s|\s+is|\s+are|['’]re)?\s+(?:unknown|not\s+known)",
                          r"\bnot\s+(?:entirely\s+)?unknown\b",
                          r"\b(?:said|told\s+you)\b[^.]{0,60}\b(?:was\s*n['’]t|was\s+not|not)\s+known\s*[-–—,:;]\s*"
                          r"(?:he|she)\s+is\b")
# "No concerns", "nothing current": LADO may hold a closed matter; not a "not known".
_SOFT_NO = any_of(r"\bno\s+(?:current\s+|present\s+|safeguarding\s+|ongoing\s+)?concerns?\b(?![^.]{0,40}\b(?:referred|"
                  r"reported|made|raised)\b)",
                  r"\bno\s+(?:current|ongoing|open|recent)\s+(?:involvement|case|matter)s?\b",
                  r"\bnothing\s+(?:current|recent|ongoing|open)\b", r"\bnot\s+(?:currently|presently)\s+(?:known|open|"
                  r"involved)\b")
# What outweighs a negative beside it: a referral, an allegation, NFA ("not substantiated, NFA").
_STRONG_POSITIVE = any_of(r"\breferr(?:ed|al)\b(?!\s+to\s+(?:us|LADO)\s+(?:is|was)\s+not)", r"\ballegations?\b",
                          r"\bNFA\b", r"\bno\s+further\s+action\b", r"\bconsultations?\b",
                          r"\bstrategy\s+(?:discussion|meeting)",
                          r"\binvestigat", r"\b(?:un)?substantiated\b", r"\bthreshold\b",
                          r"\bconcerns?\s+(?:were|was)\s+raised\b")
_ELSEWHERE = any_of(r"\bknown\s+to\s+(?!(?:the\s+)?(?:LADO|us|our\s+service|this\s+service|me)\b)\w+",
                    r"\b(?:police|children['’]?s\s+social\s+care|CSC|social\s+care|CareFirst)\b")
_NOT_LADO = any_of(r"\bnot\s+(?:to\s+)?(?:LADO|us)\b", r"\bbut\s+not\s+(?:by|to)\b",
                   r"\bnot\s+known\s+to\s+(?:LADO|us)\b",
                   r"\b(?:nothing|never|none)\b[^.;]{0,40}\b(?:come|came|been|referred|reported|passed)\s+(?:\w+\s+)?to\s+"
                   r"(?:LADO|us|this\s+(?:office|service))\b", r"\bnot\s+a\s+LADO\s+matter\b")
_QUESTION = any_of(r"\?", r"\bcan(?:not|['’]t)\s+(?:find|tell|say|confirm|check)\b"
                   r"(?!\s+(?:anything|any\s+(?:record|trace)))",
                   r"\bunable\s+to\b", r"\b(?:can['’]?t|cannot)\s+rule\s+(?:\w+\s+)?(?:in|out)\b",
                   r"\bcould\s+be\s+(?:him|her)\b",
                   r"\b(?:rings?\s+a\s+bell|sounds?\s+familiar|name\s+from\s+somewhere)\b",
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
                    r"\bdifferent\s+(?:person|man|woman|individual)\b", r"\bnot\s+a\s+match\b",
                    r"\bnone\s+(?:with|matching|at)\s+(?:your|the|that)\s+(?:DOB|date\s+of\s+birth|address)\b")
_EVERYONE_NOT = any_of(
    r"\b(?:about|on|for)\s+any\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:people|individuals|persons|adults|names|them)\b",
    r"\b(?:not\s+known|NK|nothing|no\s+trace)\b[^.]{0,30}\ball\s+(?:\d|two|three|four|five|of\s+them)\b",
    r"\b(?:none|neither)\s+of\s+(?:the\s+)?(?:above|them|these|those|named|people|individuals|applicants|household)",
    r"\bno\s+trace\s+(?:of|for)\s+(?:any|all)\b", r"\bnothing\s+(?:held|known)\s+(?:for|on|about)\s+(?:any|the|them)",
    r"^\s*not\s+known\b",
    r"\bno\s+LADO\s+(?:involvement|records?|history)\b", r"\bcan\s+confirm\s+(?:that\s+)?there\s+is\s+no\b",
    r"\bnone\s+(?:are|is)\s+known\b", r"\bno\s+trace\s+of\s+any\b", r"\ball\s+(?:clear|negative|not\s+known)\b",
    r"\bno\s+to\s+(?:all|both|each|everyone)\b", r"\bany\s+of\s+the\s+(?:\w+\s+)?household\s+members\b",
    r"\b(?:tri|dau|pedwar|pump)\s+ohonynt\b", r"\bneither\s+name\b", r"\bno\s*(?:one|body)\s+in\s+the\s+household\b",
    r"\b(?:nil|no)\s+trace\b[^.]{0,25}\b(?:all|both|any|each|everyone)\b",
    r"\b(?:all|both)\s+(?:\d+\s+|two\s+|three\s+|four\s+|five\s+|of\s+them\s+)?(?:are\s+|is\s+)?(?:not\s+known|NK|N/K)\b",
)


def read_lado_answer(mail: ParsedMail, checked: Sequence[str],
                     relations: Mapping[str, str] | None = None) -> TeamAnswer:
    """LADO's answer read whole, person by person, safe by default. `relations` says how each person
    checked stands in the household ("applicant", "partner", "son"), so "her son" finds its person."""
    text = _answer_text(mail, checked)
    if _SEE_SUBJECT.search(text) and len(text.split()) <= 8:  # "See subject": the verdict is in the subject line
        text = mail.raw_subject
    said, unplaced = _read_whole(text, html_tables(mail.html) + text_tables(text), checked, relations or {})
    everyone = _everyone_not_known(text, any(map(_verdicts, said.values())), checked)
    if _not_yet(text, said, everyone, unplaced):
        waiting = {name: UNCLEAR for name in checked}
        return TeamAnswer("LADO have not answered yet (a holding reply)", {}, (), _lado_facts(waiting, False), False)
    of_everyone = [(NOT_KNOWN, everyone)] if everyone else []
    readings = {name: [*said.get(name, []), *([] if _verdicts(said.get(name)) else of_everyone), *unplaced]
                for name in checked}
    people = {name: _weighed(_verdicts(found)) if _verdicts(found) else (UNCLEAR, "")
              for name, found in readings.items()}
    steer = next((s for s in _statements(text) if _OFSTED_STEER.search(_unnegated(s))), "")
    if steer and all(v[0] == NOT_KNOWN for v in people.values()):  # the Ofsted steer says someone is known
        readings = {name: [*found, (UNCLEAR, steer)] for name, found in readings.items()}
        people = {name: (UNCLEAR, steer) for name in people}
    written = _as_written(mail)
    quoted = {name: [(v, written(words)) for v, words in found] for name, found in readings.items()}
    return _lado_answer(mail, {name: v[0] for name, v in people.items()}, quoted)


def _lado_answer(mail: ParsedMail, verdicts: dict[str, str], readings: dict[str, list[Reading]]) -> TeamAnswer:
    """What the response may say of each person, and the note quoting LADO's words for each."""
    known, unclear, not_known = ([name for name, v in verdicts.items() if v == want]
                                 for want in (KNOWN, UNCLEAR, NOT_KNOWN))
    notes = (_source_line(mail), *(_person_note(name, verdict, readings[name]) for name, verdict in verdicts.items()))
    if known:
        summary = f"LADO know {', '.join(known)}"
    elif unclear:
        summary = f"LADO's answer is unclear about {', '.join(unclear)}"
    else:
        summary = "LADO say no one asked about is known"
    ofsted = ofsted_paragraph(verdicts)
    response = {"lado_known": known, "lado_not_known": not_known, "lado_unclear": unclear, "ofsted": ofsted}
    facts = {**_lado_facts(verdicts, True), "sources": {name: _sources(found) for name, found in readings.items()}}
    return TeamAnswer(summary, response, notes, facts)


def _verdicts(readings: list[Reading] | None) -> list[Reading]:
    """The readings that say something either way (not a bare mention)."""
    return [r for r in readings or [] if r[0]]


def _not_yet(text: str, said: Mapping[str, list[Reading]], everyone: str, unplaced: list[Reading]) -> bool:
    """A holding reply: it says it will check (or asks before searching), and nothing in it answers anyone
    for certain: no one known, and any "not known" only hedged ("as far as I can see", "only the new system")."""
    if not (_HOLDING.search(text) or _BEFORE_SEARCH.search(text)):
        return False
    readings = [r for found in said.values() for r in _verdicts(found)] + ([(NOT_KNOWN, everyone)] if everyone else [])
    if not readings:
        return all(_still_checking(words) or _HOLDING.search(words) for _, words in unplaced)
    return all(v == UNCLEAR or (v == NOT_KNOWN and _HEDGED.search(text)) for v, _ in readings)


_BEFORE_SEARCH = any_of(r"\bbefore\s+I\s+(?:run|check|search|look|do)\b")
_HEDGED = any_of(r"\bas\s+far\s+as\s+I\s+can\s+(?:see|tell)\b",
                 r"\bI['’]ve\s+only\s+(?:been\s+able\s+to\s+)?(?:look|check|search)",
                 r"\bonly\s+(?:on|looked\s+on|checked)\s+the\s+new\s+system\b", r"\bso\s+far\b",
                 r"\bat\s+first\s+glance\b",
                 r"\bknown\s+to\s+me\b")


_SEE_SUBJECT = any_of(r"\b(?:see|as\s+per|per)\s+(?:the\s+)?(?:subject|title)\b")


def ofsted_paragraph(verdicts: Mapping[str, str]) -> bool:
    """Whether the response asks the requester to contact OFSTED (seed 000), the one place it is decided: unless
    LADO said of everyone asked about that they are not known, someone is known or may be, and it goes in. The
    response's `ofsted` (which the template renders) and the facts' `ofsted_paragraph` (what `cassbot classify
    --facts` prints and the corpus labels) are this."""
    return any(verdict != NOT_KNOWN for verdict in verdicts.values())


def _lado_facts(verdicts: dict[str, str], final: bool) -> dict[str, Any]:
    return {"final": final, "people": verdicts, "ofsted_paragraph": ofsted_paragraph(verdicts)}


def _source_line(mail: ParsedMail) -> str:
    when = f"{mail.date:%a %d %b %Y %H:%M}" if mail.date else "with no date"
    return (f"LADO's answer \"{mail.raw_subject}\", received {when}: check each line below against LADO's own "
            "words before sending")


def _sources(readings: Sequence[tuple[str, str]]) -> list[str]:
    """The words of LADO's answer a person's verdict rests on, each once, in the answer's order."""
    return list(dict.fromkeys(words for _, words in readings if words))


def _person_note(name: str, verdict: str, readings: Sequence[tuple[str, str]]) -> str:
    quoted = "; ".join(f"\"{words}\"" for words in _sources(readings)) or "nothing in the answer names them"
    if verdict == KNOWN:
        return f"LADO know {name}: {quoted}"
    if verdict == NOT_KNOWN:
        return f"LADO say {name} is not known: {quoted}"
    return f"LADO's answer does not say whether {name} is known: ask LADO before sending. LADO's words: {quoted}"


def _answer_text(mail: ParsedMail, checked: Sequence[str] | None = None) -> str:
    """The team's own words: above the quoted request, without signature or disclaimer (with `checked`,
    what is written below the sign-off as a postscript, or naming one of them, too). When the team's box
    forwards a colleague's answer ("See below from Tom"), the colleague's words below."""
    segments = split_segments(mail.body_text[:8000], mail.from_address, None, cut_signature=checked is None)
    if not segments:
        return ""
    texts = [_untyped(_own_lines(s.text, checked)) for s in segments[:2]]
    if checked and len(segments) > 1 and _INLINE.search(texts[0]):  # "Answers in line below": typed into the request
        typed = [line for line in segments[1].text.splitlines() if any(_mention_positions(line, n, checked)
                                                                       for n in checked)]
        return "\n\n".join([texts[0], *map(_untyped, typed)])
    domain = mail.from_address.rpartition("@")[2]
    if len(segments) > 1 and not _SAYS.search(texts[0]) and _SEE_BELOW.search(texts[0]) and domain \
            and segments[1].sender.endswith("@" + domain) and _SAYS.search(texts[1]):
        return texts[1]
    return texts[0]


def _own_lines(text: str, checked: Sequence[str] | None) -> str:
    """The words above the sign-off, and any paragraph below it that is a postscript ("PS ...") or names
    someone asked about (a signature's "Allegations Manager" is neither)."""
    lines = [line for line in text.splitlines() if not line.lstrip().startswith(">")]
    if checked is None:
        return "\n".join(lines)
    closing = next((n for n, line in enumerate(lines) if n and is_closing(line) and any(lines[:n])), len(lines))
    after = re.split(r"\n\s*\n", without_disclaimers("\n".join(lines[closing + 1:])))
    kept = [p for p in after if _POSTSCRIPT.match(p) or any(_mention_positions(p, n, checked) for n in checked)]
    return "\n\n".join([without_disclaimers("\n".join(lines[:closing])), *kept]).strip()


_INLINE = any_of(r"\b(?:answers?|comments?|replies)\s+(?:are\s+)?(?:in\s*line|inline)\b", r"\bin\s*line\s+below\b",
                 r"\b(?:see\s+)?my\s+(?:answers|comments|replies)\s+(?:in\s+\w+\s+)?(?:below|against|beside)\b")
_POSTSCRIPT = any_of(r"^\s*(?:P\.?\s?S\.?|N\.?B\.?|also|update|correction|sorry|forgot|one\s+more|just\s+(?:to\s+add|"
                     r"realised|noticed|remembered|seen)|apologies|actually|addendum|further\s+to)\b")


_VOCABULARY = ("not", "known", "trace", "nothing", "held", "record", "records", "none", "neither", "checked")
# "nto knwon": the answer's words with two neighbouring letters swapped back. Only swaps, and only into
# these words: "now" is never read as "not".
_SWAPPED = {word[:i] + word[i + 1] + word[i] + word[i + 2:]: word for word in _VOCABULARY
            for i in range(len(word) - 1) if word[i] != word[i + 1]}


def _untyped(text: str) -> str:
    return re.sub(r"[A-Za-z]{3,}", lambda m: _SWAPPED.get(m.group().lower(), m.group()), text)


def _as_written(mail: ParsedMail) -> Callable[[str], str]:
    """LADO's words as they wrote them, typos and all, from the words as read ("not" back to "nto")."""
    written = {_SWAPPED[w.lower()]: w for w in re.findall(r"[A-Za-z]{3,}", mail.body_text[:8000])
               if w.lower() in _SWAPPED}
    if not written:
        return lambda words: words
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, written)) + r")\b", re.IGNORECASE)
    return lambda words: pattern.sub(lambda m: written.get(m.group().lower(), m.group()), words)


_SEE_BELOW = any_of(r"\b(?:see|as|read)\s+below\b", r"\bbelow\s+from\b", r"\bforward(?:ed|ing)\b", r"\bpassing\s+on\b")


_SAYS = any_of(r"\bknown\b", r"\bNK\b", r"\bN/K\b", r"\bno\s+trace\b", r"\bnil\b", r"\brecords?\b", r"\bnothing\b",
               r"\breferr", r"\ballegation", r"\bNFA\b", r"\bnone\b", r"\bneither\b", r"\bapproved\b",
               r"\bwithdr[ae]w", r"\bCHARMS\b", r"\bsummary\b")


Reading = tuple[str, str]  # a verdict and the words of the answer it rests on


def _read_whole(text: str, tables: list[Table], checked: Sequence[str],
                relations: Mapping[str, str]) -> tuple[dict[str, list[Reading]], list[Reading]]:
    """Every statement of the answer accounted for: what each says of the people it names (by name, by
    relation, or as "he" after naming him), and the statements that name no one yet speak of a record, a
    doubt or a check still to do, which stand against "not known" for everyone."""
    said: dict[str, list[Reading]] = {}
    unplaced: list[Reading] = []
    for name in checked:
        from_table = _from_tables(tables, name, checked)
        if from_table is not None:
            said.setdefault(name, []).append(from_table)
    text, marked = _marked_lines(text, checked)
    for name, reading in marked:
        said.setdefault(name, []).append(reading)
    cells = [_bare(cell) for table in tables for row in (table.header, *table.rows) for cell in row]
    named_before: list[str] = []  # the last people named, in any paragraph: whose "her partner" it is
    for paragraph in re.split(r"\n\s*\n", text):
        last_named: list[str] = []
        for statement in _statements(paragraph):
            words = " ".join(statement.split())[:300]
            if _in_table(words, cells):
                continue  # a table's cell, read with its row
            verdicts, pointed = _statement_reading(statement, checked, relations, text, last_named, named_before)
            if not verdicts and _unaccounted(statement):
                if len(checked) != 1 or not (_speaks_of_record(statement) or _verdict(statement) == KNOWN):
                    unplaced.append((UNCLEAR, words))
                    continue
                verdicts = pointed = {checked[0]: _verdict(statement) or UNCLEAR}  # the one person asked about
            quoted = pointed or ({name: "" for name in checked} if _of_everyone(statement) else {})
            for name in dict.fromkeys([*verdicts, *quoted]):  # "Please see attached", "All 3 not known": for all
                said.setdefault(name, []).append((verdicts.get(name, ""), words))
            last_named = list(pointed) or last_named
            named_before = last_named or named_before
    return said, unplaced


_FOOTNOTE = re.compile(r"^\s*([*†‡])\s*(.+)$")
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.):]\s+(.+)$")


def _marked_lines(text: str, checked: Sequence[str]) -> tuple[str, list[tuple[str, Reading]]]:
    """Lines that point at people by a mark: a footnote ("* Mr Lindqvist - linked to a 2018 consultation")
    is of the people whose line carries its star; a numbered list with one line for each person asked about
    ("1. No  2. No  3. Yes - 2024") answers them in the request's order. The text is returned without them."""
    lines = text.splitlines()
    numbered = [m for m in map(_NUMBERED.match, lines) if m]
    in_order = [int(m.group(1)) for m in numbered] == list(range(1, len(checked) + 1)) and not any(
        _mention_positions(m.group(2), n, checked) for m in numbered for n in checked)
    found: list[tuple[str, Reading]] = []
    kept = []
    for line in lines:
        marked = _footnote(line, lines, checked) or (_numbered(line, checked) if in_order else [])
        found += marked
        if not marked:
            kept.append(line)
    return "\n".join(kept), found


def _footnote(line: str, lines: list[str], checked: Sequence[str]) -> list[tuple[str, Reading]]:
    note = _FOOTNOTE.match(line)
    if note is None:
        return []
    starred = [n for n in checked for other in lines if note.group(1) in other and other is not line
               and _mention_positions(other.split(note.group(1))[0][-60:], n, checked)]
    verdict = _verdict(note.group(2)) or _told(note.group(2)) or UNCLEAR
    return [(n, (verdict, " ".join(line.split()))) for n in starred]


def _numbered(line: str, checked: Sequence[str]) -> list[tuple[str, Reading]]:
    number = _NUMBERED.match(line)
    if number is None:
        return []
    verdict = _short_answer(number.group(2)) or UNCLEAR
    return [(checked[int(number.group(1)) - 1], (verdict, " ".join(line.split())))]


_SHORT = {"y": KNOWN, "yes": KNOWN, "n": NOT_KNOWN, "no": NOT_KNOWN, "?": UNCLEAR}


def _short_answer(words: str) -> str | None:
    """"Y", "No", "?" as a table's cell or after a name says it; else what the words say."""
    return _SHORT.get(words.strip(" .").lower()) or _verdict(words)


def _in_table(words: str, cells: list[str]) -> bool:
    """The statement is a table's cell (or one with a name signed after it), read with its row."""
    bare = _bare(words)
    return any(bare in cell or (len(cell) > 15 and cell in bare and len(bare.replace(cell, "").split()) <= 3)
               for cell in cells)


def _bare(words: str) -> str:
    return " ".join(re.sub(r"\W+", " ", words).lower().split())


def _statement_reading(statement: str, checked: Sequence[str], relations: Mapping[str, str], text: str,
                       last_named: list[str], named_before: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """What one statement says of each person, and of whom it says it by pointing at them (by name,
    relation or "he"). A relation no one asked about has ("her son" with no son checked) leaves everyone
    else unclear."""
    verdicts = (_statement_verdicts(statement, checked, relations)
                or _by_elimination(statement, checked, text) or _of_last_named(statement, last_named))
    named = _people_in(statement, checked, relations)
    if not verdicts and named:  # "Ben Whitlock - there was some involvement in 2023"
        told = _told(statement)
        verdicts = {name: told for name in named} if told else {}
    if not verdicts and not named and last_named and _PRONOUN.search(statement):
        named = list(last_named)  # "because of his role": said of him, quoted for him
    if _stray_relation(statement, checked, relations) or (not verdicts and _other_sex(statement, named_before) and (
            _speaks_of_record(statement) or _verdict(statement) in (KNOWN, UNCLEAR))):
        others = {name: UNCLEAR for name in checked if name not in named_before}
        return {**others, **verdicts}, others or verdicts  # what follows ("a parent raised it") is of them
    return verdicts, verdicts or {name: "" for name in named}


def _told(statement: str) -> str | None:
    """What a statement with no verdict word tells of the people it points at: a record plainly told is
    known; a record with a doubt, or a check still to do, unclear."""
    if _still_checking(statement) or _verdict(statement) == UNCLEAR:
        return UNCLEAR
    return KNOWN if _speaks_of_record(statement) else None


def _stray_relation(statement: str, checked: Sequence[str], relations: Mapping[str, str]) -> bool:
    """The statement speaks of a relation ("her partner") that no one asked about has, with a record or
    a doubt."""
    kin = [m for m in _RELATED.finditer(statement) if m.group(1).lower() not in _ANYONE_KIN
           and not _people_in(m.group(), checked, relations)
           and not _people_in(statement[m.end():m.end() + 40], checked, {})]  # "her partner Gary Cole"
    return bool(kin) and (_speaks_of_record(statement) or _verdict(statement) in (KNOWN, UNCLEAR))


_ANYONE_KIN = frozenset({"applicant", "applicants", "couple", "carer", "carers", "adults"})


_PRONOUN = re.compile(r"\b(?:he|she|him|his|her|hers|they|them|their|it|this|that)\b", re.IGNORECASE)


def _of_last_named(statement: str, last_named: list[str]) -> dict[str, str]:
    """"He was referred in 2019", "Can you check his DOB?", "The allegation was unsubstantiated": the
    people just named, unless the words point at someone else ("another adult at the address", "his"
    after naming Mrs Cole)."""
    if not last_named or _SOMEONE_ELSE.search(statement) or _other_sex(statement, last_named):
        return {}
    verdict = _verdict(statement)
    if _still_checking(statement) and not _COURTESY.search(statement):
        verdict = UNCLEAR
    record = _speaks_of_record(statement)
    if verdict is None and record:
        verdict = _told(statement)
    if verdict is None or (verdict == NOT_KNOWN and not _PRONOUN.search(statement)) or (
            verdict == KNOWN and not record and not _PRONOUN.search(statement)):
        return {}
    return {name: verdict for name in last_named}


_HE = re.compile(r"\b(?:he|him|his)\b", re.IGNORECASE)
_SHE = re.compile(r"\b(?:she|her|hers)\b", re.IGNORECASE)


def _other_sex(statement: str, named: list[str]) -> bool:
    """"He" or "his" when everyone just named is a Mrs, Ms or Miss (or "she" after a Mr)."""
    titles = {k.title.lower().rstrip(".") if (k := parse_name(n)) else "" for n in named}
    if not titles:
        return False
    if _HE.search(statement) and not _SHE.search(statement):
        return titles <= {"mrs", "ms", "miss"}
    if _SHE.search(statement) and not _HE.search(statement):
        return titles == {"mr"}
    return False


# Words pointing past the people just named.
_SOMEONE_ELSE = any_of(r"\b(?:another|other)\s+(?:adult|person|man|woman|male|female|member|individual)",
                       r"\bsomeone\b", r"\b(?:a|an)\s+(?:male|female|adult)\s+(?:at|living)\b",
                       r"\b(?:at|of)\s+(?:the|that|this)\s+(?:same\s+)?address\b", r"\bthe\s+household\b")
# A person the answer names who was not asked about: "a Craig Tanner ... he wasn't on your list".
_NOT_ASKED = any_of(r"\b(?:was|is|were|are)\s*(?:n['’]t|\s+not)\s+(?:on|in)\s+your\s+(?:list|request|e-?mail)",
                    r"\bnot\s+(?:one\s+of\s+)?(?:the\s+people|those)\s+you\s+(?:asked|listed|named)")


def _unaccounted(statement: str) -> bool:
    """A statement naming no one asked about that is not plainly courtesy or a table's heading and says
    something: a record, a doubt, a check still to do, a question back, or that someone is known."""
    if _HEADING.search(statement) or _NOT_ASKED.search(statement) or _OFSTED_STEER.search(statement) or (
            _EVERYONE_NOT.search(statement) and _verdict(statement) == NOT_KNOWN):
        return False
    if _COURTESY.search(statement) and not _speaks_of_record(statement):
        return False
    return bool(_speaks_of_record(statement) or _still_checking(statement)
                or _verdict(statement) in (KNOWN, UNCLEAR))


# "The agency will need to go through Ofsted": said when someone is known; alone, it says someone may be.
_OFSTED_STEER = any_of(r"\b(?:go|goes|going|went)\s+(?:through|via|to)\s+Ofsted\b",
                       r"\b(?:ask|contact|approach)\s+Ofsted\b")


def _of_everyone(statement: str) -> bool:
    """A statement that may bear on anyone asked about ("Please see attached", "All 3 not known", "Everything
    else is as per my earlier email"): it says something, or points at the people or another mail; not
    courtesy, a heading or a signature's line."""
    if _HEADING.search(statement) or (_COURTESY.search(statement) and not _speaks_of_record(statement)
                                      and _verdict(statement) is None):
        return False
    return bool(_verdict(statement) or _speaks_of_record(statement) or _still_checking(statement)
                or _POINTS_AT_THEM.search(statement))


_POINTS_AT_THEM = any_of(r"\b(?:all|none|neither|either|both|them|they|above|below|attached|earlier|before|household|"
                         r"family|everyone|anyone|people|names|rest|others?)\b")


# A table's heading row, as text: "Name | DOB | Known to LADO? | Comments".
_HEADING = any_of(r"^\W*(?:full\s+)?names?\b[\s|\t]+(?:(?:DOB|D\.O\.B\.?|date\s+of\s+birth|relationship|role)"
                  r"[\s|\t]+)*known\b")


# Plainly about no one: greetings, thanks, offers of help.
_COURTESY = any_of(
    r"^\W*(?:hi|hello|hiya|dear|morning|good\s+(?:morning|afternoon|evening)|afternoon|thanks|thank\s+you|many\s+thanks|"
    r"cheers|regards|kind\s+regards|best\s+wishes|hope\s+you)\b",
    r"\b(?:any|if\s+you\s+have\s+(?:any|further))\s+(?:further\s+)?(?:questions|queries|problems|concerns)\b",
    r"\blet\s+(?:me|us)\s+know\b", r"\bhope\s+(?:this|that)\s+helps\b", r"\bhappy\s+to\s+(?:help|discuss)\b",
    r"\b(?:do\s+not|don['’]t)\s+hesitate\b", r"\b(?:give\s+me\s+a\s+(?:call|ring)|call\s+me|ring\s+me|contact\s+me)\b",
)
# Record words (issue 21): a statement carrying one for someone makes them known or unclear.
_RECORD = any_of(
    r"\breferr(?:al|als|ed)\b", r"\ballegations?\b", r"\bconcerns?\b", r"\brecords?\b", r"\binvolvement\b",
    r"\bstrategy\b", r"\binvestigat\w*", r"(?-i:\bNFA\b)", r"\bno\s+further\s+action\b", r"\bconsult(?:ations?|ed)\b",
    r"\bcame\s+to\s+(?:our|the\s+LADO['’]?s?|LADO['’]?s?)\s+attention\b", r"\bon\s+file\b", r"\barchiv\w*",
    r"\bhistoric(?:al)?\s+(?:matter|case|issue|incident|file|record|referral|allegation|concern)s?",
    r"\b(?:un)?substantiated\b", r"\bunfounded\b", r"\bincident\b",
)
# Describing the search ("I have checked our records") is not a record.
_STORE = r"(?:records?|systems?|databases?|spreadsheets?|files?|index|archives?|CareFirst|Eclipse)"
_SEARCHED = any_of(rf"\b(?:check(?:ed|ing|s)?|search(?:ed|ing|es)?|look(?:ed|ing)|went|been|run|ran|review(?:ed)?|"
                   rf"interrogat\w+)\b[^.;:?!]{{0,80}}?\b{_STORE}\b(?:\s*(?:,|and)\s+[^.;:?!,]{{0,50}}?\b{_STORE}\b)*",
                   r"\b(?:our|LADO)\s+records\s+(?:show|indicate|confirm)", r"\bfor\s+the\s+record\b",
                   r"\b(?:on|in)\s+(?:our|the|LADO['’]?s?)\s+(?:records?|systems?|databases?|files?)\b")
# Holding words about someone: the answer is not yet an answer for them.
_STILL_CHECKING = any_of(
    r"\b(?:I|we)(?:['’]ll|\s+will|['’]d|\s+would)?\s+(?:still\s+)?need\s+to\s+(?:check|confirm|look|speak|ask|clarify|verify|"
    r"double)", r"\bneeds?\s+(?:to\s+be\s+)?(?:checked|confirmed|verified|looked\s+into)\b",
    r"\b(?:with|ask(?:ed|ing)?|waiting\s+(?:for|on))\s+(?:a|my)\s+(?:colleague|manager)\b",
    r"\b(?:a|my)\s+colleague\s+(?:will|is\s+(?:going|checking|looking)|to\s+check)\b",
    r"\bwill\s+(?:need\s+to\s+)?confirm\b", r"\b(?:come|get)\s+back\s+to\s+you\b", r"\bstill\s+(?:checking|looking|"
    r"waiting|to\s+check)\b", r"\bnot\s+(?:yet\s+been|been|yet)\s+(?:able|checked)\b", r"\bhave\s*n['’]t\s+(?:yet\s+)?"
    r"(?:checked|been\s+able|had\s+a\s+chance)", r"\bawaiting\b", r"\bto\s+follow\b",
)
# Another name a record may be under: a doubt, unless LADO found the record under it ("I've found him under
# his previous name, with the same DOB: a referral in 2014").
_OTHER_NAME = any_of(r"\b(?:a\s+)?(?:different|alternative|other|another)\s+spelling\b", r"\bspelt\s+differently\b",
                     r"\bmaiden\s+name\b", r"\bprevious(?:ly)?\s+(?:known\s+as|name|surname)\b", r"\balias\b",
                     r"\balso\s+known\s+as\b", r"(?-i:\bAKA\b)")
_FOUND_UNDER = any_of(r"\b(?:found|located|traced)\s+(?:him|her|them|a\s+record)\b",
                      r"\bsame\s+(?:DOB|date\s+of\s+birth)\b")


def _still_checking(words: str) -> bool:
    """Holding words for someone, not what was already done ("the alternative spelling I also tried")."""
    if _TRIED.search(words):
        return False
    other_name = _OTHER_NAME.search(words) and not (_FOUND_UNDER.search(words) and _speaks_of_record(words))
    return bool(_STILL_CHECKING.search(words) or other_name)


_TRIED = any_of(r"\b(?:also\s+)?tried\b", r"\balso\s+(?:checked|searched|ran)\b")


def _speaks_of_record(words: str) -> bool:
    """A record word the words say, not deny ("no allegations, referrals or consultations") or describe
    searching ("checked our records")."""
    return bool(_RECORD.search(_unnegated(_SEARCHED.sub(" ", words))))


# A denial governs the list after it: "no allegations, referrals, consultations or strategy meetings"
# (but "not substantiated, NFA" still says NFA).
_ITEM = r"(?!NFA\b|no\s+further)[\w'’-]+(?:\s+[\w'’-]+){0,2}"
_DENIED_LIST = re.compile(rf"(?:\b(?:no|not|never|nothing|without|neither|nor|none|nil)\b|n['’]t\b)\s+(?:\w+\s+){{0,3}}"
                          rf"{_ITEM}(?:\s*,\s*{_ITEM})*(?:\s*,?\s+(?:or|and|nor)\s+{_ITEM})?", re.IGNORECASE)


def _weighed(readings: list[Reading]) -> Reading:
    """One verdict from all the answer says of a person. Any doubt stands (a question back, a check still to
    do, a record no one can be placed by); "known" and "not known" together give known only when a record is
    named, otherwise unclear, never the kinder reading. LADO saying plainly that they do not know someone
    outweighs what other services hold ("a police DA notification ... not known to LADO")."""
    plain_no = [v for v in readings if v[0] == NOT_KNOWN and re.search(r"\bLADO\b|\bto\s+us\b", v[1])]
    known = [v for v in readings if v[0] == KNOWN]
    if plain_no and known and all(_ELSEWHERE.search(words) and not _LADO_HOLDS.search(words) for _, words in known):
        return plain_no[0]
    verdicts = {v for v, _ in readings}
    if UNCLEAR in verdicts:
        return next(v for v in readings if v[0] == UNCLEAR)
    if verdicts == {KNOWN, NOT_KNOWN} and not any(_STRONG_POSITIVE.search(_unnegated(w)) for _, w in known):
        return UNCLEAR, known[0][1]
    return max(readings, key=lambda v: _rank(v[0]))


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
_LABELLED = re.compile(r"^((?:[\w'’.\-]+\s){0,4}[\w'’.\-]+)\s*(?::|\s[-–—]\s?|\s{2,}|\t)\s*(.+)$")
_CLAUSE_BREAK = re.compile(r";|\s+but\s+|\s+whereas\s+|\s+-\s+(?=[A-Z])|,\s+(?=[A-Z][\w'’]+\s+(?:is|was|has)\b)")


def _rank(verdict: str) -> int:
    """When two statements differ, the cautious one stands: a question back (LADO are not sure) over known
    over not known. An unclear person is never said to be known or not known in the response."""
    return {UNCLEAR: 2, KNOWN: 1, NOT_KNOWN: 0}[verdict]


def _statement_verdicts(statement: str, checked: Sequence[str],
                        relations: Mapping[str, str] | None = None) -> dict[str, str]:
    """What one sentence or line says of each person it names (by name, or by relation: "her son"): each
    clause's own verdict, and for names in a clause that gives none ("No trace for Mrs Achterberg or
    Lotte"), the sentence's, if it has one. A clause naming no one that speaks of a record or a doubt
    ("Mrs Cole is not known, but there was a consultation in 2017") is said of the people the sentence
    names; holding words ("I need to check Mr Cole with a colleague") make a person unclear."""
    if _RULED_OUT.search(statement):  # "a Paul Dean on our system, but ... he isn't your applicant"
        return {n: NOT_KNOWN for n in checked if _mention_positions(statement, n, checked)}
    labelled = _labelled_verdicts(statement, checked)
    if labelled:
        return labelled
    clauses = [c for c in _CLAUSE_BREAK.split(statement) if c.strip()]
    said = {v for v in (_verdict(c) for c in clauses) if v}
    whole = next(iter(said)) if len(said) == 1 else (_verdict(statement) if not said else None)
    verdicts: dict[str, str] = {}
    aside: list[str] = []
    for clause in clauses:
        people = _people_in(clause, checked, relations or {})
        own = UNCLEAR if _still_checking(clause) else _verdict(clause)
        if not people and not _RELATED.search(clause) and (own in (KNOWN, UNCLEAR) or _speaks_of_record(clause)):
            aside.append(own or _told(clause) or UNCLEAR)
        for name in people:
            verdict = own or whole
            if verdict is not None:
                verdicts[name] = _more_cautious(verdicts.get(name), verdict)
    for verdict in aside if verdicts else ():
        verdicts = {name: _more_cautious(v, verdict) for name, v in verdicts.items()}
    return verdicts


def _more_cautious(was: str | None, now: str) -> str:
    if was is None or was == now:
        return now
    return UNCLEAR if {was, now} == {KNOWN, NOT_KNOWN} else max(was, now, key=_rank)


def _labelled_verdicts(statement: str, checked: Sequence[str]) -> dict[str, str]:
    """"Mrs Nwosu: no", "Rachel - no trace", "Tyler: Y"."""
    labelled = _LABELLED.match(statement)
    label = labelled.group(1) if labelled else ""
    if not labelled or re.search(r"\b(?:is|are|was|were|known)\b", label) or not any(
            _mention_positions(label, n, checked) for n in checked):
        return {}
    tail = labelled.group(2).strip(" .")
    verdict = _short_answer(tail)
    if verdict is not None and _still_checking(tail):
        verdict = UNCLEAR
    if verdict == NOT_KNOWN and _speaks_of_record(tail) and _STRONG_POSITIVE.search(_unnegated(tail)):
        verdict = KNOWN
    if verdict is None:
        return {}
    return {n: verdict for n in checked if _mention_positions(label, n, checked)}


# Relations as an answer writes them, and the relations of the request they stand for.
_KIN = {"partner": ("partner", "husband", "wife", "spouse", "boyfriend", "girlfriend", "fianc"),
        "husband": ("husband", "partner", "spouse"), "wife": ("wife", "partner", "spouse"),
        "son": ("son",), "daughter": ("daughter",), "mother": ("mother", "mum"), "mum": ("mother", "mum"),
        "father": ("father", "dad"), "dad": ("father", "dad"), "lodger": ("lodger",), "brother": ("brother",),
        "sister": ("sister",), "grandmother": ("grandmother", "nan"), "grandfather": ("grandfather", "grandad"),
        "applicant": ("applicant",), "applicants": ("applicant",), "couple": ("applicant",),
        "carer": ("applicant",), "carers": ("applicant",), "adults": ("applicant", "partner", "husband", "wife"),
        "stepson": ("son", "stepson"), "stepdaughter": ("daughter", "stepdaughter")}
_RELATED = re.compile(r"\b(?:the|her|his|their|your|applicant['’]s|both|mrs?\s+\w+['’]s)\s+"
                      r"(?:adult\s+|eldest\s+|older\s+|oldest\s+|youngest\s+|younger\s+|step-?\s?)?"
                      r"(" + "|".join(_KIN) + r")\b", re.IGNORECASE)


def _couple(couple: re.Match[str], checked: Sequence[str], relations: Mapping[str, str]) -> list[str]:
    """For each title of "Mr and Mrs Dobson", the one person of that title and surname, or the one of them
    who is an applicant or an applicant's spouse or partner; no one when that leaves more than one."""
    found = []
    for title in re.findall(r"\b(mrs|mr|ms)\b", couple.group().lower()):
        same = [n for n in checked if (k := parse_name(n)) and k.title.lower().rstrip(".") == title
                and k.last == normalise(couple.group(1))]
        spouses = [n for n in same if re.search(r"applicant|husband|wife|partner|spouse", relations.get(n, ""))]
        found += same if len(same) == 1 else spouses if len(spouses) == 1 else []
    return found


_COUPLE = re.compile(r"\b(?:mr|mrs|ms)\.?\s*(?:and|&|\+|/|or|nor)\s*(?:mr|mrs|ms)\.?\s+([A-Z][\w'’\-]+)", re.IGNORECASE)


def _people_in(clause: str, checked: Sequence[str], relations: Mapping[str, str]) -> list[str]:
    """The people a clause names, or failing a name, those with the relation it speaks of ("her son");
    none when no one checked has that relation."""
    named = [n for n in checked if _mention_positions(clause, n, checked)]
    couple = _COUPLE.search(clause)
    if couple:  # "Neither Mr nor Mrs Dobson": the couple of that name, not their son Mr Dobson
        named += [n for n in _couple(couple, checked, relations) if n not in named]
    related = [n for m in _RELATED.finditer(clause) for n in _kin_of(m, checked, relations)]
    return named + [n for n in dict.fromkeys(related) if n not in named]


def _kin_of(mention: re.Match[str], checked: Sequence[str], relations: Mapping[str, str]) -> list[str]:
    """The people with the relation a mention speaks of; none when it could be more than one of them ("the
    son" of two sons, "the applicant" of three) or "both" finds other than two."""
    word = mention.group(1).lower()
    found = [n for n in checked if any(re.search(rf"\b{k}", relations.get(n, ""), re.IGNORECASE) for k in _KIN[word])]
    if mention.group().lower().startswith("both"):
        return found if len(found) == 2 else []
    return found if word in _PLURAL_KIN or len(found) == 1 else []


_PLURAL_KIN = frozenset({"applicants", "couple", "carers", "adults"})


def _everyone_not_known(text: str, anyone_named: bool, checked: Sequence[str]) -> str:
    """A negative said of everyone ("None of the above are known", "No trace of any of them"), or a bare
    "Not known." when the answer names no one; else ""."""
    for sentence in _statements(text):
        if _EVERYONE_NOT.search(sentence) and _verdict(sentence) != KNOWN and not _not_them(sentence, checked):
            return sentence
    body = [s for s in _statements(text) if not re.match(r"^(?:hi|hello|dear|morning|afternoon|thanks|regards)\b", s,
                                                          re.IGNORECASE) and len(s.split()) > 1]
    if not anyone_named and len(body) == 1 and _verdict(body[0]) == NOT_KNOWN and len(body[0].split()) <= 12 \
            and not _not_them(body[0], checked):
        return body[0]
    return ""


_COUNT = {"both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "tri": 3, "dau": 2, "pedwar": 4, "pump": 5}


def _not_them(sentence: str, checked: Sequence[str]) -> bool:
    """"All 3 not known" when four were asked about, "Neither Mr nor Mrs Akhtar" when the Akrams were: a
    negative said of other people, which rules out no one asked about."""
    counted = re.search(r"\b(?:all|the|y|of)\s+(\d|two|three|four|five|six)\b|\b(both|tri|dau|pedwar|pump)\b", sentence,
                        re.IGNORECASE)
    if counted:
        word = (counted.group(1) or counted.group(2)).lower()
        if int(_COUNT.get(word, word if word.isdigit() else 0)) != len(checked):
            return True
    surnames = {k.last for k in map(parse_name, checked) if k}
    titled = re.findall(r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+(?:(?:and|or|nor|&)\s+(?:Mr|Mrs|Ms|Miss)\.?\s+)?"
                        r"([A-Z][\w'’\-]+)", sentence)
    return any(normalise(t) not in surnames for t in titled)


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
            verdict = _SHORT.get(cell)
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
    lowered = normalise(re.sub(r"(?<=\w)['’]s\b", "", statement))  # "under Mr Threlfall's name"
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
    if _DOUBLE_NEGATIVE.search(words):
        return KNOWN  # "I wouldn't say he's unknown to us"
    if _RULED_OUT.search(words):
        return NOT_KNOWN  # "there is a Paul Dean on our system, but a different DOB: he isn't your applicant"
    if _QUESTION.search(words):
        return UNCLEAR
    if _SOFT_NO.search(words) and not _NEGATIVE.search(_SOFT_NO.sub(" ", words)):
        # "historic only (2005), nothing recent" is a record; "no concerns about her" may hide a closed matter
        rest = _unnegated(_SOFT_NO.sub(" ", words))
        return KNOWN if _STRONG_POSITIVE.search(rest) or re.search(r"\bhistoric", rest, re.IGNORECASE) else UNCLEAR
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
    blanked = list(words)
    for pattern in (_NEGATED, _DENIED_LIST):
        for m in pattern.finditer(words):
            blanked[m.start():m.end()] = " " * (m.end() - m.start())
    return "".join(blanked)


_NEGATED = re.compile(r"(?:\b(?:no|not|never|nothing|without|neither|nor)\b|n['’]t\b)[^,;.:()]*?(?=[,;.:()]|\bbut\b|$)",
                      re.IGNORECASE)


# -- A&F (CHARMS) ---------------------------------------------------------------------------------

_APPROVED = any_of(r"\bapproved\b(?!\s+(?:by\s+)?panel\s+(?:was|had)\s+not)", r"\bregistered\s+(?:as\s+)?(?:a\s+)?"
                   r"(?:foster|carer)", r"\b(?:was|were)\s+(?:a\s+|an\s+)?(?:foster\s+)?carers?\b",
                   r"\bfostered\s+for\s+(?:us|the\s+trust)\b")
_DEREGISTERED = any_of(r"\bde-?registered\b", r"\bresign(?:ed|ation)\b", r"\bapproval\b[^.]{0,30}?\b(?:ended|terminated"
                       r"|ceased|removed|revoked|came\s+to\s+an\s+end)\b", r"\b(?:retired|stopped\s+fostering)\b",
                       r"\btermination\b")
_WITHDREW = any_of(r"\bwithdr(?:ew|awn|awal)\b", r"\bpulled\s+out\b",
                   r"(?<!\bwe\s)\bdid\s*(?:n['’]t|\s+not)\s+(?:proceed|continue|"
                   r"progress|go\s+ahead)\b",
                   r"\b(?:chose|decided)\s+not\s+to\s+(?:proceed|continue|progress|go\s+ahead)\b",
                   r"\bchanged\s+their\s+minds?\b", r"\bchanged\s+(?:her|his)\s+mind\b")
_HEALTH = any_of(
    r"\b(?:health|medical|medically|illness|ill|unwell|diagnos\w*|surgery|operation|treatment|cancer|depression|"
    r"anxiety|stroke|heart|cardiac|(?-i:MS)|multiple\s+sclerosis|mental\s+health|disability|chronic|"
    r"terminal|condition|knee|hip|(?:joint|knee|hip)\s+replacement|recover(?:y|ing)|injur(?:y|ies|ed)|mobility)\b",
)
_MONEY = any_of(
    r"\b(?:financ\w*|debts?|money|bankrupt\w*|insolven\w*|IVA|arrears|afford\w*|unemploy\w*|repossess\w*|CCJs?|"
    r"redundan\w*|mortgage|income|benefits|loans?|bills|cost\s+of\s+living|rent\s+increase)\b",
)
# "nothing to do with his health": that reason set aside, whatever else the answer says of it.
_NOT_THE_REASON = re.compile(r"\bnothing\s+to\s+do\s+with\s+(?:his|her|their|the)\s+(?:(health)|(financ\w*|money))",
                             re.IGNORECASE)
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
                    r"\bnothing\s+(?:is\s+)?(?:on|held)")


def read_af_answer(mail: ParsedMail, checked: Sequence[str], relations: Mapping[str, str] | None = None) -> TeamAnswer:
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
    set_aside = [m.groups() for m in _NOT_THE_REASON.finditer(cleaned)]
    reasons = [p for p, n in ((_HEALTH, 0), (_MONEY, 1)) if not any(g[n] for g in set_aside)]
    return any(m.group().lower().startswith("afford")
               or not _DENIED.search(window(cleaned, m.start(), m.start(), 40, 0))
               for pattern in reasons for m in pattern.finditer(cleaned))


def _said(pattern: re.Pattern[str], text: str) -> bool:
    """`pattern` said of what happened, not denied or only hoped for ("not approved", "to be approved")."""
    return any(not _DENIED_BEFORE.search(text[max(0, m.start() - 25):m.start()])
               and not _DENIED_AFTER.match(text, m.end()) for m in pattern.finditer(text))


_DENIED_AFTER = re.compile(r"\s*[|:\t]\s*(?:no|n|none|never)\b", re.IGNORECASE)  # a table's "Approved | No"


# Each team's answer, the people asked about, and how each stands in the household ("applicant", "son").
AnswerReader = Callable[[ParsedMail, Sequence[str], Mapping[str, str]], TeamAnswer]
# The readers a check team names (`bot.teams.CheckTeam.reader`): a new team adds its own here.
READERS: dict[str, AnswerReader] = {"lado": read_lado_answer, "af": read_af_answer}


def read_answer(reader: str, mail: ParsedMail, checked: Sequence[str], relations: Mapping[str, str]) -> TeamAnswer:
    """The answer read by the reader a team names."""
    return READERS[reader](mail, checked, relations)


def readers_missing(names: Sequence[str]) -> list[str]:
    """The reader names no reader answers to: a check team configured without one cannot read its answers."""
    return [name for name in names if name not in READERS]
