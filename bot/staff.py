"""Match a name as people write it ("M Obi", "Ms Shah", "Priya", "PS") to the staff list.

Pure: the directory is built once from the settings and then only answers
questions. A name that fits two staff equally well is reported as ambiguous and
never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from nameparser import HumanName
from rapidfuzz import fuzz

from bot.config import StaffMember
from bot.patterns import TITLES

# Titles, and the roles colleagues put before a name ("RAO Priya", "SW Marcus").
_NOT_NAME = TITLES | {"rao", "sw"}
# A fuzzy full-name score at or above this is taken as a typo of that name.
_FUZZY_ACCEPT = 88.0


def normalise(text: str) -> str:
    """Lower case, accents and punctuation removed ("O’Neill" -> "oneill")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’`‘]", "", text.lower())
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass(frozen=True)
class _Known:
    member: StaffMember
    first: str
    last: str
    full: str
    aliases: frozenset[str]


@dataclass(frozen=True)
class NameMatch:
    """The outcome of matching one written name."""

    written: str
    member: StaffMember | None
    candidates: tuple[StaffMember, ...]
    reason: str

    @property
    def ambiguous(self) -> bool:
        return self.member is None and len(self.candidates) > 1


class StaffDirectory:
    """The staff list, prepared for matching names written by busy people."""

    def __init__(self, staff: tuple[StaffMember, ...]) -> None:
        self._known = tuple(_prepare(m) for m in staff)

    def match(self, written: str) -> NameMatch:
        tokens = [t for t in normalise(written).split() if t not in _NOT_NAME]
        if not tokens:
            return NameMatch(written, None, (), "no name given")
        scored = [(self._score(tokens, k), k) for k in self._known]
        best = max((s for s, _ in scored), default=0.0)
        if best < _FUZZY_ACCEPT:
            return NameMatch(written, None, (), f"{written!r} matches no one on the staff list")
        top = tuple(k.member for s, k in scored if s == best)
        if len(top) > 1:
            names = " and ".join(m.name for m in top)
            return NameMatch(written, None, top, f"{written!r} could be {names}")
        return NameMatch(written, top[0], top, f"{written!r} is {top[0].name}")

    @staticmethod
    def _score(tokens: list[str], known: _Known) -> float:
        joined = " ".join(tokens)
        if joined in known.aliases or joined == known.full:
            return 100.0
        if len(tokens) == 1:
            return _single_token_score(tokens[0], known)
        first = tokens[0]
        # "O Neill" is "O'Neill" with the apostrophe lost.
        last = tokens[-1] if tokens[-1] == known.last else "".join(tokens[1:])
        if last == known.last and _first_fits(first, known.first):
            return 97.0
        if "".join(tokens) == known.full.replace(" ", ""):
            return 96.0
        return float(fuzz.ratio(joined, known.full))


def _single_token_score(token: str, known: _Known) -> float:
    if token == known.last:
        return 95.0
    if token == known.first:
        return 92.0
    if len(token) >= 2 and token == known.first[0] + known.last[0]:
        return 90.0
    return float(fuzz.ratio(token, known.last)) - 5.0


def _first_fits(written: str, first: str) -> bool:
    """"M", "M." or "Marcus" fit Marcus; "Mark" does not."""
    return written == first or (len(written) == 1 and first.startswith(written))


def _prepare(member: StaffMember) -> _Known:
    name = HumanName(member.name)
    first = normalise(name.first or member.name.split()[0])
    last = normalise(name.last or member.name.split()[-1])
    aliases = frozenset(normalise(a) for a in member.aliases) - {""}
    return _Known(member, first, last, normalise(member.name), aliases)
