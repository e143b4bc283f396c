"""What a new request says, read once from the mail: the facts the decisions are made from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.config import Settings
from bot.extract.addresses import AddressKind, address_kind
from bot.extract.answers import previously_fostered_or_adopted
from bot.extract.consent import ConsentEvidence, consent_evidence
from bot.extract.names import applicant_name, household_names
from bot.extract.partner import partner_request_gaps
from bot.mail import ParsedMail


@dataclass(frozen=True)
class RequestFacts:
    """What a new request says, read once from the mail."""

    applicant: str
    household: list[str]
    consent: ConsentEvidence
    fostered_before: bool
    address_kind: AddressKind
    gaps: list[str]


def read_facts(mail: ParsedMail, settings: Settings, now: datetime) -> RequestFacts:
    consent = consent_evidence(
        mail.fresh_text, [a.name for a in mail.attachments], now, settings.timescales.consent_max_age_months
    )
    return RequestFacts(
        applicant=applicant_name(mail.subject, mail.fresh_text) or "",
        household=household_names(mail.fresh_text),
        consent=consent,
        fostered_before=previously_fostered_or_adopted(mail.fresh_text),
        address_kind=address_kind(mail.from_address, settings),
        gaps=partner_request_gaps(mail.fresh_text, mail.from_address),
    )
