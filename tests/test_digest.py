"""Timescales, the daily digest over real SMTP, a simulated week, and retention."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.digest import gather, message
from bot.errors import SendRefused
from bot.jobs import purge_closed, send_due_digests, sweep_timescales
from bot.sending import send_internal
from bot.store import AuditEvent, DigestSent, LateMark, Request
from bot.timescales import Calendar
from tests.support.journey import DEMO_MAIL, Journey
from tests.support.smtp_sink import Sink

LEADERS = ["j.hart@childrenstrust.example", "samuel.osei@childrenstrust.example"]


@pytest.fixture
def sink(smtp_sink: tuple[int, Sink]) -> tuple[int, Sink]:
    return smtp_sink


@pytest.fixture
def journey(settings: Settings, tmp_path: Path, sink: tuple[int, Sink]) -> Journey:
    journey = Journey(settings, tmp_path)
    smtp = settings.smtp.model_copy(update={"host": "127.0.0.1", "port": sink[0], "security": "plain"})
    journey.settings = journey.settings.model_copy(update={"smtp": smtp})
    journey.deps.settings = journey.settings
    return journey


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)  # December: GMT, so UTC is London time


def _arriving_monday(name: str, hour: int) -> bytes:
    raw = (DEMO_MAIL / name).read_bytes()
    return re.sub(rb"^Date: .*$", f"Date: Mon, 21 Dec 2026 {hour:02d}:00:00 +0000".encode(), raw, flags=re.M)


def _busy_monday(journey: Journey) -> None:
    """Mon 21 Dec: an OLA request (checks drafted, one sent), a Level 3 (redirected), an urgent one, an RFI."""
    journey.clock.now = _at(21, 9)
    journey.deliver(raw=_arriving_monday("01-ola-request.eml", 9))
    journey.run()
    journey.send("CASS-2026-000001", "lado_check_request")
    for name, hour in (("04-level3-request.eml", 10), ("02-urgent-kinship-request.eml", 11),
                       ("03-partner-rfi.eml", 12)):
        journey.clock.now = _at(21, hour)
        journey.deliver(raw=_arriving_monday(name, hour))
        journey.run()


def test_the_digest_goes_to_each_team_leader_over_smtp_with_late_items_oldest_first(
    journey: Journey, sink: tuple[int, Sink]
) -> None:
    _busy_monday(journey)
    assert send_due_digests(journey.engine, journey.settings, _at(22, 8, 5)).sent == LEADERS
    received = sink[1].received
    assert [r.envelope_to for r in received] == [[LEADERS[0]], [LEADERS[1]]]
    mail = received[0].message
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Subject"].startswith("CASS digest Tue 22 Dec 2026:")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "<script" not in html and "<img" not in html and "<table" in html
    late = text.split("Past its timescale, oldest first")[1].split("Urgent requests open")[0]
    lines = [line for line in late.splitlines() if line.startswith("  - ")]
    # The urgent request was due at the end of Monday; the LADO check too; the others 24 hours on.
    assert "urgent request with no decision the same working day" in lines[0]
    assert any("LADO check not answered" in line for line in lines)
    # The RFI that arrived at noon is due at noon today: not late yet at 08:05.
    assert [line.split(" | ")[0] for line in lines] == ["  - CASS-2026-000003", "  - CASS-2026-000001"]
    assert "CASS-2026-000001" in text.split("Checks waiting on A&F or LADO")[1]


def test_a_simulated_christmas_week(journey: Journey, sink: tuple[int, Sink]) -> None:
    """Digests on working days only: not at the weekend, not on Christmas or Boxing Day (observed), never twice."""
    _busy_monday(journey)
    for day in range(21, 30):
        for hour, minute in ((7, 0), (8, 0), (8, 30), (11, 0), (15, 0)):
            now = _at(day, hour, minute)
            sweep_timescales(journey.engine, journey.settings, now)
            send_due_digests(journey.engine, journey.settings, now)
    with Session(journey.engine) as session:
        days = sorted({d.day for d in session.exec(select(DigestSent)).all()})
    assert days == ["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24", "2026-12-29"]
    assert len(sink[1].received) == 2 * len(days)


def test_a_digest_missed_while_down_goes_out_the_same_morning_only(journey: Journey, sink: tuple[int, Sink]) -> None:
    assert send_due_digests(journey.engine, journey.settings, _at(22, 10, 30)).sent == LEADERS  # back mid-morning
    assert send_due_digests(journey.engine, journey.settings, _at(23, 13, 0)).sent == []  # after the catch-up
    assert send_due_digests(journey.engine, journey.settings, _at(22, 10, 45)).sent == []  # and never twice


def test_the_sweep_marks_each_late_item_once_and_audits_why(journey: Journey) -> None:
    _busy_monday(journey)
    sweep_timescales(journey.engine, journey.settings, _at(22, 12))
    late = sweep_timescales(journey.engine, journey.settings, _at(22, 13))
    sweep_timescales(journey.engine, journey.settings, _at(22, 14))
    with Session(journey.engine) as session:
        marks = session.exec(select(LateMark)).all()
        audits = session.exec(select(AuditEvent).where(AuditEvent.action == "late")).all()
    assert late and len(marks) == len(late) == len(audits)
    assert {a.detail.split(" (due")[0] for a in audits} == {item.why for item in late}


def test_the_digest_is_only_ever_sent_to_staff(settings: Settings, journey: Journey) -> None:
    with Session(journey.engine) as session:
        data = gather(session, settings, Calendar.from_settings(settings), _at(22, 8), _at(21, 8))
    with pytest.raises(SendRefused, match="someone@gmail.com"):
        send_internal(journey.settings, message(data, settings, "someone@gmail.com"))


def test_closed_requests_are_purged_after_the_retention_period_leaving_a_tombstone(journey: Journey) -> None:
    journey.deliver("04-level3-request.eml")
    journey.run()
    journey.send("CASS-2026-000001", "disclosure_redirect")
    journey.run()
    assert journey.request("CASS-2026-000001").state == "closed"
    days = journey.settings.service.retention_days
    assert purge_closed(journey.engine, journey.settings, journey.clock.now + timedelta(days=days - 1)) == 0
    assert purge_closed(journey.engine, journey.settings, journey.clock.now + timedelta(days=days + 1)) == 1
    with Session(journey.engine) as session:
        assert session.exec(select(Request)).all() == []
        events = session.exec(select(AuditEvent)).all()
    assert [(e.action, e.detail.split(":")[0]) for e in events] == [("purged", "CASS-2026-000001")]


def test_the_reasons_for_lateness_quote_the_configured_timescales(journey: Journey) -> None:
    slower = journey.settings.timescales.model_copy(update={"decision_hours": 48, "check_answer_working_days": 2})
    journey.settings = journey.settings.model_copy(update={"timescales": slower})
    journey.deps.settings = journey.settings
    _busy_monday(journey)
    with Session(journey.engine) as session:
        late = gather(session, journey.settings, Calendar.from_settings(journey.settings), _at(28, 9), _at(21, 0)).late
    reasons = [row.cells[1] for row in late]
    assert "no decision within 48 hours" in reasons
    assert "LADO check not answered within 3 working days" in reasons
    assert not any("24 hours" in reason or "same working day" in reason for reason in reasons if "urgent" not in reason)
