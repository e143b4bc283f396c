"""Issue 20: the consent form is the evidence. Read from Word, PDF and scans; judged as seed 000 says.

Each test reads a request mail with a form attached the way the bot does (parse, read the
facts, plan the drafts) and asserts what the RAO would see: which drafts, the consent
decision, and what the note says. The labelled form corpus (tests/forms/) is held to the
invariants of the issue on every mail in it.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from bench.forms import measure
from bot.config import Settings
from bot.domain import Kind
from bot.drafting import plan_new_request
from bot.extract.facts import RequestFacts, read_facts
from bot.extract.formats import ocr_available
from bot.mail import ParsedMail, parse_mail
from tests.support.forms import Form, Signer, form_docx, form_pdf, scan_of
from tests.support.mail import build_mail

FORMS = Path(__file__).resolve().parent / "forms"
CASES = sorted(FORMS.glob("*.eml"))
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
COUPLE = [("Chidi Okafor", "14/02/1980"), ("Ngozi Okafor", "03/07/1982")]
SON = ("Emeka Okafor", "01/05/2008", "son")  # 18 at the mail's date: must sign
DAUGHTER = ("Ada Okafor", "12/12/2015", "daughter")
ADULT_AWAY = ("Obi Okafor", "02/03/2001", "son")  # lives in Leeds: need not sign
EVERYONE = [Signer("Chidi Okafor"), Signer("Ngozi Okafor"), Signer("Emeka Okafor")]
# Without Tesseract the OCR tests skip on a developer's machine; in CI (.ci/run installs it) they must run.
needs_ocr = pytest.mark.skipif(not ocr_available() and os.environ.get("CI") != "true",
                               reason="Tesseract is not installed (apt-get install -y tesseract-ocr)")


def _mail(body: str, attachment: tuple[str, bytes] | None) -> ParsedMail:
    return parse_mail(build_mail("Information request - Form F - Mr and Mrs Okafor", body,
                                 sender="helen.marsh@northshire.gov.uk", attachment=attachment))


def _read(attachment: tuple[str, bytes] | None, body: str = "Please see the attached consent form.\n",
          settings: Settings | None = None) -> tuple[RequestFacts, list[str]]:
    from bot.config import load_settings

    settings = settings or load_settings(Path(__file__).resolve().parent.parent / "config" / "cassbot.toml")
    mail = _mail(body, attachment)
    facts = read_facts(mail, settings, NOW)
    plan = plan_new_request(Kind.OLA_REQUEST, mail, facts, settings)
    return facts, sorted(str(d.template) for d in plan.drafts)


def _form(**changes: Any) -> Form:
    fields: dict[str, Any] = {"applicants": COUPLE, "household": [SON, DAUGHTER], "elsewhere": [ADULT_AWAY],
                              "signers": EVERYONE}
    fields.update(changes)
    return Form(**fields)


@pytest.mark.parametrize("build", [form_docx, form_pdf], ids=["docx", "pdf"])
def test_a_form_with_a_one_line_note_names_the_household_and_drafts_the_checks(build: Any) -> None:
    facts, drafts = _read(("consent.docx" if build is form_docx else "consent.pdf", build(_form())))
    assert [p.name for p in facts.applicants] == ["Mr Chidi Okafor", "Mrs Ngozi Okafor"]  # subject and form
    assert {p.name: p.over_16 for p in facts.household} == {"Emeka Okafor": True, "Ada Okafor": False}
    assert "Obi Okafor" not in [p.name for p in facts.household]  # an adult child elsewhere is no household
    assert facts.consent.status == "ok" and facts.consent.signed_on is not None
    assert drafts == ["lado_check_request"]


@pytest.mark.parametrize("build", [form_docx, form_pdf], ids=["docx", "pdf"])
def test_an_empty_signature_cell_of_someone_over_16_is_incomplete_consent_naming_them(build: Any) -> None:
    form = _form(signers=[Signer("Chidi Okafor"), Signer("Ngozi Okafor"), Signer("Emeka Okafor", signed=False)])
    facts, drafts = _read(("consent.docx" if build is form_docx else "consent.pdf", build(form)))
    assert facts.consent.status == "incomplete" and drafts == ["resubmission_request"]
    assert any("Emeka Okafor has no signature" in note for note in facts.notes)
    assert facts.consent.unsigned == ("Emeka Okafor",)


def test_a_signature_line_under_a_household_table_belongs_to_its_own_name() -> None:
    """A Word form whose household table ("Name | Relationship | Date of birth") is followed by one line per
    signer ("Name: ... Signed: ... Date: ..."): the first signer is not lost to the table's empty "Name"."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for row, cells in zip(table.rows, [["Name", "Relationship", "Date of birth"],
                                       ["Mr Chidi Okafor", "Applicant", "14/02/1980"],
                                       ["Mrs Ngozi Okafor", "Applicant", "03/07/1982"],
                                       ["Ada Okafor", "Daughter", "12/12/2015"]], strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_paragraph("We, the undersigned, consent to these checks.")
    for name in ("Chidi Okafor", "Ngozi Okafor"):
        document.add_paragraph(f"Name: {name} Signed: {name} Date: 02/11/2026")
    data = io.BytesIO()
    document.save(data)
    facts, drafts = _read(("consent.docx", data.getvalue()))
    assert facts.consent.status == "ok" and "resubmission_request" not in drafts


@pytest.mark.parametrize("surname", ["Lane", "Court"])
def test_a_surname_that_is_a_street_word_is_a_person_on_the_form(surname: str) -> None:
    """"Ms Jo Lane" signs her form like anyone else: her row is a person's, so the form is a consent form."""
    form = Form(applicants=[(f"Jo {surname}", "03/07/1982")], household=[], signers=[Signer(f"Jo {surname}")])
    mail = parse_mail(build_mail(f"Information request - Form F - Ms Jo {surname}",
                                 f"Form F assessment of Ms Jo {surname}, who lives alone. Signed consent attached.",
                                 sender="helen.marsh@northshire.gov.uk", attachment=("consent.docx", form_docx(form))))
    from bot.config import load_settings
    settings = load_settings(Path(__file__).resolve().parent.parent / "config" / "cassbot.toml")
    facts = read_facts(mail, settings, NOW)
    assert facts.consent.status == "ok", facts.notes


def test_a_signature_without_a_date_is_incomplete() -> None:
    form = _form(signers=[Signer("Chidi Okafor"), Signer("Ngozi Okafor", on=None), Signer("Emeka Okafor")])
    facts, drafts = _read(("consent.pdf", form_pdf(form)))
    assert facts.consent.status == "incomplete" and drafts == ["resubmission_request"]
    assert any("Ngozi Okafor has no date" in note for note in facts.notes)


def test_a_signing_date_after_the_mail_is_not_a_signing_date() -> None:
    form = _form(signers=[Signer("Chidi Okafor"), Signer("Ngozi Okafor", on="20/11/2026"), Signer("Emeka Okafor")])
    facts, drafts = _read(("consent.docx", form_docx(form)))
    assert facts.consent.status == "incomplete" and "lado_check_request" not in drafts
    assert any("after the mail itself" in note for note in facts.notes)


@pytest.mark.parametrize(("oldest", "status"), [("16/08/2026", "ok"), ("15/08/2026", "expired")])
def test_the_oldest_signature_counts_for_the_three_months(oldest: str, status: str) -> None:
    form = _form(signers=[Signer("Chidi Okafor", on=oldest), Signer("Ngozi Okafor"), Signer("Emeka Okafor")])
    facts, _ = _read(("consent.pdf", form_pdf(form)))
    assert facts.consent.status == status


def test_someone_on_the_form_the_mail_leaves_out_must_sign_too() -> None:
    """The note names the couple only; the form shows their son of 18, who has not signed."""
    form = _form(signers=[Signer("Chidi Okafor"), Signer("Ngozi Okafor")])
    facts, drafts = _read(("consent.pdf", form_pdf(form)), "We are assessing Mr and Mrs Okafor. Consent attached.\n")
    assert facts.consent.status == "incomplete" and drafts == ["resubmission_request"]
    assert any("Emeka Okafor is not in the form's signature table" in note for note in facts.notes)


@pytest.mark.parametrize(("born", "status"), [("01/11/2010", "incomplete"), ("01/12/2010", "ok")])
@pytest.mark.parametrize("words", ["Mr and Mrs Okafor signed consent on 2 November 2026. Emeka has not signed.",
                                   "Both signed consent on 2 November 2026."])
def test_the_mail_and_the_form_agree_on_who_must_sign(born: str, status: str, words: str) -> None:
    """Seed 000: a son living at home signs once he is 16 at the mail's date (16 on 1 November, not until 1
    December). His missing signature counts the same whether the mail's words say who signed or the form shows
    it."""
    couple = "Mr Chidi Okafor and Mrs Ngozi Okafor, who live with their son Emeka Okafor"
    said, _ = _read(None, f"We are assessing {couple} (DOB {born}). {words}\n")
    form = _form(household=[("Emeka Okafor", born, "son")], elsewhere=[],
                 signers=[Signer("Chidi Okafor"), Signer("Ngozi Okafor")])
    shown, _ = _read(("consent.pdf", form_pdf(form)), f"We are assessing {couple}. Signed consent attached.\n")
    assert (said.consent.status, shown.consent.status) == (status, status)


def test_a_date_of_birth_the_form_and_the_mail_give_differently_is_a_note_quoting_both() -> None:
    body = "We are assessing Mr Chidi Okafor (DOB 14/02/1981) and Mrs Ngozi Okafor. Signed consent attached.\n"
    facts, _ = _read(("consent.pdf", form_pdf(_form())), body)
    assert any("14/02/1980" in note and "14/02/1981" in note for note in facts.notes)


def test_a_form_for_another_family_is_set_aside_for_a_person() -> None:
    other = Form(applicants=[("Rajesh Patel", "01/01/1975")], signers=[Signer("Rajesh Patel")])
    body = "We are assessing Mr Chidi Okafor as a foster carer. His signed consent is attached.\n"
    facts, drafts = _read(("consent.pdf", form_pdf(other)), body)
    assert "lado_check_request" not in drafts
    assert any("Rajesh Patel" in note and "not use it" in note for note in facts.notes)


def test_consent_attached_with_nothing_attached_is_missing_consent() -> None:
    body = "We are assessing Mr Chidi Okafor. Please find attached his signed consent form, signed 2/11/2026.\n"
    facts, drafts = _read(None, body)
    assert facts.consent.status == "missing" and drafts == ["resubmission_request"]
    assert facts.consent.nothing_attached


def test_consent_attached_beside_an_attachment_that_is_no_consent_form_is_missing_consent() -> None:
    letter = Form(applicants=[], signers=[], council="Referral letter: Northshire Council")
    body = "We are assessing Mr Chidi Okafor. Signed consent attached, signed 2 November 2026.\n"
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(50, 780, "Dear colleague, a letter about our service. " + letter.council)
    page.save()
    facts, drafts = _read(("letter.pdf", out.getvalue()), body)
    assert facts.consent.status == "missing" and drafts == ["resubmission_request"]


@pytest.mark.parametrize(("name", "data", "why"), [
    ("consent.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "could not be read as a PDF"),
    ("consent.docx", b"PK\x03\x04 not a real zip", "could not be read as a Word document"),
    ("consent.doc", b"\xd0\xcf\x11\xe0 an old Word file", "old Word file"),
])
def test_a_form_that_cannot_be_opened_is_never_consent_and_goes_to_a_person(name: str, data: bytes, why: str) -> None:
    facts, drafts = _read((name, data), "Signed consent attached, signed 2 November 2026.\n")
    assert facts.consent.status == "unconfirmed" and drafts == []
    assert any(why in note for note in facts.notes)


def test_a_password_protected_pdf_is_a_note_and_a_person() -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, encrypt=StandardEncryption("secret", canPrint=0))
    page.drawString(50, 780, "Consent to checks")
    page.save()
    facts, drafts = _read(("consent.pdf", out.getvalue()))
    assert drafts == [] and any("password-protected" in note for note in facts.notes)


def test_a_docx_zip_bomb_is_refused_in_bounded_time() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", b"<" * 60_000_000)
    facts, drafts = _read(("consent.docx", out.getvalue()))
    assert drafts == [] and any("far more than a form" in note for note in facts.notes)


def test_a_picture_far_larger_than_a_page_is_refused() -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 1).save(out, "PNG")
    facts, drafts = _read(("consent.png", out.getvalue()))
    assert drafts == [] and any("far larger than a photo of a page" in note for note in facts.notes)


def test_an_attachment_too_large_to_read_is_a_note() -> None:
    facts, drafts = _read(("consent.pdf", b"%PDF-1.4\n" + b"0" * 16_000_000))
    assert drafts == [] and any("too large for cassbot to read" in note for note in facts.notes)


@needs_ocr
def test_a_clean_scan_is_read_and_every_fact_from_it_is_marked_as_read_from_a_scan() -> None:
    facts, drafts = _read(("scan.jpg", scan_of(form_pdf(_form()))))
    assert facts.consent.status == "ok" and drafts == ["lado_check_request"]
    assert any(note.startswith("Read from a scan (scan.jpg)") for note in facts.notes)


@needs_ocr
def test_a_scan_turned_upside_down_is_read_the_right_way_up() -> None:
    facts, _ = _read(("scan.png", scan_of(form_pdf(_form()), turn=180, kind="PNG")))
    assert [p.name for p in facts.applicants] == ["Mr Chidi Okafor", "Mrs Ngozi Okafor"]


@needs_ocr
def test_a_scan_whose_rows_cannot_be_confirmed_decides_nothing() -> None:
    facts, drafts = _read(("scan.jpg", scan_of(form_pdf(_form()), blur=3.5)))
    assert facts.consent.status in ("unconfirmed", "ok")
    if facts.consent.status == "unconfirmed":
        assert drafts == [] and facts.notes


@needs_ocr
def test_an_image_in_a_pdf_in_a_forwarded_mail_is_read_within_bounds(settings: Settings) -> None:
    inner = EmailMessage()
    inner["From"], inner["Subject"] = "helen.marsh@northshire.gov.uk", "Form F - Okafor"
    inner.set_content("Consent attached.")
    from PIL import Image

    scan = Image.open(io.BytesIO(scan_of(form_pdf(_form()))))
    pdf = io.BytesIO()
    scan.save(pdf, "PDF")
    inner.add_attachment(pdf.getvalue(), maintype="application", subtype="pdf", filename="scan.pdf")
    outer = EmailMessage()
    outer["From"], outer["To"] = "helen.marsh@northshire.gov.uk", "cass@childrenstrust.example"
    outer["Subject"], outer["Date"] = "FW: Form F - Okafor", "Mon, 16 Nov 2026 09:00:00 +0000"
    outer.set_content("Forwarding the request below.")
    outer.add_attachment(inner)
    facts = read_facts(parse_mail(bytes(outer)), settings, NOW)
    assert facts.consent.status in ("ok", "unconfirmed")


# -- the labelled corpus -----------------------------------------------------------------------------


def _label(path: Path) -> dict[str, Any]:
    label: dict[str, Any] = json.loads(path.with_suffix(".json").read_text())
    return label


def test_the_form_corpus_is_large_and_every_format_is_there() -> None:
    formats = {(_label(p).get("form") or {}).get("format", "none") for p in CASES}
    assert len(CASES) >= 80 and {"docx", "pdf", "scan", "odt", "rtf", "encrypted", "damaged"} <= formats


@pytest.fixture(scope="module")
def corpus_scores(settings: Settings) -> dict[str, dict[str, list[int]]]:
    misses: list[str] = []
    return measure(CASES, settings, misses)


def test_no_check_is_drafted_when_the_form_shows_consent_is_not_in_order(
        corpus_scores: dict[str, dict[str, list[int]]]) -> None:
    assert corpus_scores["all"]["consent decision unsafe"][0] == 0


def test_what_is_read_from_a_scan_is_always_marked_as_read_from_a_scan(
        corpus_scores: dict[str, dict[str, list[int]]]) -> None:
    right, total = corpus_scores["all"]["scan facts marked as read from a scan"]
    assert right == total


# Measured when the corpus joined (issue 20), a point or two below; a change that reads worse fails here.
FLOORS = {"docx": {"consent": 83, "applicants": 88, "household_over_16": 92, "expected_drafts": 80},
          "pdf": {"consent": 83, "applicants": 88, "household_over_16": 95, "expected_drafts": 83}}


def test_reading_forms_is_no_worse_than_when_measured(corpus_scores: dict[str, dict[str, list[int]]]) -> None:
    below = {f"{fmt} {field}": f"{100 * corpus_scores[fmt][field][0] / corpus_scores[fmt][field][1]:.0f}%"
             for fmt, floors in FLOORS.items() for field, floor in floors.items()
             if 100 * corpus_scores[fmt][field][0] / corpus_scores[fmt][field][1] < floor}
    assert below == {}


def _rfi_form(ticked: str) -> bytes:
    """A Level 2 Request for Information Form as a Word document, its exemption boxes ticked as `ticked` says."""
    import docx

    document = docx.Document()
    document.add_heading("Request for Information Form (Level 2)", 1)
    for label, value in (("Agency", "Northshire Police"), ("Child's name", "Leo Marsh"),
                         ("Date of birth", "01/02/2015")):
        document.add_paragraph(f"{label}: {value}")
    boxes = {"s47": "Section 47 enquiry", "care": "Care proceedings", "plo": "PLO"}
    document.add_paragraph("Is this request part of: " + " ".join(
        f"{'☒' if key == ticked else '☐'} {label}" for key, label in boxes.items()))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("ticked", "exemption"), [("s47", "s47"), ("care", "care_proceedings"), ("", None)])
def test_the_request_for_information_form_is_read_through_the_same_reader(ticked: str, exemption: str | None,
                                                                           settings: Settings) -> None:
    mail = parse_mail(build_mail("Request for information - Leo Marsh", "Please see the attached RFI form.\n",
                                 sender="dc.jones@northshire.police.uk",
                                 attachment=("Request for Information Form.docx", _rfi_form(ticked))))
    partner = read_facts(mail, settings, NOW).partner
    assert partner.rfi_form and partner.exemption == exemption
