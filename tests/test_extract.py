"""What `bot.extract` reads out of request mail and check answers, one sentence at a time, written the
way busy people write it. Whole mails in many voices are in tests/corpus/ (test_corpus.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.config import Settings
from bot.extract.addresses import address_kind, own_address_offered
from bot.extract.answers import KNOWN, NOT_KNOWN, UNCLEAR, read_af_answer, read_lado_answer
from bot.extract.facts import RequestFacts, read_facts
from bot.extract.partner import read_partner
from bot.mail import parse_mail
from tests.support.mail import build_mail

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
SENT = "Fri, 20 Nov 2026 09:00:00 +0000"


def facts(settings: Settings, subject: str = "Information request", body: str = "",
          sender: str = "helen.marsh@northshire.gov.uk", attachment: tuple[str, bytes] | None = None) -> RequestFacts:
    mail = parse_mail(build_mail(subject, body, sender=sender, date=SENT, attachment=attachment))
    return read_facts(mail, settings, NOW)


def answer(body: str, sender: str = "lado@childrenstrust.example") -> bytes:
    return build_mail("RE: LADO CHECK Priya", body, sender=sender, date=SENT)


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Information request - Fostering assessment - Mr David Okafor", "Dear CASS, see below", ["Mr David Okafor"]),
        ("URGENT - OLA check - connected carer Ms Rosa Lind", "", ["Ms Rosa Lind"]),
        ("Applicant checks - Mr & Mrs Kowalski - Stage 2", "", ["Mr Kowalski", "Mrs Kowalski"]),
        ("Information request – Ms Siân O’Brien(fostering)", "", ["Ms Siân O’Brien"]),
        ("RE: Reg 24 - Mr Leon Farrell's household", "", ["Mr Leon Farrell"]),
        ("Fostering applicant: Jerome Baptiste", "", ["Jerome Baptiste"]),
        (
            "Request for information - prospective foster carer",
            "Good afternoon,\nBrightpath Fostering is assessing Ms Carla Brent as a foster carer.",
            ["Ms Carla Brent"],
        ),
        (
            "checks pls",
            "hi, we r completing a form F assessment of\nMrs  Grace Adeyemi (DOB 14/06/1979), 3 Barley Mow Cl.",
            ["Mrs Grace Adeyemi"],
        ),
        ("LA checks", "Our applicant, Tomasz Nowak, lived in yr area 2009-2015.", ["Tomasz Nowak"]),
        (
            "Information request",
            "| Name | Role | DOB |\n| Aisha Rahman | Applicant | 02/02/1985 |\n| Imran Rahman | Applicant | "
            "09/09/1983 |\n| Sami Rahman | Son | 01/01/2008 |",
            ["Aisha Rahman", "Imran Rahman"],
        ),
        # The subject's other name is the council the body signs for, not a second applicant.
        ("LA check - Mr Idris Okafor - Harrow Fen fostering",
         "I am the assessing social worker at Harrow Fen Council. Mr Idris Okafor has applied to foster with us.",
         ["Mr Idris Okafor"]),
        # The council assessing them is no applicant, nor is the house or the street they live in.
        ("Checks please", "The couple below are being assessed by Glen Orrin as kinship carers:\nMr Callum Reid\n"
         "Mrs Shona Reid", ["Mr Callum Reid", "Mrs Shona Reid"]),
        ("Gwiriadau", "We are assessing Ms Elen Morgan of Bryn Awel, Heol Ddu, Llanfair LL55 4TT as a foster carer.",
         ["Ms Elen Morgan"]),
        # A Welsh patronymic, and a table that writes the surname first in capitals.
        ("Checks - Ms Nia ferch Rhys", "Fostering assessment of Ms Nia ferch Rhys, sole applicant.",
         ["Ms Nia ferch Rhys"]),
        ("LA check", "We are assessing Mr Tomás Ruiz.\nRUIZ Tomás, DOB 01/01/1980, applicant", ["Mr Tomás Ruiz"]),
        # Surnames that are also a place's or a service's word, after a title.
        ("LA checks", "We are assessing Mr John Foster and Ms Amy House as joint applicants.",
         ["Mr John Foster", "Ms Amy House"]),
        # Negative: nobody named as an applicant, the sender's own name in the signature.
        ("Request for information - Ref 123456", "Please see the attached form.\n\nKind regards\nMarcus Obi", []),
        ("Request for information", "Could you tell us whether the family are known?\n\nThanks,\nHelen Marsh", []),
        ("applicant Carla", "one word after 'applicant' is not enough", []),
        ("", "", []),
    ],
)
def test_applicants(subject: str, body: str, expected: list[str], settings: Settings) -> None:
    assert [p.name for p in facts(settings, subject, body).applicants] == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "We are assessing Ms Amara Bello, who lives with her partner Mr Kofi Bello and her son Daniel Bello (17).",
            {"Mr Kofi Bello": True, "Daniel Bello": True},
        ),
        ("Pls check the applicant Ms Rosa Lind and her son Jay Lind (DOB 03/03/2014).", {"Jay Lind": False}),
        (
            "Applicant: Mrs Grace Adeyemi. Her husband Samuel (DOB 02/01/1977) and their son Tobi (now 19) also "
            "live there.",
            {"Samuel": True, "Tobi": True},  # names as written: a husband's surname is not assumed
        ),
        # A partner is an adult whatever the mail leaves out.
        ("Applicant Mr Leon Farrell. Mr Farrell's partner Chantelle Wood lives with him.", {"Chantelle Wood": True}),
        ("Also in the household of our applicant Ms Ada Afolabi is her son Kayode Afolabi (DOB 01/06/2004).",
         {"Kayode Afolabi": True}),
        # The whole of a list after "lives at ... with their boys", not only the name the relation word touches.
        ("Our applicants Mr Omar Haddad and Mrs Leila Haddad live at 9 Quarry Row, Dunmere, with their girls "
         "Noor Haddad (11) and Yasmin Haddad (7).", {"Noor Haddad": False, "Yasmin Haddad": False}),
        ("Assessing Ms Jo Pike. She lives alone with her two children Amy Pike (14) and Ben Pike (12).",
         {"Amy Pike": False, "Ben Pike": False}),  # "alone with": a single parent
        ("Ms Bridget Quinn lives in a two-bed flat with her mum, Mrs Sheila Quinn (born 03/05/1951), and her kids, "
         "Aoife Quinn (14) and Sean Quinn (8).",
         {"Mrs Sheila Quinn": True, "Aoife Quinn": False, "Sean Quinn": False}),
        # "Who are 7" is the twins' age, not their older brother's, whose own age comes first.
        ("We are assessing Mr Ivan Horvat and Mrs Sara Horvat. The household is Ivan, Sara, Ivan's son Luka "
         "Horvat (19), who is at college, and the couple's twins, Mia and Ema Horvat, who are 6.",
         {"Luka Horvat": True, "Mia Horvat": False, "Ema Horvat": False}),
        # A chaser quoting the request with "> " at each line: the quoted words read as words.
        ("Any news on the below?\n\n> We are assessing Ms Dee Marsh. She now lives at 3 Elm Court with her\n> son "
         "Kyle Marsh (21) and her daughter Tia Marsh (15).", {"Kyle Marsh": True, "Tia Marsh": False}),
        # "Mrs Tull's mother" is an adult; "he turns 18 next month" is 17, so over 16.
        ("Applicants: Mr Warren Tull and Mrs Angela Tull. Also living there:\n- Mrs Irene Catchpole, Mrs Tull's "
         "mother, who moved in last year\n- Ruben Tull, their son, he turns 18 next month",
         {"Mrs Irene Catchpole": True, "Ruben Tull": True}),
        # An age after a first name alone, and one age for twins.
        ("Assessing Mr Dan Roe. He lives with his partner Mel Kay and her son Kyan who is 12, and their baby Isla, "
         "aged 10 months.", {"Mel Kay": True, "Kyan": False, "Isla": False}),
        ("Assessing Mrs Ada Obi. She has twin girls, Chioma Obi and Adaeze Obi, aged 11.",
         {"Chioma Obi": False, "Adaeze Obi": False}),
        # A name ends at its table cell: "Nia ap Dafydd<tab>Ffion's daughter" is Nia ap Dafydd.
        ("Household\tConsent signed\nGareth Pryce\tapplicant\tDOB 14/03/1980\t20/11/2026\nFfion ap Dafydd\t"
         "applicant\tDOB 30/06/1985\t20/11/2026\nNia ap Dafydd\tFfion's daughter\taged 16\t19/11/2026",
         {"Nia ap Dafydd": True}),
        # A phone-typed list of who is in the house, ages bare after the names.
        ("Assessing Mr Dean Pryce. Kids in the house Lola Pryce 9 and Alfie Pryce 5, plus his partner Jade Marsh.",
         {"Lola Pryce": False, "Alfie Pryce": False, "Jade Marsh": True}),
        # Negative: nobody named, the child's relatives, a former partner, grown children who only visit.
        ("Our applicant Ms Doyle lives alone.", {}),
        ("Assessing Ms Jo Pike. Ms Pike lives alone and her adult children Amy Pike (24) and Ben Pike (22) visit "
         "often.", {}),
        ("Mr Ron Webb, 12 Heron Way and Mrs Webb", {}),  # a house number is not an age
        ("Our applicant is Ms Rosa Lind. She lived here 2015-2021 with her then partner Mr Lukasz Nowak.", {}),
    ],
)
def test_household_and_their_ages(body: str, expected: dict[str, bool | None], settings: Settings) -> None:
    """Who else lives there, and whether each is over 16 (None: the mail does not say)."""
    assert {p.name: p.over_16 for p in facts(settings, body=body).household} == expected


@pytest.mark.parametrize(
    ("body", "status", "signed_on"),
    [
        ("Applicant Mr David Okafor. Signed consent given (signed 02/11/2026).", "ok", date(2026, 11, 2)),
        ("Applicant Ms Rosa Lind. Her consent form is signed, dated 2nd Nov 2026.", "ok", date(2026, 11, 2)),
        # "Not yet" of the date is not "not yet signed"; of the signing it is.
        ("Applicant Ms Kim Roe, who lives alone. She signed the consent form, though it is not yet dated.", "undated",
         None),
        ("Applicant Ms Kim Roe, who lives alone. She has not yet signed the consent form.", "missing", None),
        ("Applicant Ms Rosa Lind. Consent given (signed 10/07/2026).", "expired", date(2026, 7, 10)),
        # Exactly three calendar months is still in time; a day more is not.
        ("Applicant Ms Rosa Lind. Consent given, signed 20/08/2026", "ok", date(2026, 8, 20)),
        ("Applicant Ms Rosa Lind. Consent given, signed 19/08/2026", "expired", date(2026, 8, 19)),
        ("Applicant Ms Rosa Lind. Consent has not been obtained yet, we will send it on.", "missing", None),
        ("Applicant Ms Rosa Lind. She gave verbal consent on the phone this morning.", "verbal_only", None),
        ("Applicant Ms Rosa Lind. She has signed the consent.", "undated", None),
        # issue 20: a claim is not evidence; these mails carry no attachment
        ("Applicant Ms Rosa Lind. Signed consent attached.", "missing", None),
        ("Applicant Mr David Okafor. Signed consent attached (signed 02/11/2026).", "missing", None),
        ("Applicant Ms Rosa Lind. Thanks for the call.", "missing", None),
        (
            "Applicants Mr Joe Dickinson and Ms Amy Lane. Mr Dickinson's consent is attached (signed 10/11/2026) - "
            "still waiting for Ms Lane's consent, will forward it.",
            "incomplete", date(2026, 11, 10),
        ),
        (
            "Applicants Mr Joe Dickinson and Ms Amy Lane. Consents signed 02/11/2026 and 28/10/2026, given.",
            "ok", date(2026, 10, 28),
        ),
    ],
)
def test_consent(body: str, status: str, signed_on: date | None, settings: Settings) -> None:
    """Consent as seed 000 judges it: signed, dated, by everyone who must sign, within three months."""
    consent = facts(settings, body=body).consent
    assert (consent.status, consent.signed_on) == (status, signed_on)


def test_consent_signed_in_the_future_is_not_believed(settings: Settings) -> None:
    consent = facts(settings, body="Applicant Ms Rosa Lind. Consent was signed 01/12/2026.").consent
    assert consent.status != "ok"
    assert any("01/12/2026" in note or "later than" in note for note in consent.notes)


@pytest.mark.parametrize(
    ("body", "with_this_trust", "elsewhere"),
    [
        ("Our applicant Mrs Begum previously fostered for Harbour Families.", False, True),
        ("She was approved as a foster carer with your trust in 2017.", True, False),
        ("Mr Nwosu applied to foster with you in 2015 but withdrew.", True, False),
        ("They were foster carers in Walsall 2008-2012.", False, True),
        ("This is Ms Price's first application to foster.", False, False),
        ("She has never fostered or adopted before.", False, False),
        ("We are assessing Ms Brent as a foster carer; she moved here in 2019.", False, False),
        # Two histories in one sentence, the second after "and since then".
        ("He was approved as a foster carer with your trust 2011-2016, and since then has fostered with Kestrel "
         "Care.", True, True),
        # The application now, and who the writer is, are no history.
        ("Mr Ali Shah and Ms Nadia Shah registered their interest in adopting with us in May and are now in "
         "Stage 2.", False, False),
        ("I'm a fostering social worker with Brightwater Fostering, an agency registered with Ofsted. We are "
         "assessing Ms Jo Pike.", False, False),
        # A plain-text mail wrapped before "(DOB ...)": still one sentence.
        ("I am assessing Mr Rhys Bevan (DOB 02/02/1980) and his wife Mrs Carys Bevan\n(DOB 05/05/1982) as foster "
         "carers for Cwmfelin Council.", False, False),
    ],
)
def test_history(body: str, with_this_trust: bool, elsewhere: bool, settings: Settings) -> None:
    history = facts(settings, body=body).history
    assert (history.with_this_trust, history.elsewhere) == (with_this_trust, elsewhere)


@pytest.mark.parametrize(
    ("body", "checked", "expected"),
    [
        ("Hi Priya - Mr Okafor is known to LADO (2018). Please advise the agency to contact OFSTED.",
         ["Mr David Okafor"], {"Mr David Okafor": KNOWN}),
        ("Mr Kofi Bello is known to LADO (2021). Ms Amara Bello and Daniel Bello are not known.",
         ["Ms Amara Bello", "Mr Kofi Bello", "Daniel Bello"],
         {"Ms Amara Bello": NOT_KNOWN, "Mr Kofi Bello": KNOWN, "Daniel Bello": NOT_KNOWN}),
        ("Mr Farrell is not known, but Ms Wood is known to LADO (2019, nursery worker).",
         ["Mr Leon Farrell", "Ms Chantelle Wood"], {"Mr Leon Farrell": NOT_KNOWN, "Ms Chantelle Wood": KNOWN}),
        ("Neither Ms Lind nor Jay Lind are known to LADO.\n\nLADO Team",
         ["Ms Rosa Lind", "Jay Lind"], {"Ms Rosa Lind": NOT_KNOWN, "Jay Lind": NOT_KNOWN}),
        ("No trace on our records for either adult.", ["Mr Kofi Bello", "Ms Amara Bello"],
         {"Mr Kofi Bello": NOT_KNOWN, "Ms Amara Bello": NOT_KNOWN}),
        ("Ms Hayley Brooks - not known.\nTyler Brooks - not known.", ["Ms Hayley Brooks", "Tyler Brooks"],
         {"Ms Hayley Brooks": NOT_KNOWN, "Tyler Brooks": NOT_KNOWN}),
        # Safe by default: an answer that does not settle someone leaves them unclear.
        ("Mr Farrell is not known.", ["Mr Leon Farrell", "Ms Chantelle Wood"],
         {"Mr Leon Farrell": NOT_KNOWN, "Ms Chantelle Wood": UNCLEAR}),
        ("Outcome of the LADO check attached (password protected).", ["Ms Rosa Lind"], {"Ms Rosa Lind": UNCLEAR}),
        ("Are Mr and Mrs Hollis known to LADO?", ["Mr Hollis"], {"Mr Hollis": UNCLEAR}),
        ("Mr Reid is known to police for driving offences.", ["Mr Sam Reid"], {"Mr Sam Reid": UNCLEAR}),
    ],
)
def test_lado_answer_person_by_person(body: str, checked: list[str], expected: dict[str, str]) -> None:
    read = read_lado_answer(parse_mail(answer(body)), checked)
    assert read.final
    assert read.facts["people"] == expected


def test_a_lado_holding_reply_is_not_an_answer() -> None:
    read = read_lado_answer(parse_mail(answer("Thanks, I'll check and come back to you tomorrow.")), ["Ms Rosa Lind"])
    assert not read.final


def test_lado_answer_ignores_the_quoted_request() -> None:
    body = ("Not known.\n\nFrom: Marcus Obi\nSent: 06 November 2026\n"
            "Could you tell me whether Ms Rosa Lind is known to LADO")
    assert read_lado_answer(parse_mail(answer(body)), ["Ms Rosa Lind"]).facts["people"] == {"Ms Rosa Lind": NOT_KNOWN}


@pytest.mark.parametrize(
    ("body", "sensitive"),
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
def test_af_answer_health_or_money_reason(body: str, sensitive: bool) -> None:
    """The reason itself never reaches the response: only whether there was one."""
    read = read_af_answer(parse_mail(answer(body, "af@childrenstrust.example")), ["Mr Cole"])
    assert read.facts["sensitive_reason"] is sensitive
    assert read.response["af_withdrew_sensitive"] is sensitive


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("helen.marsh@northshire.gov.uk", "secure"),
        ("duty@northshire.gov.uk", "secure"),  # an LA's secure generic box is fine
        ("claire.ashworth1@nhs.net", "secure"),
        ("Helen.Marsh@Northshire.GOV.UK", "secure"),
        ("Helen Marsh <helen.marsh@northshire.gov.uk>", "generic"),  # not an addr-spec: never taken as secure
        ("lado.childrenstrust@gmail.com", "webmail"),
        ("gillharper.isw@hotmail.co.uk", "webmail"),
        ("Info@BrightpathFostering.co.uk", "generic"),
        ("info.uk@agency.co.uk", "generic"),
        ("admin-team@agency.co.uk", "generic"),
        ("kinship.team@agency.org.uk", "generic"),
        ("claire.dunn@brightpathfostering.co.uk", "personal"),
        ("someone@gov.uk.example.com", "lookalike"),  # looks like gov.uk, is not under it
        ("someone@notgov.uk", "lookalike"),
        ("sam.lee@brightpath.example", "personal"),
        ("", "generic"),
        ("not an address", "generic"),
    ],
)
def test_address_kind(address: str, expected: str, settings: Settings) -> None:
    assert address_kind(address, settings) == expected


PROBATION_FULL = (
    "I am the Probation Practitioner for Mr Craig Dutton, due for release on licence on 14/12/2026. He has "
    "convictions for assault on a partner. I am preparing a release risk assessment. Consent has not been sought "
    "from Mr Dutton because doing so may place the children at risk. Our RFI form is attached."
)


@pytest.mark.parametrize(
    ("body", "sender", "attachment", "missing"),
    [
        ("Mia's mum has given verbal consent, recorded at 10:40 today.", "pc.rhodes@wessexvale.police.uk",
         "RFI_form.docx", []),
        ("Consent is not required as this is a court-directed S7 report.", "olu.bankole@cafcass.gov.uk",
         "Request for Information form.pdf", []),
        ("This is a joint S47 investigation so consent has not been sought.", "dc.price@wessexvale.police.uk",
         "RFI.pdf", []),
        ("The children are subject to care proceedings, hearing next week.", "hv@nhs.net", "RFI.docx", []),
        ("Please find attached a Level 2 RFI form for Amir.", "dsl@fernhill-academy.sch.uk", "Level2_RFI.docx",
         ["consent"]),
        ("Consent to follow. Can you tell me what you know about the family?", "hv@nhs.net", None,
         ["rfi_form", "consent"]),
        (PROBATION_FULL, "rachel.imrie@justice.gov.uk", "RFI.docx", []),
        ("I am the probation officer preparing a pre-sentence report for Mr Doyle. Please tell me whether the "
         "children at 4 Marsh Lane are known to you.", "s.kerr@justice.gov.uk", "RFI.docx",
         ["consent", "concerns", "consent_statement"]),
        ("Probation officer here. He has convictions for theft and driving without insurance. Report for the "
         "Parole Board. Consent not sought because he is in custody and it would alert him.",
         "natasha.cole@justice.gov.uk", "RFI.docx", ["concerns_not_sufficient"]),
        ("Probation service: he has convictions for domestic abuse. Consent has been given, signed form attached.",
         "natasha.cole@justice.gov.uk", "RFI.docx", ["purpose"]),
    ],
)
def test_a_level2_request_is_read_for_what_it_lacks(body: str, sender: str, attachment: str | None,
                                                    missing: list[str]) -> None:
    """Seed 001: the form, consent or an exemption, and for Probation its concerns (theft or driving alone is
    not enough), its purpose and whether consent was sought."""
    mail = parse_mail(build_mail("Request for information", body, sender=sender,
                                 attachment=(attachment, b"%PDF-1.4") if attachment else None))
    assert list(read_partner(mail, mail.body_text).missing) == missing


@pytest.mark.parametrize(("sender", "body", "agency", "exemption"), [
    ("pc.rhodes@wessexvale.police.uk", "Strategy discussion held today; S47 enquiry open.", "police", "s47"),
    ("olu.bankole@cafcass.gov.uk", "I am writing a section 7 report for the court.", "cafcass", "s7"),
    ("legal@northshire.gov.uk", "The family are in pre-proceedings (PLO).", "local_authority", "plo"),
    ("jo.smith@smithandco-solicitors.co.uk", "We act for the mother in care proceedings.", "solicitor",
     "care_proceedings"),
    ("dsl@fernhill-academy.sch.uk", "This is not a section 47 matter; mum consents.", "education", None),
])
def test_agency_and_exemption(sender: str, body: str, agency: str, exemption: str | None) -> None:
    mail = parse_mail(build_mail("Request for information", body, sender=sender))
    facts = read_partner(mail, mail.body_text)
    assert (facts.agency, facts.exemption) == (agency, exemption)


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
    facts(settings, junk[:900], junk)
    mail = parse_mail(answer(junk))
    read_lado_answer(mail, [junk[:200]])
    read_af_answer(mail, [junk[:200]])
    address_kind(junk, settings)
    read_partner(parse_mail(answer(junk)), junk)
    own_address_offered(junk, junk, [junk])


def test_a_double_surname_after_a_title_is_the_same_person(settings: Settings) -> None:
    """"Mr Wynne Jones" later in the mail is "Mr Gareth Wynne Jones", not a Mr with the first name Wynne: each
    date of birth goes to its own applicant."""
    read = facts(settings, body="We are assessing Mr Gareth Wynne Jones and Mrs Elin Wynne Jones as adopters. "
                                "Mr Wynne Jones (DOB 12/12/1975) works locally; Mrs Wynne Jones (DOB 01/03/1978) "
                                "is a teacher.")
    assert {p.name: p.born for p in read.applicants} == {"Mr Gareth Wynne Jones": date(1975, 12, 12),
                                                         "Mrs Elin Wynne Jones": date(1978, 3, 1)}


def test_a_notice_is_cut_from_its_own_line_and_a_long_block_keeps_every_line() -> None:
    """A referral typed as one block above "This email is confidential" keeps its words, however many lines."""
    from bot.extract.document import without_disclaimers

    block = "Child: Rio Fenwick\nSeen: bruising to both arms\nThis email is confidential and\nintended only for you."
    assert without_disclaimers(block) == "Child: Rio Fenwick\nSeen: bruising to both arms"
    assert without_disclaimers("This email is confidential.\n\nThe real text") == "The real text"
    long = "a line of the referral\n" * 5000 + "This email is confidential."
    assert without_disclaimers(long).count("a line of the referral") == 5000
