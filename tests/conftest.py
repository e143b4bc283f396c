"""Shared fixtures: the shipped settings, a classifier, and where test mail lives."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.classify import Classifier
from bot.config import Settings, load_settings
from bot.mail import ParsedMail, parse_mail
from tests.support.dovecot import USERS, Dovecot, free_port
from tests.support.dovecot import available as dovecot_available
from tests.support.journey import Journey
from tests.support.postgres import Postgres
from tests.support.postgres import available as postgres_available
from tests.support.smtp_sink import Sink, start_sink

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SHARED = ROOT.parent / "shared"


def require(available: bool, package: str) -> None:
    """A real server the tests need: in CI its absence fails the run, elsewhere the tests skip."""
    if not available:
        message = f"{package} is not installed: apt-get install -y {package}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """`cassbot` sets up the root logger on the test's captured stderr; put it back after each test,
    so a later thread (an SMTP sink closing, say) does not log into a closed stream."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A real Dovecot for the session."""
    require(dovecot_available(), "dovecot-imapd")
    server = Dovecot()
    server.start()
    for role, secret in USERS.items():
        os.environ[f"CASSBOT_TEST_{role.upper()}_PASSWORD"] = secret
    yield server
    server.remove()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A real PostgreSQL for the session."""
    require(postgres_available(), "postgresql")
    server = Postgres()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, Sink]]:
    """A real SMTP server (aiosmtpd) on a free loopback port: (port, what it received)."""
    port = free_port()
    controller, sink = start_sink(port)
    yield port, sink
    controller.stop()


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


@pytest.fixture(params=["maildir", "imap"])
def any_journey(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[Journey]:
    """The same journey on each backend: local Maildirs, and a real Dovecot over IMAP."""
    if request.param == "maildir":
        yield Journey(settings, tmp_path)
        return
    journey = Journey(settings, tmp_path, dovecot=request.getfixturevalue("dovecot"))
    journey.reset_server()
    yield journey
    for box in journey.maildirs.values():
        box.close()
