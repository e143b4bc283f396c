"""The teams' conventions, as named rules: the one place to read or change them.

Each `Cue` is a named pattern that counts as evidence for one kind of mail when it
fires in a given place (subject, body, sender's address, attachment names). The
classifier adds up the weights; the names of the cues that fired become the
reasons a person sees. Taken from DESIGN.md "The mail it must understand" and
the seeds (000 OLA process, 001 partner information request levels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Where = Literal["subject", "body", "sender", "attachment"]

# The weight of one cue, by where it fired: a subject is written to be read.
WEIGHTS: dict[Where, int] = {"subject": 3, "body": 1, "sender": 2, "attachment": 1}
# A request kind needs at least this much evidence: one subject cue and one more.
REQUEST_THRESHOLD = 4
# ... from at least this many different cues, so one word twice ("fostering" in
# the subject and the body of a member of the public's question) is not a request.
REQUEST_MIN_CUES = 2


@dataclass(frozen=True)
class Cue:
    name: str
    kind: str
    where: tuple[Where, ...]
    pattern: re.Pattern[str]

    def fires(self, text: str) -> bool:
        return self.pattern.search(text) is not None


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


SUBJECT_AND_BODY: tuple[Where, ...] = ("subject", "body")

REQUEST_CUES: tuple[Cue, ...] = (
    # Level 3: whole files and court bundles belong to the Disclosure Team (001).
    Cue("level 3 wording", "disclosure_request", SUBJECT_AND_BODY, _re(r"\blevel\s*(?:3|three)\b")),
    Cue("full case file", "disclosure_request", SUBJECT_AND_BODY,
        _re(r"\b(?:full|whole|complete|entire|all)\s(?:(?:case|social|care|child'?s?|children'?s|family)\s)*(?:files?|records?|case notes)\b|\bcase files\b|\bcopies of (?:the |all )?(?:case |social care )?(?:files|records)\b")),
    Cue("court bundle", "disclosure_request", SUBJECT_AND_BODY, _re(r"\bcourt bundles?\b")),
    Cue("disclosure", "disclosure_request", SUBJECT_AND_BODY, _re(r"\bdisclosure (?:request|team|of (?:the )?(?:file|record))|\bsubject access request\b|\brequest for disclosure\b")),
    # Level 1: a professional on the phone emails to prove who they are (001).
    Cue("verification", "level1_verification", SUBJECT_AND_BODY, _re(r"\bverif(?:y|ying|ication)\b")),
    Cue("identity", "level1_verification", SUBJECT_AND_BODY,
        _re(r"\b(?:confirm|prove|verify)(?:ing)? (?:who I am|my identity|my ID)\b|\bidentity\b")),
    Cue("as discussed on the phone", "level1_verification", SUBJECT_AND_BODY,
        _re(r"\bas (?:just |we )?(?:discussed|agreed|spoke|requested|per our)\b.{0,30}\b(?:phone|telephone|call|conversation)\b|\b(?:call|conversation|phone|telephone)(?: call)? (?:just now|earlier|a moment ago)\b")),
    Cue("level 1 wording", "level1_verification", SUBJECT_AND_BODY, _re(r"\blevel\s*(?:1|one)\b")),
    # Level 2: partner agencies' Request for Information form (001).
    Cue("request for information form", "partner_request", SUBJECT_AND_BODY,
        _re(r"\brequest for information\b|\brfi\b|\binformation sharing request\b")),
    Cue("level 2 wording", "partner_request", SUBJECT_AND_BODY, _re(r"\blevel\s*(?:2|two)\b")),
    Cue("partner agency named", "partner_request", SUBJECT_AND_BODY,
        _re(r"\b(?:police|probation|cafcass|health visit(?:or|ing)|midwi(?:fe|fery)|school nurse|gp surgery|designated safeguarding lead|DSL|housing officer|MARAC|pre-?sentence report|parole board|youth (?:offending|justice))\b")),
    Cue("formal process named", "partner_request", SUBJECT_AND_BODY,
        _re(r"\b(?:s\.?\s?47|section 47|s\.?\s?7 report|section 7|s\.?\s?37|section 37|PLO|public law outline)\b")),
    Cue("partner agency address", "partner_request", ("sender",),
        _re(r"(?:police|nhs\.net|nhs\.uk|probation|justice\.gov\.uk|cafcass|\.sch\.|school|academy|housing)")),
    Cue("form attached", "partner_request", ("attachment",), _re(r"\brfi\b|request.?for.?information|\bform\b")),
    # OLA: another local authority or an agency assessing an applicant (000).
    Cue("OLA wording", "ola_request", SUBJECT_AND_BODY, _re(r"\bOLA\b|\bother local authority\b")),
    Cue("information request wording", "ola_request", ("subject",), _re(r"\binformation request\b|\binfo request\b|\benquiry\b")),
    Cue("fostering or adoption", "ola_request", SUBJECT_AND_BODY,
        _re(r"\bfoster(?:ing|er|ers)?\b|\badopt(?:ion|er|ers|ive)?\b|\bform\s?f\b|\bfostering panel\b")),
    Cue("carer assessment named", "ola_request", SUBJECT_AND_BODY,
        _re(r"\b(?:connected|kinship|family (?:and|&) friends) (?:carers?|persons?|care|assessment|placement)\b|\bspecial guardian(?:ship)?\b|\bSGO\b|\breg(?:ulation)?\.?\s*24\b|\bviability assessment\b|\bprospective (?:foster |adoptive )?(?:carers?|adopters?|parents?)\b|\bkinship\b")),
    Cue("applicant named", "ola_request", SUBJECT_AND_BODY, _re(r"\bapplicants?\b")),
    Cue("household members", "ola_request", ("body",),
        _re(r"\bhousehold\b|\bover 16s?\b|\badult (?:son|daughter|children)\b|\bpartner\b")),
    Cue("fostering or adoption agency address", "ola_request", ("sender",), _re(r"foster|adopt|kinship")),
    Cue("consent attached", "ola_request", ("attachment",), _re(r"consent")),
)

# What makes a subject look like the start of a request, for replies from outside.
REQUEST_LIKE_SUBJECT = _re(
    r"\brequest|\benquiry|\bconsent|\bcheck\b|\binformation\b|\bOLA\b|\bfoster|\badopt|\bapplicant|\bRFI\b|\blevel\s*[123]\b"
)

# Check conventions (000): "CHARMS check required by CASS", "CHARMs Check – <RAO>",
# "LADO CHECK <RAO>". Written by busy people: any case, CHARM'S, Charms, extra spaces.
CHARMS_CHECK = _re(r"\bcharm(?:['’‘`]?s)?[\s\-_]*checks?\b")
LADO_CHECK = _re(r"\bl\.?a\.?d\.?o\.?[\s\-_]*checks?\b")
CHECK_REQUEST_WORDING = _re(r"^\s*(?:[-:–—]\s*)?(?:request(?:ed)?|required|needed)\b")
LADO_REQUEST_BODY = _re(r"\bknown to (?:the )?LADO\b|\bLADO (?:check|search|records)\b")
CHARMS_REQUEST_BODY = _re(r"\bCHARMS\b")
SUITABILITY = _re(r"\bsuitability (?:check|request|enquiry)\b")
OFSTED = _re(r"\bofsted\b")

# A request reference the bot gives out: CASS-2026-000123.
REFERENCE = _re(r"\bCASS-(\d{4})-(\d{6})\b")

# Urgency (000): a child must be placed urgently. "NOT URGENT" is a decision
# that it is not, and a signature's "if your enquiry is urgent, ring..." is no request.
NOT_URGENT = _re(r"\b(?:not|non|no longer|isn'?t|is not|less)[\s\-]*(?:an?\s+|very\s+)?(?:urgent(?:ly)?|emergency)(?:\s+placement)?\b")
CONDITIONAL_URGENT = _re(r"\b(?:if|where|when|should)\b[^.\n]{0,60}\burgent\b[^.\n]*|\burgent (?:matters|enquiries|queries|concerns)\b[^.\n]*")
URGENT_WORD = _re(r"\burgent(?:ly)?\b|\basap\b|\bemergency placement\b|\bimmediate placement\b")
URGENT_PLACEMENT = _re(
    r"\b(?:plac(?:e|ed|ing|ement)|move|moving|stay|staying)\b[^.\n]{0,80}\b(?:today|tonight|this (?:afternoon|evening)|same[\s\-]day|immediately|within the hour)\b"
    r"|\b(?:same[\s\-]day|emergency|urgent) placement\b"
    r"|\bplacement (?:needed|required) (?:today|tonight|now)\b"
)

# Authentication-Results (RFC 8601) verdicts that mean the sender is not who it says.
AUTH_FAILED = _re(r"\b(?:spf|dkim|dmarc|arc)\s*=\s*(?:fail|softfail|permerror)\b")
