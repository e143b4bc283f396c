"""The partner agencies and formal processes (`bot.partners`), as the classifier and the partner reader see them.

Each case is a partner's request as it arrives: the classifier's reasons a person sees, and what the reader
makes of it (which agency asks, whether consent is needed), must tell the same story.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.classify import Classifier
from bot.config import Settings
from bot.extract.facts import RequestFacts, read_facts
from bot.mail import ParsedMail, parse_mail
from tests.support.mail import build_mail

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
ASKS = "Please tell us what involvement you have had with the family."


def _request(body: str, sender: str = "j.smith@northshire.gov.uk") -> ParsedMail:
    return parse_mail(build_mail("Request for information - the Ward family", f"Dear CASS,\n\n{body}\n\nJ Smith\n",
                                 sender=sender))


def _read(mail: ParsedMail, settings: Settings, classifier: Classifier) -> tuple[list[str], RequestFacts]:
    found = classifier.classify(mail)
    assert found.kind == "partner_request"
    return found.reasons, read_facts(mail, settings, NOW)


@pytest.mark.parametrize(("words", "code", "cited"), [
    ("This is a section 47 enquiry.", "s47", True),
    ("We are undertaking S47 enquiries.", "s47", True),
    ("Care proceedings were issued last week.", "care_proceedings", True),
    ("I am writing a s7 report for the court.", "s7", True),
    ("The court has directed a section 37 report.", "s37", True),
    ("The family are subject to PLO.", "plo", True),
    ("We are in the Public Law Outline.", "plo", True),
    # Described, not cited: the reader takes it, and the classifier does not count it as evidence.
    ("A strategy meeting was held on Monday.", "s47", False),
    ("We are in pre-proceedings.", "plo", False),
])
def test_a_formal_process_makes_consent_unnecessary_and_its_citation_is_evidence(
        words: str, code: str, cited: bool, settings: Settings, classifier: Classifier) -> None:
    reasons, facts = _read(_request(f"{words} {ASKS}"), settings, classifier)
    assert ("formal process named (body)" in reasons) is cited
    assert facts.partner.exemption == code and "consent" not in facts.partner.missing


@pytest.mark.parametrize(("sender", "agency", "evidence"), [
    ("dc.jones@northshire.police.uk", "police", True),
    ("s.kerr@justice.gov.uk", "probation", True),
    ("k.lee@cafcass.gov.uk", "cafcass", True),
    ("a.nurse@nhs.net", "health", True),
    ("dsl@brightside.sch.uk", "education", True),
    ("m.khan@northshirehousing.org.uk", "housing", True),
    # Which agency asks, but no evidence of a partner's request: a private clinic's or a university's domain.
    ("j.doe@oakfieldmedical.co.uk", "health", False),
    ("r.ali@northshire.ac.uk", "education", False),
])
def test_a_partner_agency_address_says_who_asks(sender: str, agency: str, evidence: bool, settings: Settings,
                                                classifier: Classifier) -> None:
    reasons, facts = _read(_request(ASKS, sender), settings, classifier)
    assert ("partner agency address (sender)" in reasons) is evidence
    assert facts.partner.agency == agency


@pytest.mark.parametrize(("sender", "refers"), [
    ("dc.jones@northshire.police.uk", True), ("a.nurse@nhs.net", True), ("dsl@brightside.sch.uk", True),
    ("s.kerr@justice.gov.uk", False), ("m.khan@northshirehousing.org.uk", False),
])
def test_the_agencies_whose_staff_refer(sender: str, refers: bool, classifier: Classifier) -> None:
    mail = parse_mail(build_mail("Referral - Jayden Ward", "I am making a referral about Jayden Ward, aged 6, who came "
                                 "in with bruising to his arm.\n", sender=sender))
    found = classifier.classify(mail)
    assert found.kind == "referral" and ("referrer address (sender)" in found.reasons) is refers


@pytest.mark.parametrize("work", ["our health visitor", "the school nurse", "the DSL", "a pre-sentence report",
                                  "the parole board", "the housing officer", "a MARAC", "the youth justice team",
                                  "the OIC"])
def test_an_agency_s_work_named_in_the_mail_is_evidence(work: str, settings: Settings, classifier: Classifier) -> None:
    reasons, _ = _read(_request(f"I am writing on behalf of {work}. {ASKS}", "j.smith@example.org"), settings,
                       classifier)
    assert "partner agency named (body)" in reasons
