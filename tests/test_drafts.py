"""Each draft the seeds describe, from the mail that calls for it, as an RAO would read it."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.mailbox.base import Folder
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import EXCHANGE_STAMP, build_mail

FIRST = "CASS-2026-000001"


def _request(subject: str, body: str, sender: str = "helen.marsh@northshire.gov.uk",
             consent: tuple[str, ...] = (), on: str = "02/11/2026") -> bytes:
    """A request; with `consent`, the signed consent form of those people (the first the applicant), dated `on`."""
    return build_mail(subject, body, sender=sender, message_id=f"<{abs(hash(subject + body))}@northshire>",
                      attachment=signed_consent(*consent, on=on) if consent else None)


def _answer(subject: str, body: str, sender: str) -> bytes:
    """A team's answer as it arrives through the organisation's Exchange, stamped as from a signed-in sender."""
    return build_mail(subject, body, sender=sender, message_id=f"<{abs(hash(subject + body))}@childrenstrust>",
                      **EXCHANGE_STAMP)


def _draft_text(journey: Journey, template: str) -> str:
    draft = journey.draft(FIRST, template)
    raw = next(r for r in journey.folder(Folder.DRAFTS) if draft.message_id.encode() in r)
    part = next(p for p in email.message_from_bytes(raw).walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return " ".join(payload.decode().split())


@pytest.fixture
def journey(settings: Settings, tmp_path: Path) -> Journey:
    return Journey(settings, tmp_path)


def test_no_consent_gets_a_resubmission_request_and_cass_does_not_keep_it(journey: Journey) -> None:
    journey.deliver(raw=_request("Information request - fostering assessment - Mr Tom Reid",
                                 "We are assessing Mr Tom Reid as a foster carer. Consent will follow."))
    journey.run()
    assert journey.request(FIRST).state == "awaiting_consent"
    text = _draft_text(journey, "resubmission_request")
    assert "over 16" in text and "will not keep" in text.lower()
    journey.send(FIRST, "resubmission_request")
    journey.run()
    assert journey.request(FIRST).state == "closed"


def test_consent_older_than_three_months_is_insufficient(journey: Journey) -> None:
    journey.deliver(raw=_request("Information request - Form F - Ms Jo Lane",
                                 "Form F assessment of Ms Jo Lane. Signed consent attached, signed 2 June 2026.",
                                 consent=("Ms Jo Lane",), on="02/06/2026"))
    journey.run()
    assert "3 months" in _draft_text(journey, "resubmission_request")


def test_partner_request_without_consent_gets_a_more_information_request(journey: Journey) -> None:
    journey.deliver(raw=_request("Request for information - Probation - Mr K Doyle",
                                 "Please tell me whether the children at 4 Marsh Lane are known to you.",
                                 sender="s.kerr@probation.example.uk"))
    journey.run()
    assert journey.request(FIRST).state == "awaiting_consent"
    text = _draft_text(journey, "more_information")
    assert "consent" in text.lower() and "Probation" in text


def _ola_with_answers(journey: Journey, charms_body: str, lado_body: str) -> str:
    journey.deliver(raw=_request(
        "Information request - Form F - Mr Sam Cole",
        "Form F fostering assessment of Mr Sam Cole, who fostered with you before. "
        "Signed consent attached, signed 2 November 2026.", consent=("Mr Sam Cole",)))
    journey.run()
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send(FIRST, "charms_check_request")
    journey.send(FIRST, "lado_check_request")
    journey.run()
    journey.deliver(raw=_answer("CHARMs Check - Priya Shah", charms_body,
                                "fostering.recruitment@childrenstrust.example"))
    journey.deliver(raw=_answer("LADO CHECK - Priya Shah", lado_body, "lado@childrenstrust.example"))
    journey.run()
    assert journey.request(FIRST).state == "response_drafted"
    return _draft_text(journey, "response")


def test_health_or_financial_reasons_from_af_become_only_the_withdrew_wording(journey: Journey) -> None:
    text = _ola_with_answers(journey, "Mr Cole was turned down in 2020 because of significant debt problems.",
                             "Mr Cole is not known to LADO.")
    assert "withdr" in text and "debt" not in text
    assert "OFSTED" not in text.upper()


def test_someone_known_to_lado_brings_the_ofsted_paragraph(journey: Journey) -> None:
    text = _ola_with_answers(journey, "Summary attached for Mr Cole.", "Mr Cole is known to LADO (2019).")
    assert "OFSTED" in text.upper()
    assert "Mr Sam Cole is known to the Local Authority Designated Officer" in text


def test_the_response_names_who_lado_know_and_leaves_the_unclear_to_the_rao(journey: Journey) -> None:
    """Seed 000: the response states who is known to LADO; someone LADO's answer is not sure about is never
    said to be known or not known, but left for the RAO to settle with LADO."""
    journey.deliver(raw=_request(
        "Information request - Form F - Mr Sam Cole",
        "Form F fostering assessment of Mr Sam Cole, who lives with his partner Ms Ana Reyes and his son Leo "
        "Cole (19). All three signed consent on 2 November 2026, attached.",
        consent=("Mr Sam Cole", "Ms Ana Reyes", "Leo Cole")))
    journey.run()
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send(FIRST, "lado_check_request")
    journey.run()
    journey.deliver(raw=_answer("LADO CHECK - Priya Shah", "Mr Cole - known, 2019 allegation, NFA.\nMs Reyes - NK.\n"
                                "Leo - there are two Leo Coles on our system, can you send his DOB?",
                                "lado@childrenstrust.example"))
    journey.run()
    text = _draft_text(journey, "response")
    assert "Mr Sam Cole is known to the Local Authority Designated Officer" in text
    assert "Ms Ana Reyes is not known to the LADO" in text
    assert "[RAO: LADO's answer does not say whether Leo Cole is known" in text
    stated = re.sub(r"\[RAO:[^\]]*\]|NOTE FOR THE RAO.*?={20,}", "", text)
    assert "Leo Cole" in stated and not re.search(r"Leo Cole (?:is|are) (?:not )?known", stated)


def test_a_police_request_about_a_man_on_probation_is_not_treated_as_probation_s(journey: Journey) -> None:
    """One rule for what a Probation request is (seed 001): the Probation Service asking, not anyone on probation."""
    journey.deliver(raw=_request("Request for information - Level 2", "DC Amy Ross, Northshire Police. The father, "
                                 "who is on probation, has moved in. Please tell me what is known about the children.",
                                 sender="amy.ross@northshire.police.uk"))
    journey.run()
    text = _draft_text(journey, "more_information")
    assert "consent" in text.lower() and "nature of Probation's work" not in text


def test_a_noreply_address_is_not_a_person_s_own(journey: Journey) -> None:
    """The generic local parts come from the shipped configuration alone (noreply was only in a copy in the code)."""
    journey.deliver(raw=_request("Information request - fostering assessment - Mr Tom Reid",
                                 "We are assessing Mr Tom Reid as a foster carer. Signed consent attached, "
                                 "signed 10 November 2026.", sender="noreply@brightpathfostering.co.uk",
                                 consent=("Mr Tom Reid",), on="10/11/2026"))
    journey.run()
    assert journey.request(FIRST).state == "awaiting_secure_address"
    assert journey.draft(FIRST, "secure_address_challenge").to_address == "noreply@brightpathfostering.co.uk"


def test_a_more_information_draft_asks_only_for_what_is_missing_and_acknowledges_what_was_given(
        journey: Journey) -> None:
    """Issue 21: Probation gave its concerns, its purpose and why consent was not sought, but no form."""
    journey.deliver(raw=_request(
        "Request for information - Level 2 - Mr Kevin Doyle",
        "Dear CASS,\n\nI am Mr Doyle's probation officer. He was convicted of assaulting his former partner (domestic "
        "abuse) and is due for release; I am preparing a risk assessment for release into the community and a "
        "report for the Parole Board. Consent has not been sought because asking him could put his former partner "
        "and her children at risk; we believe it can be overridden on safeguarding grounds. Is the family at 4 Marsh "
        "Lane known to you?\n\nSarah Kerr\nProbation Officer", sender="s.kerr@justice.gov.uk"))
    journey.run()
    text = _draft_text(journey, "more_information")
    assert "A completed Request for Information Form" in text
    assert "You have told us Probation's concerns (the offences); why you need the information; and whether " \
           "consent was sought, and why it was not: thank you." in text
    assert "To share Level 2 information we generally need evidence of consent" not in text
    assert "Consent is not needed where" not in text
    assert "please set out" not in text and "wider family members" not in text


def test_a_request_that_names_its_exemption_is_not_told_about_exemptions_in_general(journey: Journey) -> None:
    journey.deliver(raw=_request(
        "Request for information - Level 2", "Dear CASS,\n\nWe are undertaking a section 47 enquiry about Amy "
        "Stone (DOB 03/04/2016) of 12 Dale Road, Elmbury. Please tell us of any previous involvement with the "
        "family.\n\nDC Tom Reid\nPublic Protection Unit", sender="tom.reid@northshire.police.uk"))
    journey.run()
    text = _draft_text(journey, "more_information")
    assert "You have told us that a section 47 enquiry applies, so consent is not needed: thank you." in text
    assert "A completed Request for Information Form" in text
    assert "Consent is not needed where" not in text and "evidence of consent" not in text
