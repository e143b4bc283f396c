"""A PDF form's words with pdfplumber: its text layer, its ruled tables, its form fields, and OCR for
pages that are pictures.

A ruled table's cells come from its lines; words without ruling are set in rows and columns
by where they stand (`layout.aligned_lines`). A filled-in form field (AcroForm) is read
where it sits on the page, a ticked box as ☒. A signature cell with a drawn squiggle or
a picture in it reads `MARK`. A page with (almost) no text but a picture is a scan: it is
rendered with pypdfium2 and read by `scan`.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

from bot.errors import UnreadableAttachment
from bot.extract.formats import scan
from bot.extract.formats.layout import MARK, Ink, Layout, Word, aligned_lines, rows_of

# A form is a few pages; the rest of a long PDF is not read (and a note says so).
MOST_PAGES = 8
_SCAN_DPI = 200


def read_pdf(name: str, data: bytes, budget: scan.Budget) -> Layout:
    import pdfplumber  # only mail with a PDF form pays for importing it
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings name no mail; a failure is ours to say
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = list(pdf.pages)
            read = [_page(page, n, data, budget) for n, page in enumerate(pages[:MOST_PAGES])]
    except (PdfminerException, PDFPasswordIncorrect, PDFEncryptionError, PDFSyntaxError, PSException, ValueError,
            KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise UnreadableAttachment(f"{name} is password-protected: it could not be opened") from exc
        raise UnreadableAttachment(f"{name} could not be read as a PDF ({type(cause).__name__})") from exc
    if not pages:
        raise UnreadableAttachment(f"{name} could not be read as a PDF (it has no pages)")
    lines = [line for page_lines, _, _ in read for line in page_lines]
    notes = [note for _, _, page_notes in read for note in page_notes]
    if len(pages) > MOST_PAGES:
        notes.append(f"{name} has {len(pages)} pages; only the first {MOST_PAGES} were read")
    scanned = any(page_confidence is not None for _, page_confidence, _ in read)
    confidence = [c for page_lines, page_confidence, _ in read
                  for c in (page_confidence or [(100.0,) * (line.count("\t") + 1) for line in page_lines])]
    return Layout(name, "scan" if scanned else "pdf", tuple(lines), tuple(confidence) if scanned else (), tuple(notes))


# A page's lines, their cells' OCR confidences (None for a text layer), and what was left unread.
_Page = tuple[list[str], list[tuple[float, ...]] | None, list[str]]


def _page(page: Any, number: int, data: bytes, budget: scan.Budget) -> _Page:
    if len(page.chars) < 20 and page.images:
        return _scanned_page(data, number, budget)
    lines = [text for _, text in sorted(_text_rows(page), key=lambda row: row[0])]
    return lines, None, []


def _scanned_page(data: bytes, number: int, budget: scan.Budget) -> _Page:
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        image = document[number].render(scale=_SCAN_DPI / 72).to_pil()
    finally:
        document.close()
    layout = scan.read_image(f"page {number + 1}", image, budget)
    return list(layout.lines), list(layout.confidence), list(layout.notes)


def _text_rows(page: Any) -> Iterator[tuple[float, str]]:
    """Each line of the page with its height on the page: ruled tables' rows, then the words outside them."""
    tables = page.find_tables()
    ink, fields = _ink_finder(page), list(_fields(page))
    for table in tables:
        yield from _table_rows(table, ink, fields)
    outside = [w for w in _words(page) + fields if not any(_inside(w, t.bbox) for t in tables)]
    for row, (line, _) in zip(rows_of(outside), aligned_lines(rows_of(outside), ink), strict=True):
        yield row.top, line


def _table_rows(table: Any, ink: Ink, fields: list[Word]) -> Iterator[tuple[float, str]]:
    for row, texts in zip(table.rows, table.extract(), strict=False):
        cells = []
        for box, text in zip(row.cells, texts, strict=False):
            words = " ".join((text or "").split())
            if not words and box is not None:  # a form field's value, or a signature drawn in the cell
                words = " ".join(f.text for f in fields if _inside(f, box)) or ink(*box)
            cells.append(words)
        if any(cells):
            yield row.bbox[1], "\t".join(cells)


def _words(page: Any) -> list[Word]:
    return [Word(w["text"], w["x0"], w["x1"], w["top"], w["bottom"]) for w in page.extract_words()]


def _fields(page: Any) -> Iterator[Word]:
    """Filled-in form fields as words where they sit: a text field's value, a check box as ☒ or ☐."""
    for annot in page.annots or ():
        value = _field_text(annot.get("data") or {})
        if value:
            yield Word(value, float(annot["x0"]), float(annot["x1"]), float(annot["top"]), float(annot["bottom"]))


def _field_text(data: Any) -> str:
    from pdfminer.pdftypes import resolve1

    if not isinstance(data, dict):
        return ""
    parent = resolve1(data.get("Parent")) or {}
    value = resolve1(data.get("V", parent.get("V") if isinstance(parent, dict) else None))
    kind = _name(resolve1(data.get("FT", parent.get("FT") if isinstance(parent, dict) else None)))
    if kind == "Btn":
        state = _name(resolve1(data.get("AS"))) or _name(value)
        return "☒" if state and state not in ("Off", "No") else "☐"
    if isinstance(value, bytes):
        return value.decode("utf-16" if value.startswith(b"\xfe\xff") else "latin-1", errors="replace").strip()
    return value.strip() if isinstance(value, str) else ""


def _name(value: Any) -> str:
    name = getattr(value, "name", value)
    if isinstance(name, bytes):
        return name.decode("latin-1")
    return name if isinstance(name, str) else ""


def _inside(word: Word, bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    return x0 - 1 <= (word.x0 + word.x1) / 2 <= x1 + 1 and top - 1 <= word.middle <= bottom + 1


def _ink_finder(page: Any) -> Ink:
    """Whether a box holds pen strokes: a drawn curve, a short line that is no ruling, or a picture."""
    strokes = [(o["x0"], o["top"], o["x1"], o["bottom"]) for o in page.curves + page.images]
    strokes += [(o["x0"], o["top"], o["x1"], o["bottom"]) for o in page.lines
                if 2 < abs(o["x1"] - o["x0"]) < 120 and abs(o["bottom"] - o["top"]) > 2]

    def ink(x0: float, top: float, x1: float, bottom: float) -> str:
        return MARK if any(sx0 < x1 - 1 and sx1 > x0 + 1 and stop < bottom + 4 and sbottom > top - 4
                           for sx0, stop, sx1, sbottom in strokes) else ""

    return ink
