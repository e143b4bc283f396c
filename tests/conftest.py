"""Shared fixtures: the shipped settings, a classifier, and where test mail lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.classify import Classifier
from bot.config import Settings, load_settings
from bot.mail import ParsedMail, parse_mail

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(ROOT / "config" / "cassbot.toml")


@pytest.fixture(scope="session")
def classifier(settings: Settings) -> Classifier:
    return Classifier(settings)


def parse_file(path: Path) -> ParsedMail:
    return parse_mail(path.read_bytes())


def rao_matches(expected: str | None, got: str | None) -> bool:
    """labels.json's rule: `rao` must contain the expected name, case and punctuation ignored."""
    if expected is None:
        return got is None
    squash = lambda s: "".join(ch for ch in s.lower() if ch.isalnum())  # noqa: E731
    return got is not None and squash(expected) in squash(got)
