"""A Word (.docx) form's words with python-docx, in the order a reader meets them.

Paragraphs and tables as they stand in the body (a table's row one line, its cells split by
a tab, a merged cell once, a nested table's rows after the row holding it), text boxes,
content controls and check boxes (☒ ticked, ☐ not), the headers and footers, and
`MARK` for a picture in a table cell (a signature pasted in as an image).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

from bot.errors import UnreadableAttachment
from bot.extract.formats.layout import MARK, Layout

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# A form is a few pages: its unpacked parts beyond this are a zip bomb, not a form.
_MOST_UNPACKED = 40_000_000
_MOST_LINES = 3_000


def read_docx(name: str, data: bytes) -> Layout:
    _refuse_bombs(name, data)
    import docx  # only mail with a Word form pays for importing python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise UnreadableAttachment(f"{name} could not be read as a Word document ({type(exc).__name__})") from exc
    lines: list[str] = []
    for section in document.sections[:4]:
        lines.extend(_blocks(section.header._element))
    lines.extend(_blocks(document.element.body))
    for section in document.sections[:4]:
        lines.extend(_blocks(section.footer._element))
    return Layout(name, "docx", tuple(lines[:_MOST_LINES]))


def _refuse_bombs(name: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableAttachment(f"{name} could not be read as a Word document (not a Word file)") from exc
    if unpacked > _MOST_UNPACKED:
        raise UnreadableAttachment(f"{name} unpacks to {unpacked // 1_000_000} MB, far more than a form: not read")


def _blocks(parent: Any) -> Iterator[str]:
    """The lines of a body, header, footer or table cell: paragraphs, tables and content controls in order."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == f"{_W}p":
            yield from _paragraph_lines(child)
        elif tag == f"{_W}tbl":
            yield from _table_lines(child)
        elif tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content)


def _table_lines(table: Any) -> Iterator[str]:
    for row in table.iterfind(f"{_W}tr"):
        cells: list[str] = []
        nested: list[str] = []
        for cell in _row_cells(row):
            if cell.find(f".//{_W}vMerge") is not None and cell.find(f".//{_W}vMerge[@{_W}val='restart']") is None:
                cells.append("")  # the lower part of a cell merged downwards: its words are in the first row
                continue
            words = [line for p in cell.iterfind(f"{_W}p") for line in _paragraph_lines(p)]
            text = " ".join(" ".join(words).split())
            if not text and _has_picture(cell):
                text = MARK
            cells.append(text)
            nested.extend(line for inner in cell.iterfind(f"{_W}tbl") for line in _table_lines(inner))
        if any(cells):
            yield "\t".join(cells)
        yield from nested


def _row_cells(row: Any) -> Iterator[Any]:
    """A row's cells, content controls around cells unwrapped."""
    for child in row.iterchildren():
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from content.iterfind(f"{_W}tc")


def _has_picture(element: Any) -> bool:
    return any(True for tag in ("drawing", "pict") for _ in element.iter(f"{_W}{tag}"))


def _paragraph_lines(paragraph: Any) -> Iterator[str]:
    """A paragraph's words (check boxes as ☒ or ☐), then the paragraphs of any text box anchored in it."""
    words: list[str] = []
    boxes: list[Any] = []
    for node in _walk(paragraph, boxes):
        tag = node.tag
        if tag == f"{_W}t":
            words.append(node.text or "")
        elif tag == f"{_W}tab" or tag in (f"{_W}br", f"{_W}cr"):
            words.append(" ")
        elif tag == f"{_W14}checkbox":
            checked = node.find(f"{_W14}checked")
            words.append(" ☒ " if checked is not None and checked.get(f"{_W14}val") in ("1", "true") else " ☐ ")
        elif tag == f"{_W}checkBox":
            words.append(" ☒ " if _legacy_ticked(node) else " ☐ ")
    text = " ".join("".join(words).split())
    if text:
        yield text
    for box in boxes:
        yield from _blocks(box)


def _walk(node: Any, boxes: list[Any]) -> Iterator[Any]:
    """Every node under a paragraph, in order, setting aside text boxes (whose paragraphs are their own lines)
    and the fallback copy Word writes beside each text box for old readers."""
    for child in node.iterchildren():
        if child.tag == f"{_MC}Fallback":
            continue
        if child.tag == f"{_W}txbxContent":
            boxes.append(child)
            continue
        yield child
        yield from _walk(child, boxes)


def _legacy_ticked(box: Any) -> bool:
    checked = box.find(f"{_W}checked")
    if checked is not None:
        return checked.get(f"{_W}val", "1") not in ("0", "false")
    default = box.find(f"{_W}default")
    return default is not None and default.get(f"{_W}val") in ("1", "true")
