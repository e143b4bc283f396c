"""A local authority checks consent form, read as an RAO reads it: who it names, and who signed when.

The shapes councils' forms take (seed 000 and published "consent to checks" forms): the
applicants, side by side or one after the other (title, surname, forenames, date of birth);
a table of the household (name, date of birth, relationship); a section for children who
do not live in the household, adult children included, who need not sign; previous
addresses; a declaration, then a signature table (name, signature, date) in which everyone
aged 16 or over signs. Labels stand in rows or in columns; names come as "SURNAME,
Forename", in capitals, or split into surname and forenames.

The form is read from its `Layout` (`bot.extract.formats`), whatever file it came in. What
is read from a scan keeps OCR's words and whether each was read with good confidence.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.errors import UnreadableAttachment
from bot.extract.dates import find_dates
from bot.extract.formats import CONFIDENT, MARK, Budget, Layout, read_attachment
from bot.extract.formats.layout import FAINT
from bot.mail import Attachment
from bot.patterns import is_title

# A mail with fewer words than this of its own ("Please see attached") is read with its attachments' words.
SHORT_MAIL_WORDS = 60


def says_little(text: str) -> bool:
    return len(text.split()) < SHORT_MAIL_WORDS


APPLICANT, HOUSEHOLD, ELSEWHERE = "applicant", "household", "elsewhere"


@dataclass(frozen=True)
class FormPerson:
    name: str  # as the form writes it, forenames first ("Chidi Okafor", "Mrs Ngozi Okafor")
    section: str  # APPLICANT, HOUSEHOLD or ELSEWHERE
    born: date | None
    relation: str
    words: str  # the line it was read from


@dataclass(frozen=True)
class FormSignature:
    """One row of the signature table."""

    name: str
    mark: str  # "signed", "blank", or "unclear" (a scan's faint ink)
    on: date | None  # the date written beside it, if one can be read
    date_words: str
    confident: bool  # a scan: the name, the mark and the date each read with good confidence
    words: str


@dataclass(frozen=True)
class ConsentForm:
    file: str
    source: str  # "docx", "pdf", "scan", "odt", "rtf"
    people: tuple[FormPerson, ...]
    signatures: tuple[FormSignature, ...]
    consent_words: bool  # it speaks of consent or checks and has a declaration or signatures

    @property
    def scanned(self) -> bool:
        return self.source == "scan"

    @property
    def is_consent_form(self) -> bool:
        return self.consent_words and bool(self.signatures or self.people)


@dataclass(frozen=True)
class Attached:
    """What a mail's attachments hold: the consent forms read, every document's words, and what could not
    be read (one line each, for a person)."""

    forms: tuple[ConsentForm, ...] = ()
    texts: tuple[tuple[str, str], ...] = ()  # (file name, words) of every document read
    unreadable: tuple[str, ...] = ()
    documents: int = 0  # how many attachments were documents (a form could be in any of them)
    notes: tuple[str, ...] = ()


def read_attached(attachments: Sequence[Attachment], on: date, budget: Budget | None = None) -> Attached:
    """Every document attached, read once, at the mail's date `on` (a two-digit year of birth is the century
    before it); with `budget` of 0 seconds, scans are not read."""
    budget = budget or Budget()
    forms: list[ConsentForm] = []
    texts: list[tuple[str, str]] = []
    unreadable: list[str] = []
    notes: list[str] = []
    documents = 0
    for attachment in attachments:
        if _OUTLOOK_INLINE.match(attachment.name):
            continue  # image001.png: a signature's logo, which Outlook attaches to every mail
        if _small_picture(attachment):
            documents += 1
            unreadable.append(f"{attachment.name} is a picture too small to read a form from")
            continue
        try:
            layout = read_attachment(attachment, budget)
        except UnreadableAttachment as exc:
            documents += 1
            unreadable.append(str(exc))
            continue
        if layout is None:
            continue
        documents += 1
        texts.append((attachment.name, layout.text))
        notes.extend(layout.notes)
        form = read_form(layout, on)
        if form.is_consent_form:
            forms.append(form)
        elif layout.scanned:  # OCR made nothing of it: it may be a form all the same
            unreadable.append(f"{attachment.name} is a scan or photo cassbot could not make out"
                              + (f" ({'; '.join(layout.notes)})" if layout.notes else ""))
    return Attached(tuple(forms), tuple(texts), tuple(unreadable), documents, tuple(notes))


def form_text(attachment: Attachment) -> str:
    """The words of a document attached, without OCR (scans give ""): for classifying a short mail."""
    try:
        layout = read_attachment(attachment, Budget(seconds=0))
    except UnreadableAttachment:
        return ""
    return layout.text if layout is not None else ""


_OUTLOOK_INLINE = re.compile(r"^image\d{3}\.(?:png|jpe?g|gif|emz|wmz)$", re.IGNORECASE)


def _small_picture(attachment: Attachment) -> bool:
    """A picture of too few pixels to be a photo or scan of a form (a thumbnail, a logo)."""
    if not attachment.content_type.startswith("image/") or attachment.size >= 25_000 or not attachment.data:
        return False
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(attachment.data)) as image:  # reads the header only
            return max(image.size) < 700
    except (UnidentifiedImageError, OSError, ValueError):
        return True  # no picture at all: nothing to read


# -- the form ---------------------------------------------------------------------------------

_SECTION = (
    (ELSEWHERE, re.compile(r"\bnot\s+(?:living|resident|live)\b|\b(?:living|live|lives)\s+(?:elsewhere|away|"
                           r"outside)|\bdo(?:es)?\s*n[o']t\s+live\b|\boutside\s+(?:of\s+)?the\s+household\b|"
                           r"\bnot\s+(?:part\s+of|in)\s+(?:the|your)\s+household\b|\bliving\s+away\b|"
                           r"\bchildren\s+(?:elsewhere|who\s+have\s+left)\b|\badult\s+children\b", re.I)),
    ("addresses", re.compile(r"\b(?:previous|former|past)\s+address|\baddress\s+history\b|\baddresses\b", re.I)),
    ("referees", re.compile(r"\breferees?\b|\bemployer\b|\bdoctor\b|\bGP\b", re.I)),
    ("signatures", re.compile(r"\bdeclaration\b|\bsignatures?\b|\bsign(?:ed)?\s+(?:below|by)\b|\bconsent\s+given\b",
                              re.I)),
    (HOUSEHOLD, re.compile(r"\bhousehold\b|\bother\s+(?:adults|members|people|persons)\b|\b(?:people|persons|"
                           r"everyone|others)\s+(?:living|who\s+live)\b|\bliving\s+(?:at|in)\s+the\s+(?:home|"
                           r"property|address)\b|\bfamily\s+members\b|\bchildren\b", re.I)),
    (APPLICANT, re.compile(r"\bapplicants?\b|\b(?:your|carer['’]?s?|personal)\s+details\b|\bfirst\s+carer\b|"
                           r"\bsecond\s+carer\b|\bjoint\s+applicant\b", re.I)),
)
_CONSENT_WORDS = re.compile(r"\bconsent|\bchecks?\b|\bdeclaration\b|\bauthori[sz]e\b|\bagree\s+to\b", re.I)
_SECOND = re.compile(r"\b(?:applicant|carer)\s*(?:2|two|b)\b|\bsecond\s+(?:applicant|carer)\b|\bjoint\s+applicant\b",
                     re.I)
_FIELDS = (
    ("title", re.compile(r"^title$", re.I)),
    ("surname", re.compile(r"^(?:surname|last\s+name|family\s+name)(?:\s*\(.*\))?$", re.I)),
    ("forenames", re.compile(r"^(?:forenames?|first\s+names?|given\s+names?|christian\s+names?)(?:\s*\(.*\))?$",
                             re.I)),
    ("name", re.compile(r"^(?:full\s+)?names?(?:\s+in\s+full)?(?:\s*\(.*\))?$|^print\s+name$|^name\s+\(print\)$",
                        re.I)),
    ("born", re.compile(r"^(?:date\s+of\s+birth|d\.?\s?o\.?\s?b\.?|born|birth\s+date)(?:\s*\(.*\))?$", re.I)),
    ("relation", re.compile(r"^(?:relationship|relation)(?:\s+to\s+(?:the\s+)?applicants?\(?s?\)?)?$|^role"
                            r"(?:\s+in\s+(?:this|the)\s+(?:assessment|application|household))?$", re.I)),
    ("signature", re.compile(r"^(?:signature|signed|sign|sign(?:ature)?\s+here)(?:\s+of\s+[\w\s]+)?(?:\s*\(.*\))?$",
                             re.I)),
    ("date", re.compile(r"^(?:date|dated|date\s+signed|signed\s+on|date\s+of\s+signature)$", re.I)),
    ("previous", re.compile(r"^(?:previous|former|maiden|other)\s+(?:names?|surnames?)", re.I)),
    ("address", re.compile(r"^(?:current\s+)?address|^post\s*code", re.I)),
)


def _field(label: str) -> str | None:
    """The column or row a label names; a bilingual label ("Enw / Name", "Llofnod / Signature") by either half."""
    cleaned = " ".join(label.strip(" :*?.").split())
    for part in [cleaned, *re.split(r"\s+/\s+|\s*\|\s*", cleaned)] if "/" in cleaned else [cleaned]:
        found = next((name for name, pattern in _FIELDS if pattern.match(part.strip(" :*?."))), None)
        if found:
            return found
    return None


@dataclass
class _Reading:
    layout: Layout
    on: date  # the mail's date: dates of birth are before it
    section: str = APPLICANT
    header: list[str | None] | None = None
    header_section: str = APPLICANT
    slots: dict[int, dict[str, str]] = field(default_factory=dict)
    slot_words: dict[int, str] = field(default_factory=dict)
    second: bool = False
    people: list[FormPerson] = field(default_factory=list)
    signatures: list[FormSignature] = field(default_factory=list)
    columns: dict[int, dict[str, str]] = field(default_factory=dict)  # a signature table in columns, as read


def read_form(layout: Layout, on: date) -> ConsentForm:
    reading = _Reading(layout, on)
    for number, line in enumerate(layout.lines):
        _read_line(reading, number, line)
    blocks = _Blocks(reading)
    for number, line in enumerate(layout.lines):
        blocks.read(number, line)
    reading.signatures = _unique_signatures(reading.signatures)
    applicants = list(_applicants(reading)) or list(_assessed(layout, reading))
    prose = [] if applicants else list(_in_prose(layout, on))  # no applicant boxes: the form's sentences say
    people = _unique([*prose, *applicants, *reading.people])
    consent_words = bool(_CONSENT_WORDS.search(layout.text))
    return ConsentForm(layout.name, layout.source, tuple(people), tuple(reading.signatures), consent_words)


def _read_line(reading: _Reading, number: int, line: str) -> None:
    cells = [" ".join(c.split()) for c in line.split("\t")]
    filled = [c for c in cells if c]
    if not filled:
        return
    if len(filled) == 1 and _heading(reading, filled[0]):
        return
    if any(_APPLICANT_COLUMN.match(c) for c in cells[1:]):  # "Details | Applicant 1 | Applicant 2"
        reading.section, reading.header, reading.second = APPLICANT, None, False
        return
    cells[0] = _heading_before_header(reading, cells)
    fields = [_field(c) for c in cells]
    if sum(1 for f in fields if f) >= 2 and not any(_value_in(c) for c in cells):
        reading.header, reading.header_section = fields, reading.section
        return
    if reading.section == APPLICANT and _applicant_line(reading, cells, fields):
        return
    if fields[0] in ("name", "signature", "date") and reading.header is None and len(cells) >= 2 \
            and reading.section in ("signatures", HOUSEHOLD, ELSEWHERE):
        _signature_column(reading, number, fields[0], cells)
        return
    if reading.header is not None and len(cells) >= 2:
        _table_row(reading, number, cells)


_APPLICANT_COLUMN = re.compile(r"^(?:applicant|carer|adult)\s*(?:1|2|one|two|a|b)\b|^(?:first|second|joint)\s+"
                               r"(?:applicant|carer)\b", re.I)


def _heading_before_header(reading: _Reading, cells: list[str]) -> str:
    """A header row whose first cell names its section too ("Previous addresses (last 10 years) | From | To",
    "Children ... not living in the household: name | Date of birth"): the section is taken, and the first
    cell is left as the column's name, if it has one."""
    first = cells[0]
    if len(cells) < 2 or not any(_field(c) for c in cells[1:]):
        return first
    heading, colon, rest = first.rpartition(":")
    if colon and _field(rest):
        _heading(reading, heading)
        return rest.strip()
    if not _field(first) and _heading(reading, first):
        return ""
    return first


def _heading(reading: _Reading, text: str) -> bool:
    """A line alone that names a section: the rows under it belong there. A sentence of instructions
    ("All adults (16+) in the household must sign.") is not a heading."""
    bare = re.sub(r"\([^()]*\)", " ", text).strip(" :")
    if len(bare.split()) > 12 or _field(text) or _value_in(bare) or re.search(r"[.!?]\s*\S|\bmust\b|\bplease\b",
                                                                             bare, re.I):
        return False
    text = bare
    for section, pattern in _SECTION:
        if pattern.search(text):
            reading.section, reading.header = section, None
            if section == APPLICANT and _SECOND.search(text):
                reading.second = True
            return True
    return False


def _value_in(cell: str) -> bool:
    """A cell holding a value (a date, a ticked box), not only a label."""
    return bool(re.search(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}|\b(?:19|20)\d{2}\b|[☒☐]", cell))


def _applicant_line(reading: _Reading, cells: list[str], fields: list[str | None]) -> bool:
    """"Surname | OKAFOR | OKAFOR" (applicants side by side), "Surname: BRENNAN | Surname: KOWALSKI", or
    "Surname: BRENNAN" alone (one applicant after another)."""
    base = 1 if reading.second else 0
    if fields[0] and len(cells) >= 2 and not any(fields[1:]):
        for slot, value in enumerate(cells[1:4]):
            _fill(reading, base + slot, fields[0], value, " | ".join(cells))
        return True
    pairs = [_label_value(c) for c in cells]
    if any(p is not None for p in pairs):
        for slot, pair in enumerate(pairs):
            if pair is not None:
                _fill(reading, base + slot, pair[0], pair[1], " | ".join(cells))
        return True
    return False


def _label_value(cell: str) -> tuple[str, str] | None:
    """"Surname: BRENNAN"; or, where OCR lost the colon, "Surname BRENNAN" (a label's words, then a value)."""
    label, colon, value = cell.partition(":")
    if colon:
        kind = _field(label)
        return (kind, value.strip()) if kind and value.strip() else None
    words = cell.split()
    for cut in range(min(4, len(words) - 1), 0, -1):
        kind = _field(" ".join(words[:cut]))
        if kind:
            return kind, " ".join(words[cut:])
    return None


def _fill(reading: _Reading, slot: int, kind: str, value: str, words: str) -> None:
    if value and kind in ("title", "surname", "forenames", "name", "born"):
        reading.slots.setdefault(slot, {}).setdefault(kind, value)
        reading.slot_words[slot] = (reading.slot_words.get(slot, "") + " | " + words).strip(" |")[:300]


def _applicants(reading: _Reading) -> Iterator[FormPerson]:
    for slot in sorted(reading.slots):
        found = reading.slots[slot]
        name = _full_name(found.get("title", ""), found.get("forenames", ""), found.get("surname", ""),
                          found.get("name", ""))
        if name:
            yield FormPerson(name, APPLICANT, _birth(found.get("born", ""), reading), "applicant",
                             reading.slot_words.get(slot, ""))


def _table_row(reading: _Reading, number: int, cells: list[str]) -> None:
    header = reading.header or []
    by = {kind: cells[n] for n, kind in enumerate(header) if kind and n < len(cells)}
    name = _full_name(by.get("title", ""), by.get("forenames", ""), by.get("surname", ""), by.get("name", ""))
    if not name:
        return
    words = " | ".join(c for c in cells if c)
    if "signature" in by or (reading.header_section == "signatures" and "date" in by):
        reading.signatures.append(_signature(reading, number, header, cells, name, words))
        return
    section = reading.header_section
    if section in (APPLICANT, HOUSEHOLD, ELSEWHERE):
        relation = by.get("relation", "")
        if section == HOUSEHOLD and re.match(r"^\s*(?:the\s+)?(?:joint\s+|second\s+|first\s+|main\s+|co-?)?"
                                             r"applicant\s*(?:1|2)?\s*$", relation, re.I):
            section = APPLICANT
        elif section == APPLICANT and _NOT_AN_APPLICANT.search(relation):
            section = HOUSEHOLD  # a table of the whole family with no heading: "Ada Okafor | Daughter | 2015"
        reading.people.append(FormPerson(name, section, _birth(by.get("born", ""), reading), relation.lower(),
                                         words))


# Who a family table's row is when it is no applicant: a child, a relative or a lodger of the applicants.
_NOT_AN_APPLICANT = re.compile(r"\b(?:sons?|daughters?|child(?:ren)?|grand(?:son|daughter|child)|step-?(?:son|daughter|"
                               r"child)|foster\s+child|nephew|niece|brother|sister|lodger|mother|father|mum|dad)\b",
                               re.IGNORECASE)


def _signature_column(reading: _Reading, number: int, kind: str, cells: list[str]) -> None:
    """A signature table written in columns: "Name | A | B", "Signature | ... | ...", "Date | ... | ..."; each
    column is one signature, made when its date row is read."""
    if kind == "name":
        reading.columns = {n: {"name": cell, "line": str(number)} for n, cell in enumerate(cells[1:]) if cell}
        return
    for n, cell in enumerate(cells[1:]):
        if n in reading.columns:
            reading.columns[n][kind] = cell
            reading.columns[n][f"{kind} line"] = str(number)
    if kind != "date":
        return
    for column in reading.columns.values():
        name = _full_name("", "", "", column["name"])
        if name:
            cells_of = [column["name"], column.get("signature", ""), column.get("date", "")]
            reading.signatures.append(_signature(reading, number, ["name", "signature", "date"], cells_of, name,
                                                 " | ".join(c for c in cells_of if c)))
    reading.columns = {}


def _signature(reading: _Reading, number: int, header: list[str | None], cells: list[str], name: str,
               words: str) -> FormSignature:
    sign_at = header.index("signature") if "signature" in header else None
    date_at = header.index("date") if "date" in header else None
    mark_cell = cells[sign_at] if sign_at is not None and sign_at < len(cells) else ""
    date_cell = cells[date_at] if date_at is not None and date_at < len(cells) else ""
    mark = "unclear" if mark_cell == FAINT else "signed" if _signed(mark_cell) else "blank"
    spans = [s for s in find_dates(date_cell, date(2100, 1, 1)) if s.exact] if date_cell else []
    day = spans[0].exact if spans else None
    layout = reading.layout
    sure = all(layout.cell_confidence(number, n) >= CONFIDENT for n in range(len(cells)) if n != sign_at
               and cells[n]) and (mark != "unclear")
    if layout.scanned and day is None and find_dates(" ".join(cells), date(2100, 1, 1)):
        sure = False  # a date in the row, but not under "Date": a scan's columns, not the form, are in doubt
    return FormSignature(name, mark, day, date_cell, sure or not layout.scanned, words)


def _signed(cell: str) -> bool:
    """A mark in the signature cell: a picture or pen strokes, a typed or scripted name, initials."""
    cleaned = cell.strip(" _.-–—:")
    return cell == MARK or (bool(cleaned) and not re.fullmatch(r"(?i)(?:signature|sign\s+here|n/?a|x+)", cleaned))


def _full_name(title: str, forenames: str, surname: str, name: str) -> str:
    if surname or forenames:
        written = " ".join(filter(None, (title, forenames, surname)))
    else:
        written = _forenames_first(name)
        written = f"{title} {written}" if title and written else written
    words = [w for w in re.split(r"\s+", written.strip(" ,.:")) if w]
    if not words or not any(c.isalpha() for c in written) or re.search(r"\d", written) or len(words) > 6 \
            or _NOT_A_PERSON.search(written):
        return ""
    return " ".join(_cased(w) for w in words)


# What stands in a name cell that names nobody: "N/A", "None", an organisation, a column's name. Not a street's
# words: "Ms Jo Lane" and "Mr Ben Court" are people, and an address in a name cell has its number.
_NOT_A_PERSON = re.compile(r"^\W*(?:n/?a|none|nil|not\s+applicable|-+)\W*$|\b(?:council|agency|service|services|"
                           r"adoption|fostering|borough|county|regional|trust|ltd|limited|page|form|ref|signature|"
                           r"print|address|applicants?\(?s?\)?)\b", re.I)


def _forenames_first(name: str) -> str:
    """"OKAFOR, Chidi" is Chidi Okafor; "Mrs J. Smith (née Jones)" is Mrs J. Smith."""
    name = re.sub(r"\s*\((?:n[ée]e|formerly|previously)\b[^)]*\)", "", name, flags=re.I)
    surname, comma, forenames = name.partition(",")
    return f"{forenames.strip()} {surname.strip()}" if comma and forenames.strip() else name


def _cased(word: str) -> str:
    """A word in capitals in its ordinary case ("OKAFOR" is Okafor, "O'NEILL" O'Neill); others as written."""
    if not word.isupper() or len(word) < 2:
        return word
    return re.sub(r"(?<=[-'’])(\w)", lambda m: m.group(1).upper(), word.capitalize())


def _birth(cell: str, reading: _Reading) -> date | None:
    """A date of birth; "02.04.97" is 1997, not 2097."""
    spans = [s for s in find_dates(cell, reading.on) if s.exact] if cell else []
    born = spans[0].exact if spans else None
    if born is not None and born > reading.on:
        born = born.replace(year=born.year - 100) if (born.month, born.day) != (2, 29) else None
    return born


def _unique(people: list[FormPerson]) -> list[FormPerson]:
    """The same name in two sections (an applicant listed again in the household table) is one person, in
    the first section that names them."""
    seen: dict[str, FormPerson] = {}
    for person in people:
        key = _name_key(person.name)
        if key not in seen:
            seen[key] = person
        elif seen[key].born is None and person.born is not None:
            seen[key] = FormPerson(seen[key].name, seen[key].section, person.born, seen[key].relation,
                                   seen[key].words)
    return list(seen.values())


def _name_key(name: str) -> str:
    """A name without its title, for telling whether two rows name one person."""
    return " ".join(w.lower() for w in name.split() if not is_title(w))


# -- signature blocks: a letter ("I, Pieter Achterberg, born ..., consent ...") or one form per person ----------

_I_CONSENT = re.compile(r"^\s*I,?\s+(?P<name>[A-Z][^,]{2,60}?),\s*(?:(?:born|DOB|d\.o\.b\.?)\s*:?\s*"
                        r"(?P<born>[^,]{6,30}),)?")


def _in_prose(layout: Layout, on: date) -> Iterator[FormPerson]:
    """A form that gives its people in sentences and lists ("The applicant(s): Mr Erik Lindqvist, date of birth
    6th Jun 1985; ...", "The following people also live in the household: 1. ..."), read as a mail is."""
    from bot.extract.document import Document, Segment
    from bot.extract.people import read_people

    prose = "\n".join(line for line in layout.lines if "\t" not in line and not _INLINE_LABEL.search(line))
    for person in read_people(Document((Segment("", "", on, prose, 0),)), "", on).people:
        section = APPLICANT if person.applicant else ELSEWHERE if person.elsewhere else HOUSEHOLD
        if person.applicant or person.household or person.elsewhere:
            yield FormPerson(person.name.written, section, person.born, person.relation,
                             (person.evidence or [""])[0])


_ASSESSED = re.compile(r"\bassess(?:ment|ing)\s+of\s+(?P<names>.+?)\s+(?:as|for|who)\b", re.I)


def _assessed(layout: Layout, reading: _Reading) -> Iterator[FormPerson]:
    """A form with no applicant boxes that says whom it is for: "Re: assessment of Pieter Achterberg and Helen
    Achterberg as foster carers"."""
    for line in layout.lines[:12]:
        found = _ASSESSED.search(line)
        if found:
            for written in re.split(r"\s*(?:,|\band\b|&)\s*", found.group("names")):
                name = _full_name("", "", "", written)
                if name and len(name.split()) >= 2:
                    yield FormPerson(name, APPLICANT, None, "applicant", line[:200])
            return


class _Blocks:
    """Signature blocks outside a signature table: a name, perhaps a date of birth and a role, then a signature
    and a date, each as "Label: value" or "Label | value". Each block is one person who signed or did not."""

    def __init__(self, reading: _Reading) -> None:
        self.reading = reading
        self.block: dict[str, str] = {}

    def read(self, number: int, line: str) -> None:
        cells = [" ".join(c.split()) for c in line.split("\t")]
        opening = _I_CONSENT.match(" ".join(line.split()))
        if opening:
            self.block = {"name": opening.group("name"), "born": opening.group("born") or "", "words": line[:200]}
        pairs = list(_pairs(cells))
        for kind, value in pairs:
            if kind == "name" and self.block.get("name") and ("signature" in self.block or "date" in self.block):
                self.block = {}
            if kind == "name" and value and not self.block.get("name"):
                self.block.pop("words", None)  # a header row's empty "Name" cell: the block starts with its name
            first = kind in ("name", "born", "relation") and not self.block.get(kind)  # of a name, a birth, a role
            if first or kind in ("signature", "date"):
                self.block[kind] = value
        if pairs:
            self.block["words"] = (self.block.get("words", "") + " | " + " | ".join(c for c in cells if c))[-300:]
        if "signature" in self.block and "date" in self.block:
            self._close(number)

    def _close(self, number: int) -> None:
        block, self.block = self.block, {}
        name = _full_name("", "", "", block.get("name", ""))
        if not name:
            return
        role = block.get("relation", "")
        section = APPLICANT if re.search(r"\bapplicant\b", role, re.I) and not re.search(r"\bof\b", role, re.I) \
            else HOUSEHOLD
        relation = (re.search(r"\(([^)]+)\)", role) or re.search(r"(.*)", role))
        self.reading.people.append(FormPerson(name, section, _birth(block.get("born", ""), self.reading),
                                              relation.group(1).lower().strip() if relation else "",
                                              block.get("words", "").strip(" |")))
        cells = [name, block.get("signature", ""), block.get("date", "")]
        self.reading.signatures.append(_signature(self.reading, number, ["name", "signature", "date"], cells, name,
                                                  block.get("words", "").strip(" |")))


_INLINE_LABEL = re.compile(r"\b(?P<label>(?:full\s+|print\s+)?name|signature|signed|dated?|date\s+of\s+birth|DOB)"
                           r"\s*:\s*", re.I)


def _pairs(cells: list[str]) -> Iterator[tuple[str, str]]:
    """The labelled values of a line: "Signed: | P. Achterberg | Date: | 21 October 2026", "Full name | Ngozi
    Okafor", "Signature: N. Okafor", "Name: Mr Erik Lindqvist Signature: E. Lindqvist Date: 2nd Jul 2026"; a
    label followed by another label, or by nothing, has an empty value."""
    if len(cells) == 1 and len(_INLINE_LABEL.findall(cells[0])) >= 2:
        found = list(_INLINE_LABEL.finditer(cells[0]))
        for here, after in zip(found, [*found[1:], None], strict=True):
            value = cells[0][here.end():after.start() if after else None].strip(" _.")
            kind = _field(here.group("label"))
            if kind:
                yield kind, value
        return
    n = 0
    while n < len(cells):
        label, colon, rest = cells[n].partition(":")
        kind = _field(cells[n]) if cells[n] else None
        if kind is None and colon and rest.strip():
            kind = _field(label)
            if kind:
                yield kind, rest.strip()
            n += 1
            continue
        if kind is None:
            n += 1
            continue
        value = cells[n + 1] if n + 1 < len(cells) and not _field(cells[n + 1]) else ""
        yield kind, value
        n += 2 if value or (n + 1 < len(cells) and not cells[n + 1]) else 1


def _unique_signatures(signatures: list[FormSignature]) -> list[FormSignature]:
    """One row a person: the table's, where a block read the same signature again."""
    seen: dict[str, FormSignature] = {}
    for signature in signatures:
        seen.setdefault(_name_key(signature.name), signature)
    return list(seen.values())
