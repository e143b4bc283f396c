"""Issue 21: a LADO answer is read whole before anyone is said to be "not known".

Each case is an answer an RAO might get, and what the response may say of each person:
"not known" only where LADO said so of them (or of everyone) and nothing else in the
answer speaks against it. The note for the RAO quotes the words each statement rests on.
"""

from __future__ import annotations

import pytest

from bot.compose import Composer
from bot.config import Settings
from bot.drafting import plan_response
from bot.extract.answers import KNOWN, NOT_KNOWN, UNCLEAR, read_lado_answer
from bot.mail import parse_mail
from tests.support.mail import build_mail

GWEN, ALAN, TOM, JACK = "Mrs Gwen Ellery", "Mr Alan Threlfall", "Mr Tom Ellery", "Mr Jack Ellery"
HOUSEHOLD = {GWEN: "applicant", ALAN: "partner"}
FAMILY = {GWEN: "applicant wife", TOM: "applicant husband", JACK: "son"}


def lado(body: str) -> bytes:
    return build_mail("RE: LADO CHECK Priya Shah", body, sender="lado@childrenstrust.example",
                      date="Tue, 17 Nov 2026 11:05:00 +0000")


def people(body: str, relations: dict[str, str]) -> dict[str, str]:
    verdicts: dict[str, str] = read_lado_answer(parse_mail(lado(body)), list(relations), relations).facts["people"]
    return verdicts


@pytest.mark.parametrize(("body", "relations", "expected"), [
    # The applicant ruled out, then further down a referral about her partner in other words.
    ("Hi Priya,\n\nMrs Ellery is not known to LADO.\n\nWe did have a referral in 2019 concerning her partner, "
     "which was NFA.\n\nKind regards\nSue", HOUSEHOLD, {GWEN: NOT_KNOWN, ALAN: KNOWN}),
    # ... and the same when the reader cannot tell who "her partner" is.
    ("Mrs Ellery is not known to LADO.\n\nWe did have a referral in 2019 concerning her partner, which was NFA.",
     {GWEN: "applicant", ALAN: "lodger"}, {GWEN: NOT_KNOWN, ALAN: UNCLEAR}),
    # One ruled out, the other still to check.
    ("Mrs Ellery is not known. I need to check Mr Threlfall with a colleague as there may be a different spelling.",
     HOUSEHOLD, {GWEN: NOT_KNOWN, ALAN: UNCLEAR}),
    ("Gwen Ellery - not known.\nAlan Threlfall - will confirm tomorrow", HOUSEHOLD, {GWEN: NOT_KNOWN, ALAN: UNCLEAR}),
    # A couple ruled out in one sentence; their son is not mentioned.
    ("Mr and Mrs Ellery are not known to LADO.", FAMILY, {GWEN: NOT_KNOWN, TOM: NOT_KNOWN, JACK: UNCLEAR}),
    ("Gwen and Tom Ellery are not known to LADO. The son is not known either.", FAMILY,
     {GWEN: NOT_KNOWN, TOM: NOT_KNOWN, JACK: NOT_KNOWN}),
    # A postscript below the signature.
    ("Neither Mrs Ellery nor Mr Threlfall are known.\n\nKind regards\nSue Platt\nLADO\n\n"
     "PS just seen a 2015 consultation under Mr Threlfall's name.", HOUSEHOLD, {GWEN: NOT_KNOWN, ALAN: KNOWN}),
    # A record naming no one stands against "not known" for everyone.
    ("None of the above are known to LADO.\n\nThere is a historic allegation on file from 2012 linked to the "
     "address.", HOUSEHOLD, {GWEN: UNCLEAR, ALAN: UNCLEAR}),
    ("None of the above are known.\n\nThanks\nSue\n\nP.S. there is an archived record from 2009 on the old system "
     "that I haven't been able to open yet.", HOUSEHOLD, {GWEN: UNCLEAR, ALAN: UNCLEAR}),
    # Two readings that disagree give unclear, never the kinder one.
    ("Mr Threlfall is not known to LADO, but he came to our attention in 2018.", {ALAN: "partner"}, {ALAN: UNCLEAR}),
    # "His" after naming Mrs Ellery is someone else.
    ("Mrs Ellery is not known. There is a record under his name from 2016.", HOUSEHOLD,
     {GWEN: NOT_KNOWN, ALAN: UNCLEAR}),
    # Courtesy says nothing of anyone.
    ("Hi Priya\n\nNeither Mrs Ellery nor Mr Threlfall is known to LADO. Any questions let me know.\n\nThanks\nSue",
     HOUSEHOLD, {GWEN: NOT_KNOWN, ALAN: NOT_KNOWN}),
    ("I have checked our records and the archived LADO spreadsheets: no allegations, referrals, consultations or "
     "strategy meetings for any of the people named.", HOUSEHOLD, {GWEN: NOT_KNOWN, ALAN: NOT_KNOWN}),
])
def test_a_lado_answer_is_read_whole(body: str, relations: dict[str, str], expected: dict[str, str]) -> None:
    assert people(body, relations) == expected


def test_the_note_quotes_what_each_statement_rests_on_with_the_answer_subject_and_time() -> None:
    body = ("Mrs Ellery is not known to LADO.\n\nWe did have a referral in 2019 concerning her partner, which was "
            "NFA.\n\nKind regards\nSue")
    notes = "\n".join(read_lado_answer(parse_mail(lado(body)), list(HOUSEHOLD), HOUSEHOLD).notes)
    assert "\"RE: LADO CHECK Priya Shah\", received Tue 17 Nov 2026 11:05" in notes
    assert f"LADO say {GWEN} is not known: \"Mrs Ellery is not known to LADO.\"" in notes
    assert f"LADO know {ALAN}: \"We did have a referral in 2019 concerning her partner, which was NFA.\"" in notes


@pytest.mark.parametrize(("body", "paragraph"), [
    ("Mrs Ellery and Mr Threlfall are not known to LADO.", False),
    ("Mrs Ellery is not known to LADO. Mr Threlfall was referred to us in 2019, NFA.", True),
    ("Mrs Ellery is not known. I need to check Mr Threlfall with a colleague.", True),
    ("Neither is known to LADO.", False),
])
def test_the_reader_alone_decides_the_ofsted_paragraph(body: str, paragraph: bool, settings: Settings) -> None:
    """What the reader says of the OFSTED paragraph is what the response draft says: the facts a person reads in
    `cassbot classify --facts`, the draft's context the pilot compares with what staff sent, and the letter
    agree, each way."""
    answer = read_lado_answer(parse_mail(lado(body)), list(HOUSEHOLD), HOUSEHOLD)
    plan = plan_response("helen.marsh@northshire.gov.uk", [answer])
    text, _ = Composer(settings).render(plan.template, {**plan.context, "reference": "CASS-2026-000007"})
    assert answer.facts["ofsted_paragraph"] is paragraph
    assert plan.context["ofsted"] is paragraph
    assert ("contact OFSTED" in text) is paragraph
