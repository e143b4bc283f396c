"""A request mail laid out as an RAO reads it: who wrote each part, when, and in what shape.

- Segments: a forward or a reply carries earlier mails under header blocks (Outlook's
  "From: / Sent: / To: / Subject:", Gmail's "---------- Forwarded message ---------",
  "-----Original Message-----", "On ... wrote:"). Each segment keeps its own sender and
  date, so "yesterday" in a forwarded original means the day before *that* mail.
- Signatures and disclaimers are cut: from a closing line ("Kind regards", "Thanks,")
  to the end of its segment, and any paragraph that is a confidentiality notice.
- Tables: Outlook's HTML tables (read with BeautifulSoup), and plain-text rows split by
  "|" or tabs, as rows of cells under their header row.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date

from bot.extract.dates import read_date
from bot.literals import finds
from bot.patterns import any_of

# One header line of a forwarded or quoted mail, as Outlook, Gmail and Apple Mail write them.
_HEADER_LINE = re.compile(r"^\s*\*?(From|Sent|Date|To|Cc|Subject)\*?\s*:\s*(.*)$", re.IGNORECASE)
_SEPARATOR = any_of(
    r"^\s*-{2,}\s*(?:Forwarded message|Original Message)\s*-{2,}\s*$",
    r"^\s*Begin forwarded message:\s*$",
    r"^\s*_{10,}\s*$",
)
_ON_WROTE = re.compile(r"^\s*On\s+(.{5,200}?)\s+wrote:\s*$", re.IGNORECASE)
_ADDRESS = re.compile(r"[\w.+'\-]+@[\w\-]+(?:\.[\w\-]+)+")
_CLOSING = any_of(
    r"^\s*(?:kind(?:est)?|best|warm(?:est)?|many)?\s*(?:regards|wishes)\b[\s,.!]*$",
    r"^\s*(?:many\s+|with\s+)?thanks?(?:\s+(?:so|very)\s+much|\s+again|\s+in\s+advance)?(?:\s+and\s+regards)?[\s,.!]*$",
    r"^\s*thank\s+you(?:\s+(?:so|very)\s+much|\s+in\s+advance)?[\s,.!]*$",
    r"^\s*yours\s+(?:faithfully|sincerely|truly)[\s,.]*$",
    r"^\s*(?:cheers|best|ta|diolch(?:\s+yn\s+fawr)?|regards)[\s,.!]*$",
    r"^\s*sent\s+from\s+my\s+\w+",
)
_DISCLAIMER = any_of(
    r"\b(?:this|the)\s+(?:e-?mail|message|communication)\b[^.]{0,80}\b(?:confidential|privileged|intended\s+"
    r"(?:solely|only)\s+for)",
    r"\bif\s+you\s+(?:are\s+not|have\s+received\s+this)\b[^.]{0,60}\b(?:intended|in\s+error)",
    r"\b(?:monitor(?:s|ed)?|recorded)\b[^.]{0,40}\b(?:e-?mail|communications?)\b[^.]{0,40}\b(?:security|compliance|"
    r"lawful)",
    r"\bmailbox\s+is\s+monitored\b",
    r"\bcorrespondence\s+in\s+welsh\b",
)
_HEADER_WORDS = {"name", "names", "full name", "relationship", "relation", "role", "dob", "d.o.b", "d.o.b.",
                 "date of birth", "age", "consent", "consent signed", "signed", "date signed", "consent date",
                 "date consent signed", "consent given", "status", "relationship to applicant",
                 "relationship to applicants", "household member", "person", "address", "lives at property"}

_HEADER_WORD = re.compile(r"\b(?:name|known|lado|details?|outcome|result|notes?|comments?|relationship|d\.?o\.?b|"
                          r"date|age|consent|signed|role|status|record|involvement|summary)\b")


@dataclass(frozen=True)
class Segment:
    """One mail inside the mail: its sender, its date, and its words (signature and disclaimers cut)."""

    sender: str  # lower-case address, "" when the header block gave none
    sender_name: str  # the name the header block gives with it
    sent: date | None
    text: str
    depth: int  # 0 the mail itself, 1 what it forwards or quotes, 2 what that forwards...


@dataclass(frozen=True)
class Table:
    """Rows of cells; `header` is the row that names the columns (empty when there is none)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def column(self, *words: str) -> int | None:
        """The first column whose header contains one of `words`."""
        for n, cell in enumerate(self.header):
            if any(word in cell.lower() for word in words):
                return n
        return None


@dataclass(frozen=True)
class Document:
    segments: tuple[Segment, ...]
    tables: tuple[Table, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.segments)


def read_document(body: str, html: str, sender: str, sent: date | None) -> Document:
    return Document(tuple(split_segments(body, sender, sent)), tuple(html_tables(html) + text_tables(body)))


def split_segments(body: str, sender: str, sent: date | None, cut_signature: bool = True) -> list[Segment]:
    """The mail and every mail it forwards or quotes, outermost first; with `cut_signature` False, each
    segment's words are as written, past its closing line and disclaimers (a check answer's postscript
    is part of the answer)."""
    lines = body.splitlines()
    blocks = [(0, 0, sender, "", sent)]  # (header block's first line, text's first line, sender, name, date)
    n = 0
    while n < len(lines):
        found = _header_block(lines, n)
        if found is None:
            n += 1
            continue
        blocks.append((n, *found))
        n = found[0]
    segments = []
    for depth, (_, start, who, name, when) in enumerate(blocks):
        stop = blocks[depth + 1][0] if depth + 1 < len(blocks) else len(lines)
        words = "\n".join(lines[start:stop])
        segments.append(Segment(who, name, when or sent, _without_signature(words) if cut_signature else words,
                                depth))
    return segments


def _header_block(lines: list[str], n: int) -> tuple[int, str, str, date | None] | None:
    """Where the text after a header block starting at line `n` begins, with its sender, their name and date."""
    wrote = _ON_WROTE.match(lines[n])
    if wrote:
        address = _ADDRESS.search(wrote.group(1))
        return n + 1, address.group().lower() if address else "", "", _header_date(wrote.group(1))
    start = n + 1 if _SEPARATOR.match(lines[n]) else n
    fields: dict[str, str] = {}
    end = start
    while end < len(lines) and end - start < 8:
        match = _HEADER_LINE.match(lines[end])
        if match:
            fields[match.group(1).lower()] = match.group(2)
        elif lines[end].strip() or fields:
            break
        end += 1
    if "from" not in fields or not ({"sent", "date", "subject"} & set(fields)) or len(fields) < 2:
        return None
    address = _ADDRESS.search(fields["from"])
    name = fields["from"].split("<")[0].strip(' "') if "<" in fields["from"] else ""
    sent = _header_date(fields.get("sent") or fields.get("date", ""))
    return end, address.group().lower() if address else "", name, sent


def _header_date(value: str) -> date | None:
    cleaned = re.sub(r"\b(?:at|um|à)\b|\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|[+-]\d{4}|\(.*?\)|GMT|BST|UTC",
                     " ", value, flags=re.IGNORECASE)
    cleaned = re.sub(r"^\s*\w+day,?\s*", "", cleaned.strip(), flags=re.IGNORECASE)
    return read_date(" ".join(cleaned.replace(",", " ").split()), date(2100, 1, 1)) if cleaned.strip() else None


def _without_signature(text: str) -> str:
    """The words above the first closing line; confidentiality notices dropped wherever they are."""
    kept: list[str] = []
    for line in text.splitlines():
        if _CLOSING.match(line) and kept:
            break
        kept.append(line)
    return without_disclaimers("\n".join(kept))


def is_closing(line: str) -> bool:
    """A sign-off line ("Kind regards", "Thanks,"): what follows is a signature, or a postscript."""
    return bool(_CLOSING.match(line))


def without_disclaimers(text: str) -> str:
    """The text less its confidentiality notices ("Any unauthorised use, disclosure..." is nobody's disclosure):
    a paragraph from the line its notice starts on, so a referral typed as one block above "This email is
    confidential" keeps its words."""
    paragraphs = (_before_disclaimer(p) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p).strip()


def _before_disclaimer(paragraph: str) -> str:
    if not _has_disclaimer(paragraph):
        return paragraph
    lines = paragraph.split("\n")
    # Found by halving (a long block of short lines is not read once per line): the first lines that hold a
    # notice, then the last line it can start on.
    end = bisect_left(range(1, len(lines) + 1), True, key=lambda k: _has_disclaimer("\n".join(lines[:k]))) + 1
    start = bisect_left(range(end), True, key=lambda j: not _has_disclaimer("\n".join(lines[j:end]))) - 1
    return "\n".join(lines[:max(start, 0)])


def _has_disclaimer(text: str) -> bool:
    return finds(_DISCLAIMER, " ".join(text.split()))


def html_tables(html: str) -> list[Table]:
    """Each innermost HTML table with two rows or more, as text cells under its header row."""
    if "<table" not in html.lower():
        return []
    from bs4 import BeautifulSoup  # only mail with tables pays for the tree

    soup = BeautifulSoup(html, "lxml")
    tables = []
    for element in soup.find_all("table"):
        if element.find("table") is not None:
            continue  # a layout table around the real one
        rows = [tuple(" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"]))
                for row in element.find_all("tr")]
        rows = [row for row in rows if any(row)]
        if len(rows) >= 2:
            tables.append(_with_header(rows))
    return tables


def text_tables(body: str) -> list[Table]:
    """Runs of two or more plain-text lines split into the same number of cells by "|" or tabs (a row
    whose last cells are empty is padded)."""
    tables: list[Table] = []
    run: list[tuple[str, ...]] = []
    for line in [*body.splitlines(), ""]:
        cells = tuple(c.strip() for c in re.split(r"\s*\|\s*|\t+", line.strip().strip("|")))
        if len(cells) >= 2 and ("|" in line or "\t" in line) and (not run or len(cells) == len(run[0])):
            run.append(cells)
            continue
        if run and len(cells) >= 2 and "|" in line and len(cells) < len(run[0]):  # "Giorgos | N |": its last cell empty
            run.append(cells + ("",) * (len(run[0]) - len(cells)))
            continue
        if len(run) >= 2:
            tables.append(_with_header(run))
        run = [cells] if len(cells) >= 2 and ("|" in line or "\t" in line) else []
    return tables


def _with_header(rows: list[tuple[str, ...]]) -> Table:
    """The first row names the columns when it holds header words ("Name", "Known to LADO?", "D.O.B")
    and no values (no digits, no Yes or No), whether the sender marked it up as a header or not."""
    first = rows[0]
    cells = [c.lower().strip(" :*?") for c in first]
    named = sum(1 for cell in cells if cell in _HEADER_WORDS or _HEADER_WORD.search(cell) and len(cell.split()) <= 5)
    values = any(re.search(r"\d", c) or c in {"y", "n", "yes", "no", "-", "–"} for c in cells)
    if not values and (named >= 2 or (named == 1 and len(first) == 2)):
        return Table(tuple(cells), tuple(rows[1:]))
    return Table((), tuple(rows))
