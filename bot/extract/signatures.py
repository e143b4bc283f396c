"""The consent form as evidence: its people merged with the mail's, and consent judged from its signatures.

Seed 000: everyone aged 16 or over living in the household signs, the applicants' own
children included, and the oldest signature is at most 3 months old. On the form that is:
each applicant and each household member aged 16 or over at the mail's date has a row in
the signature table with a mark in the signature cell and a date beside it. A row with no
mark or no date, a date after the mail's own, or a must-sign person with no row at all
makes consent incomplete, naming who. Children who live elsewhere (adult children too)
need not sign.

What rests on a scan goes ahead only when the scan shows it with good confidence: a row
OCR could not read well leaves consent unconfirmed, and a person looks at the form.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from bot.extract.forms import APPLICANT, ELSEWHERE, HOUSEHOLD, ConsentForm, FormSignature
from bot.extract.names import Name, fuller, normalise, parse_name
from bot.extract.people import People, Person
from bot.patterns import is_title


@dataclass(frozen=True)
class RowVerdict:
    """What the form shows of one person who must sign."""

    person: Person
    signed: bool  # a mark and a believable date
    on: date | None
    sure: bool  # a text form, or a scan read with good confidence
    words: str  # the form's row, as read
    problem: str  # "" when signed; else what is wrong, in a clause ("has no date beside the signature")
    marked: bool = False  # a mark in the signature cell, whatever its date


def merge_form_people(people: People, forms: Sequence[ConsentForm], on: date) -> tuple[list[ConsentForm], list[str]]:
    """The forms about this request's family, their people joined to the mail's person by person, and notes:
    a form about other people (none of its applicants is one the mail names) is set aside for a person; a
    date of birth the form and the mail give differently is quoted, and the form's kept (the mail's, the cautious
    one where it decides whether they must sign)."""
    named = list(people.applicants)
    ours, notes = [], []
    for form in forms:
        listed = [p.name for p in form.people if p.section == APPLICANT]
        if named and listed and not any(_same_family(people, n, named) or form.scanned and any(
                _near(n, p) for p in named) for n in listed):
            notes.append(f"{form.file}{' (read from a scan)' if form.scanned else ''} names {' and '.join(listed)}, "
                         "but the request is about "
                         f"{' and '.join(p.name.written for p in named)}: check it is this family's form; "
                         "cassbot did not use it.")
            continue
        ours.append(form)
        notes.extend(_merge(people, form, on))
    return ours, notes


def _same_family(people: People, written: str, named: list[Person]) -> bool:
    """The form's applicant is one the mail names, or shares a surname with one the mail names by title
    alone ("Mr and Mrs Okafor" in the mail, "Chidi Okafor" on the form)."""
    name = form_name(written)
    return name is not None and (_found(people, written) in named or any(
        p.name.last == name.last and (not p.name.first or not name.first) for p in named))


def _bare_applicant(people: People, name: Name) -> Person | None:
    """"Mr Okafor", named by title and surname alone, for the form's Chidi Okafor: the first such applicant."""
    return next((p for p in people.applicants if p.name.last == name.last and not p.name.first), None)


def form_name(written: str) -> Name | None:
    """A name as a form's name cell writes it: every word is part of it ("Thu Tran" is Thu Tran, though "Thu"
    in a sentence may be Thursday)."""
    name = parse_name(written)
    words = [w for w in written.replace(",", " ").split() if not is_title(w)]
    if name is not None and name.last or len(words) < 2:
        return name
    title = written.split()[0] if is_title(written.split()[0]) else ""
    return Name(written, title, normalise(words[0]), normalise(words[-1]), 0, 0)


def _found(people: People, written: str) -> Person | None:
    """The person a name on the form is: as the mail's reader finds names, or by the same words in another
    order ("WHITFIELD David" in the mail is the form's David Whitfield)."""
    name = form_name(written)
    if name is None:
        return None
    found = people.find(name) or next((p for p in people.people if _words(p.name.written) == _words(written)), None)
    if found is not None:
        return found
    # the mail's reader caught part of the name ("Mrs Li" for Mrs Li Na Chen, "Mrs Tran" for Thu Tran): the one
    # person whose words are all in the form's name
    part = [p for p in people.people if _words(p.name.written) and _words(p.name.written) < _words(written)]
    return part[0] if len(part) == 1 else None


def _words(written: str) -> frozenset[str]:
    return frozenset(w for w in normalise(written.replace(",", " ")).split() if not is_title(w))


def _merge(people: People, form: ConsentForm, on: date) -> Iterator[str]:
    for listed in form.people:
        name = form_name(listed.name)
        if name is None:
            continue
        known = _found(people, listed.name) or (_bare_applicant(people, name) if listed.section == APPLICANT
                                                else None)
        new = known is None
        if known is not None:
            known.name = fuller(known.name, name)
        person = known or people.add(name)
        person.note(f"{form.file}{' (read from a scan)' if form.scanned else ''}: {listed.words}")
        if listed.born and person.born and listed.born != person.born:
            yield (f"{form.file} gives {listed.name}'s date of birth as {listed.born:%d/%m/%Y} "
                   f"(\"{listed.words}\"), the mail {person.born:%d/%m/%Y}: check which is right.")
            person.born = _cautious_birth(listed.born, person.born, on)
        elif listed.born and person.born is None:
            person.born = listed.born
        _place(person, listed.section, listed.relation, new, any(p.section == APPLICANT for p in form.people))


def _cautious_birth(form: date, mail: date, on: date) -> date:
    """The form's date of birth, unless only the mail's makes the person 16 or over: then they must sign."""
    def over_16(born: date) -> bool:
        return (on.year - born.year - ((on.month, on.day) < (born.month, born.day))) >= 16
    return mail if over_16(mail) and not over_16(form) else form


def _place(person: Person, section: str, relation: str, new: bool, form_names_applicants: bool) -> None:
    """Where the form puts the person; a form that names its applicants settles who they are."""
    if section == APPLICANT:
        person.applicant = person.household = True
    elif section == HOUSEHOLD:
        person.household = True
        person.applicant = person.applicant and not form_names_applicants
        person.elsewhere = person.elsewhere and not new
    elif section == ELSEWHERE and not (person.applicant and not form_names_applicants):
        person.applicant, person.elsewhere = False, True
    if relation and not person.relation and relation != "applicant":
        person.relation = relation


def judge_rows(people: People, forms: Sequence[ConsentForm], on: date) -> list[RowVerdict]:
    """Each person who must sign against their row in the forms' signature tables."""
    rows = [(form, row) for form in forms for row in form.signatures]
    scanned = any(form.scanned for form in forms)
    verdicts = []
    for person in people.must_sign(on):
        exact = [(f, r) for f, r in rows if _found(people, r.name) is person]
        near = [(f, r) for f, r in rows if f.scanned and _near(r.name, person)] if not exact else []
        verdict = _verdict(person, exact or near, on, scanned)
        verdicts.append(verdict if exact else _unsure(verdict))
    return verdicts


def _near(written: str, person: Person) -> bool:
    """On a scan, a name OCR misread a little ("Baloaun" for Balogun): the row may be theirs, but decides
    nothing on its own."""
    from rapidfuzz import fuzz

    return fuzz.token_sort_ratio(normalise(written), normalise(person.name.written)) >= 80


def _unsure(verdict: RowVerdict) -> RowVerdict:
    if not verdict.words:
        return verdict
    return RowVerdict(verdict.person, verdict.signed, verdict.on, False, verdict.words, verdict.problem,
                      verdict.marked)


def _verdict(person: Person, rows: list[tuple[ConsentForm, FormSignature]], on: date, scanned: bool) -> RowVerdict:
    if not rows:  # on a scan, a row OCR could not read may be theirs
        return RowVerdict(person, False, None, not scanned, "", "is not in the form's signature table")
    form, row = max(rows, key=lambda fr: (fr[1].mark == "signed", fr[1].on is not None))
    sure = row.confident or not form.scanned
    words = f"{form.file}{' (read from a scan)' if form.scanned else ''}: \"{row.words}\""
    problem = next(_problems(row, on), "")
    return RowVerdict(person, not problem, row.on if not problem else None, sure, words, problem, row.mark == "signed")


def _problems(row: FormSignature, on: date) -> Iterator[str]:
    if row.mark == "unclear":
        yield "has a signature cell the scan does not show clearly"
    elif row.mark == "blank":
        yield "has no signature in the signature cell"
    if row.on is None:
        yield (f"has a date cassbot could not read (\"{row.date_words}\")" if row.date_words
               else "has no date beside the signature")
    elif row.on > on:
        yield f"has a date after the mail itself ({row.on:%d/%m/%Y}), which cannot be a signing date"
