"""Read what a partner agency's Level 2 request (001) still lacks before CASS can answer it."""

from __future__ import annotations

from bot.extract.consent import consent_said
from bot.extract.text import any_of, head

_CONSENT_NOT_NEEDED = any_of(
    r"\b(?:s\.?\s?47|section\s+47)\b",
    r"\bchild\s+protection\s+(?:enquir(?:y|ies)|investigation)\b",
    r"\bcare\s+proceedings\b",
    r"\b(?:s\.?\s?(?:7|37)|section\s+(?:7|37))\s+(?:welfare\s+)?(?:reports?|direction|investigation|enquiry)\b",
    r"\b(?:PLO|public\s+law\s+outline)\b",
    r"\bconsent\b[^.\n]{0,60}\bnot\s+(?:been\s+)?(?:required|needed|necessary|sought|obtained|requested|asked)\b"
    r"(?:\s*[-–—:(]\s*\w|[^.\n]{0,60}\b(?:because|due\s+to|owing\s+to|since|given|on\s+the\s+grounds|as\b(?!\s+yet)))",
    r"\b(?:overrid\w*|overrule\w*|dispens\w*)\b[^.\n]{0,40}\bconsent\b",
    r"\bconsent\b[^.\n]{0,60}\b(?:overridden|overruled|dispensed)\b",
)
_PROBATION = any_of(r"(?<!\bon\s)\bprobation\b")
_PROBATION_CONCERNS = any_of(
    r"\b(?:offen[cs]es?|offending|convict(?:ed|ions?)|charged|charges?|assault\w*|violen\w*|abuse|sexual|threats?)\b",
    r"\b(?:stalking|harassment|arson|weapons?|indecent|grooming|cruelty|neglect|animals?|coercive|controlling)\b",
    r"\b(?:risk|harm|danger)\s+(?:to|of|towards)\b",
    r"\b(?:concern(?:s|ed)?|worried|worries)\s+(?:about|regarding|that|around|over|for)\b",
    r"\bDA\b",
)
_PROBATION_PURPOSE = any_of(
    r"\breports?\b",
    r"\b(?:parole|court|sentenc\w*|licen[cs]e|MAPPA|supervision|HDC|curfew|approved\s+premises)\b",
    r"\brisk\s+assess\w*",
    r"\brelease\w*\b",
    r"\bcause\s+for\s+concern\b",
)
GAP_CONSENT = (
    "The request gives no evidence of consent and no reason why consent is not needed "
    "(such as a section 47 enquiry, care proceedings, a section 7 or 37 report, or PLO)."
)
GAP_CONCERNS = "It does not say what Probation's concerns are: the offences, and what they are worried about."
GAP_PURPOSE = (
    "It does not say why the information is needed (a report for court or the Parole Board, "
    "a risk assessment for release, work during the licence period)."
)
GAP_CONSENT_SOUGHT = "It does not say whether consent was sought and, if not, why not."
GAP_CONSENT_WHY_NOT = "It says consent was not sought or given, but not why."


def is_probation(sender: str, body: str) -> bool:
    """The request comes from the Probation Service (seed 001 sets it its own rules)."""
    return "probation" in sender.lower() or _PROBATION.search(head(body)) is not None


def partner_request_gaps(body: str, sender: str) -> list[str]:
    """What a Level 2 request still needs before CASS can answer it (001), one sentence each."""
    text = head(body)
    given, denied = consent_said(text)
    explained = given or bool(_CONSENT_NOT_NEEDED.search(text))
    if not is_probation(sender, text):
        return [] if explained else [GAP_CONSENT]
    gaps = [] if _PROBATION_CONCERNS.search(text) else [GAP_CONCERNS]
    if not _PROBATION_PURPOSE.search(text):
        gaps.append(GAP_PURPOSE)
    if not explained:
        gaps.append(GAP_CONSENT_WHY_NOT if denied else GAP_CONSENT_SOUGHT)
    return gaps
