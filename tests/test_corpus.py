"""Real-world mail from public test suites (../shared/corpus): the bot survives every file.

The corpus is not in users' clones, so these tests skip when it is absent.
"""

from __future__ import annotations

import pytest

from bot.classify import Classifier
from tests.conftest import SHARED, parse_file

CORPUS = SHARED / "corpus"
FILES = sorted((CORPUS / "eml").glob("*")) if (CORPUS / "eml").is_dir() else []
needs_corpus = pytest.mark.skipif(not FILES, reason="../shared/corpus is not beside this clone")


def _auto_reply_labels() -> dict[str, tuple[str, str]]:
    path = CORPUS / "autoreplies.txt"
    if not path.exists():
        return {}
    rows = (line.split("\t") for line in path.read_text().splitlines() if line and not line.startswith("#"))
    return {row[0]: (row[1], row[3]) for row in rows}


@needs_corpus
def test_every_corpus_file_parses_and_classifies(classifier: Classifier) -> None:
    for path in FILES:
        found = classifier.classify(parse_file(path))
        assert found.kind in {"auto_reply", "other"} or found.reasons, path.name


@needs_corpus
def test_machine_mail_with_header_evidence_is_an_auto_reply(classifier: Classifier) -> None:
    """Every bounce, receipt and auto-reply the corpus marks with header evidence."""
    labels = _auto_reply_labels()
    wrong = [
        name for name, (category, evidence) in labels.items()
        if evidence.strip() and not category.startswith("negative")
        and classifier.classify(parse_file(CORPUS / "eml" / name)).kind != "auto_reply"
    ]
    assert wrong == []


@needs_corpus
def test_negative_controls_are_not_auto_replies(classifier: Classifier) -> None:
    controls = [name for name, (category, _) in _auto_reply_labels().items() if category.startswith("negative")]
    assert controls
    for name in controls:
        assert classifier.classify(parse_file(CORPUS / "eml" / name)).kind != "auto_reply", name
