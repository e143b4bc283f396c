"""The golden corpus: every `.eml` under tests/mail/ comes out as the `.json` beside it says.

Folders are categories (one per kind, subject variants, broken mail); each JSON
holds the expected kind, urgency, RAO (the full staff name, or as written),
sender trust and reference; a broken mail's also the defects the parser records.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.classify import Classifier
from tests.conftest import TESTS, parse_file

FIXTURES = sorted((TESTS / "mail").rglob("*.eml"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_is_classified_as_expected(classifier: Classifier, path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text())
    got = classifier.classify(parse_file(path))
    actual = {"kind": got.name, "urgent": got.urgent, "rao": got.rao,
              "sender_trusted": got.sender_trusted, "reference": got.reference}
    assert actual == {key: expected[key] for key in actual}, got.reasons


BROKEN = sorted((TESTS / "mail" / "broken").glob("*.eml"))


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_mail_records_what_is_wrong_with_it(path: Path) -> None:
    """What a person is shown about a damaged mail: each defect the parser found, in its words."""
    expected = json.loads(path.with_suffix(".json").read_text())["defects"]
    assert list(parse_file(path).defects) == expected


def test_every_kind_has_fixtures() -> None:
    folders = {p.parent.name for p in FIXTURES}
    assert {"ola_request", "partner_request", "level1_verification", "disclosure_request", "referral",
            "charms_check_request", "charms_check_response", "lado_check_request", "lado_check_response",
            "suitability_check", "requester_followup", "auto_reply", "other", "subjects", "broken"} <= folders
