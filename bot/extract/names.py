"""Read who a request is about: the applicant and the other household members, as written."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.extract.text import head
from bot.patterns import TITLE, is_title

# Names are matched case-sensitively: a capital letter is the signal.
_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_WORD = rf"(?:[{_UPPER}](?=[\w'’\-]*[{_LOWER}])[\w'’\-]*\w|[{_UPPER}]\.?(?![\w'’]))"
_PARTICLE = r"(?:(?:de|da|del|van|von|der|den|bin|binti|al|el|le|la|du|di)[ \t]+)?"
_GAP = r"(?:[ \t]+|[ \t]*\r?\n[ \t]*)"  # one line break: plain-text mail wraps mid-name
_TITLE = TITLE
_RUN = rf"{_WORD}(?:{_GAP}{_PARTICLE}{_WORD}){{0,3}}"
_TITLED = rf"{_TITLE}{_GAP}{_RUN}"
_COUPLE = rf"{_TITLE}[ \t]+(?:and|&)[ \t]+{_TITLE}{_GAP}{_RUN}|{_TITLED}[ \t]+(?:and|&)[ \t]+{_TITLED}"
_JOINS = frozenset({"and", "&"})
# Capitalised words that follow a name in busy prose but are never part of one.
_NOT_NAMES = frozenset({
    "Please", "Thanks", "Thank", "Many", "Kind", "Best", "Regards", "Dear", "Hi", "Hello", "The", "This", "That",
    "These", "We", "She", "He", "They", "Her", "His", "Their", "Our", "Could", "Can", "Would", "Will", "Also", "And",
    "Or", "But", "Consent", "Signed", "Both", "All", "Who", "Which", "As", "At", "In", "On", "Of", "For", "To",
    "From", "With", "Is", "Are", "Was", "Were", "Has", "Have", "Had", "If", "Sent", "Yours", "Re", "Fw", "Fwd",
    "Subject", "Tel", "Mob", "Mobile", "Email", "Phone", "Date", "DOB",
})

_SUBJECT_NAMES = (
    re.compile(rf"(?P<name>{_COUPLE}|{_TITLED})"),
    re.compile(rf"(?i:\bapplicants?\b)(?:[ \t]*[,:\-–][ \t]*|[ \t]+)(?P<name>{_RUN})"),
)
# Where a body names the applicant: "assessment of Mr X", "assessing Ms X as",
# "applicant, Mr X", "connected carer Mr X", "place ... with their uncle, Mr X".
_APPLICANT_LEAD = "|".join((
    r"\bassess(?:ment|ing)?\b",
    r"\bapplicants?\b",
    r"\b(?:connected|kinship|family\s+(?:and|&)\s+friends)\s+(?:carers?|persons?|assessment)\b",
    r"\b(?:prospective|proposed|potential)\s+(?:\w+\s+)?(?:carers?|adopters?|parents?|guardians?)\b",
    r"\binformation\s+(?:held\s+)?(?:on|about|regarding)\b",
    r"\b(?:checks?|enquir(?:y|ies))\s+(?:on|about|regarding|for|into)\b",
    r"\bplac(?:e|ed|ing|ement)\b[^.!?]{0,80}?\bwith\b",
    r"\b(?:maternal|paternal|great)[\s\-]+(?:great[\s\-]+)?(?:aunt|auntie|uncle|grand(?:mother|father|parents?)|cousin)s?\b",
))
_BODY_NAMES = (
    re.compile(rf"(?i:{_APPLICANT_LEAD})[^.!?()]{{0,40}}?(?P<name>{_COUPLE}|{_TITLED})"),
    _SUBJECT_NAMES[1],
)


def _tidy(raw: str, *, titled_or_two: bool) -> str | None:
    """A matched name cut at the first word that is no name, possessive dropped."""
    words: list[str] = []
    for word in raw.split():
        if word in _NOT_NAMES:
            break
        words.append(word)
    if words:
        words[-1] = re.sub(r"['’]s$", "", words[-1])
    named = [w for w in words if not is_title(w) and w not in _JOINS]
    if not named or (titled_or_two and len(named) < 2 and not is_title(words[0])):
        return None
    return " ".join(words)


def applicant_name(subject: str, body: str) -> str | None:
    """The applicant as written, title included; the subject is read first.

    Titled names are the signal; an untitled one only after "applicant".
    """
    for text, patterns in ((subject[:1000], _SUBJECT_NAMES), (head(body), _BODY_NAMES)):
        for pattern in patterns:
            for match in pattern.finditer(text):
                name = _tidy(match.group("name"), titled_or_two=True)
                if name:
                    return name
    return None


# "her son", "Mr Farrell's partner", "a son,", "lives with", "household members:".
# Not the child's relatives ("the child's mother", "their uncle, Mr X"): that is the applicant.
_OWNER = r"(?:his|her|the\s+applicant['’]s|(?!(?:child|children|baby|pupil|boy|girl)['’]s)\w+['’]s)"
_AGE_WORD = r"(?:(?:adult|eldest|oldest|older|younger|youngest|teenage|grown[\s\-]up|new|current)[\s\-]+)?"
_HOUSEHOLD_LEAD = re.compile("(?i:" + "|".join((
    rf"\b(?:{_OWNER}|their|a|an|one)\s+{_AGE_WORD}"
    r"(?:partner|husband|wife|spouse|fianc[ée]e?|boyfriend|girlfriend|lodger|step-?sons?|step-?daughters?"
    r"|sons?|daughters?|children|grandsons?|granddaughters?|nephews?|nieces?)\b[ \t]*[,:\-–]?",
    rf"\b{_OWNER}\s+{_AGE_WORD}(?:mother|father|mum|dad|brothers?|sisters?)\b[ \t]*[,:\-–]?",
    r"\blives?\s+with\b",
    r"\bhousehold(?:\s+members?)?\s*(?::|\bis\b|\bare\b|\bincludes?\b|\bcomprises?\b)",
)) + ")")
_LIST_ITEM = re.compile(
    rf"\s*(?P<name>{_TITLED}|{_RUN})(?:[ \t]*\([^()\n]{{0,40}}\))?(?P<more>[ \t]*(?:,|\band\b|&)[ \t]*)?"
)


def _listed_names(text: str, pos: int) -> Iterator[str]:
    """Names listed from `pos`: "Mr Kofi Bello", "Jake and Liam Bello (17)"."""
    while match := _LIST_ITEM.match(text, pos):
        name = _tidy(match.group("name"), titled_or_two=False)
        if not name:
            return
        yield name
        if not match.group("more"):
            return
        pos = match.end()


def household_names(body: str) -> list[str]:
    """Other household members the mail names, as written; never ages or DOBs."""
    text = head(body)
    names = (name for lead in _HOUSEHOLD_LEAD.finditer(text) for name in _listed_names(text, lead.end()))
    return list(dict.fromkeys(names))
