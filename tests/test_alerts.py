"""Alerts over real SMTP: one per urgent request (also across a restart), one per outage and recovery."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.alerts import mailbox_alerts, urgent_alerts
from bot.config import Settings
from bot.mailbox.base import MailboxAuthError
from bot.mailbox.imap import ImapMailbox
from tests.dovecot import Dovecot
from tests.journey import Journey
from tests.smtp_sink import Sink

DUTY = ("j.hart@childrenstrust.example",)
FALLBACK = ("samuel.osei@childrenstrust.example",)
OPERATORS = ("samuel.osei@childrenstrust.example",)
MONDAY_10 = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


@pytest.fixture
def sink(smtp_sink: tuple[int, Sink]) -> tuple[int, Sink]:
    return smtp_sink


@pytest.fixture
def journey(settings: Settings, tmp_path: Path, dovecot: Dovecot, sink: tuple[int, Sink]) -> Iterator[Journey]:
    journey = Journey(settings, tmp_path, dovecot=dovecot)
    journey.reset_server()
    smtp = settings.smtp.model_copy(update={"host": "127.0.0.1", "port": sink[0], "security": "plain"})
    alerts = settings.alerts.model_copy(update={"duty": DUTY, "operators": OPERATORS, "mailbox_down_minutes": 30})
    journey.settings = journey.settings.model_copy(update={"smtp": smtp, "alerts": alerts})
    journey.deps.settings = journey.settings
    for box in journey.maildirs.values():
        assert isinstance(box, ImapMailbox)
        box._max_attempts, box._base_delay = 2, 0.05  # an outage is declared quickly in tests
    journey.clock.now = MONDAY_10
    yield journey
    for box in journey.maildirs.values():
        box.close()


def _alerts(journey: Journey, now: datetime) -> list[str]:
    return urgent_alerts(journey.engine, journey.settings, now) + mailbox_alerts(journey.engine, journey.settings, now)


def test_an_urgent_request_alerts_the_duty_team_leaders_once_even_across_a_restart(
    journey: Journey, sink: tuple[int, Sink], settings: Settings, tmp_path: Path, dovecot: Dovecot
) -> None:
    journey.deliver("02-urgent-kinship-request.eml", "10-not-urgent-adoption.eml")
    journey.run()
    assert _alerts(journey, MONDAY_10) == ["CASS-2026-000001"]
    restarted = Journey(settings, tmp_path, dovecot=dovecot)  # same store, new process
    assert urgent_alerts(restarted.engine, journey.settings, MONDAY_10 + timedelta(minutes=1)) == []
    (alert,) = sink[1].received
    mail = alert.message
    assert alert.envelope_to == list(DUTY)
    assert mail["Importance"] == "high" and mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"] == "URGENT request CASS-2026-000001 from oakleafkinship.co.uk"
    body = mail.get_content()
    assert "Subject: URGENT - connected carer assessment - Mr Lee Fenwick" in body
    assert 'folder "Information Requests"' in body and "Waiting:" in body
    assert "Fenwick" not in body.replace("Subject: URGENT - connected carer assessment - Mr Lee Fenwick", "")


def test_in_quiet_hours_the_alert_goes_to_the_fallback_or_waits(journey: Journey, sink: tuple[int, Sink]) -> None:
    journey.deliver("02-urgent-kinship-request.eml")
    journey.run()
    night = datetime(2026, 11, 16, 23, 0, tzinfo=UTC)
    assert urgent_alerts(journey.engine, journey.settings, night) == []  # no fallback: it waits
    quiet = journey.settings.alerts.model_copy(update={"quiet_hours_fallback": FALLBACK})
    with_fallback = journey.settings.model_copy(update={"alerts": quiet})
    assert urgent_alerts(journey.engine, with_fallback, night) == ["CASS-2026-000001"]
    assert sink[1].received[0].envelope_to == list(FALLBACK)


def test_a_mailbox_down_for_long_enough_alerts_once_and_once_more_on_recovery(
    journey: Journey, sink: tuple[int, Sink], dovecot: Dovecot
) -> None:
    journey.run()
    dovecot.stop()
    try:
        for minutes in (0, 10, 35, 50):
            journey.clock.now = MONDAY_10 + timedelta(minutes=minutes)
            journey.run()
            _alerts(journey, journey.clock.now)
    finally:
        dovecot.start()
    journey.clock.now = MONDAY_10 + timedelta(minutes=60)
    journey.run()
    _alerts(journey, journey.clock.now)
    _alerts(journey, journey.clock.now + timedelta(minutes=5))
    subjects = [r.message["Subject"] for r in sink[1].received]
    assert sorted(subjects) == sorted([f"cassbot: the {role} mailbox {what}" for role in ("cass", "af", "lado")
                                       for what in ("cannot be read", "is back")])
    down = next(r.message for r in sink[1].received if "cannot be read" in r.message["Subject"])
    assert "Since: Mon 16 Nov 10:00" in down.get_content() and "What to do:" in down.get_content()


def test_a_refused_login_alerts_once_naming_the_mailbox(journey: Journey, sink: tuple[int, Sink],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASSBOT_TEST_AF_PASSWORD", "changed-by-IT")
    for _ in range(2):
        with contextlib.suppress(MailboxAuthError):
            journey.run()
        _alerts(journey, journey.clock.now)
    (alert,) = sink[1].received
    assert alert.message["Subject"] == "cassbot: the af mailbox cannot be read"
    assert "refused the login for af" in alert.message.get_content()
    assert "password or OAuth secret" in alert.message.get_content()
