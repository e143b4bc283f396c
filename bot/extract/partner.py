"""What a partner agency's request says, and what a Level 2 request still lacks (seed 001).

Level 2 needs a completed Request for Information Form (attached, or its fields written into
the mail) and evidence of consent, written or the agency's confirmation of verbal consent,
unless a formal process makes consent unnecessary: a section 47 enquiry, care proceedings,
a section 7 or 37 report, or the Public Law Outline. Probation must also set out its
concerns (offences such as theft or driving without due care are not enough alone), why it
needs the information, and whether consent was sought and if not why not. Each gap is a
code (`missing`), phrased for the more-information draft by `GAP_SENTENCES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.extract.consent import consent_said
from bot.extract.names import names_in
from bot.extract.text import any_of, head
from bot.mail import ParsedMail
from bot.partners import AGENCIES, EXEMPTIONS, exemption, whole_words
from bot.rules import said

GAP_SENTENCES = {
    "rfi_form": "A completed Request for Information Form (it is on the Children's Trust website): please "
                "complete it and send it with your request.",
    "consent": "Evidence of consent, or the reason consent is not needed (such as a section 47 enquiry, care "
               "proceedings, a section 7 or 37 report, or PLO).",
    "concerns": "What Probation's concerns are: the offences, and what you are worried about.",
    "concerns_not_sufficient": "Offences such as driving without due care and attention or theft are not enough "
                               "on their own for CASS to release information: please say whether there are "
                               "concerns of a safeguarding nature (for example domestic abuse, or violence to "
                               "children or animals).",
    "purpose": "Why you need the information (a report for court or the Parole Board, a risk assessment for release, "
               "work during the licence period).",
    "consent_statement": "Whether consent was sought and, if not, why not.",
}
PROBATION_GIVEN = {"concerns": "Probation's concerns (the offences)", "purpose": "why you need the information",
                   "consent_statement": "whether consent was sought, and why it was not"}
_EXEMPTIONS = tuple((e.code, any_of(*whole_words((*e.cited, *e.described)))) for e in EXEMPTIONS)
_S47 = exemption("s47").citation
# A process named but not the one the request is part of: denied, or asked about ("whether there was a CP plan,
# CIN plan or S47 enquiry" lists what CASS may share, it is not a section 47 enquiry now).
_NOT_AN_EXEMPTION = any_of(rf"\b(?:not|no)\s+(?:an?\s+)?(?:open\s+|current\s+|active\s+)?(?:{_S47}|"
                           r"care\s+proceedings|PLO)\b",
                           rf"\b(?:whether|if)\b[^.?]{{0,80}}\b(?:{_S47})\b(?:\s+(?:enquir\w*|investigation\w*))?",
                           rf"\b(?:CP|CIN)\b[^.?\n]{{0,40}}\b(?:{_S47})\b(?:\s+(?:enquir\w*|investigation\w*))?",
                           rf"\b(?:any|previous|past|historic(?:al)?)\s+(?:{_S47})\b")
_OVERRIDE = any_of(
    r"\bconsent\b[^.\n]{0,60}\bnot\s+(?:been\s+)?(?:required|needed|necessary|sought|obtained|requested|asked)\b"
    r"(?:\s*[-–—:(]\s*\w|[^.\n]{0,60}\b(?:because|due\s+to|owing\s+to|since|given|on\s+the\s+grounds|as\b(?!\s+yet)))",
    r"\b(?:overrid\w*|overrule\w*|dispens\w*)\b[^.\n]{0,40}\bconsent\b",
    r"\bconsent\b[^.\n]{0,60}\b(?:overridden|overruled|dispensed)\b",
)
_PROBATION = any_of(r"(?<!\bon\s)(?<!\bon\s\s)\bprobation\s+(?:service|practitioner|officer|team|report|court|"
                    r"office)\b", r"\bHMPPS\b", r"\bPSR\b", r"\bpre[\s-]sentence\s+report\b",
                    r"\b(?:I|we)\s+(?:am|are)\s+(?:the\s+)?(?:\w+\s+)?probation\b")
_CONCERNS = any_of(
    r"\b(?:offen[cs]es?|offending|convict(?:ed|ions?)|charged|charges?|assault\w*|violen\w*|abuse|sexual|threats?)\b",
    r"\b(?:stalking|harassment|arson|weapons?|indecent|grooming|cruelty|neglect|animals?|coercive|controlling)\b",
    r"\b(?:risk|harm|danger)\s+(?:to|of|towards)\b", r"\b(?:concern(?:s|ed)?|worried|worries)\s+(?:about|regarding|"
    r"that|around|over|for)\b", r"\bDA\b", r"\b(?:theft|burglary|shoplifting|robbery|driving|drink[\s-]driving|"
    r"motoring|fraud|drugs?)\b",
)
# Concerns of a safeguarding nature; theft and driving offences are not enough alone (seed 001).
_SAFEGUARDING_CONCERNS = any_of(
    r"\b(?:domestic\s+(?:abuse|violence)|assault\w*|violen\w*|abuse|sexual|threats?\s+to\s+(?:kill|harm)|stalking|harassment|arson|weapons?|"
    r"indecent|grooming|cruelty|neglect|animals?|coercive|controlling|domestic|DA\b|child(?:ren)?\s+(?:at\s+risk|"
    r"protection)|safeguarding|harm\s+to\s+(?:a\s+)?child|risk\s+to\s+(?:a\s+)?child(?:ren)?|GBH|ABH|"
    r"rape|exploitation|injur\w*)\b",
)
_NOT_SAFEGUARDING = any_of(r"\bno\s+(?:history\s+of\s+|known\s+)?(?:violence|DA|domestic\s+abuse|safeguarding)\b",
                           r"\bnot\s+(?:of\s+)?a\s+safeguarding\b", r"\bno\s+(?:concerns?\s+)?(?:about|regarding)\s+"
                           r"(?:children|child)")
_PURPOSE = any_of(r"\breports?\b", r"\b(?:parole|court|sentenc\w*|licen[cs]e|MAPPA|supervision|HDC|curfew|"
                  r"approved\s+premises)\b", r"\brisk\s+assess\w*", r"\brelease\w*\b", r"\bcause\s+for\s+concern\b")
_CONSENT_STATEMENT = any_of(r"\bconsent\b[^.\n]{0,80}\b(?:sought|obtained|given|asked|refused|declined|signed|"
                            r"verbal|overridden|dispensed|not\s+(?:been\s+)?(?:sought|obtained|asked))\b",
                            r"\b(?:has|have)\s+(?:given|signed)\b[^.\n]{0,40}\bconsent\b")
_RFI_FILE = re.compile(r"(?<![a-z])rfi(?![a-z])|request[\s_\-]*for[\s_\-]*info|"
                       r"info(?:rmation)?[\s_\-]*request[\s_\-]*form|level[\s_\-]*2", re.IGNORECASE)
_RFI_MENTION = any_of(r"\b(?:completed|attached|enclosed|please\s+find)\b[^.\n]{0,60}\b(?:RFI|request\s+for\s+"
                      r"information\s+form|information\s+request\s+form)\b", r"\b(?:RFI|request\s+for\s+information|"
                      r"information\s+request)\s+form\b[^.\n]{0,40}\b(?:attached|enclosed|completed|below)\b")
_FORM_FIELD = re.compile(r"^\s*(?:\d+[.)]\s*)?(?:child(?:['’]s)?(?:\s+\d)?(?:\s+full)?\s*(?:names?)?|name\s+of\s+child|"
                         r"(?:full\s+)?name(?:/role)?|d\.?o\.?b|date\s+of\s+birth|(?:current\s+|previous\s+\w+\s+)?"
                         r"address|reason\s+for\s+(?:the\s+)?request|purpose(?:\s+of\s+(?:the\s+)?request)?|consent|"
                         r"(?:requesting\s+)?agency|requester|your\s+name|contact|information\s+requested|mother|father|"
                         r"parents?(?:/carers?)?|siblings?|school|index\s+offences?|offences?|previous\s+convictions|"
                         r"person\s+on\s+probation|(?:proposed\s+)?release\s+(?:address|date)|requesting\s+(?:service|"
                         r"agency)|practitioner|subject\s+of\s+(?:the\s+)?request|reason|other\s+children|urgency|"
                         r"timescale)\b[^:|\n]{0,30}(?::|\s\|\s)",
                         re.IGNORECASE | re.M)
_COPIED = any_of(r"\b(?:copied|pasted|typed)\b[^.\n]{0,60}\bform\b[^.\n]{0,40}\b(?:body|email|below)\b")
_FORM_IN_BODY = any_of(r"\b(?:copied|pasted|completed|filled\s+in|typed)\b[^.\n]{0,60}\b(?:RFI|"
                       r"request\s+for\s+information|information\s+request)\b[^.\n]{0,40}\b(?:form|below|body|email)\b",
                       r"^\s*[-=*]*\s*(?:request\s+for\s+information|RFI)(?:\s+form)?(?:\s*\(?level\s*2\)?)?"
                       r"(?:\s*[-–:]\s*[\w ]{0,30})?\s*[-=*]*\s*$")
_NAMED = {a.name: any_of(*whole_words([a.words])) for a in AGENCIES}


@dataclass(frozen=True)
class PartnerFacts:
    agency: str
    rfi_form: bool
    exemption: str | None
    consent: str  # "given" (written, or verbal the agency confirms), "not given"
    probation: bool
    children: tuple[str, ...]  # as written, with a date of birth where the same line gives one
    missing: tuple[str, ...]  # codes of GAP_SENTENCES, for a Level 2 request
    evidence: tuple[str, ...]  # the words the exemption or the concerns rest on

    @property
    def gaps(self) -> tuple[str, ...]:
        return tuple(GAP_SENTENCES[code] for code in self.missing)

    @property
    def given(self) -> tuple[str, ...]:
        """What the request gave that a more-information draft acknowledges rather than asks for again (issue
        21): the exemption it names; for Probation, each of the seed's three answers it gave."""
        given = [f"that {exemption(self.exemption).name} applies, so consent is not needed"] if self.exemption else []
        if self.probation:
            asked = set(self.missing) | ({"concerns"} if "concerns_not_sufficient" in self.missing else set())
            given += [what for code, what in PROBATION_GIVEN.items() if code not in asked]
        return tuple(given)

    def as_json(self) -> dict[str, Any]:
        return {"agency": self.agency, "rfi_form": self.rfi_form, "exemption": self.exemption,
                "consent": self.consent, "probation": self.probation, "children": list(self.children),
                "missing": list(self.missing),
                "evidence": list(self.evidence)}


# An unticked box on a form (Word's and PDF form fields read as ☐, typed "[ ]") and the words it labels, up to
# the next box or the end of the line.
_UNTICKED = re.compile(r"(?:☐|\[\s?\])[ \t]*[^☐☒\[\n]{0,60}")


def read_partner(mail: ParsedMail, text: str) -> PartnerFacts:
    """A partner's request: who asks, whether the form came, which exemption, and what a Level 2 request lacks."""
    words = _UNTICKED.sub(" ", head(text))  # "☐ Section 47 ☒ Care proceedings": only what is ticked is said
    agency = _agency(mail.from_address, f"{mail.subject}\n{words}", mail.fresh_text[-700:])
    probation = agency == "probation" or bool(_PROBATION.search(words))
    rfi = _rfi_form(mail, words)
    exemption, exemption_words = _exemption(words)
    given, denied = consent_said(words)
    overridden = bool(_OVERRIDE.search(words))
    missing = [] if rfi else ["rfi_form"]
    if not given and not exemption and not (probation and overridden):
        missing.append("consent")
    evidence = [exemption_words] if exemption_words else []
    if probation:
        concerns = _CONCERNS.search(words)
        if not concerns:
            missing.append("concerns")
        elif not said(_SAFEGUARDING_CONCERNS, words) or _NOT_SAFEGUARDING.search(words):
            missing.append("concerns_not_sufficient")
        if not _PURPOSE.search(words):
            missing.append("purpose")
        if not (given or overridden or _CONSENT_STATEMENT.search(words)) or denied and not overridden:
            missing.append("consent_statement")
        if concerns:
            evidence.append(_sentence_of(words, concerns.start()))
    return PartnerFacts(agency, rfi, exemption, "given" if given else "not given", probation, _children(words),
                        tuple(dict.fromkeys(missing)), tuple(evidence))


_CHILD_LABEL = re.compile(r"^\s*(?:\d+[.)]\s*)?(?:child(?:ren)?(?:['’]s)?(?:\s+full)?\s+names?|name\s+of\s+(?:the\s+)?"
                          r"(?:child(?:ren)?|young\s+person)|child(?:ren)?|young\s+person|pupil|subject\s+of\s+the\s+"
                          r"request)\s*[:\-–]\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_DOB = re.compile(r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|born)\b\s*[:\-]?\s*([0-9][0-9/.\-]{5,9}|"
                  r"\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]+\s+\d{4})", re.IGNORECASE)


def _children(words: str) -> tuple[str, ...]:
    """The children a partner's request names: after a "Child's name:" label, or with a date of birth on the
    same line; as written, so the RAO checks the right records (the draft never guesses one)."""
    found: list[str] = []
    labelled = [m.group(1) for m in _CHILD_LABEL.finditer(words)]
    dated = [line for line in words.splitlines() if _DOB.search(line) and line not in labelled]
    for line in [*labelled, *dated][:8]:
        dob = _DOB.search(line)
        for name in names_in(line, singles=line in labelled):
            written = f"{name.written} (date of birth {dob.group(1)})" if dob and dob.start() > name.start else \
                name.written
            if not any(name.written in f for f in found):
                found.append(written)
    return tuple(found[:6])


def _agency(sender: str, words: str, signature: str) -> str:
    """Who asks: a partner's own domain first (police.uk, nhs.net, a school's); a council's (gov.uk) says only
    that it is a council, so the signature decides whether it is its housing team or its solicitors."""
    domain = sender.rpartition("@")[2]
    council = re.search(r"\.gov\.uk$|council", domain, re.IGNORECASE) and "justice.gov.uk" not in domain \
        and "cafcass" not in domain
    lowered = domain.lower()
    owner = None if council else next((a.name for a in AGENCIES
                                       if any(part in lowered for part in (*a.domains, *a.more_domains))), None)
    if owner:
        return owner
    for name in ("housing", "solicitor", "probation", "police", "health", "education"):
        if _NAMED[name].search(signature):
            return name
    if council:
        return "local_authority"
    for name, named in _NAMED.items():
        if named.search(words[:1500]):
            return name
    return "other"


def _rfi_form(mail: ParsedMail, words: str) -> bool:
    """The form attached, said to be attached, or its fields written into the mail."""
    if any(_RFI_FILE.search(a.name) for a in mail.attachments):
        return True
    if _RFI_MENTION.search(words) and mail.attachments:
        return True
    fields = len(_FORM_FIELD.findall(words))
    return fields >= 4 or bool(_FORM_IN_BODY.search(words)) and (fields >= 2 or bool(_COPIED.search(words)))


def _exemption(words: str) -> tuple[str | None, str]:
    """The formal process the request names first ("a section 7 report ... whether there was a s47 enquiry" is
    a section 7 report)."""
    cleaned = _NOT_AN_EXEMPTION.sub(" ", words)
    found = [(match.start(), name) for name, pattern in _EXEMPTIONS if (match := pattern.search(cleaned))]
    if not found:
        return None, ""
    at, name = min(found)
    return name, _sentence_of(cleaned, at)


def _sentence_of(text: str, at: int) -> str:
    start = max(text.rfind(".", 0, at), text.rfind("\n", 0, at)) + 1
    stops = [i for i in (text.find(".", at), text.find("\n", at)) if i != -1]
    return " ".join(text[start:min(stops) if stops else len(text)].split())[:200]
