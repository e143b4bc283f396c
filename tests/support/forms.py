"""Consent forms as agencies send them, for tests: a Word document, a PDF with a text layer, and a scan of one.

Each has the shape of a published "consent to local authority checks" form: the applicants,
the household, children who live elsewhere, a declaration and a signature table (name,
signature, date). `Signer.signed` False leaves the signature cell empty; `on` None leaves
the date empty. The PDF draws each signature as a pen stroke; the scan is that PDF
rendered, tilted and blurred as a copier leaves it.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import lru_cache


@dataclass(frozen=True)
class Signer:
    name: str
    signed: bool = True
    on: str | None = "02/11/2026"


@dataclass(frozen=True)
class Form:
    applicants: list[tuple[str, str]]  # (forenames and surname, date of birth)
    household: list[tuple[str, str, str]] = field(default_factory=list)  # (name, date of birth, relationship)
    elsewhere: list[tuple[str, str, str]] = field(default_factory=list)  # children who live elsewhere
    signers: list[Signer] = field(default_factory=list)
    council: str = "Northshire Council - Fostering Service"


def form_docx(form: Form) -> bytes:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = form.council
    document.add_heading("Consent to Local Authority Checks", 1)
    document.add_paragraph("Section 1: Applicant details")
    rows = [["", *(f"Applicant {n + 1}" for n in range(len(form.applicants)))],
            ["Surname", *(name.split()[-1].upper() for name, _ in form.applicants)],
            ["Forename(s)", *(" ".join(name.split()[:-1]) for name, _ in form.applicants)],
            ["Date of birth", *(born for _, born in form.applicants)]]
    _docx_table(document, rows)
    document.add_paragraph("Section 2: Other members of the household")
    _docx_table(document, [["Name", "Date of birth", "Relationship to applicant"], *map(list, form.household)])
    if form.elsewhere:
        document.add_paragraph("Section 3: Children of the applicants not living in the household")
        _docx_table(document, [["Name", "Date of birth", "Relationship"], *map(list, form.elsewhere)])
    document.add_paragraph("Declaration: I consent to the local authority making checks with the agencies listed.")
    _docx_table(document, [["Full name", "Signature", "Date"],
                           *([s.name, s.name if s.signed else "", s.on or ""] for s in form.signers)])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fonts() -> tuple[str, str]:
    """DejaVu where the machine has it (names such as Petrović), else the PDF's own Helvetica."""
    from pathlib import Path

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path("/usr/share/fonts/truetype/dejavu")
    if not (folder / "DejaVuSans.ttf").exists():
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("DejaVu", str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(folder / "DejaVuSans-Bold.ttf")))
    return "DejaVu", "DejaVu-Bold"


def _docx_table(document: object, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))  # type: ignore[attr-defined]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def form_pdf(form: Form) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    _, height = A4
    regular, bold = _fonts()
    page.setFont(bold, 14)
    page.drawString(50, height - 50, form.council)
    page.drawString(50, height - 70, "CONSENT FOR STATUTORY CHECKS")
    page.setFont(regular, 10)
    y = height - 105
    for n, (name, born) in enumerate(form.applicants):
        x = 50 + 250 * n
        page.drawString(x, y, f"Applicant {n + 1}")
        page.drawString(x, y - 16, f"Surname: {name.split()[-1].upper()}")
        page.drawString(x, y - 32, f"Forenames: {' '.join(name.split()[:-1])}")
        page.drawString(x, y - 48, f"Date of birth: {born}")
    y -= 85
    y = _pdf_table(page, y, "Household members", [("Name", "Date of birth", "Relationship"), *form.household])
    if form.elsewhere:
        y = _pdf_table(page, y, "Children not living in the household",
                       [("Name", "Date of birth", "Relationship"), *form.elsewhere])
    page.drawString(50, y, "Declaration: I consent to the checks listed being made.")
    rows = [("Name", "Signature", "Date"), *((s.name, "", s.on or "") for s in form.signers)]
    _pdf_table(page, y - 25, "Signatures", rows, strokes=[False, *(s.signed for s in form.signers)])
    page.save()
    return out.getvalue()


def _pdf_table(page: object, y: float, title: str, rows: list[tuple[str, ...]], strokes: list[bool] | None = None,
               ) -> float:
    draw = page
    draw.drawString(50, y, title)  # type: ignore[attr-defined]
    top, step, columns = y - 8, 22, (50, 215, 375, 540)
    for n, row in enumerate(rows):
        base = top - step * n - 15
        for x, cell in zip(columns, row, strict=False):
            draw.drawString(x + 5, base, cell)  # type: ignore[attr-defined]
        if strokes and strokes[n]:
            path = draw.beginPath()  # type: ignore[attr-defined]
            path.moveTo(230, base)
            path.curveTo(250, base + 12, 270, base - 6, 320, base + 5)
            draw.drawPath(path, stroke=1, fill=0)  # type: ignore[attr-defined]
    for n in range(len(rows) + 1):
        draw.line(columns[0], top - step * n, columns[-1], top - step * n)  # type: ignore[attr-defined]
    for x in columns:
        draw.line(x, top, x, top - step * len(rows))  # type: ignore[attr-defined]
    return top - step * len(rows) - 30


def scan_of(pdf: bytes, *, skew: float = 1.5, turn: int = 0, blur: float = 0.6, kind: str = "JPEG") -> bytes:
    """The PDF's first page as a copier's scan: rendered at 200 dpi, tilted, blurred, turned."""
    import pypdfium2
    from PIL import ImageFilter

    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=200 / 72).to_pil().convert("L")
    document.close()
    image = image.rotate(skew, expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(blur))
    if turn:
        image = image.rotate(turn, expand=True)
    out = io.BytesIO()
    image.save(out, kind, **({"quality": 70} if kind == "JPEG" else {}))
    return out.getvalue()


@lru_cache(maxsize=64)
def signed_consent(*names: str, on: str = "02/11/2026", born: str = "01/01/1980") -> tuple[str, bytes]:
    """("consent.pdf", a form) on which the first name is the applicant and the rest the household, each born
    `born` and each signed on `on`: what `build_mail(..., attachment=...)` takes for "signed consent attached"."""
    plain = [re.sub(r"^(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+", "", name) for name in names]
    form = Form(applicants=[(plain[0], born)], household=[(name, born, "household member") for name in plain[1:]],
                signers=[Signer(name, True, on) for name in plain], council="Fostering and adoption")
    return "consent.pdf", form_pdf(form)
