"""Accuracy on mail the classifier was not written against (tests/unseen/).

The set was written separately, the way busy people write, and the rules were
not tuned to it. Goals from the issue: at least 95% on kind, on urgency and on
the RAO's name, and no untrusted sender ever marked trusted.
"""

from __future__ import annotations

import json

import pytest

from bot.classify import Classification, Classifier
from tests.conftest import TESTS, parse_file, rao_matches

UNSEEN = TESTS / "unseen"
LABELS: dict[str, dict[str, object]] = json.loads((UNSEEN / "labels.json").read_text())
GOAL = 0.95


@pytest.fixture(scope="module")
def results(classifier: Classifier) -> dict[str, Classification]:
    return {name: classifier.classify(parse_file(UNSEEN / name)) for name in sorted(LABELS)}


def test_kind_accuracy(results: dict[str, Classification]) -> None:
    wrong = {n: (g.name, LABELS[n]["kind"]) for n, g in results.items() if g.name != LABELS[n]["kind"]}
    assert 1 - len(wrong) / len(results) >= GOAL, wrong


def test_urgency_accuracy(results: dict[str, Classification]) -> None:
    wrong = {n: g.urgent for n, g in results.items() if g.urgent != LABELS[n]["urgent"]}
    assert 1 - len(wrong) / len(results) >= GOAL, wrong


def test_rao_accuracy_on_check_responses(results: dict[str, Classification]) -> None:
    responses = {n: g for n, g in results.items() if LABELS[n]["rao"] is not None}
    assert responses
    wrong = {
        n: (g.rao, LABELS[n]["rao"]) for n, g in responses.items() if not rao_matches(str(LABELS[n]["rao"]), g.rao)
    }
    assert 1 - len(wrong) / len(responses) >= GOAL, wrong


def test_no_untrusted_sender_is_ever_trusted(results: dict[str, Classification]) -> None:
    assert [n for n, g in results.items() if g.sender_trusted and LABELS[n]["sender_trusted"] is not True] == []
