"""What `bot.extract` reads out of request mail, written the way busy people write it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from bot.config import Settings
from bot.extract.addresses import address_kind, own_address_offered
from bot.extract.answers import af_gave_sensitive_reason, known_to_lado, previously_fostered_or_adopted
from bot.extract.consent import consent_evidence
from bot.extract.names import applicant_name, household_names
from bot.extract.partner import (
    GAP_CONCERNS,
    GAP_CONSENT,
    GAP_CONSENT_SOUGHT,
    GAP_CONSENT_WHY_NOT,
    GAP_PURPOSE,
    partner_request_gaps,
)

NOW = datetime(2026, 11, 20, 9, 30)


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Information request - Fostering assessment - Mr David Okafor", "Dear CASS, see below", "Mr David Okafor"),
        ("URGENT - OLA check - connected carer Ms Rosa Lind", "", "Ms Rosa Lind"),
        ("NOT URGENT - Adoption enquiry - Mr and Mrs Greaves", "Consent attached.", "Mr and Mrs Greaves"),
        ("Applicant checks - Mr & Mrs Kowalski - Stage 2", "", "Mr & Mrs Kowalski"),
        ("Information request – Ms Siân O’Brien(fostering)", "", "Ms Siân O’Brien"),
        ("Request for information - Probation - Mr K. Doyle", "", "Mr K. Doyle"),
        ("RE: Reg 24 - Mr Leon Farrell's household", "", "Mr Leon Farrell"),
        ("Fostering applicant: Jerome Baptiste", "", "Jerome Baptiste"),
        (
            "Request for information - prospective foster carer",
            "Good afternoon,\nBrightpath Fostering is assessing Ms Carla Brent as a foster carer.",
            "Ms Carla Brent",
        ),
        (
            "checks pls",
            "hi, we r completing a form F assessment of\nMrs  Grace Adeyemi (DOB 14/06/1979), 3 Barley Mow Cl.",
            "Mrs Grace Adeyemi",
        ),
        (
            "urgent - baby being discharged today",
            "plan is for baby to go to maternal great-aunt Ms Florence Adeyinka (dob 15/01/1958) tonight",
            "Ms Florence Adeyinka",
        ),
        ("LA checks", "Our applicant, Tomasz Nowak, lived in yr area 2009-2015.", "Tomasz Nowak"),
        # Negative: a child named in a partner request, a titled name in no applicant phrase.
        ("Request for Information - Level 2 - Child: Mia Thornton", "Ms Thornton has given verbal consent.", None),
        ("LADO CHECK - Marcus Obi", "Not known. Regards", None),
        ("Request for information", "Could you tell us whether the family are known? Thanks, Helen Marsh", None),
        ("applicant Carla", "one word after 'applicant' is not enough", None),
        ("", "", None),
    ],
)
def test_applicant_name(subject: str, body: str, expected: str | None) -> None:
    assert applicant_name(subject, body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "Ms Amara Bello lives with her partner Mr Kofi Bello and her son Daniel Bello (17).",
            ["Mr Kofi Bello", "Daniel Bello"],
        ),
        ("Pls check Ms Rosa Lind and her son Jay Lind (DOB 03/03/2009) .", ["Jay Lind"]),
        ("Her husband Samuel (DOB 02/01/1977) and their son Tobi (now 19) also live there.", ["Samuel", "Tobi"]),
        ("Mr Farrell's partner Chantelle Wood lives with him.", ["Chantelle Wood"]),
        ("He has a son, Finn Ellis (DOB 12/12/2005), who is still at home.", ["Finn Ellis"]),
        ("Household members: Kofi Bello, Amara Bello and\nDaniel Bello", ["Kofi Bello", "Amara Bello", "Daniel Bello"]),
        ("Also in the household is her son Kayode Afolabi (DOB 01/06/2004).", ["Kayode Afolabi"]),
        ("Mr Reid lives with Ms Keisha Lawrence (DOB 05/05/1991).", ["Ms Keisha Lawrence"]),
        ("her son Jay Lind (17) ... pls note her son Jay Lind is at uni in term time", ["Jay Lind"]),
        # Negative: nobody named, the child's relatives, a former partner.
        ("Ms Doyle lives alone.", []),
        ("Could you confirm any involvement with Ms Lind and her son (17)?", []),
        ("we need to place two siblings with their uncle, Mr Leon Farrell, tonight", []),
        ("the child's mother Leanne Thornton is not in the household", []),
        ("She lived here 2015-2021 with her then partner Mr Lukasz Nowak.", []),
        ("", []),
    ],
)
def test_household_names(body: str, expected: list[str]) -> None:
    assert household_names(body) == expected


@pytest.mark.parametrize(
    ("body", "attachments", "mentioned", "attached", "signed_on", "too_old"),
    [
        (
            "Signed consent from the applicant and his partner is attached (signed 02/11/2026).",
            ["consent_okafor.pdf"], True, True, date(2026, 11, 2), False,
        ),
        ("consent  signed 28 October 2026 - attached", [], True, False, date(2026, 10, 28), False),
        ("Her consent form is enclosed, dated 2nd Nov 2026.", [], True, False, date(2026, 11, 2), False),
        ("Both have signed consent (attached, dated today).", ["Farrell_Wood_consent.pdf"], True, True,
         date(2026, 11, 20), False),
        ("Consent attached (signed 10/07/2026).", [], True, False, date(2026, 7, 10), True),
        # Exactly three calendar months is still in time; a day more is not.
        ("Consent attached, signed 20/08/2026", [], True, False, date(2026, 8, 20), False),
        ("Consent attached, signed 19/08/2026", [], True, False, date(2026, 8, 19), True),
        ("Both consents attached.", ["Lind_consent.pdf"], True, True, None, None),
        ("Mr Okafor (DOB 03/04/1981) - signed consent attached", [], True, False, None, None),
        ("Please see attached.", ["Consent_Form_SIGNED.PDF"], False, True, None, None),
        ("Consent has not been obtained yet, we will send it on.", [], False, False, None, None),
        ("Signed consent to follow.", ["RFI_form.docx"], False, False, None, None),
        ("Consent is not required as this is a S47 enquiry.", [], False, False, None, None),
        ("We enclose the court order dated 3 November 2026.", ["Order.pdf"], False, False, None, None),
    ],
)
def test_consent_evidence(
    body: str, attachments: list[str], mentioned: bool, attached: bool, signed_on: date | None, too_old: bool | None
) -> None:
    found = consent_evidence(body, attachments, NOW, 3)
    assert (found.mentioned, found.attached) == (mentioned, attached)
    assert (found.signed_on, found.too_old) == (signed_on, too_old)


@pytest.mark.parametrize(
    ("body", "attachments", "note_says"),
    [
        ("Both consents attached.", ["consent.pdf"], "no signing date could be read"),
        ("Thanks for the call.", [], "No consent is mentioned or attached"),
        ("Consent attached (signed 10/07/2026).", [], "more than 3 months old"),
        ("Consent signed 01/12/2026 is attached.", [], "later than today was ignored"),
        (
            "Mr Dickinson's consent is attached - still waiting for Ms Lane's consent, will forward it.",
            [], "some consent has not been given or will follow",
        ),
        ("Consents signed 02/11/2026 and 28/10/2026, attached.", [], "the oldest is used"),
    ],
)
def test_consent_evidence_notes_what_cannot_be_told(body: str, attachments: list[str], note_says: str) -> None:
    assert note_says in consent_evidence(body, attachments, NOW, 3).note


def test_consent_evidence_is_quiet_when_all_is_clear_and_takes_an_aware_clock() -> None:
    found = consent_evidence("Signed consent (dated 21/10/2026) attached.", [], NOW.replace(tzinfo=UTC), 3)
    assert (found.signed_on, found.too_old, found.note) == (date(2026, 10, 21), False, "")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.note = "changed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Mrs Begum previously fostered for Harbour Families.", True),
        ("He is a former foster carer (deregistered 2019).", True),
        ("She was approved as a foster carer with your trust in 2017.", True),
        ("The couple have adopted before, a sibling pair in 2012.", True),
        ("Mr Nwosu applied to foster with you in 2015 but withdrew.", True),
        ("They were foster carers in Walsall 2008-2012.", True),
        ("Ms Carter is currently an approved foster carer with another independent agency.", True),
        ("This is Ms Price's first application to foster.", False),
        ("She has never fostered or adopted before.", False),
        ("Mr Okafor has not previously been assessed.", False),
        ("We are assessing Ms Brent as a foster carer; she moved here in 2019.", False),
        ("", False),
    ],
)
def test_previously_fostered_or_adopted(body: str, expected: bool) -> None:
    assert previously_fostered_or_adopted(body) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Hi Priya - Mr Okafor is known to LADO (2018). Please advise the agency to contact OFSTED.", True),
        ("Mr Kofi Bello is known to LADO (2021). Ms Amara Bello and Daniel Bello are not known.", True),
        ("Mr Farrell is not known, but Ms Wood is known to LADO (2019, nursery worker).", True),
        ("Shiv - as discussed by phone, the carer is known (2023 allegation, outcome unfounded).", True),
        ("Neither Ms Lind nor Jay Lind are known to LADO.\n\nLADO Team", False),
        ("Not known. Regards", False),
        ("No trace on our records for either adult.", False),
        ("None of Grace, Samuel or Tobi Adeyemi are known to LADO.", False),
        ("Ms Hayley Brooks - not known.\nTyler Brooks - not known.", False),
        (
            "Not known.\n\nFrom: Marcus Obi\nSent: 06 November 2026\n"
            "Could you tell me whether Ms Rosa Lind is known to LADO",
            False,
        ),
        ("Outcome of the LADO check attached (password protected).", None),
        ("Please confirm the applicants full names and DOBs again and we will complete the check.", None),
        ("Are Mr and Mrs Hollis known to LADO?", None),
        ("Mr Reid is known to police for driving offences.", None),
    ],
)
def test_known_to_lado(body: str, expected: bool | None) -> None:
    assert known_to_lado(body) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Summary attached. Applicant withdrew in 2019 due to health issues.", True),
        ("Mr Cole was turned down at panel - financial difficulties (debt).", True),
        ("Withdrew 2018.\nReason: mental health.", True),
        ("Application did not progress due to ongoing medical treatment.", True),
        ("Application closed 2016 - bankruptcy.", True),
        ("Summary attached. Applicant withdrew in 2019.", False),
        ("Approved 2017, resigned 2020 (moved away).", False),
        ("Withdrew at stage 1 - no financial or health concerns, just a house move.", False),
        ("Health and safety check of the home was fine; she withdrew after a house move.", False),
        ("CHARMS summary sheet for Mr Okafor attached.", False),
    ],
)
def test_af_gave_sensitive_reason(body: str, expected: bool) -> None:
    assert af_gave_sensitive_reason(body) is expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("helen.marsh@northshire.gov.uk", "secure"),
        ("duty@northshire.gov.uk", "secure"),  # an LA's secure generic box is fine
        ("claire.ashworth1@nhs.net", "secure"),
        ("Helen Marsh <Helen.Marsh@Northshire.GOV.UK>", "secure"),
        ("lado.childrenstrust@gmail.com", "webmail"),
        ("gillharper.isw@hotmail.co.uk", "webmail"),
        ("Info@BrightpathFostering.co.uk", "generic"),
        ("info.uk@agency.co.uk", "generic"),
        ("admin-team@agency.co.uk", "generic"),
        ("kinship.team@agency.org.uk", "generic"),
        ("claire.dunn@brightpathfostering.co.uk", "personal"),
        ("someone@gov.uk.example.com", "personal"),  # looks like gov.uk, is not under it
        ("someone@notgov.uk", "personal"),
        ("", "generic"),
        ("not an address", "generic"),
    ],
)
def test_address_kind(address: str, expected: str, settings: Settings) -> None:
    assert address_kind(address, settings) == expected


PROBATION_FULL = (
    "I am the Probation Practitioner for Mr Craig Dutton, due for release on licence on 14/12/2026. He has "
    "convictions for assault on a partner. I am preparing a release risk assessment. Consent has not been sought "
    "from Mr Dutton because doing so may place the children at risk."
)


@pytest.mark.parametrize(
    ("body", "sender", "expected"),
    [
        ("Mia's mum has given verbal consent, recorded at 10:40 today.", "pc.rhodes@wessexvale.police.uk", []),
        ("Consent is not required as this is a court-directed S7 report.", "olu.bankole@cafcass.gov.uk", []),
        ("This is a joint S47 investigation so consent has not been sought.", "dc.price@wessexvale.police.uk", []),
        ("The children are subject to care proceedings, hearing next week.", "hv@nhs.net", []),
        ("Consent not sought - active police investigation, risk to children.", "pc@wessexvale.police.uk", []),
        ("Please find attached a Level 2 RFI form for Amir.", "dsl@fernhill-academy.sch.uk", [GAP_CONSENT]),
        ("Consent to follow.", "hv@nhs.net", [GAP_CONSENT]),
        ("He is currently on probation. Mum has consented verbally.", "pc@wessexvale.police.uk", []),
        (PROBATION_FULL, "rachel.imrie@justice.gov.uk", []),
        (
            "I am preparing a pre-sentence report for Mr Doyle who is due for release. Please tell me whether "
            "the children at 4 Marsh Lane are known to you.",
            "s.kerr@probation.example.uk",
            [GAP_CONCERNS, GAP_CONSENT_SOUGHT],
        ),
        (
            "Probation practitioner here. He has convictions for DA. Report for the Parole Board. Consent not sought.",
            "natasha.cole@justice.gov.uk",
            [GAP_CONSENT_WHY_NOT],
        ),
        ("Can u tell me if the kids at 4 Marsh Lane are known", "s.kerr@probation.example.uk", [
            GAP_CONCERNS, GAP_PURPOSE, GAP_CONSENT_SOUGHT,
        ]),
    ],
)
def test_partner_request_gaps(body: str, sender: str, expected: list[str]) -> None:
    assert partner_request_gaps(body, sender) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "My direct email is claire.dunn@brightpathfostering.co.uk - please send the response there.",
            "claire.dunn@brightpathfostering.co.uk",
        ),
        (
            "Sorry - pls reply to me at J.Whitaker@HarbourFamilies.co.uk. not the referrals@harbourfamilies.co.uk box",
            "j.whitaker@harbourfamilies.co.uk",
        ),
        (
            "Our team box is fostering@agency.org.uk but my own email address is sam.lee@agency.org.uk",
            "sam.lee@agency.org.uk",
        ),
        ("Copying in jo.bloggs@agency.org.uk.  My own email is sam.lee@agency.org.uk", "sam.lee@agency.org.uk"),
        (
            "My own address is nicola.fenn@brightwater.co.uk\n\nFrom: CASS <cass@childrenstrust.example>\n"
            "To: info@brightwater.co.uk\nSubject: please confirm your email address",
            "nicola.fenn@brightwater.co.uk",
        ),
        ("Please use info@brightpath.co.uk for now.", "info@brightpath.co.uk"),  # nothing better offered
        ("I have cc'd the CASS box cass@childrenstrust.example", None),
        ("Thanks, will wait to hear from you.", None),
        ("", None),
    ],
)
def test_own_address_offered(body: str, expected: str | None, settings: Settings) -> None:
    assert own_address_offered(body, "childrenstrust.example", settings.addresses.generic_local_parts) == expected


@pytest.mark.parametrize(
    "junk",
    ["", "\x00" * 500, "Mr " * 5000, "a" * 70_000, "consent signed " + "1/" * 20_000, "known " * 20_000, "@" * 5000],
)
def test_odd_input_never_raises(junk: str, settings: Settings) -> None:
    applicant_name(junk, junk)
    household_names(junk)
    consent_evidence(junk, [junk], NOW, 3)
    consent_evidence(junk, [], NOW, 10**9)
    previously_fostered_or_adopted(junk)
    known_to_lado(junk)
    af_gave_sensitive_reason(junk)
    address_kind(junk, settings)
    partner_request_gaps(junk, junk)
    own_address_offered(junk, junk, [junk])
