"""The labelled samples in ../shared/samples come out as labels.json says.

Their README labels `sender_trusted` as "the sender is the configured A&F / LADO address": trust on the
address alone. They are read here with `trust.address_alone = true`, the setting for a mail server that
adds no evidence; with the shipped configuration (Exchange's stamp required) none of them is trusted,
since none was stamped by the organisation's server.
"""

from __future__ import annotations

import json

import pytest

from bot.classify import Classifier
from bot.config import Settings, Trust
from tests.conftest import SHARED, parse_file, rao_matches

SAMPLES = SHARED / "samples"
LABELS = json.loads((SAMPLES / "labels.json").read_text()) if (SAMPLES / "labels.json").exists() else {}


@pytest.fixture(scope="module")
def address_alone(settings: Settings) -> Classifier:
    return Classifier(settings.model_copy(update={"trust": Trust(evidence=(), address_alone=True)}))


@pytest.mark.skipif(not LABELS, reason="../shared/samples is not beside this clone")
@pytest.mark.parametrize("name", sorted(LABELS))
def test_sample_is_classified_as_labelled(address_alone: Classifier, name: str) -> None:
    expected = LABELS[name]
    got = address_alone.classify(parse_file(SAMPLES / name))
    assert (got.name, got.urgent, got.sender_trusted) == (
        expected["kind"], expected["urgent"], expected["sender_trusted"]
    ), got.reasons
    assert rao_matches(expected["rao"], got.rao), got.reasons


@pytest.mark.skipif(not LABELS, reason="../shared/samples is not beside this clone")
def test_with_the_shipped_configuration_no_unstamped_answer_is_trusted(classifier: Classifier) -> None:
    answers = [name for name, label in LABELS.items() if label["sender_trusted"] is not None]
    assert answers
    assert [name for name in answers if classifier.classify(parse_file(SAMPLES / name)).sender_trusted] == []
