"""Issue 21: a request names someone.

An OLA request is about a person being assessed, named in the mail (or on a form it attaches).
Mail that talks about the process naming no one (a Freedom of Information request about CASS's
own figures, a survey, a newsletter, a training invitation) is not opened as a request, and gets
no LADO check draft with "[RAO: add the applicant's name]"; a Freedom of Information request goes
to a person as one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.classify import Classifier
from bot.config import Settings
from bot.domain import Kind
from bot.mail import parse_mail
from bot.store import Draft, NeedsPerson
from tests.support.journey import Journey
from tests.support.mail import build_mail

FOI = build_mail(
    "Freedom of Information request - OLA checks", "Dear Sir or Madam,\n\nUnder the Freedom of Information Act 2000 "
    "I would like to request the following: how many OLA information requests from fostering and adoption agencies "
    "CASS received in 2025; how many were returned for insufficient consent; how many applicants were known to LADO; "
    "and how many CHARMS checks were required for previous foster carers.\n\nYours faithfully\nA. Researcher\n",
    sender="researcher@example.org", date="Mon, 16 Nov 2026 09:00:00 +0000")


@pytest.mark.parametrize(("subject", "body"), [
    ("Freedom of Information request - OLA checks", FOI.decode().split("\n\n", 1)[1]),
    ("Fostering survey", "Please complete our short survey on how local authorities handle OLA checks, consent "
                         "forms and LADO checks for fostering applicants. It takes five minutes."),
    ("Training invitation: LA checks for fostering assessments",
     "We are running a training session on LA checks, consent and LADO for assessing social workers."),
])
def test_mail_about_the_process_naming_no_one_is_not_a_request(subject: str, body: str, settings: Settings) -> None:
    found = Classifier(settings).classify(parse_mail(build_mail(subject, body, sender="someone@example.org")))
    assert found.kind == Kind.OTHER, found.reasons


@pytest.mark.parametrize("body", [
    "Please could you do LA checks for our fostering applicant Mr Dean Hollis, DOB 02/03/1980. Consent attached.",
    "could you do an LA check for Johan and Marike de Villiers please, they're applying to foster with us",
])
def test_a_short_ola_request_naming_its_applicant_is_one(body: str, settings: Settings) -> None:
    found = Classifier(settings).classify(parse_mail(build_mail("LA checks - fostering assessment", body,
                                                                sender="sw@northshire.gov.uk")))
    assert found.kind == Kind.OLA_REQUEST, found.reasons


def test_a_freedom_of_information_request_goes_to_a_person_as_one(settings: Settings, tmp_path: Path) -> None:
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=FOI)
    journey.run()
    with Session(journey.engine) as session:
        assert session.exec(select(Draft)).all() == []
        (entry,) = session.exec(select(NeedsPerson)).all()
    assert entry.reason == "a Freedom of Information request: for the trust's FOI team, not a request about a person"


@pytest.mark.parametrize(("subject", "body", "sender", "kind"), [
    ("Jordan Price", "Hi is Jordan Price dob 4/5/2012 known to you? Any CP/CIN? Thx\nPC 1234 Smith",
     "j.smith@northshire.police.uk", Kind.PARTNER_REQUEST),
    ("gwirio / check", "Bore da, allwch chi wirio Mrs Eira Jones DOB 01/02/1975 os gwelwch yn dda - fostering "
     "assessment, consent signed 01/11/2026. Diolch", "gwaith@cyngor.gov.wales", Kind.OLA_REQUEST),
    ("quick one", "Is Mrs Jo Pike (dob 3/3/85) known to LADO/CSC? She's applied to foster with us. Thanks",
     "assessor@brightpathfostering.co.uk", Kind.OLA_REQUEST),
])
def test_short_mail_naming_a_person_and_asking_about_them_is_read_as_its_kind(
        subject: str, body: str, sender: str, kind: Kind, settings: Settings) -> None:
    """Issue 21: a line or two, abbreviations, half in another language."""
    found = Classifier(settings).classify(parse_mail(build_mail(subject, body, sender=sender)))
    assert found.kind == kind, found.reasons


def test_short_mail_whose_few_cues_do_not_settle_it_goes_to_a_person_with_the_bot_s_guess(
        settings: Settings) -> None:
    found = Classifier(settings).classify(parse_mail(build_mail(
        "check", "Can you check Tyler Ward 14/06/2009 for me pls", sender="a.worker@northshire.gov.uk")))
    assert found.kind == Kind.OTHER and found.near is not None and found.reasons
