"""An attachment laid out as the body reader reads a mail: lines in reading order, a table's row as one line.

Every format (Word, a PDF's text layer, OCR of a scan) ends here, so one set of readers
serves them all: a table row is one line whose cells are split by a tab, as
`bot.extract.document.text_tables` reads plain-text tables, with an empty cell kept
empty so columns stay aligned under their header. A signature cell holding ink (a
picture, a drawn squiggle, a scan's pen strokes) reads `MARK`.

Words placed on a page (a PDF without ruling lines, a scan) are set in rows by their
height on the page and in columns by the header row above them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# What a signature cell holding ink, but no words, reads as; and a scan's cell with a little ink, too little
# to be sure it is a signature.
MARK = "[signature mark]"
FAINT = "[faint mark]"
# A scanned word read with less confidence than this (Tesseract's 0-100) is not believed on its own.
CONFIDENT = 80.0


@dataclass(frozen=True)
class Layout:
    """One attachment's words. `confidence` (scans only) has a number per cell of each line; text formats
    have none: what they say is what the file holds."""

    name: str
    source: str  # "docx", "pdf", "scan", "odt", "rtf"
    lines: tuple[str, ...]
    confidence: tuple[tuple[float, ...], ...] = ()
    notes: tuple[str, ...] = ()  # what was left unread (pages beyond the limit, a page OCR gave up on)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def scanned(self) -> bool:
        return self.source == "scan"

    def cell_confidence(self, line: int, cell: int) -> float:
        if not self.confidence or line >= len(self.confidence):
            return 100.0
        cells = self.confidence[line]
        return cells[cell] if cell < len(cells) else 100.0


@dataclass(frozen=True)
class Word:
    """A word where it stands on a page (points or pixels, top-left origin), with OCR's confidence."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float = 100.0

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Row:
    """Words that share a line on the page."""

    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


def rows_of(words: Iterable[Word]) -> list[Row]:
    """Words set in rows: a word whose middle lies within the height of the row being built joins it."""
    rows: list[Row] = []
    for word in sorted(words, key=lambda w: (w.middle, w.x0)):
        if not word.text.strip():
            continue
        if rows:
            last = rows[-1]
            height = max(1.0, min(last.bottom - last.top, word.bottom - word.top))
            if abs(word.middle - (last.top + last.bottom) / 2) <= height * 0.6:
                last.words.append(word)
                continue
        rows.append(Row([word]))
    for row in rows:
        row.words.sort(key=lambda w: w.x0)
    return rows


def gap_cells(row: Row) -> list[list[Word]]:
    """A row's words in cells, a cell ending where the gap to the next word is wider than about three letters."""
    cells: list[list[Word]] = []
    for word in row.words:
        letter = (word.x1 - word.x0) / max(1, len(word.text))
        if cells and word.x0 - cells[-1][-1].x1 <= max(letter * 2.6, (word.bottom - word.top) * 1.1):
            cells[-1].append(word)
        else:
            cells.append([word])
    return cells


_HEADER = re.compile(r"^(?:full\s+)?(?:name|names|surname|forenames?|first\s+names?|signature|signed|date|"
                     r"date\s+signed|date\s+of\s+birth|d\.?o\.?b\.?|relationship(?:\s+to\s+applicants?)?|relation|"
                     r"age|title|print\s+name|name\s+\(print\)|address|dates?|from|to)\s*[:*]?$", re.IGNORECASE)


_HEADING = re.compile(r"\b(?:section|part|declaration|signatures?|household|applicants?|children|consent|"
                      r"address(?:es)?|details)\b", re.IGNORECASE)


def is_header(cells: Sequence[str]) -> bool:
    """A row naming columns: two cells or more that are column names ("Name", "Signature", "Date")."""
    return len(cells) >= 2 and sum(1 for c in cells if _HEADER.match(" ".join(c.split()))) >= 2


Ink = Callable[[float, float, float, float], str]  # MARK, FAINT or "": the ink in (x0, top, x1, bottom)


def aligned_lines(rows: Sequence[Row], ink: Ink | None = None) -> list[tuple[str, tuple[float, ...]]]:
    """Each row as a line with its cells' lowest confidences: under a header row, its words put in the
    header's columns, an empty cell kept empty, or `MARK` where `ink` finds pen strokes in it; elsewhere
    split at wide gaps."""
    out: list[tuple[str, tuple[float, ...]]] = []
    columns: list[float] | None = None
    for row in rows:
        cells = gap_cells(row)
        texts = [" ".join(w.text for w in cell) for cell in cells]
        if is_header(texts):
            columns = [cell[0].x0 for cell in cells]
        elif columns is not None and len(cells) == 1 and (len(texts[0].split()) > 6 or _HEADING.search(texts[0])):
            columns = None  # a paragraph or a section's heading ends the table
        if columns is None or is_header(texts):
            out.append(("\t".join(texts), tuple(min(w.confidence for w in c) for c in cells)))
            continue
        placed = _placed(cells, columns)
        rights = [*columns[1:], max(w.x1 for w in row.words) + 400]
        line = [" ".join(w.text for w in cell) or (ink(left, row.top, right, row.bottom) if ink else "")
                for cell, left, right in zip(placed, columns, rights, strict=True)]
        out.append(("\t".join(line), tuple(min((w.confidence for w in c), default=100.0) for c in placed)))
    return out


def _placed(cells: list[list[Word]], columns: list[float]) -> list[list[Word]]:
    """Words in the column whose left edge is the last one at or left of the word (a little slack)."""
    placed: list[list[Word]] = [[] for _ in columns]
    for cell in cells:
        for word in cell:
            index = max((n for n, left in enumerate(columns) if left <= word.x0 + 12), default=0)
            placed[index].append(word)
    return placed
