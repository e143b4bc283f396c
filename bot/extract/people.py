"""Who a request is about: the applicants and the other members of their household.

Read as an RAO reads it, from the layouts requests come in: a table of people under its
header row (a "Relationship" cell saying "Applicant"; a DOB column is a date of birth,
never a signing date), bulleted and numbered lists under a "Household" line, "the
household comprises ..." sentences, and prose ("assessing Mr X and his wife Mrs Y",
"her partner Gary (42)", "their lodger, Mr Z"). A person is a household member only on
evidence that they live there; children to be placed, people who live elsewhere and
the dead are not. Each person keeps the words they were read from.

Age is decided at the mail's date: from a date of birth, from a stated age, or from a
relation that can only be an adult (a partner, a parent, a lodger). Otherwise it is
unknown, and the drafts say so rather than guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from bot.extract.dates import find_dates
from bot.extract.document import Document, Table
from bot.extract.names import (
    COUPLE,
    COUPLE_FIRSTS,
    ORG_AFTER,
    PARTICLE,
    Name,
    fuller,
    names_in,
    normalise,
    parse_name,
    same_person,
)
from bot.patterns import any_of, is_title

ADULT_RELATIONS = (
    "partner", "husband", "wife", "spouse", "civil partner", "fiance", "fiancé", "fiancée", "boyfriend", "girlfriend",
    "mother", "mum", "father", "dad", "stepfather", "stepmother", "step-father", "step-mother", "mother-in-law",
    "father-in-law", "grandmother", "grandfather", "nan", "nana", "grandad", "grandparent", "lodger", "tenant",
    "adult son", "adult daughter", "adult child", "adult stepson", "adult stepdaughter", "sister-in-law",
    "brother-in-law", "aunt", "uncle", "family friend",
)
RELATIONS = ADULT_RELATIONS + (
    "son", "daughter", "child", "stepson", "stepdaughter", "step-son", "step-daughter", "grandson", "granddaughter",
    "grandchild", "brother", "sister", "nephew", "niece", "cousin", "twin", "twins", "foster child", "adopted son",
    "adopted daughter", "friend", "boy", "girl", "kid", "children", "baby", "youngest", "eldest",
)
_RELATION = "|".join(sorted((re.escape(r) for r in RELATIONS), key=len, reverse=True))
# "Mr X and his wife Mrs Y" name a couple, who apply together; "Ms X and her son Y" do not.
_SPOUSE = r"partner|husband|wife|spouse|civil\s+partner|fianc[eé]e?"
_RELATION_WORD = re.compile(rf"\b(?:{_RELATION})s?\b", re.IGNORECASE)
_OWNER = r"(?:his|her|their|the\s+applicants?['’]s?|(?:(?:Mrs|Mr|Ms|Miss|Mx|Dr)\.?\s+)?[A-Z][\w'’\-]+['’]s)"

APPLICANT_LEAD = any_of(
    r"\bassess(?:ing|ment\s+(?:of|on|for)|ed)\b",
    r"\b(?:hold|held|have|form\s+f|checks?|assessment|report|search(?:es)?)\b[^.\n]{0,40}?\b(?:on|for|about|regarding)\s*$",
    r"\b(?:interest|application|enquiry|referral|request)\s+(?:from|for|about)\s*$",
    r"\b(?:the\s+)?(?:joint\s+|prospective\s+|main\s+)?applicants?\b[\s,:\-–(]*(?:(?:is|are|were)\s+)?",
    r"\bprospective\s+(?:foster\s+carers?|adopters?|carers?|special\s+guardians?)\b[\s,:\-–]*",
    r"\b(?:connected|kinship)\s+(?:persons?|carers?)\b[\s,:\-–]*",
    r"\bspecial\s+guardians?\b[\s,:\-–]*",
    r"\b(?:application|enquiry)\s+from\b",
    r"\bplac(?:e|ed|ing|ement\s+of)\b[^.]{0,80}?\bwith\s+(?:(?:her|his|their)\s+[\w\-]+(?:\s+and\s+[\w\-]+)?|"
    r"(?:family\s+)?friends|(?:the\s+)?(?:maternal|paternal)\s+[\w\-]+)?\s*,?\s*$",
    r"\b(?:checks?|information|anything)\s+(?:held\s+)?(?:on|about|regarding|for)\b",
    r"\bre\s*:",
)
_APPLICANT_AFTER = any_of(
    r"^[\s,]*(?:\((?:joint\s+)?applicants?\b|-\s*(?:joint\s+)?applicants?\b|,?\s*(?:the\s+)?(?:joint\s+)?applicants?\b)"
    r"(?!['’])",
    r"^[\s,]*(?:(?:and\s+\S+\s+){0,3})?(?:who\s+)?(?:(?:have|has)\s+)?(?:applied|(?:is|are)\s+(?:being\s+)?assessed|"
    r"(?:is|are)\s+applying)\b",
    r"^[\s,]*(?:\S+\s+){0,3}as\s+(?:a\s+|an\s+|joint\s+|prospective\s+|potential\s+|connected\s+|kinship\s+|"
    r"special\s+)*(?:foster\s+carers?|adopters?|carers?|connected\s+persons?|special\s+guardians?|guardians?|"
    r"applicants?)\b",
    r"^[\s,]*(?:(?:is|are)\s+)(?:(?:a|an|our|the|both|her|his|their)\s+)?(?:(?:current|approved|prospective|joint|"
    r"second|main|primary|existing|long-term|short-break)\s+)*(?:foster\s+)?(?:carers?|adopters?|applicants?|"
    r"connected\s+persons?)\b",
)
HOUSEHOLD_HEADING = any_of(
    r"\bhousehold\b", r"\bliving\s+(?:at|there|here)\b", r"\balso\s+(?:in|at|living)\b", r"\blives?\s+with\b",
    r"\bmembers\b", r"\boccupants\b", r"\bresidents\b",
    r"\bother\s+adults\b", r"\bfamily\s+(?:members|composition|details)\b", r"\bat\s+the\s+(?:property|address)\b",
    r"\bresidents?\b", r"^\s*(?:the\s+|their\s+|other\s+)?(?:children|kids)\s*$", r"\bwho\s+lives?\s+(?:there|at)\b",
    r"\bwith\s+(?:her|his|their)\s+(?:\w+\s+)?(?:children|sons|daughters|kids|family|partner|husband|wife)\b",
    r"\b(?:all\s+)?live\s+at\b", r"\bfollowing\s+(?:people|persons|individuals|household|family)\b",
)
_LIST_ITEM = re.compile(r"^\s*(?:[-•*·‣▪◦o]|\d{1,2}[.)]|[a-z][.)])\s+")
_NOT_HERE = any_of(
    r"\bto\s+be\s+placed\b", r"\bbeing\s+placed\b", r"\bplac(?:e|ed|ing)\s+with\b", r"\bplacement\s+of\b",
    r"\blives?\s+(?:away|elsewhere|independently|separately|abroad|in\s+(?-i:[A-Z]))",
    r"\bliving\s+(?:away|elsewhere)\b",
    r"\bdoes\s*n[o']t\s+live\b", r"\bno\s+longer\s+lives?\b", r"\bmoved\s+out\b", r"\bleft\s+home\b",
    r"\bnot\s+(?:part\s+of|in)\s+the\s+household\b", r"\blate\s+(?:husband|wife|partner)\b", r"\bdeceased\b",
    r"\bpassed\s+away\b", r"\b(?:ex|former|then)[\s\-](?:husband|wife|partner|boyfriend|girlfriend)\b",
    r"\bbirth\s+(?:mother|father|parents?)\b", r"(?<!has\s)(?<!have\s)(?<!had\s)\blived\b[^.]{0,40}\bwith\b",
    r"\b(?:separated|divorced)\b",
    r"\bthe\s+child(?:ren)?\s+(?:to|who|we|are|is)\b", r"\bcurrently\s+(?:in|placed)\b", r"\bin\s+(?:foster\s+)?care\b",
    r"\bsocial\s+worker\b", r"\bassessor\b", r"\breferee\b",
    r"\bno\s+longer\s+(?:part|a\s+member)\s+of\b", r"\bmoved\s+(?:away|to\s+[A-Z]\w+)\b(?![^.]{0,30}\bwith\s+them)",
)
_AGE = re.compile(
    r"\((?:[^()\d]{0,30}?,?\s*)?(?:aged?\s+)?(\d{1,2})(?:\s*(?:yrs?|years?(?:\s+old)?))?\s*\)"
    r"|\baged?\s+(\d{1,2})\b(?!\s*(?:months?|weeks?))"
    r"|\b(\d{1,2})[\s\-]+years?[\s\-]+old\b"
    r"|\b(\d{1,2})[\s\-]year[\s\-]old\b"
    r"|,\s*(\d{1,2})\s*(?:,|$|\)|\s+and\b|\s+[-–—])"
    r"|\b(?:who\s+is|is\s+now|now)\s+(\d{1,2})\b(?!\s*(?:months?|weeks?))"
    r"|\((\d{2})s\)|\bin\s+(?:his|her|their)\s+(\d{2})s\b"
    r"|\)\s*(\d{1,2})\s*$"
    r"|(?:^|\)|\s)\s*[-–—]\s*(\d{1,2})\s*(?:yrs?|years?(?:\s+old)?)?\s*$"
    r"|\b(\d{1,2})\s*(?:yo|y/o|y\.o\.|yrs?)\b"
    r"|^[\s,]*(?:is|was)\s+(?:now\s+)?(\d{1,2})\b(?!\s*(?:months?|weeks?|/|\.\d))"
    r"|\b(?:turns?|turning)\s+(\d{1,2})\b(?!\s*(?:months?|weeks?|/|\.\d))"  # "he turns 18 next month": 17
    r"|^\s+(\d{1,2})\s*(?:,|&|\band\b|$)",  # "Kids in house Macy Briggs 8 and Reggie Cole 4"
    re.IGNORECASE,
)
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORD_AGES = {
    **{word: n for n, word in enumerate(("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                                         "seventeen", "eighteen", "nineteen"), start=10)},
    **{f"{tens}[\\s-]{unit}": 10 * t + u for t, tens in ((2, "twenty"), (3, "thirty"), (4, "forty"))
       for u, unit in enumerate(_UNITS, start=1)},
    "twenty": 20, "thirty": 30, "forty": 40,
}
_MONTHS_OLD = re.compile(r"\b\d{1,2}\s*(?:months?|weeks?)(?:\s+old)?\b|\bbaby\b|\binfant\b", re.IGNORECASE)
_DOB_LEAD = any_of(r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|born(?:\s+on)?|b\.)\s*[:\-]?\s*$")


@dataclass
class Person:
    """One person a request names, with the words each fact about them came from."""

    name: Name
    applicant: bool = False
    household: bool = False
    relation: str = ""
    born: date | None = None
    age: int | None = None
    born_year: int | None = None  # "born in 2012": a year alone
    adult_by_relation: bool = False
    under_16_by_words: bool = False
    elsewhere: bool = False
    evidence: list[str] = field(default_factory=list)

    def over_16(self, on: date) -> bool | None:
        """16 or over on `on` (the mail's date); None when the mail does not settle it."""
        if self.born is not None:
            years = on.year - self.born.year - ((on.month, on.day) < (self.born.month, self.born.day))
            return years >= 16
        if self.age is not None:
            return self.age >= 16
        if self.born_year is not None and on.year - self.born_year != 16:
            return on.year - self.born_year > 16  # born in 2012: 13 or 14 in 2026; born in 2010, 15 or 16
        if self.under_16_by_words:
            return False
        return True if self.adult_by_relation or self.applicant else None

    def note(self, words: str) -> None:
        cut = " ".join(words.split())[:160]
        if cut and cut not in self.evidence:
            self.evidence.append(cut)


class People:
    """The people of one request, merged across their mentions."""

    def __init__(self) -> None:
        self.people: list[Person] = []

    def add(self, name: Name) -> Person:
        found = self.find(name)
        if found is not None:
            found.name = fuller(found.name, name)
            return found
        person = Person(name)
        self.people.append(person)
        return person

    def find(self, name: Name) -> Person | None:
        """The person `name` is: the same name, or a first name alone that only one person has."""
        same = [p for p in self.people if same_person(p.name, name)]
        exact = [p for p in same if p.name.title.lower() == name.title.lower()]
        if same:
            return (exact or same)[0]
        if not name.first:
            return None
        by_first = [p for p in self.people if p.name.first == name.first and (not p.name.last or not name.last)]
        if not by_first and len(name.first) > 1:  # "Adaeze" for "Mrs A. Okoro"
            by_first = [p for p in self.people if len(p.name.first) == 1 and name.first.startswith(p.name.first)
                        and (not name.last or name.last == p.name.last)]
        return by_first[0] if len(by_first) == 1 else None

    def by_first_name(self) -> dict[str, Person]:
        """People by their first name alone, where it names one person."""
        seen: dict[str, list[Person]] = {}
        for person in self.people:
            if person.name.first and len(person.name.first) > 1:
                seen.setdefault(person.name.first, []).append(person)
        return {first: found[0] for first, found in seen.items() if len(found) == 1}

    @property
    def applicants(self) -> list[Person]:
        return [p for p in self.people if p.applicant]

    @property
    def household(self) -> list[Person]:
        return [p for p in self.people if p.household and not p.applicant and not p.elsewhere]

    def must_sign(self, on: date) -> list[Person]:
        """Seed 000, the one rule of who signs the consent: the applicants, and everyone living in the household
        aged 16 or over at the mail's date (a person whose age the mail does not settle is listed apart)."""
        return [*self.applicants, *(p for p in self.household if p.over_16(on))]


def read_people(document: Document, subject: str, on: date, writer: str = "") -> People:
    """The applicants and household of a request, from its subject, tables and words."""
    people = People()
    for table in document.tables:
        _from_table(people, table, on)
    text = _capitalised(_QUOTE_MARKS.sub("", "\n".join(s.text for s in document.segments if s.text)))
    for paragraph in _paragraphs(text):
        _applicants_in(people, paragraph, paragraph)
    _applicant_lists(people, text)
    _subject_applicants(people, subject, text)
    if not people.applicants:
        _first_listed_applicants(people, text)
    _households_in(people, text)
    _lists_with_applicants(people, text)
    if not people.applicants:
        _placed_with(people, text)
    for paragraph in _paragraphs(text):
        _details_in(people, paragraph, on)
    _record_blocks(people, text, on)
    _pronoun_ages(people, text)
    _first_mentions(people, text, on)
    _resolve_surnames(people)
    _drop_writer(people, writer)
    return people


# A quoted request's "> " at each line's start ("with her\n> son Connor O'Rourke (22)"): not part of its words.
_QUOTE_MARKS = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)


def _capitalised(text: str) -> str:
    """A mail written all in lower case ("asif mirza 1/3/72", "mr and mrs mirza") with its names capitalised
    where the layout shows they are names: a line's first words before a date or an age, words after a title."""
    letters = [line.lstrip(" -•*")[:1] for line in text.splitlines() if line.strip()]
    if not letters or sum(c.isupper() for c in letters) > len(letters) // 5:
        return text
    text = re.sub(r"(?m)^(\s*(?:[-•*]\s*)?)([a-z][a-z'’\-]+(?:\s+[a-z][a-z'’\-]+){0,2})(?=\s*(?:\(|,|-|\d))",
                  lambda m: m.group(1) + m.group(2).title(), text)
    return re.sub(r"\b(mrs?|ms|miss|mx)\b(\s+(?:(?:and|&|\+)\s+(?:mrs?|ms|miss|mx)\s+)?)([a-z][a-z'’\-]+)",
                  lambda m: m.group(1).title() + m.group(2).replace("mr", "Mr").replace("ms", "Ms")
                  + m.group(3).title(), text)


def _resolve_surnames(people: People) -> None:
    """"Mr & Mrs de Vries" in a subject and "Mr Willem de Vries", "Mrs Sandra de Vries" in the body are the
    same two people: a title and a surname alone join the one person of that surname they can only be."""
    for short in [p for p in people.people if p.name.title]:
        words = _words(short)
        longer = [p for p in people.people if p is not short and p.name.title == short.name.title
                  and len(_words(p)) > len(words) and _within(words, _words(p))]
        if len(longer) == 1 and short in people.people:
            _merge(people, short, longer[0])
    for bare in [p for p in people.people if not p.name.first and p.name.title]:
        fuller_ones = [p for p in people.people if p is not bare and p.name.first and p.name.last == bare.name.last
                       and (p.applicant or not bare.applicant)
                       and (not p.name.title or p.name.title == bare.name.title)]
        titled = [p for p in fuller_ones if p.name.title == bare.name.title]
        match = titled if len(titled) == 1 else fuller_ones if len(fuller_ones) == 1 else []
        if match:
            _merge(people, bare, match[0])


def _words(person: Person) -> list[str]:
    return [normalise(w) for w in person.name.written.split()[1 if person.name.title else 0:]]


def _within(short: list[str], long: list[str]) -> bool:
    """"Lane Fox" ends "Euan Lane Fox"; "Dennis" starts "Dennis Okonkwo-Hart"."""
    return long[-len(short):] == short or long[:len(short)] == short


def _merge(people: People, gone: Person, into: Person) -> None:
    into.name = fuller(into.name, gone.name)
    into.applicant = into.applicant or gone.applicant
    into.household = into.household or gone.household
    into.relation = into.relation or gone.relation
    into.born, into.age = into.born or gone.born, into.age if into.age is not None else gone.age
    into.adult_by_relation = into.adult_by_relation or gone.adult_by_relation
    into.evidence.extend(e for e in gone.evidence if e not in into.evidence)
    people.people.remove(gone)


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


# -- tables --------------------------------------------------------------------------------------


def _from_table(people: People, table: Table, on: date) -> None:
    name_col = table.column("name", "person", "household member")
    if name_col is None:
        return
    relation_col = table.column("relationship", "relation", "role", "status")
    dob_col = table.column("dob", "d.o.b", "date of birth", "born")
    age_col = table.column("age")
    for row in table.rows:
        if name_col >= len(row):
            continue
        name = parse_name(row[name_col]) if row[name_col] else None
        if name is None or not (name.first or name.title):
            continue
        person = people.add(name)
        relation = row[relation_col] if relation_col is not None and relation_col < len(row) else ""
        person.note(" | ".join(row))
        _set_relation(person, relation)
        person.household = True
        if dob_col is not None and dob_col < len(row):
            spans = find_dates(row[dob_col], on)
            person.born = person.born or (spans[0].exact if spans else None)
        if age_col is not None and age_col < len(row):
            _set_age(person, row[age_col])


def _set_relation(person: Person, words: str) -> None:
    lowered = words.lower()
    if re.search(r"\bapplicant(?!['’]s)|\bmain\s+carer|\bprospective\b|\bjoint\b", lowered):
        person.applicant = True
    found = _RELATION_WORD.search(words)
    if found and not person.relation:
        person.relation = found.group().lower()
    if any(re.search(rf"\b{re.escape(r)}s?\b", lowered) for r in ADULT_RELATIONS):
        person.adult_by_relation = True
    if re.search(r"\badult\b", lowered):
        person.adult_by_relation = True


def _set_age(person: Person, words: str) -> None:
    if _MONTHS_OLD.search(words) and not re.search(r"\byears?\b", words, re.IGNORECASE):
        person.under_16_by_words = True
        return
    found = _AGE.search(f"({words.strip()})") or _AGE.search(words)
    number = next(int(g) for g in found.groups() if g) if found else next(
        (age for word, age in _WORD_AGES.items() if re.search(
            rf"(?:^[\s,(]*|[-–,(]\s*|\b(?:is|aged?|now|turns?|turning|be)\s+){word}\b(?![\s-]*(?:months?|weeks?|days?|years?\s+"
            rf"(?:ago|since|later)))|\b{word}[\s-]+years?[\s-]+old\b", words, re.IGNORECASE)), None)
    if number is not None and person.age is None:
        # "aged 16 next week", "will be 16 in March": a year younger today
        person.age = number - 1 if _NOT_YET_AGE.search(words) else number


_NOT_YET_AGE = re.compile(r"\b(?:will\s+be|turns?|turning)\s+\w+\b|\b(?:\d{1,2}|\w+teen)\s+(?:next|this\s+coming)\s+"
                          r"(?:week|month)|\b(?:\d{1,2}|\w+teen)\s+(?:soon|shortly|in\s+(?:a|\w+)\s+(?:days?|weeks?|"
                          r"months?)|on\s+(?:his|her|their)\s+(?:next\s+)?birthday)", re.IGNORECASE)


# -- applicants ----------------------------------------------------------------------------------


def _applicants_in(people: People, text: str, evidence: str) -> None:
    """Names a lead ("assessing", "applicants:") or a tail ("(applicant)", "who have applied") marks."""
    for couple in [*COUPLE.finditer(text), *COUPLE_FIRSTS.finditer(text)]:
        if _applicant_context(text, couple.start(), couple.end()):
            for name in couple_names(couple):
                _mark_applicant(people.add(name), text, couple.start(), couple.end())
    for group, start, end in _name_groups(text):
        if _applicant_context(text, start, end):
            for name in group:
                _mark_applicant(people.add(name), text, start, end)


_APPLICANT_LIST = any_of(
    r"\b(?:applicants?|prospective|carers?|adopters?|guardians?|connected\s+persons?|following\s+(?:household|people|"
    r"couple|family|individuals?|persons?)|details\s+(?:are|below|as\s+follows))\b[^:\n]{0,60}:\s*$",
)
_NOT_APPLICANT = any_of(r"\bnot\s+(?:an?\s+)?(?:joint\s+)?applicant", r"\bnot\s+applying\b",
                        r"\bhousehold\s+member\b(?!s)")


def _applicant_lists(people: People, text: str) -> None:
    """A line such as "the following prospective foster carers:" and the names on the lines under it."""
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if not _APPLICANT_LIST.search(line) or HOUSEHOLD_HEADING.search(line.split(":")[0][-40:]) and \
                not re.search(r"applicant", line, re.IGNORECASE):
            continue
        marked = 0
        for below in lines[n + 1:n + 6]:
            if not below.strip():
                continue
            if HOUSEHOLD_HEADING.search(below) or _RELATION_WORD.match(below.strip()) or _NOT_APPLICANT.search(below):
                break
            groups = list(_name_groups(below))
            if not groups or groups[0][1] > 8:
                break
            tail = below[groups[0][2]:]
            described = _RELATION_WORD.search(tail) or _AGE.search(tail)
            if marked and described and not re.search(r"applicant", tail, re.I):
                _household_names(people, below, below, loose=True)
                continue  # "Reece Brennan (16) - Sophie's son": the household under the applicants
            for name in groups[0][0]:
                _mark_applicant(people.add(name), below, 0, len(below))
                marked += 1


def _subject_applicants(people: People, subject: str, body: str) -> None:
    """A request's subject names its applicants: "Info request - Zoë & Luca Marchetti (prospective carers)"; not
    the organisation the body names ("Lowther Vale fostering", where the body signs "Lowther Vale Council")."""
    for piece in re.split(r"\s[-–—|:]\s|[:(\[\]]", subject):
        if re.search(r"\bref\b|\d{3,}", piece, re.IGNORECASE):
            continue
        found: list[Name | None] = [n for c in [*COUPLE.finditer(piece), *COUPLE_FIRSTS.finditer(piece)]
                                    for n in couple_names(c)]
        found += [n for group, _, _ in _name_groups(piece) for n in group]
        for name in (n for n in found if n is not None and not _organisation_in(n.written, body)):
            known = people.find(name)
            if known is not None and not known.applicant and known.household:
                continue  # the subject names a household member too: what the body says of them stands
            if known is None and not name.title and any(
                    name.last == p.name.last and name.first in normalise(p.name.written).split()
                    for p in people.people):
                continue  # "García Morales" beside "Mr José Antonio García Morales": the same family name
            _mark_applicant(people.add(name), subject, 0, len(subject))


def _organisation_in(words: str, body: str) -> bool:
    """The body writes these words as an organisation's or a place's name: "Lowther Vale Council"."""
    return any(ORG_AFTER.match(body, found.end()) for found in re.finditer(rf"\b{re.escape(words)}\b", body))


def _first_listed_applicants(people: People, text: str) -> None:
    """With no word saying who applies, the first people listed with their details are the applicants."""
    for line in text.splitlines():
        groups = list(_name_groups(line))
        if not groups or groups[0][1] > 8 or _RELATION_WORD.search(line[:groups[0][2] + 30]):
            continue
        if not re.search(r"\b(?:DOB|D\.O\.B|born|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4})", line, re.IGNORECASE):
            continue
        for name in groups[0][0]:
            _mark_applicant(people.add(name), line, 0, len(line))


def _placed_with(people: People, text: str) -> None:
    """"We need to place two children with their maternal grandmother ... check your records on: Mrs X
    (maternal grandmother)": the kinship carer is the one person with the relation the children go to."""
    placed = re.search(rf"\bplac(?:e|ed|ing|ement)\b[^.]{{0,80}}?\bwith\s+(?:their|her|his|the\s+child['’]s)\s+"
                       rf"(?:maternal\s+|paternal\s+|great[\s-])*((?:{_RELATION}))s?\b", text, re.IGNORECASE)
    if placed is None:
        return
    relation = placed.group(1).lower()
    same = [p for p in people.people if relation in (p.relation or "") or re.search(
        rf"\b{re.escape(relation)}\b", " ".join(p.evidence[:1]), re.IGNORECASE) and p.name.title]
    if len(same) == 1:
        same[0].applicant = True
        same[0].note(placed.group())


def couple_names(couple: re.Match[str]) -> list[Name]:
    """"Mr and Mrs Darko Petrović" is Mr Darko Petrović and Mrs Petrović; "Mr & Mrs Okonkwo" two surnames;
    "Mr Kwame and Mrs Efua Asante-Boateng" two first names under one surname."""
    if "f1" in couple.groupdict():
        pair = (parse_name(f"{couple.group('t1')} {couple.group('f1')} {couple.group('rest')}"),
                parse_name(f"{couple.group('t2')} {couple.group('f2')} {couple.group('rest')}"))
        return [n for n in pair if n is not None]
    first = parse_name(f"{couple.group('first')} {couple.group('rest')}")
    words = couple.group("rest").split()
    family = words[-1] if first and first.first and len(words) > 1 else couple.group("rest")
    second = parse_name(f"{couple.group('second')} {family}")
    return [n for n in (first, second) if n is not None]


def _mark_applicant(person: Person, text: str, start: int, end: int) -> None:
    if _NOT_APPLICANT.search(_sentence(text, start, end)):
        return
    person.applicant = True
    person.household = True
    person.note(_sentence(text, start, end))


def _applicant_context(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 60):start]
    line = before.split("\n")[-1]
    if _AGENT_BEFORE.search(line):
        return False  # "who are being assessed by Carrick Muir as foster carers": the assessor
    lead = APPLICANT_LEAD.search(line)
    if lead and not _LEAD_BROKEN.search(line[lead.end():]) and not any(names_in(line[lead.end():])):
        return True  # the lead's own name, not one after another name ("assessing Ms X, who lives with Mr Y")
    return _APPLICANT_AFTER.match(_DETAILS.sub(" ", text[end:end + 120])) is not None


_LEAD_BROKEN = any_of(r"[.;!?]", r"\bli(?:ves?|ving)\s+with\b", r"\b(?:her|his|their)\s+(?:\w+\s+)?(?:"
                      + _RELATION + r")s?\b")
_AGENT_BEFORE = any_of(r"\b(?:assessed|approved|registered|supervised|supported|employed|referred)\s+by\s*$")


# What is written about a person right after their name: "(DOB 16/08/1976)", ", born 2 July 1975,", "- 42".
_DETAILS = re.compile(r"^(?:\s*(?:\([^()]{0,60}\)|[,–-]\s*(?:DOB|D\.O\.B\.?|born|aged?)\b[^,;]{0,30}"
                      r"(?:,|(?=\s+and\b))|[,–-]\s*\d{1,2}(?:st|nd|rd|th)?[\s/.\-](?:[A-Za-z]{3,9}|\d{1,2})[\s/.\-]"
                      r"\d{2,4}\b,?|[,–-]\s*\d{4}-\d{2}-\d{2}\b,?))+", re.IGNORECASE)


def _name_groups(text: str) -> Iterator[tuple[list[Name], int, int]]:
    """Names joined by "and", "&" or commas, with words such as "his wife" between them, as one group."""
    names = list(names_in(text)) + list(_shared_surname_names(text))
    names.sort(key=lambda n: n.start)
    group: list[Name] = []
    start = end = 0
    for name in names:
        between = _DETAILS.sub(" ", text[end:name.start])
        joined = group and re.fullmatch(
            rf"\s*(?:,|and|&|,\s*and)\s*(?:(?:{_OWNER})\s+(?:{_SPOUSE})\s*,?\s*)?", between, re.IGNORECASE)
        if joined:
            group.append(name)
            end = name.end
            continue
        if group:
            yield group, start, end
        group, start, end = [name], name.start, name.end
    if group:
        yield group, start, end


_SHARED_SURNAME = re.compile(r"(?<![\w'’-])(?P<a>[A-Z][a-zß-ÿ'’\-]+)\s+(?:and|&)\s+(?P<b>[A-Z][a-zß-ÿ'’\-]+)\s+"
                             r"(?P<last>(?:(?:ap|ab|van|de|bin|al|el)\s+)?[A-Z][\w'’\-]+)")


def _shared_surname_names(text: str) -> Iterator[Name]:
    """"Gary and Lisa Bramwell": the first of the pair shares the second's surname."""
    for match in _SHARED_SURNAME.finditer(text):
        before = text[:match.start()].rstrip(" \t").split(" ")[-1] if match.start() else ""
        joined_to_name = ((before[:1].isupper() or re.fullmatch(PARTICLE, before))
                          and not before.endswith((":", ".", ",")))
        if joined_to_name or is_title(match.group("b")) or is_title(match.group("a")):
            continue  # "Jérôme Lefèvre and Mr Ashok Raman" is two whole names, not a pair
        first = parse_name(f"{match.group('a')} {match.group('last')}", match.start())
        if first is not None and first.first:
            yield Name(first.written, "", first.first, first.last, match.start(), match.end("a"))


# -- household -----------------------------------------------------------------------------------


def _households_in(people: People, text: str) -> None:
    lines = text.splitlines()
    in_list = False
    for n, line in enumerate(lines):
        label, colon, rest = line.partition(":")
        if colon and HOUSEHOLD_HEADING.search(label) and len(label.split()) <= 6:
            in_list = not rest.strip()
            _household_names(people, rest, line, loose=True)
            continue
        if HOUSEHOLD_HEADING.search(line) and (len(line.split()) <= 6 or line.rstrip().endswith(":")):
            in_list = True
            continue
        relation_label = re.match(rf"^\s*(?:[A-Z][\w'’\-]+['’]s\s+)?((?:{_RELATION}))s?\s*:\s*(.+)$", line,
                                  re.IGNORECASE)
        if relation_label:  # "Partner: Ms Marta Nowak, DOB ...", "Marta's son: Filip Nowak"
            _household_names(people, relation_label.group(2), line, loose=True)
            for name in _listed_names(relation_label.group(2), True):
                _set_relation(people.add(name), relation_label.group(1))
            continue
        if in_list and (_LIST_ITEM.match(line) or _looks_like_person_line(line)):
            _household_names(people, line, line, loose=True)
            continue
        in_list = in_list and not line.strip() and n + 1 < len(lines) and bool(
            _LIST_ITEM.match(lines[n + 1]) or _looks_like_person_line(lines[n + 1]))
    for sentence in _sentences(text):
        alone = _LIVES_ALONE.search(sentence)
        known = {id(p) for p in people.people} if alone else set()
        _relation_mentions(people, sentence)
        if alone:  # "lives alone and her adult children visit": whoever the sentence adds lives elsewhere
            for person in people.people:
                person.elsewhere = person.elsewhere or id(person) not in known and not person.applicant
            continue
        lead = re.search(r"\b(?:household|family)\s+(?:is|comprises|consists\s+of|includes|members\s+are|"
                         r"are)\b|\blives?\s+with\b|\bliving\s+with\b|\balso\s+(?:in|living\s+in)\s+the\s+household\b"
                         r"|\b(?:they|she|he)\s+(?:have|has)\s+(?:(?:two|three|four|a|an)\s+)?(?:[\w\-]+\s+)?"
                         r"(?:twins?|sons?|daughters?|children|boys?|girls?|kids)\b"
                         rf"|\bli(?:ve|ves|ving)\b[^.;]{{0,120}}?\b(?:with|and)\s+{_OWNER}\s+(?:[\w\-]+\s+){{0,2}}?"
                         r"(?:twins?|sons?|daughters?|children|boys|girls|kids)\b"
                         r"|\b(?:children|kids|others|people)\s+(?:living\s+)?in\s+(?:the\s+)?(?:house|household|home)\b",
                         sentence, re.IGNORECASE)
        if lead:
            _household_names(people, sentence[lead.end():], sentence, loose=True)
            _group_ages(people, sentence[lead.end():])


# "Lives alone", "lives on her own", not "lives alone with her two children" (a single parent).
_LIVES_ALONE = re.compile(r"\bli(?:ve|ves|ving)\s+(?:alone|on\s+(?:her|his|their)\s+own|by\s+(?:her|him)self)\b"
                          r"(?!\s+with\b)", re.IGNORECASE)


def _lists_with_applicants(people: People, text: str) -> None:
    """A run of lines, one person each, that lists an applicant too: the family as the mail gives it
    ("Their details and those of their children are as follows:"), so the others in it live there."""
    run: list[str] = []
    for line in [*text.splitlines(), ""]:
        if _looks_like_person_line(line) and not _NOT_HERE.search(line):
            run.append(line)
            continue
        if len(run) >= 3 and any(p.applicant for line_ in run for p, _, _ in _mentions(people, line_)):
            for listed in run:
                _household_names(people, listed, listed, loose=True)
        run = []


def _group_ages(people: People, words: str) -> None:
    """"Alessia and Matteo Marchetti, who are 9" or "..., aged 9": one age for a group; "(9 and 7)": one each, in
    order."""
    names = [n for n in names_in(words, singles=True) if people.find(n) is not None]
    together = re.search(r"(?:\bwho\s+are|,\s*(?:both\s+)?aged)\s+(?:both\s+|all\s+)?(\d{1,2})\b"
                         r"(?!\s*(?:and|&|,)\s*\d|\s*(?:months?|weeks?))", words)
    each = re.search(r"\((\d{1,2})\s*(?:,|and|&)\s*(\d{1,2})(?:\s*(?:,|and|&)\s*(\d{1,2}))?\)"
                     r"|,\s*(?:aged\s+)?(\d{1,2})\s*(?:,|and|&)\s*(\d{1,2})(?:\s*(?:,|and|&)\s*(\d{1,2}))?\b(?!\s*(?:months|/))",
                     words)
    grouped: list[Name] = []  # "who are 7" is of the names just before it, not a son's with his own "(20), ..."
    if together is not None:
        group_from = max((m.end() for m in _GROUP_BREAK.finditer(words, 0, together.start())), default=0)
        grouped = [n for n in names if group_from <= n.start < together.start()]
    for n, name in enumerate(names):
        person = people.find(name)
        if person is None or person.age is not None or person.born is not None:
            continue
        numbers = [g for g in each.groups() if g] if each is not None else []
        if n < len(numbers):
            person.age = int(numbers[n])
        elif together is not None and len(grouped) > 1 and name in grouped:
            person.age = int(together.group(1))


_GROUP_BREAK = re.compile(r"[();]|\bwho\b|\bwhich\b", re.IGNORECASE)


def _looks_like_person_line(line: str) -> bool:
    """"Mr Declan O'Connor, DOB 01/03/1959", "Fionn (16), Orla (15) and Ruairí (11)": a line that starts
    with a name, or with a first name and its details."""
    stripped = line.strip()
    if not 0 < len(stripped) < 140:
        return False
    first = next(names_in(stripped), None)
    if first is not None and first.start < 8:
        return True
    single = next(names_in(stripped, singles=True), None)
    return single is not None and single.start < 4 and re.match(
        r"\s*(?:\(\s*(?:aged?\s*)?\d|,\s*(?:aged?\s*)?\d|\s+[-–]\s*(?:\d|DOB|born|aged?))", stripped[single.end:],
        re.IGNORECASE) is not None


def _household_names(people: People, words: str, evidence: str, loose: bool = False) -> None:
    """Names in a household list or sentence; `loose` (a list under a heading): a bare relation word before a
    name ("and mother Surinder Sandhu") is that person's relation."""
    if _NOT_HERE.search(words) and not re.search(r"\blives?\s+with\b", words, re.IGNORECASE):
        return
    for name in _listed_names(words, loose):
        if name is not None:
            person = people.add(name)
            person.household = True
            person.note(evidence)
            bare = re.search(rf"\b((?:{_RELATION}))s?\s*,?\s*$", words[max(0, name.start - 30):name.start],
                             re.IGNORECASE) if loose else None
            if bare:
                _set_relation(person, bare.group(1))


def _listed_names(words: str, loose: bool) -> Iterator[Name]:
    """Names in a household list: whole names, and in a list a first name with its details ("Mia (7)")."""
    whole = [n for group, _, _ in _name_groups(words) for n in group]
    yield from whole
    if loose:
        for name in names_in(words, singles=True):
            before = words[:name.start].split()[-1:] or [""]
            if not name.last and not any(w.start <= name.start < w.end for w in whole) and \
                    before[0].lower() not in _PREPOSITIONS and \
                    re.match(r"\s*(?:$|[.;]|\(|,|\band\b|[-–]\s*\d)", words[name.end:], re.IGNORECASE):
                yield name


_LODGER_BEFORE = re.compile(r"\b(?:a|an)\s+(lodger|tenant)\s*,?\s*$", re.IGNORECASE)  # "have a lodger, Mr X"


def _relation_mentions(people: People, sentence: str) -> None:
    """"her partner Gary Bramwell", "Daniel Adeyemi, their son", "Mr Z (lodger)", "their son Dylan (12)"."""
    for name in names_in(sentence, singles=True):
        before = sentence[max(0, name.start - 45):name.start]
        line_start = sentence.rfind("\n", 0, name.start)
        if line_start > 0 and not sentence[line_start:name.start].strip(" \t\n-•*") and _looks_like_person_line(
                sentence[sentence.rfind("\n", 0, line_start) + 1:line_start]):
            before = ""  # a list of people, one a line: the line above is someone else's
        after = sentence[name.end:name.end + 45].split("\n")[0]
        owner_before = re.search(rf"(?:{_OWNER})\s+(?:[\w\-]+\s+){{0,2}}?((?:{_RELATION}))s?\s*,?\s*$", before,
                                 re.IGNORECASE) or _LODGER_BEFORE.search(before)
        relation_after = re.match(rf"\s*(?:,\s*|\(\s*|[-–—]\s*)(?:(?:{_OWNER})\s+)?"
                                  rf"((?:[\w\-]+\s+){{0,2}}?(?:{_RELATION}))s?\b",
                                  after, re.IGNORECASE)
        found = owner_before or relation_after
        if not found or not name.last and not (owner_before or re.match(r"\s*\(", after)):
            continue  # a first name alone counts only right after "her son" or before "(son, 12)"
        if not name.last and people.find(name) is None and not name.title and _ORG_WORD.search(after[:20]):
            continue
        context = _sentence(sentence, name.start, name.end)
        if _NOT_HERE.search(context) and not _lives_here(context):
            person = people.add(name)
            person.elsewhere = person.elsewhere or not person.applicant
            continue
        person = people.add(name)
        _set_relation(person, found.group(0))
        person.household = True
        person.note(context)


_PREPOSITIONS = frozenset({"in", "at", "from", "to", "near", "of", "on", "into", "via", "with", "by", "for"})
_ORG_WORD = re.compile(r"^\s*(?:Council|Fostering|Adoption|Trust|Agency|Road|Street)\b")


def _lives_here(context: str) -> bool:
    return re.search(r"\blives?\s+with\s+(?:them|him|her|the\s+applicants?)\b|\blives?\s+at\s+home\b", context,
                     re.IGNORECASE) is not None


# -- ages, dates of birth, relations -------------------------------------------------------------


def _details_in(people: People, paragraph: str, on: date) -> None:
    """Dates of birth and ages written right after a person's name, in the same line (or at the start of
    the next, where a plain-text mail wrapped "Ms Amara Bello" / "(DOB 12/06/1985) of 7 Weir Close")."""
    lines = paragraph.splitlines()
    for number, line in enumerate(lines):
        mentions = _mentions(people, line)
        for n, (person, start, end) in enumerate(mentions):
            stop = mentions[n + 1][1] if n + 1 < len(mentions) else len(line)
            tail = line[end:stop]
            if not tail.strip() and number + 1 < len(lines) and re.match(r"\s*\(", lines[number + 1]):
                tail = " " + lines[number + 1]
            _read_tail(person, tail, on)
            sentence = _sentence(line, start, end)
            if _NOT_HERE.search(sentence) and not person.applicant and not _lives_here(sentence):
                person.elsewhere = True


_DOB_LINE = re.compile(r"^\s*(?:DOB|D\.O\.B\.?|date\s+of\s+birth|born)\s*[:\-]\s*(.+)$", re.IGNORECASE)
_POSSESSIVE_DOB = re.compile(r"(?<![\w'’-])([A-Z][\w\-]+)['’]s\s+(?:DOB|D\.O\.B\.?|date\s+of\s+birth)?\s*(?:is|:)\s*"
                             r"([0-9][0-9/.\-]{5,9}|\d{1,2}(?:st|nd|rd|th)?\s+\w+\s+\d{4})")


def _record_blocks(people: People, text: str, on: date) -> None:
    """"Applicant 1: Mr Sanjay Patel" then "DOB: 11/07/1979" on the next line; "Morag's DOB is 07/01/1963
    and Alasdair's is 19/10/1960"."""
    lines = text.splitlines()
    for n, line in enumerate(lines[1:], 1):
        found = _DOB_LINE.match(line)
        above = _mentions(people, lines[n - 1])
        if found and len(above) == 1 and above[0][0].born is None:
            spans = find_dates(found.group(1), on)
            if spans and spans[0].exact and spans[0].exact.year < on.year - 1:
                above[0][0].born = spans[0].exact
    for match in _POSSESSIVE_DOB.finditer(" ".join(text.split())):
        person = people.by_first_name().get(normalise(match.group(1)))
        spans = find_dates(match.group(2), on)
        if person is not None and person.born is None and spans and spans[0].exact:
            person.born = spans[0].exact


_PRONOUN_AGE = re.compile(r"\.\s+(?:He|She)\s+is\s+(?:now\s+)?(\d{1,2}|[a-z]+teen|twenty)\b", re.IGNORECASE)


def _pronoun_ages(people: People, text: str) -> None:
    """"Their youngest, Liam Thwaite, still lives at home. He is nineteen": the one person the sentence
    before names."""
    flat = " ".join(text.split())
    for match in _PRONOUN_AGE.finditer(flat):
        before = flat[max(0, match.start() - 300):match.start()]
        sentence = before[before.rfind(".") + 1:]  # the sentence before "He is nineteen"
        named = {id(p): p for p, _, _ in _mentions(people, sentence) if not p.applicant}
        if len(named) == 1:
            person = next(iter(named.values()))
            if person.age is None and person.born is None:
                _set_age(person, match.group(1))


# "was born in 2012", "(b. 1979)": a year alone, which settles the age unless it is 16 years back
_BORN_IN = re.compile(r"[^.;]{0,25}?\b(?:born|b\.)\s*(?:in\s+)?((?:19|20)\d{2})\b(?!\s*[/.\-]\d)", re.IGNORECASE)


def _read_tail(person: Person, tail: str, on: date) -> None:
    head = tail[:90]
    for span in find_dates(head, on):
        lead = head[:span.start]
        # "born 14th March 2026" (a baby) is a birth; a bare date right after a name must be older than
        # a consent form could be ("Mr X - 02/10/2026" is a signing date)
        said_born = _DOB_LEAD.search(lead)
        bare = re.match(r"^[\s,:(\-–]*$", _RELATION_WORD.sub(" ", re.sub(r"\([^()]{0,90}\)", " ", lead))) \
            and span.exact and span.exact.year < on.year - 1  # "(daughter) 15/03/2010", "(Sean's son) - 03/12/2009"
        if person.born is None and span.exact and span.exact <= on and (said_born or bare):
            person.born = span.exact
        break
    year = _BORN_IN.match(head)
    if person.born is None and year and int(year.group(1)) <= on.year:
        person.born_year = int(year.group(1))
    several = re.match(r"[\s,(]*(?:aged\s+)?\d{1,2}\s*(?:,|and|&)\s*\d{1,2}\b", head)
    if person.age is None and person.born is None and not several:  # "Luka and Filip, 19 and 14": one each
        _set_age(person, head.split(".")[0])
    relation = re.match(rf"[\s,(\-–]*(?:(?:{_OWNER})\s+)?((?:adult\s+|eldest\s+|older\s+|younger\s+)?(?:{_RELATION}))",
                        head, re.IGNORECASE)
    if relation:
        _set_relation(person, relation.group(1))


def _mentions(people: People, line: str) -> list[tuple[Person, int, int]]:
    found: list[tuple[Person, int, int]] = []
    for name in names_in(line):
        person = people.find(name)
        if person is not None:
            found.append((person, name.start, name.end))
    first_names = people.by_first_name()
    for match in re.finditer(r"(?<![\w'’-])[A-Z][\w'’\-]+", line):
        if any(s <= match.start() < e for _, s, e in found):
            continue
        person = first_names.get(normalise(match.group()))
        if person is not None:
            found.append((person, match.start(), match.end()))
    return sorted(found, key=lambda f: f[1])


def _first_mentions(people: People, text: str, on: date) -> None:
    """"Reece (17)", "Elin is too young to sign": facts written against a first name alone."""
    for sentence in _sentences(text):
        for person, _, end in _mentions(people, sentence):
            if person.age is None and person.born is None:
                _set_age(person, sentence[end:end + 30].split(".")[0] if _AGE_AFTER.match(sentence[end:]) else "")


# An age written right after a first name: "Reece (17)", "Ellie, aged 16 months", "Brandon who is 14", "Leo, 8".
_AGE_AFTER = re.compile(r"\s*(?:\(|,\s*(?:aged?\s+)?\d|,\s*aged?\b|\s+(?:who\s+is|aged?)\b)", re.IGNORECASE)


def _drop_writer(people: People, writer: str) -> None:
    if not writer:
        return
    name = parse_name(writer)
    if name is None:
        return
    people.people = [p for p in people.people if p.applicant or p.household and not same_person(p.name, name)]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])|\n\s*\n|\n(?=\s*(?:[-•*·]|\d{1,2}[.)])\s)", text) if s.strip()]


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(".", 0, start), text.rfind("\n", 0, start)) + 1
    stops = [i for i in (text.find(".", end), text.find("\n", end)) if i != -1]
    return text[left:min(stops) if stops else len(text)].strip()

