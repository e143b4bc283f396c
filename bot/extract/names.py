"""People's names as busy people write them: titles, particles, hyphens, apostrophes, couples.

A name is a run of capitalised words ("Rhodri ap Gwilym", "Mrs Danielle Oyelaran-Brooks",
"José Antonio García Morales", "Bernadette O’Connor", "Yusuf bin Tariq", "Omar al-Hashimi"),
with a title before it or not. Words that are never part of a name (months, days, places
of work, greetings) end a run; a run that is an organisation or a street is no name.
Matching ignores case, accents, titles and apostrophes, so "Mrs O'Connor" and
"Bernadette O’Connor" can be found to be one person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from bot.patterns import TITLE, is_title

# Capital letters of the Latin alphabets names are written in (Polish, Czech, Croatian, Turkish...).
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ"
_LETTER = r"[^\W\d_]"
# One capitalised word: "Gwen", "O'Connor", "McAllister", "Oyelaran-Brooks", "al-Hashimi", "D'Souza", "Petrović".
WORD = (rf"(?:(?:[Oo]|[Dd])['’]|(?:al|el|bin|ibn|abu)-)?[{_UP}](?:{_LETTER}|['’](?={_LETTER}))*"
        rf"(?:-(?:[{_UP}]|al-|el-)(?:{_LETTER}|['’](?={_LETTER}))+)*")
# Words that join the parts of a name: Welsh ap, ab and ferch, Dutch van der, Arabic bin and al, Irish Ní and Nic...
PARTICLE = (r"(?:ap|ab|ferch|verch|van|von|der|den|de|da|das|do|dos|del|della|di|du|le|la|bin|binti|bint|ibn|al|el|"
            r"ní|nic|mac|y|e)")
_GAP = r"(?: +|[ \t]*\r?\n[ \t]*)"  # one line break: plain-text mail wraps mid-name; a tab ends a table cell
RUN = rf"{WORD}(?:{_GAP}(?:{PARTICLE}{_GAP})*{WORD}){{0,4}}"
TITLED = rf"{TITLE}{_GAP}(?:[{_UP}]\.?{_GAP})?{RUN}"
NAME = re.compile(rf"(?<![\w'’-])(?:{TITLED}|{RUN})(?![\w'’])")
# "Mr and Mrs Darko Petrović", "Mr & Mrs Okonkwo": a couple under one surname.
COUPLE = re.compile(rf"(?P<first>{TITLE}){_GAP}(?:and|&){_GAP}(?P<second>{TITLE}){_GAP}(?P<rest>{RUN})")
# "Mr Kwame and Mrs Efua Asante-Boateng", "Mr T & Mrs E Lindgren-Shaw": two first names, one surname.
COUPLE_FIRSTS = re.compile(rf"(?P<t1>{TITLE}){_GAP}(?P<f1>{WORD}|[{_UP}]\.?){_GAP}(?:and|&){_GAP}(?P<t2>{TITLE}){_GAP}"
                           rf"(?P<f2>{WORD}|[{_UP}]\.?){_GAP}(?P<rest>{RUN})")

# Capitalised words that are never part of a person's name.
_NOT_NAME = frozenset("""
a about after all also an and any applicant applicants april are as at august both but by cass charms child
children consent could court date dear december dob does dr each elmbury email february for form friday from
good hello her here hi his household i if in information is it january july june kind lado many march may me
monday morning my neither no nor not november october of on or our please re regards saturday she september
sent she signed so social subject sunday tel that the their them then there these they this thursday to
tuesday urgent we wednesday were what when which who will with yes you your fostering adoption adopter
adopters foster carer carers team service services trust council borough county city regional agency office
centre center house road street avenue drive close crescent terrace mews gardens parade quay wharf yard
cottages farm chambers estate village school academy police nhs health hospital probation panel reg
regulation assessment assessments placement request requests connected kinship special guardianship guardian
prospective mrs mr ms miss mx ofsted mash eclipse carefirst name names relationship address tel mobile phone
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun
fax www http https re fw fwd ltd limited cic cc charity note notes official sensitive external n/a na none
nil sgo ola rfi age aged year years son daughter wife husband partner mother father mum dad brother sister
family families primary secondary nursery college university church chapel surgery clinic practice ward unit
stage registration interest check checks other others local authority designated officer worker manager
assessor supervising senior practitioner administrator coordinator team north south east west upper lower
great little care planning review reviews case same regulations wales scotland england
""".split())
# Surnames that are also the words of a place or a service: a name's last word after a title and a first name.
_SURNAME_WORDS = frozenset("""
foster court house street lane hill park ward church chapel hall wood field grove brook bank cross wells gardner
""".split())
# Organisation words: the capitalised word before one is part of the organisation's name ("Anchor Adoption").
_ORG = frozenset("""
fostering adoption agency council trust service services team borough county cc partnership
""".split())
# Words after which a capitalised run is an organisation or a place, not a person.
ORG_AFTER = re.compile(
    r"(?:['’]s)?\s*(?:Council|Borough|County|City|Trust|Fostering|Adoption|Agency|Team|Service|Services|Road|Street|Lane|Drive|"
    r"Way|Close|Court|Avenue|Grove|Rise|Terrace|Crescent|Place|Square|Gardens|Park|Hill|House|Centre|School|Academy|"
    r"Police|Hospital|Foster|Family|Families|Care|Partnership|Ltd|Limited|[A-Z]{1,2}\d{1,2}[A-Z]?\s+\d[A-Z]{2})\b"
)


# An address, not a person: "15 Marram Court", "Flat 3, 58 Wharfside Road", "Address: Penlan Farm".
_ADDRESS_BEFORE = re.compile(r"(?:(?<!aged\s)(?<!age\s)(?<!\bis\s)\b(?!(?:19|20)\d\d,)\d{1,4}[a-zA-Z]?,?[ \t]+"
                             r"|\bFlat\s+\d+[a-zA-Z]?,\s*|^[ \t]*(?:current\s+|previous\s+|"
                             r"new\s+|home\s+)?address\s*:\s*(?:[^\n]*,\s*)?|\b(?:Road|Street|Lane|Court|Close|Drive|"
                             r"Avenue|Way|Grove|Rise|Terrace|Crescent|Place|Walk|Row|Gardens|Mews|View|Hill|Park|Yard|"
                             r"Farm|Cottages?),\s*)\Z", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Name:
    """A name as written, and the parts it is matched on."""

    written: str
    title: str  # "Mrs", "" when none
    first: str  # normalised; "" when only a title and a surname are given
    last: str  # normalised surname (particles kept: "ap gwilym")
    start: int = 0
    end: int = 0

    @property
    def key(self) -> str:
        return f"{self.first} {self.last}".strip()


@lru_cache(maxsize=65_536)  # a mail's names are normalised word by word, again for each reader that asks
def normalise(word: str) -> str:
    """Lower case, accents dropped, apostrophes and full stops gone: "O’Connor" -> "oconnor"."""
    text = unicodedata.normalize("NFKD", word)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _DROPPED.sub("", text.lower()).strip()


_DROPPED = re.compile(r"['’`.]")
_PARTICLE_WORD = re.compile(PARTICLE)
_POSSESSIVE = re.compile(r"['’]s$")


def parse_name(written: str, start: int = 0) -> Name | None:
    """A written name split into title, first name and surname; None when no part of it is a name."""
    words = written.split()
    title = ""
    if words and is_title(words[0]):
        title, words = words[0].rstrip("."), words[1:]
    words = _trimmed(words)
    if not words:
        return None
    if _PARTICLE_WORD.fullmatch(words[0]) and title:  # "Mr de Vries": a surname with its particle
        return Name(written, title, "", normalise(" ".join(words)), start)
    if len(words) == 1:
        return Name(written, title, "", normalise(words[0]), start) if title else \
            Name(written, "", normalise(words[0]), "", start)
    first_particle = next((n for n, w in enumerate(words[1:], 1) if _PARTICLE_WORD.fullmatch(w)), None)
    last_from = first_particle if first_particle is not None else len(words) - 1
    if len(words) >= 4 and first_particle is None and not title:
        last_from = len(words) - 1
    first = normalise(words[0]) if not (len(words[0]) <= 2 and words[0].rstrip(".").isupper()) else \
        normalise(words[0])[:1]
    return Name(written, title, first, normalise(" ".join(words[last_from:])), start)


def _trimmed(words: list[str], titled: bool = False) -> list[str]:
    """Words of a run up to the first that is no name, after any that start it ("Both Rhodri"); a
    possessive "'s" dropped; before an organisation's word ("Anchor Adoption"), the word it names too.
    After a title, a surname that is also a place's or a service's word ("Mr John Foster", "Ms Amy House")
    ends the name when nothing follows it."""
    kept: list[str] = []
    while words and normalise(words[0]) in _NOT_NAME and not is_title(words[0]):
        words = words[1:]
    for n, word in enumerate(words):
        bare = normalise(word)
        if titled and n == len(words) - 1 and bare in _SURNAME_WORDS:
            kept.append(word)
            break
        if bare in _NOT_NAME and not _PARTICLE_WORD.fullmatch(word):
            if bare in _ORG and len(kept) > 1:
                kept.pop()
            break
        kept.append(_POSSESSIVE.sub("", word))
    while kept and _PARTICLE_WORD.fullmatch(kept[-1]):
        kept.pop()
    return kept


def names_in(text: str, singles: bool = False) -> Iterator[Name]:
    """Every name in `text`, in order: titled ones, and untitled runs of two words or more (of one word too,
    with `singles`: "Mia", where the context says it is a person)."""
    yield from _names_in(text, singles)


@lru_cache(maxsize=4096)  # the readers of one mail look for names in the same lines and sentences again and again
def _names_in(text: str, singles: bool) -> tuple[Name, ...]:
    return tuple(_find_names(text, singles))


def _find_names(text: str, singles: bool) -> Iterator[Name]:
    place_end: int | None = None  # where the last part of an address read as one ended
    for match in _runs(text):
        if ORG_AFTER.match(text, match.end()) or _ADDRESS_BEFORE.search(_line_before(text, match.start())) \
                or _COUPLE_BEFORE.search(text[max(0, match.start() - 12):match.start()]):
            continue
        words = match.group().split()
        skipped = 0
        while words and normalise(words[0]) in _NOT_NAME and not is_title(words[0]):
            skipped += len(words[0]) + 1
            words = words[1:]
        titled = bool(words) and is_title(words[0])
        kept = ([words[0]] if titled else []) + _trimmed(words[1:] if titled else words, titled)
        too_short = len(kept) < (1 if singles and not titled else 2)
        if too_short or titled and len(kept) == 2 and len(kept[1].rstrip(".")) < 2:
            continue
        written = " ".join(kept)
        name = parse_name(written, match.start())
        start = text.find(kept[0], match.start() + skipped)
        if ORG_AFTER.match(text, start + len(written)):
            continue  # "St Cuthbert's Family Care": the run's last words name an organisation
        address = _ADDRESS_AFTER.match(text, start + len(written))
        first_part = _PLACE_BEFORE.search(text[max(0, start - 8):start]) and address and address.group("parts")
        after_a_part = place_end is not None and text[place_end:start].strip() == ","
        if not titled and address and (first_part or after_a_part):
            place_end = start + len(written)
            continue  # "of Tŷ Gwyn, Heol Fawr, Bryncoed BC5 2LT": a house's and a street's names
        if name is not None and (titled or name.last or singles):
            yield Name(name.written, name.title, name.first, name.last, start, start + len(written))


def _line_before(text: str, at: int) -> str:
    """The line up to `at`, its last 120 characters at most (an address is short; a long line read whole for
    every name in it is quadratic). A cut line is marked so it cannot pass for the line's start."""
    line_start = text.rfind("\n", max(0, at - 120), at) + 1
    return text[line_start:at] if line_start or at <= 120 else "\x00" + text[at - 120:at]


# Before and after the parts of an address written out to its postcode, with no house number.
_PLACE_BEFORE = re.compile(r"\b(?:of|at)[ \t]+\Z")
# "of Tŷ Gwyn, Heol Fawr, Bryncoed BC5 2LT": a first part is a house's name only with a street's before the town.
_ADDRESS_AFTER = re.compile(r",[ \t]*(?P<parts>(?:[^\d,\n.;]{2,30},[ \t]*){0,3})[^\d,\n.;]{2,30}?[ \t]+"
                            r"[A-Z]{1,2}\d{1,2}[A-Z]?[ \t]+\d[A-Z]{2}\b")
_TITLE_WORD = re.compile(rf"(?<=\s){TITLE}(?=\s)")
# "Mr and Mrs Darko Petrović": the second title's name is the couple's (`COUPLE`), not Mrs Darko Petrović.
_COUPLE_BEFORE = re.compile(rf"{TITLE}\s+(?:and|&)\s+\Z")


def _runs(text: str) -> Iterator[re.Match[str]]:
    """Name-shaped runs, split where a title starts a new name ("Castlebrook Mrs O'Connor")."""
    for match in NAME.finditer(text):
        titles = [t.start() for t in _TITLE_WORD.finditer(text, match.start() + 1, match.end())]
        if not titles:
            yield match
            continue
        for start in [match.start(), *titles]:
            piece = NAME.match(text, start)
            if piece is not None:
                yield piece


def first_names_in(text: str, known: dict[str, str]) -> Iterator[tuple[str, int, int]]:
    """Mentions of people by a first name alone ("Rhodri", "Kerry-Ann"), as keys of `known` (first -> key)."""
    for match in re.finditer(rf"(?<![\w'’-]){WORD}(?![\w'’-])", text):
        first = normalise(match.group())
        if first in known:
            yield known[first], match.start(), match.end()


def same_person(a: Name, b: Name) -> bool:
    """"Mrs Nia ap Gwilym" and "Nia ap Gwilym"; "Mrs O'Connor" and "Mrs Bernadette O’Connor".

    A title and a surname alone are one person with the same surname only under the same title
    (families share surnames: "Mrs van der Merwe" is not her son Ruan).
    """
    if a.first and a.last and a.first == b.last and a.last == b.first and (_surname_first(a) or _surname_first(b)):
        return True  # "WHITFIELD David" is "Mr David Whitfield"
    if a.last and b.last and a.last != b.last:
        return False
    if a.title and b.title and _same_title(a.title, b.title) and (_ends(a, b) or _ends(b, a)):
        return True  # "Mrs Lane Fox" is "Mrs Catriona Lane Fox": a double surname read as a first name
    if a.first and b.first:
        firsts = a.first == b.first or (len(a.first) == 1 and b.first.startswith(a.first)) or \
            (len(b.first) == 1 and a.first.startswith(b.first))
        return firsts and bool(a.last and b.last or not (a.last or b.last))
    if a.last and b.last:
        return bool(a.title and b.title) and _same_title(a.title, b.title)
    return False


def _surname_first(name: Name) -> bool:
    """"WHITFIELD David", "OKAFOR, Chidi": the surname in capitals, the forename after it."""
    words = name.written.replace(",", " ").split()[1 if name.title else 0:]
    return len(words) == 2 and len(words[0]) > 1 and words[0].isupper() and not words[1].isupper()


def _ends(short: Name, long: Name) -> bool:
    """The words of `short` after its title end `long`, which has more of them."""
    tail = normalise(short.written).split()[1:]
    words = normalise(long.written).split()[1:]
    return 2 <= len(tail) < len(words) and words[-len(tail):] == tail


def _same_title(a: str, b: str) -> bool:
    female = {"mrs", "ms", "miss"}
    return a.lower() == b.lower() or (a.lower() in female and b.lower() in female)


def fuller(a: Name, b: Name) -> Name:
    """The fuller of two writings of one name: a first name beats none, a title is kept."""
    best = max((a, b), key=lambda n: (bool(n.first), len(n.first) > 1, len(n.written.split()), bool(n.title)))
    other = b if best is a else a
    if best.title or not other.title:
        return best
    return Name(f"{other.title} {best.written}", other.title, best.first, best.last, best.start, best.end)


# The short forms colleagues write for a first name: "Bex" is Rebecca, "Tony" Anthony. A short form names
# someone only when one person asked about has a first name it can stand for.
NICKNAMES: dict[str, tuple[str, ...]] = {
    short: tuple(full.split()) for short, full in {
        "bex": "rebecca", "becky": "rebecca", "becca": "rebecca", "tony": "anthony antony", "ant": "anthony",
        "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert", "bill": "william",
        "billy": "william", "will": "william", "liam": "william", "liz": "elizabeth", "lizzie": "elizabeth",
        "beth": "elizabeth bethany", "betty": "elizabeth", "kate": "catherine katherine kathryn kate",
        "katie": "catherine katherine kathryn", "kath": "catherine katherine kathryn", "cathy": "catherine",
        "jim": "james", "jimmy": "james", "jamie": "james", "mike": "michael", "mick": "michael",
        "mikey": "michael", "dave": "david", "davy": "david", "steve": "stephen steven", "chris": "christopher "
        "christine christina", "sue": "susan suzanne", "suzy": "susan suzanne", "jen": "jennifer",
        "jenny": "jennifer", "maggie": "margaret", "meg": "margaret megan", "peggy": "margaret",
        "dick": "richard", "rick": "richard", "rich": "richard", "richie": "richard", "ted": "edward",
        "ed": "edward edmund", "eddie": "edward", "harry": "henry harold", "jack": "john", "johnny": "john",
        "nick": "nicholas", "nicky": "nicola nicholas", "andy": "andrew", "drew": "andrew",
        "alex": "alexander alexandra", "sandy": "sandra alexander", "sam": "samuel samantha",
        "tom": "thomas", "tommy": "thomas", "dan": "daniel", "danny": "daniel", "matt": "matthew",
        "pat": "patrick patricia", "jo": "joanne joanna josephine", "debbie": "deborah", "deb": "deborah",
        "vicky": "victoria", "vic": "victoria victor", "mandy": "amanda", "tash": "natasha",
        "nat": "natalie natasha nathan", "gerry": "gerald geraldine", "fred": "frederick", "freddie": "frederick",
        "charlie": "charles charlotte", "ben": "benjamin", "joe": "joseph", "pete": "peter", "phil": "philip",
        "tim": "timothy", "greg": "gregory", "jon": "jonathan", "toni": "antonia", "ally": "alison",
        "gill": "gillian", "lou": "louise", "mo": "maureen mohammed muhammad", "fran": "frances francesca",
        "pam": "pamela", "barb": "barbara", "babs": "barbara", "val": "valerie", "jackie": "jacqueline",
        "di": "diane diana", "trish": "patricia", "tricia": "patricia", "ken": "kenneth", "len": "leonard",
        "ray": "raymond", "ron": "ronald", "don": "donald", "stu": "stuart", "al": "alan alastair alistair",
        "bernie": "bernard bernadette", "manny": "emmanuel", "seun": "oluwaseun", "tobi": "oluwatobi tobenna",
        "femi": "oluwafemi", "kemi": "oluwakemi", "funmi": "funmilayo", "bisi": "olubisi abisola",
    }.items()
}
