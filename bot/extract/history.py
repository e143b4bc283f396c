"""Whether an applicant fostered, adopted, or applied to, before: with this trust, or elsewhere.

Seed 000: an applicant who fostered or applied to foster or adopt with the trust may be
on A&F's CHARMS system, so a CHARMS check is needed. The mail says so in many ways:
"with you", "your adoption service", "approved by your panel", "a former ECT foster
carer", "adopted a child from Elmbury", or the trust's own names, which the
configuration lists (`organisation.also_known_as`). Fostering with another council or
agency needs no CHARMS check, but the RAO checks CareFirst, so the LADO check carries
a note quoting the words. The writer's own organisation ("fostered with us", "a
current carer with Kestrel") is elsewhere too. "Has not fostered before" is no history.
History that names no place ("a former foster carer") may be with the trust: the CHARMS
check is the cautious branch, and its draft quotes the words so the RAO can judge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.patterns import any_of

_DID = any_of(
    r"\b(?:fostered|adopted|(?:was|were|been|is|are|became|had\s+been)\s+(?:an?\s+)?(?:approved\s+|registered\s+|"
    r"former\s+|current\s+|short[\s\-]break\s+|respite\s+|long[\s\-]term\s+|connected\s+person\s+)*"
    r"(?:foster(?:ing)?\s+carers?|adopters?|carers?|short[\s\-]break\s+carers?)|approved|registered|deregistered|"
    r"de-registered|resigned|applied|enquired|made\s+an?\s+(?:application|enquiry)|was\s+assessed|were\s+assessed|"
    r"started\s+(?:an?\s+)?(?:assessment|application)|withdrew|went\s+to\s+panel|stopped\s+fostering|"
    r"foster\s+carers?\s+(?:for|with)|(?:former|previous|ex-?)\s+(?:\w+\s+)?(?:foster\s+)?carers?|"
    r"transferr(?:ed|ing)\s+(?:from|to)|used\s+to\s+(?:foster|adopt|be)|placed\s+(?:\w+\s+){0,5}for\s+adoption|"
    r"adoption\s+order|had\s+an?\s+(?:fostering|adoption|form\s+f)\s+assessment|one\s+of\s+(?:your|our|their)\s+"
    r"(?:\w+\s+)?carers|(?:was|were|had\s+been|has\s+been|have\s+been)\s+(?:\w+\s+){0,6}?(?:carers?|fostering|"
    r"adoption|adopters?)|used\s+to\s+have\s+(?:\w+\s+)?children|had\s+(?:\w+\s+)?children\s+placed|"
    r"on\s+(?:your|the|their)\s+books|previous\s+(?:\w+\s+)?(?:assessment|application))\b",
)
_FOSTER_WORDS = any_of(r"\bfoster", r"\badopt", r"\bcarers?\b", r"\bpanel\b", r"\bapproval\b", r"\bshort[\s\-]break",
                       r"\bapplied\b", r"\bapplication\b", r"\bassessment\b", r"\bchildren\s+(?:from|placed)\b",
                       r"\bbooks\b")
_THIS_TRUST = (
    r"\b(?:with|for|by|to|through|via|from|at)\s+(?:you|yourselves)\b(?!\s+(?:for|in|to)\b)",
    r"\byour\s+(?:own\s+)?(?:trust|authority|council|service|fostering|adoption|panel|agency|department|team|"
    r"organisation|organization|children['’]s\s+services|local\s+authority|area|records|books)\b",
    r"\bthe\s+trust\b",
    r"\bwith\s+you(?:rs)?\b",
)
_NOT_BEFORE = any_of(
    r"\b(?:not|never|no|neither|nor|none)\b[^.;]{0,40}(?:fostered|adopted|applied|approved|previous|before|history)",
    r"\bno\s+(?:previous|prior|known)\s+(?:fostering|adoption|involvement|history|applications?)",
    r"\bfirst\s+(?:time|application)\b", r"\bnone\b",
)
# Fostering or adopting that happened, whoever with: "a former foster carer", "adopted in 2012".
_PAST = any_of(r"\b(?:former|previous|ex-?)\s+(?:\w+\s+)?(?:foster\s+)?carers?\b", r"\bpreviously\b",
               r"\bused\s+to\s+(?:foster|adopt)\b", r"\b(?:fostered|adopted)\b", r"\bderegistered\b",
               r"\bde-registered\b", r"\bresigned\b", r"\bbefore\b", r"\bin\s+(?:19|20)\d{2}\b")
# The application being assessed now, by the writer's own organisation: not a history.
_NOW = any_of(r"\b(?:have|has)\s+(?:now\s+|recently\s+|just\s+)?applied\b", r"\bwho\s+(?:have|has)\s+applied\b",
              r"\b(?:are|is|am)\s+(?:currently\s+)?(?:being\s+)?assess", r"\bour\s+(?:current\s+)?assessment\b",
              r"\bassessing\b", r"\bapplying\s+to\b", r"\bhas\s+come\s+to\s+us\b",
              r"\bregistered\s+(?:their|his|her)\s+interest\b", r"\bnow\s+in\s+stage\s+(?:1|2|one|two)\b")
# Who the writer is, or what their agency is ("I'm a supervising social worker with Thistlegate Fostering, an
# agency registered with the Care Inspectorate"): no applicant's history.
_ABOUT_THE_WRITER = any_of(r"^\W*I\s*(?:['’]m|am)\s+(?:an?|the)\b",
                           r"\bregistered\s+with\s+(?:the\s+)?(?:Care\s+Inspectorate|Ofsted|CIW|Charity\s+Commission)\b")


@dataclass(frozen=True)
class History:
    with_this_trust: bool
    elsewhere: bool
    words_this_trust: str  # the words that say so, for the CHARMS check and the chronology
    words_elsewhere: str  # ... and for the note on the LADO check
    words_no_place: str = ""  # history that names no place: perhaps with the trust

    @property
    def charms_check(self) -> bool:
        """A&F's CHARMS may hold a record: with the trust, or nothing says it was elsewhere."""
        return self.with_this_trust or bool(self.words_no_place) and not self.elsewhere

    @property
    def charms_words(self) -> str:
        return self.words_this_trust or self.words_no_place


def read_history(text: str, own_names: Sequence[str], writer_organisation: str = "") -> History:
    """What the mail says about earlier fostering or adoption; `own_names` are the trust's names."""
    this, elsewhere, no_place = "", "", ""
    own = _own_pattern(own_names)
    for sentence in _sentences(text):
        flat = " ".join(sentence.split())[:220]
        for clause in _CLAUSE.split(sentence):
            if not (_DID.search(clause) and _FOSTER_WORDS.search(clause)) or _NOT_BEFORE.search(clause) \
                    or _ABOUT_THE_WRITER.search(clause):
                continue
            if own.search(clause):
                this = this or flat
            elif _elsewhere(clause, writer_organisation):
                elsewhere = elsewhere or flat
            elif _PAST.search(clause) and not _NOW.search(clause):
                no_place = no_place or flat
    return History(bool(this), bool(elsewhere), this, elsewhere, no_place)


# "with the Trust since 2019, and before that they fostered with Sunhill", "... and since then has fostered with
# Northway": two histories in one sentence.
_CLAUSE = re.compile(r",?\s+and\s+before\s+that\b|,?\s+and\s+since\s+(?:then|that)\b|;\s*"
                     r"|,\s+(?:but|and)\s+(?=\w+\s+(?:\w+\s+)?(?:fostered|adopted|was|were))"
                     r"|\s+before\s+(?:that|which)\b", re.IGNORECASE)


def _own_pattern(own_names: Sequence[str]) -> re.Pattern[str]:
    """This trust by the words a request uses: "with you", "your panel", "the Trust", and its own names
    where they name the organisation ("for Elmbury", "Elmbury's adoption team", "a former ECT carer"),
    not the place ("lived in Elmbury")."""
    names = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in own_names if n.strip()) or "(?!)"
    return any_of(
        *_THIS_TRUST,
        rf"\b(?:with|for|by|through|via|from|at|to)\s+(?:the\s+)?(?:{names})\b(?!\s+(?:EB\d|area|city\s+centre))",
        rf"\b(?:{names})['’]s\s+(?:own\s+)?(?:fostering|adoption|panel|foster|children|service|team|care)",
        rf"\b(?:{names})\s+(?:foster(?:ing)?|adoption|adopt|carers?|panel|approved|short[\s\-]break)\b",
    )


def _elsewhere(sentence: str, writer_organisation: str) -> bool:
    """Another council or agency, or the writer's own ("with us"): anywhere but this trust."""
    if _NOW.search(sentence) and not re.search(r"\b(?:previously|before|until|between|from\s+\d{4}|in\s+(?:19|20)\d{2}|"
                                                r"years?\s+ago|for\s+\w+\s+years)\b", sentence, re.IGNORECASE):
        return False
    if re.search(r"\b(?:with|for|by|to|through|via|from)\s+(?:us|another|an?\s+(?:other|independent|different|"
                 r"agency|local\s+authority|council)|[A-Z][\w&'’\-]+)", sentence) or re.search(
                 r"\b(?:fostered|adopted|carers?|approved)\s+(?:\w+\s+){0,2}in\s+[A-Z]", sentence):
        return True
    if re.search(r"\b(?:is|are)\s+(?:one\s+of\s+)?our\s+(?:only\s+|approved\s+|current\s+)*(?:foster\s+)?carers?\b",
                 sentence, re.IGNORECASE):
        return True
    return bool(writer_organisation) and writer_organisation.lower() in sentence.lower()


def _sentences(text: str) -> list[str]:
    """Sentences, and the lines of a list or a table ("Previous fostering: ..."), each on its own."""
    lines: list[str] = []
    for line in text.splitlines():
        wrapped = lines and len(lines[-1]) >= 55 and not re.search(r"[.!?:;|)]\s*$", lines[-1]) and (
            line[:1].islower() or line.lstrip()[:1] == "("
            or re.search(r"\b(?:of|the|a|an|and|on|in|to|by|at|with|for|from)\s*$", lines[-1]))
        if wrapped:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return [s for line in lines for s in re.split(r"(?<=[.!?])\s+", line) if s.strip()]
