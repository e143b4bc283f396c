"""Read what a request mail says, for the drafting step: pure functions, no I/O.

Each function takes plain values (text, dates, `Settings`) and returns a value;
none of them raises on odd input. Names are kept as the users wrote them. Where
a mail cannot be read with confidence the answer is None, an empty list or a
note for a person, never a guess. The conventions come from the seeds: 000 (OLA
requests: consent, the household over 16, CHARMS and LADO answers, secure
addresses) and 001 (partner agencies' Level 2 requests, Probation).

One module per concern: `names`, `consent`, `answers`, `addresses`, `partner`;
`text` holds the cutting they share (the mail's own words, clauses, windows).
"""

from bot.extract.addresses import address_kind, own_address_offered
from bot.extract.answers import af_gave_sensitive_reason, known_to_lado, previously_fostered_or_adopted
from bot.extract.consent import ConsentEvidence, consent_evidence
from bot.extract.names import applicant_name, household_names
from bot.extract.partner import (
    GAP_CONCERNS,
    GAP_CONSENT,
    GAP_CONSENT_SOUGHT,
    GAP_CONSENT_WHY_NOT,
    GAP_PURPOSE,
    partner_request_gaps,
)

__all__ = [
    "GAP_CONCERNS",
    "GAP_CONSENT",
    "GAP_CONSENT_SOUGHT",
    "GAP_CONSENT_WHY_NOT",
    "GAP_PURPOSE",
    "ConsentEvidence",
    "address_kind",
    "af_gave_sensitive_reason",
    "applicant_name",
    "consent_evidence",
    "household_names",
    "known_to_lado",
    "own_address_offered",
    "partner_request_gaps",
    "previously_fostered_or_adopted",
]
