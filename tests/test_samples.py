"""The labelled samples in ../shared/samples come out as labels.json says."""

from __future__ import annotations

import json

import pytest

from bot.classify import Classifier
from tests.conftest import SHARED, parse_file, rao_matches

SAMPLES = SHARED / "samples"
LABELS = json.loads((SAMPLES / "labels.json").read_text()) if (SAMPLES / "labels.json").exists() else {}


@pytest.mark.skipif(not LABELS, reason="../shared/samples is not beside this clone")
@pytest.mark.parametrize("name", sorted(LABELS))
def test_sample_is_classified_as_labelled(classifier: Classifier, name: str) -> None:
    expected = LABELS[name]
    got = classifier.classify(parse_file(SAMPLES / name))
    assert (got.name, got.urgent, got.sender_trusted) == (
        expected["kind"], expected["urgent"], expected["sender_trusted"]
    ), got.reasons
    assert rao_matches(expected["rao"], got.rao), got.reasons
