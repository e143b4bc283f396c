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

from bot.patterns import any_of

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
    """A named piece of evidence for one kind of mail.

    `keywords` are lower-case fragments of which every match contains at least
    one: a cheap substring test that spares running the pattern over mail that
    cannot match (a test checks the promise over the whole fixture corpus).
    """

    name: str
    kind: str
    where: tuple[Where, ...]
    keywords: tuple[str, ...]
    pattern: re.Pattern[str]

    def fires(self, text: str, lowered: str) -> bool:
        return any(k in lowered for k in self.keywords) and self.pattern.search(text) is not None


SUBJECT_AND_BODY: tuple[Where, ...] = ("subject", "body")

REQUEST_CUES: tuple[Cue, ...] = (
    # Level 3: whole files and court bundles belong to the Disclosure Team (001).
    Cue("level 3 wording", "disclosure_request", SUBJECT_AND_BODY, ("level",), any_of(r"\blevel\s*(?:3|three)\b")),
    Cue("full case file", "disclosure_request", SUBJECT_AND_BODY, ("file", "record", "case notes"), any_of(
        r"\b(?:full|whole|complete|entire|all)\s(?:(?:case|social|care|child'?s?|children'?s|family)\s)*"
        r"(?:files?|records?|case notes)\b",
        r"\bcase files\b",
        r"\bcopies of (?:the |all )?(?:case |social care )?(?:files|records)\b",
    )),
    Cue("court bundle", "disclosure_request", SUBJECT_AND_BODY, ("bundle",), any_of(r"\bcourt bundles?\b")),
    Cue("disclosure", "disclosure_request", SUBJECT_AND_BODY, ("disclosure", "subject access"), any_of(
        r"\bdisclosure (?:request|team|of (?:the )?(?:file|record))",
        r"\bsubject access request\b",
        r"\brequest for disclosure\b",
    )),
    # Level 1: a professional on the phone emails to prove who they are (001).
    Cue("verification", "level1_verification", SUBJECT_AND_BODY, ("verif",), any_of(r"\bverif(?:y|ying|ication)\b")),
    Cue("identity", "level1_verification", SUBJECT_AND_BODY, ("identity", "who i am", "my id"), any_of(
        r"\b(?:confirm|prove|verify)(?:ing)? (?:who I am|my identity|my ID)\b",
        r"\bidentity\b",
    )),
    Cue("as discussed on the phone", "level1_verification", SUBJECT_AND_BODY, ("phone", "call", "conversation"), any_of(
        r"\bas (?:just |we )?(?:discussed|agreed|spoke|requested|per our)\b.{0,30}"
        r"\b(?:phone|telephone|call|conversation)\b",
        r"\b(?:call|conversation|phone|telephone)(?: call)? (?:just now|earlier|a moment ago)\b",
    )),
    Cue("level 1 wording", "level1_verification", SUBJECT_AND_BODY, ("level",), any_of(r"\blevel\s*(?:1|one)\b")),
    # Level 2: partner agencies' Request for Information form (001).
    Cue("request for information form", "partner_request", SUBJECT_AND_BODY, ("request", "rfi"), any_of(
        r"\brequest for information\b", r"\brfi\b", r"\binformation sharing request\b",
    )),
    Cue("level 2 wording", "partner_request", SUBJECT_AND_BODY, ("level",), any_of(r"\blevel\s*(?:2|two)\b")),
    Cue("partner agency named", "partner_request", SUBJECT_AND_BODY, (
        "police", "probation", "cafcass", "health visit", "midwi", "school nurse", "gp surgery", "safeguarding lead",
        "dsl", "housing officer", "marac", "sentence report", "parole", "youth ",
    ), any_of(
        r"\b(?:police|probation|cafcass|health visit(?:or|ing)|midwi(?:fe|fery)|school nurse|gp surgery)\b",
        r"\b(?:designated safeguarding lead|DSL|housing officer|MARAC|pre-?sentence report|parole board)\b",
        r"\byouth (?:offending|justice)\b",
    )),
    Cue("formal process named", "partner_request", SUBJECT_AND_BODY, ("47", "7", "37", "plo", "public law"), any_of(
        r"\b(?:s\.?\s?47|section 47|s\.?\s?7 report|section 7|s\.?\s?37|section 37|PLO|public law outline)\b",
    )),
    Cue("partner agency address", "partner_request", ("sender",), (
        "police", "nhs", "probation", "justice", "cafcass", ".sch.", "school", "academy", "housing",
    ), any_of(r"police|nhs\.net|nhs\.uk|probation|justice\.gov\.uk|cafcass|\.sch\.|school|academy|housing")),
    Cue("form attached", "partner_request", ("attachment",), ("rfi", "information", "form"), any_of(
        r"\brfi\b", r"request.?for.?information", r"\bform\b",
    )),
    # OLA: another local authority or an agency assessing an applicant (000).
    Cue("OLA wording", "ola_request", SUBJECT_AND_BODY, ("ola", "other local authority"), any_of(
        r"\bOLA\b", r"\bother local authority\b",
    )),
    Cue("information request wording", "ola_request", ("subject",), ("request", "enquiry"), any_of(
        r"\binformation request\b", r"\binfo request\b", r"\benquiry\b",
    )),
    Cue("fostering or adoption", "ola_request", SUBJECT_AND_BODY, ("foster", "adopt", "form"), any_of(
        r"\bfoster(?:ing|er|ers)?\b", r"\badopt(?:ion|er|ers|ive)?\b", r"\bform\s?f\b",
    )),
    Cue("carer assessment named", "ola_request", SUBJECT_AND_BODY, (
        "connected", "kinship", "friends", "guardian", "sgo", "24", "viability", "prospective",
    ), any_of(
        r"\b(?:connected|kinship|family (?:and|&) friends) (?:carers?|persons?|care|assessment|placement)\b",
        r"\bspecial guardian(?:ship)?\b", r"\bSGO\b", r"\breg(?:ulation)?\.?\s*24\b", r"\bviability assessment\b",
        r"\bprospective (?:foster |adoptive )?(?:carers?|adopters?|parents?)\b", r"\bkinship\b",
    )),
    Cue("applicant named", "ola_request", SUBJECT_AND_BODY, ("applicant",), any_of(r"\bapplicants?\b")),
    Cue("household members", "ola_request", ("body",), ("household", "16", "adult", "partner"), any_of(
        r"\bhousehold\b", r"\bover 16s?\b", r"\badult (?:son|daughter|children)\b", r"\bpartner\b",
    )),
    Cue("fostering or adoption agency address", "ola_request", ("sender",), ("foster", "adopt", "kinship"), any_of(
        r"foster|adopt|kinship",
    )),
    Cue("consent attached", "ola_request", ("attachment",), ("consent",), any_of(r"consent")),
)

# What makes a subject look like the start of a request, for replies from outside.
REQUEST_LIKE_SUBJECT = any_of(
    r"\brequest", r"\benquiry", r"\bconsent", r"\bcheck\b", r"\binformation\b", r"\bOLA\b",
    r"\bfoster", r"\badopt", r"\bapplicant", r"\bRFI\b", r"\blevel\s*[123]\b",
)

# After a team's convention (`bot.teams`), words that ask for a check rather than answer one.
CHECK_REQUEST_WORDING = any_of(r"^\s*(?:[-:–—]\s*)?(?:request(?:ed)?|required|needed)\b")
SUITABILITY = any_of(r"\bsuitability (?:check|request|enquiry)\b")
OFSTED = any_of(r"\bofsted\b")


# Urgency (000): a child must be placed urgently. "NOT URGENT" is a decision
# that it is not, and a signature's "if your enquiry is urgent, ring..." is no request.
NOT_URGENT = any_of(
    r"\b(?:not|non|no longer|isn'?t|is not|less)[\s\-]*(?:an?\s+|very\s+)?"
    r"(?:urgent(?:ly)?|emergency)(?:\s+placement)?\b",
)
CONDITIONAL_URGENT = any_of(
    r"\b(?:if|where|when|should)\b[^.\n]{0,60}\burgent\b[^.\n]*",
    r"\burgent (?:matters|enquiries|queries|concerns)\b[^.\n]*",
)
URGENT_WORD = any_of(r"\burgent(?:ly)?\b", r"\basap\b", r"\bemergency placement\b", r"\bimmediate placement\b")
URGENT_PLACEMENT = any_of(
    r"\b(?:plac(?:e|ed|ing|ement)|move|moving|stay|staying)\b[^.\n]{0,80}"
    r"\b(?:today|tonight|this (?:afternoon|evening)|same[\s\-]day|immediately|within the hour)\b",
    r"\b(?:same[\s\-]day|emergency|urgent) placement\b",
    r"\bplacement (?:needed|required) (?:today|tonight|now)\b",
)

# Authentication-Results (RFC 8601) verdicts that mean the sender is not who it says.
AUTH_FAILED = any_of(r"\b(?:spf|dkim|dmarc|arc)\s*=\s*(?:fail|softfail|permerror)\b")
