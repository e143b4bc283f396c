"""Issue 21: urgent stays urgent when the kind is unclear.

Mail from outside that cassbot cannot place but that says a child must be placed tonight, or
comes from the emergency duty team, or says same day or a child at risk now, goes to a person
and the duty team leaders are told at once, "URGENT mail cassbot could not place", with the
subject and the cues and nothing more about the child; it heads the digest.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.alerts import urgent_alerts
from bot.classify import Classifier, unplaced_urgency
from bot.config import Settings
from bot.digest import gather
from bot.domain import Kind
from bot.mail import parse_mail
from bot.timescales import Calendar
from tests.support.journey import Journey
from tests.support.mail import build_mail
from tests.support.smtp_sink import Sink

DUTY = ("j.hart@childrenstrust.example",)
EVENING = datetime(2026, 11, 16, 18, 15, tzinfo=UTC)
TONIGHT = build_mail("tonight", "Hi, two kids need placing tonight with their nan, Mrs Carol Dunn - can someone "
                     "ring me back asap.\nJo, Emergency Duty Team, 01632 960111\n",
                     sender="jo.pike@northshire.gov.uk", date="Mon, 16 Nov 2026 18:10:00 +0000")


@pytest.mark.parametrize(("subject", "body", "cues"), [
    ("tonight", "two kids need placing tonight", ["a child to be placed today"]),
    ("call me", "This is EDT, please ring back, it's about a baby.", ["emergency duty team"]),
    ("Re: our call", "I need an answer same day if possible.", ["same day"]),
    ("worried", "I think the girl is in danger, please call.", ["a child at risk now"]),
    ("NOT URGENT - query", "Any chance of a call this week? No rush.", []),
    ("query", "Thanks for your help.\nIf your enquiry is urgent please ring 01632 960000.", []),
])
def test_the_urgency_of_mail_cassbot_cannot_place(subject: str, body: str, cues: list[str]) -> None:
    assert unplaced_urgency(parse_mail(build_mail(subject, body, sender="a.person@northshire.gov.uk"))) == cues


def test_urgent_mail_cassbot_could_not_place_alerts_the_duty_team_leaders_once_and_heads_the_digest(
        settings_journey: Journey, smtp_sink: tuple[int, Sink]) -> None:
    journey = settings_journey
    smtp = journey.settings.smtp.model_copy(update={"host": "127.0.0.1", "port": smtp_sink[0], "security": "plain"})
    alerts = journey.settings.alerts.model_copy(update={"duty": DUTY, "quiet_hours_start": EVENING.time().replace(
        hour=23), "quiet_hours_end": EVENING.time().replace(hour=6)})
    journey.settings = journey.settings.model_copy(update={"smtp": smtp, "alerts": alerts})
    journey.deps.settings = journey.settings
    journey.clock.now = EVENING
    journey.deliver(raw=TONIGHT)
    journey.run()
    assert urgent_alerts(journey.engine, journey.settings, EVENING) == ["urgent unplaced: tonight"]
    assert urgent_alerts(journey.engine, journey.settings, EVENING) == []
    (alert,) = smtp_sink[1].received
    assert alert.envelope_to == list(DUTY)
    assert " ".join(alert.message["Subject"].split()) == "URGENT mail cassbot could not place: tonight"
    body = alert.message.get_content()
    assert "(a child to be placed today, emergency duty team, urgent)" in body and "Subject: tonight" in body
    assert "Dunn" not in body and "nan" not in body  # nothing more about the child
    with Session(journey.engine) as session:
        digest = gather(session, journey.settings, Calendar.from_settings(journey.settings), EVENING, EVENING)
    assert digest.cannot_wait and digest.cannot_wait[0].cells[3].startswith("URGENT mail cassbot could not place")
    assert digest.subject.startswith("CASS digest Mon 16 Nov 2026: 1 cannot wait")


@pytest.fixture
def settings_journey(settings: Settings, tmp_path: Path) -> Journey:
    return Journey(settings, tmp_path)


def test_a_bulletin_s_same_day_is_no_urgent_mail(settings: Settings) -> None:
    bulletin = build_mail("Safeguarding Partnership bulletin - November", "In this month's bulletin: any injury to a "
                          "non-mobile baby should be discussed with CASS the same day. Read the protocol online.",
                          sender="news@elmburyscp.org.uk")
    found = Classifier(settings).classify(parse_mail(bulletin))
    assert found.kind == Kind.OTHER and found.urgent_cues == ()
