"""Run a long alternation only where it can match: the words each alternative's match must contain.

The cues in `bot.rules` are case-insensitive alternations of dozens of patterns, most of them
starting with `\\b`, which keeps Python's engine from skipping ahead to where a match could start:
it tries every alternative at every word boundary. `narrowed(pattern, text)` first looks for the
literal words each alternative needs (`\\bsexual(?:ly)?\\s+` cannot match a text without
"sexual"), and gives the pattern of only the alternatives that can match in this text, or None
when none can. What it finds, replaces or matches is exactly what the whole pattern would: an
alternative left out matches nowhere in the text. Patterns with groups are never narrowed
(their numbers would move), and neither are texts with the three letters whose case folding
Python's `re` and `str.lower` disagree on (İ, ı and ſ match "i" and "s" in a pattern).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

# A condition: the match contains one of these lower-case strings; None: nothing is known.
_Needs = frozenset[str] | None
_FOLDS_APART = re.compile("[\u0130\u0131\u017f]")
_QUANTIFIER = re.compile(r"[?*+]|\{(\d*)(?:,\d*)?\}")
_LITERAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 &@#%_:;,!=<>\"'/")
_ESCAPED_LITERAL = frozenset(".-'\"/&()[]{}|?*+^$\\:;,!@#%=<> ")
_CODED = frozenset("xuUN")  # \x41, \u2019, \N{...}: one character, written as several


def narrowed(pattern: re.Pattern[str], text: str, lowered: str | None = None) -> re.Pattern[str] | None:
    """`pattern` with only the alternatives that can match somewhere in `text` (`lowered` is `text.lower()`,
    passed when the caller has it); None when none can."""
    plan = _plan(pattern)
    if plan is None or (not text.isascii() and _FOLDS_APART.search(text)):
        return pattern
    sources, needs, words = plan
    lowered = text.lower() if lowered is None else lowered
    present = {word for word in words if word in lowered}
    kept = tuple(n for n, need in enumerate(needs) if need is None or not need.isdisjoint(present))
    if len(kept) == len(sources):
        return pattern
    return _compiled("|".join(sources[n] for n in kept), pattern.flags) if kept else None


@lru_cache(maxsize=4096)
def _compiled(source: str, flags: int) -> re.Pattern[str]:
    return re.compile(source, flags)


@cache
def _plan(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], tuple[_Needs, ...], tuple[str, ...]] | None:
    """The top-level alternatives' sources, what each needs, and every word any needs; None when the pattern is
    not to be narrowed (groups, inline flags, a construct this reader does not know)."""
    if pattern.groups or "(?" in pattern.pattern.replace("(?:", "").replace("(?=", "").replace("(?!", "") \
            .replace("(?<=", "").replace("(?<!", ""):
        return None
    try:
        sources = tuple(_split(pattern.pattern))
        needs = tuple(_alternation_needs(source) for source in sources)
    except ValueError:
        return None
    if all(need is None for need in needs):
        return None
    words = tuple(sorted({word for need in needs if need for word in need}))
    return sources, needs, words


def _split(source: str) -> list[str]:
    """The alternatives of `source` at its own level (not inside a group or a class)."""
    pieces, at, depth = [], 0, 0
    for i, char, depth in _scan(source, 0):
        if depth < 0:
            raise ValueError("unbalanced")
        if char == "|" and depth == 0:
            pieces.append(source[at:i])
            at = i + 1
    if depth:
        raise ValueError("unbalanced")
    return [*pieces, source[at:]]


def _scan(source: str, i: int) -> Iterator[tuple[int, str, int]]:
    """Each character from `i` on that is no escape and in no class, with how deep in groups it leaves us."""
    depth = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(source, i)
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        yield i, char, depth
        i += 1


def _class_end(source: str, i: int) -> int:
    """Just past the character class opening at `i` ("]" first, or after "^", is a member)."""
    i += 1
    if source[i:i + 1] == "^":
        i += 1
    if source[i:i + 1] == "]":
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    if i >= len(source):
        raise ValueError("unclosed class")
    return i + 1


def _alternation_needs(source: str) -> _Needs:
    """What a match of any alternative of `source` needs: each alternative's, together; None if one needs nothing."""
    needs: set[str] = set()
    for alternative in _split(source):
        need = _sequence_needs(alternative)
        if need is None:
            return None
        needs |= need
    return frozenset(needs)


def _sequence_needs(source: str) -> _Needs:
    """The most telling condition among the parts a match of this sequence must have."""
    found: list[frozenset[str]] = []
    run: list[str] = []
    i = 0
    while i < len(source):
        part_end, literal, group = _part(source, i)
        quantifier = _QUANTIFIER.match(source, part_end)
        optional = quantifier is not None and (quantifier.group(0) in ("?", "*") or quantifier.group(1) in ("", "0"))
        if literal and not optional:
            run.append(literal.lower())
        else:
            _close(run, found)
            if group is not None and not optional and (need := _alternation_needs(group)):
                found.append(need)
        if quantifier:
            _close(run, found)
            part_end = quantifier.end() + (source[quantifier.end():quantifier.end() + 1] in ("?", "+"))
        i = part_end
    _close(run, found)
    return max(found, key=lambda need: min(map(len, need))) if found else None


def _close(run: list[str], found: list[frozenset[str]]) -> None:
    if "".join(run).strip():
        found.append(frozenset({"".join(run)}))
    run.clear()


def _part(source: str, i: int) -> tuple[int, str, str | None]:
    """One part of a sequence at `i`: where it ends, the literal character it is ("" if none), and a
    non-capturing group's contents (None if it is no such group)."""
    char = source[i]
    if char == "\\":
        escaped = source[i + 1:i + 2]
        if escaped in _CODED or escaped.isdigit():
            raise ValueError(f"a character written by its code (\\{escaped})")
        return i + 2, escaped if escaped in _ESCAPED_LITERAL else "", None
    if char == "[":
        return _class_end(source, i), "", None
    if char == "(":
        close = _group_end(source, i)
        if source.startswith("(?:", i):
            return close, "", source[i + 3:close - 1]
        return close, "", None  # a lookaround: what it looks at is not in the match
    if char in ")|?*+{":
        raise ValueError(f"unexpected {char!r}")
    return i + 1, char if char in _LITERAL else "", None


def _group_end(source: str, i: int) -> int:
    for at, _, depth in _scan(source, i):
        if depth == 0:
            return at + 1
    raise ValueError("unclosed group")
