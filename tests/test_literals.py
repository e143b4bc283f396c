"""`bot.literals.narrowed` finds exactly what the whole pattern finds: on every fixture's words and on
words made of what the rules look for."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from bot import classify, rules
from bot.literals import Vocabulary, narrowed, words_of
from bot.mail import parse_mail

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = list(dict.fromkeys(
    [cue.pattern for cue in rules.REQUEST_CUES] + [p for _, p in rules.REFERRAL_URGENT_CUES]
    + [v for module in (rules, classify) for v in vars(module).values() if isinstance(v, re.Pattern)]
))


def _spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


@pytest.fixture(scope="module")
def texts() -> list[str]:
    found: list[str] = []
    folders = ("demo", "tests/mail", "tests/corpus", "tests/unseen")
    for path in sorted(p for d in folders for p in (ROOT / d).rglob("*.eml")):
        mail = parse_mail(path.read_bytes())
        found += [mail.subject, mail.fresh_text, mail.body_text[:12_000], mail.from_address]
    words = [w for cue in rules.REQUEST_CUES for w in cue.keywords] + ["the", "her", "not", ".", "\n", "İnjured"]
    rng = random.Random(24)
    found += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) for _ in range(500)]
    return found


def test_narrowed_patterns_find_what_the_whole_pattern_finds(texts: list[str]) -> None:
    for pattern in PATTERNS:
        for text in texts:
            assert _spans(narrowed(pattern, text), text) == _spans(pattern, text), (pattern.pattern[:60], text[:60])


def test_a_text_without_the_words_an_alternation_needs_runs_nothing() -> None:
    harm = next(cue.pattern for cue in rules.REQUEST_CUES if cue.name == "harm to a child")
    assert narrowed(harm, "Please find the form attached.") is None
    kept = narrowed(harm, "She has a bruise on her arm")
    assert kept is not None and kept is not harm and kept.search("She has a bruise on her arm")


def test_letters_that_fold_apart_keep_the_whole_pattern() -> None:
    # "İ" matches "i" in a case-insensitive pattern, but "İ".lower() is "i̇": no substring test can say.
    harm = next(cue.pattern for cue in rules.REQUEST_CUES if cue.name == "harm to a child")
    assert narrowed(harm, "An İnjury") is harm


def test_patterns_with_groups_are_never_narrowed() -> None:
    grouped = re.compile(r"\b(a)pple\b|\bpear\b", re.IGNORECASE)
    assert narrowed(grouped, "a pear") is grouped


def test_a_vocabulary_finds_exactly_the_words_a_text_holds(texts: list[str]) -> None:
    words = {w for cue in rules.REQUEST_CUES for w in (*cue.keywords, *words_of(cue.pattern))}
    vocabulary = Vocabulary(words | {"ab", "abc", "bcd", "c", "cd e", "d.o.b", "d.o.b."})
    for text in [*texts, "abcd e", "xabc", "d.o.b.", "bcd"]:
        lowered = text.lower()
        assert vocabulary.present(lowered) == {w for w in vocabulary.words if w in lowered}, text[:60]


def test_a_cue_fires_where_its_whole_pattern_says_it(texts: list[str]) -> None:
    """The prefilters (keywords, the words found once per text, the narrowed pattern) change nothing."""
    for text in texts:
        place, lowered = rules.cue_text(text), text.lower()
        for cue in rules.REQUEST_CUES:
            whole = any(k in lowered for k in cue.keywords) and (
                rules._said(cue.pattern, text) if cue.deniable else cue.pattern.search(text) is not None)
            assert cue.fires(place) == whole, (cue.name, text[:60])
