"""Alerts over real SMTP: one per urgent request (also across a restart), one per outage and recovery."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.alerts import credential_alerts, mailbox_alerts, urgent_alerts
from bot.config import Settings
from bot.digest import gather
from bot.errors import MailboxAuthError
from bot.mailbox.base import Folder
from bot.mailbox.imap import ImapMailbox
from bot.reports import service_status
from bot.store import MailboxHealth, make_engine, migrate
from bot.teams import mailbox_roles
from bot.timescales import Calendar
from tests.support.dovecot import Dovecot
from tests.support.graph_world import certificate_file
from tests.support.journey import Journey, with_mailboxes
from tests.support.smtp_sink import Sink

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


URGENT_SUBJECT = "URGENT - connected carer assessment - Mr Lee Fenwick"
FOLLOW_UP = b"""From: Grace Oduya <grace.oduya@northbridge.gov.uk>
To: cass@childrenstrust.example
Subject: RE: Information request - Ms Amara Bello [CASS-2026-000001] - now URGENT
Date: Mon, 16 Nov 2026 11:00:00 +0000
Message-ID: <followup-urgent-1@northbridge.gov.uk>
Content-Type: text/plain; charset="utf-8"

The child has to be placed today: this is now urgent, please.

Grace
"""


def _flagging(journey: Journey, on: bool) -> None:
    alerts = journey.settings.alerts.model_copy(update={"flag_urgent_mail": on})
    journey.settings = journey.settings.model_copy(update={"alerts": alerts})
    journey.deps.settings = journey.settings


def test_an_urgent_request_is_flagged_in_the_shared_mailbox_and_stays_unread(journey: Journey) -> None:
    _flagging(journey, True)
    journey.deliver("02-urgent-kinship-request.eml", "10-not-urgent-adoption.eml")
    journey.run()
    filed = journey.marked(Folder.INFORMATION_REQUESTS)
    assert filed[URGENT_SUBJECT] == {"flagged"}  # flagged before filing; the move kept it; still unread
    assert [marks for subject, marks in filed.items() if subject != URGENT_SUBJECT] == [set()]


def test_with_flagging_off_the_urgent_mail_is_left_as_it_came(journey: Journey) -> None:
    _flagging(journey, False)
    journey.deliver("02-urgent-kinship-request.eml")
    journey.run()
    assert journey.marked(Folder.INFORMATION_REQUESTS) == {URGENT_SUBJECT: set()}


def test_a_follow_up_that_makes_a_request_urgent_alerts_and_is_flagged(journey: Journey,
                                                                       sink: tuple[int, Sink]) -> None:
    _flagging(journey, True)
    journey.deliver("01-ola-request.eml")
    journey.run()
    assert _alerts(journey, MONDAY_10) == []
    journey.deliver(raw=FOLLOW_UP)
    journey.run()
    assert _alerts(journey, MONDAY_10 + timedelta(minutes=1)) == ["CASS-2026-000001"]
    assert journey.marked(Folder.INBOX) == {  # a follow-up stays in the inbox, flagged
        "Information request - Ms Amara Bello [CASS-2026-000001] - now URGENT": {"flagged"}}
    assert journey.marked(Folder.INFORMATION_REQUESTS) == {
        "Information request - Form F fostering assessment - Ms Amara Bello": set()}


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
    assert sorted(subjects) == sorted([f"cassbot: the {role} mailbox {what}" for role in mailbox_roles()
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


# -- app credentials that expire --


@pytest.fixture
def quiet_store(settings: Settings, tmp_path: Path, sink: tuple[int, Sink]) -> tuple[Engine, Settings]:
    """A store and settings with alerts going to the SMTP sink, and no mailbox read at all."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    migrate(engine)
    smtp = settings.smtp.model_copy(update={"host": "127.0.0.1", "port": sink[0], "security": "plain"})
    alerts = settings.alerts.model_copy(update={"operators": OPERATORS, "credential_warning_days": 14})
    return engine, settings.model_copy(update={"smtp": smtp, "alerts": alerts})


def test_a_graph_certificate_near_expiry_alerts_the_operators_once_and_shows_in_status_and_digest(
    quiet_store: tuple[Engine, Settings], sink: tuple[int, Sink], tmp_path: Path
) -> None:
    engine, settings = quiet_store
    path, _ = certificate_file(tmp_path, days=5)
    graph = {"tenant_id": "t-1", "client_id": "app-123", "certificate_path": str(path)}
    settings = with_mailboxes(settings, ("lado",), backend="graph", graph=graph)
    now = datetime.now(UTC)
    london = ZoneInfo(settings.working_hours.timezone)
    ends = (now + timedelta(days=5)).astimezone(london).date()  # its last day as the office counts days
    days = (ends - now.astimezone(london).date()).days  # 5, unless summer time ends or begins in between
    with Session(engine) as session:
        session.add_all(MailboxHealth(mailbox=role, last_success=now) for role in mailbox_roles())
        session.commit()

    assert credential_alerts(engine, settings, now) == ["lado certificate"]
    assert credential_alerts(engine, settings, now + timedelta(days=1)) == []  # no repeats
    (alert,) = sink[1].received
    assert alert.envelope_to == list(OPERATORS) and alert.message["Auto-Submitted"] == "auto-generated"
    assert alert.message["Subject"] == f"cassbot: the certificate for the lado mailbox expires on {ends:%d %b %Y}"
    body = alert.message.get_content()
    assert f"expires in {days} day(s)" in body and "app registration app-123" in body and str(path) in body
    with Session(engine) as session:
        status = service_status(session, settings, now)
        digest = gather(session, settings, Calendar.from_settings(settings), now, now - timedelta(days=1))
    assert status.healthy  # the mailbox is still read: a warning, not a failure
    assert f"lado: last good poll {now.isoformat()}; the certificate it signs in with expires in {days} day(s)" \
        in status.text()
    assert status.as_json()["mailboxes"]["lado"]["warning"].startswith("the certificate")  # type: ignore[index]
    assert "certificate it signs in with expires" in next(r.cells[2] for r in digest.freshness if r.cells[0] == "lado")


def test_a_client_secret_is_warned_of_only_within_the_window_and_a_renewed_one_starts_afresh(
    quiet_store: tuple[Engine, Settings], sink: tuple[int, Sink]
) -> None:
    engine, settings = quiet_store
    now = MONDAY_10
    imap = {"host": "outlook.office365.com", "username": "cass@childrenstrust.example", "auth": "xoauth2",
            "tenant_id": "t-1", "client_id": "app-9", "client_secret_env": "CASSBOT_CASS_SECRET"}

    def expiring(on: str) -> Settings:
        return with_mailboxes(settings, ("cass",), backend="imap", imap={**imap, "client_secret_expires": on})

    assert credential_alerts(engine, expiring("2026-12-31"), now) == []  # 45 days away
    assert credential_alerts(engine, expiring("2026-11-20"), now) == ["cass client secret"]
    assert credential_alerts(engine, expiring("2026-11-20"), now) == []
    assert credential_alerts(engine, expiring("2027-11-20"), now) == []  # renewed: quiet for a year
    assert credential_alerts(engine, expiring("2026-11-16"), now) == ["cass client secret"]  # a new one, same mistake
    first = sink[1].received[0].message.get_content()
    assert "expires in 4 day(s) (Fri 20 Nov 2026)" in first
    assert "put it in the environment variable CASSBOT_CASS_SECRET" in first and "client_secret_expires" in first
    graph = {"tenant_id": "t-1", "client_id": "app-9", "client_secret_env": "CASSBOT_APP_SECRET",
             "client_secret_expires": "2026-11-25"}
    one_app = with_mailboxes(settings, ("cass", "af", "lado"), backend="graph", graph=graph)
    assert credential_alerts(engine, one_app, now) == ["cass, af and lado client secret"]  # one secret, one mail
    assert sink[1].received[-1].message["Subject"] == (
        "cassbot: the client secret for the cass, af and lado mailboxes expires on 25 Nov 2026")
    assert "expires today" in sink[1].received[1].message.get_content()
    with_password = {**imap, "auth": "password", "password_env": "X", "client_secret_expires": "2026-11-17"}
    password = with_mailboxes(settings, ("cass",), backend="imap", imap=with_password)
    assert credential_alerts(engine, password, now) == []  # a password login does not use the app's secret


def test_an_alert_recipient_off_the_staff_list_does_not_stop_the_duty_team_leader_hearing(
    journey: Journey, sink: tuple[int, Sink]
) -> None:
    """A list the configuration check would refuse, built past it: the leader still gets the alert, the
    outsider nothing, and the bot never records as sent an alert that went to nobody."""
    journey.deliver("02-urgent-kinship-request.eml")
    journey.run()
    mixed = journey.settings.alerts.model_copy(update={"duty": ("someone@gmail.com", *DUTY)})
    assert urgent_alerts(journey.engine, journey.settings.model_copy(update={"alerts": mixed}), MONDAY_10) == [
        "CASS-2026-000001"]
    assert [alert.envelope_to for alert in sink[1].received] == [list(DUTY)]


def test_an_alert_that_went_to_nobody_is_not_recorded_as_sent(journey: Journey, sink: tuple[int, Sink]) -> None:
    journey.deliver("02-urgent-kinship-request.eml")
    journey.run()
    outside = journey.settings.alerts.model_copy(update={"duty": ("someone@gmail.com",)})
    assert urgent_alerts(journey.engine, journey.settings.model_copy(update={"alerts": outside}), MONDAY_10) == []
    assert sink[1].received == []
    assert urgent_alerts(journey.engine, journey.settings, MONDAY_10) == ["CASS-2026-000001"]  # fixed: it goes
