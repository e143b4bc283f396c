"""Issue 21: a mail that goes out still carrying the bot's note for the RAO is caught at once.

On Maildir and on a real Dovecot: an RAO sends the response as the bot drafted it, note and
all; the duty team leader gets one alert (over SMTP, in the sink) naming the request, the
recipient and when it went, and nothing of LADO's words; the digest lists it at its head and
the request's chronology shows it. A response sent as RAOs send it, note deleted, alerts no one. LADO
writing again after their answer puts the request before a person.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.alerts import urgent_alerts
from bot.config import Settings
from bot.digest import gather
from bot.domain import NOTE_MARKER
from bot.mail import parse_mail
from bot.note_left import left_in
from bot.reports import chronology_text
from bot.store import NeedsPerson
from bot.timescales import Calendar
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import EXCHANGE_STAMP, build_mail
from tests.support.smtp_sink import Sink

DUTY = ("j.hart@childrenstrust.example",)
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
REQUEST = build_mail(
    "Information request - Mrs Gwen Ellery", "Dear CASS,\n\nWe are assessing Mrs Gwen Ellery (DOB 02/03/1971) as "
    "a foster carer. She lives alone. She signed our consent form on 2 November 2026; attached.\n\nKind regards\n"
    "Helen Marsh\nSocial Worker, Northshire Council\n", sender="helen.marsh@northshire.gov.uk",
    date="Mon, 16 Nov 2026 09:00:00 +0000", message_id="<ellery@northshire.gov.uk>",
    attachment=signed_consent("Mrs Gwen Ellery", born="02/03/1971"))
ANSWER = build_mail("LADO CHECK Priya Shah", "Hi Priya,\n\nMrs Gwen Ellery was the subject of a consultation in "
                    "2019 (nursery, NFA).\n\nSue\nLADO", sender="lado@childrenstrust.example",
                    date="Mon, 16 Nov 2026 11:00:00 +0000", message_id="<answer-1@childrenstrust.example>",
                    **EXCHANGE_STAMP)


def _with_smtp(journey: Journey, port: int) -> Journey:
    smtp = journey.settings.smtp.model_copy(update={"host": "127.0.0.1", "port": port, "security": "plain"})
    alerts = journey.settings.alerts.model_copy(update={"duty": DUTY})
    journey.settings = journey.settings.model_copy(update={"smtp": smtp, "alerts": alerts})
    journey.deps.settings = journey.settings
    return journey


def _response_drafted(journey: Journey) -> None:
    journey.clock.now = MONDAY
    journey.deliver(raw=REQUEST)
    journey.run()
    journey.send("CASS-2026-000001", "lado_check_request")
    journey.run()
    journey.clock.now = MONDAY.replace(hour=11, minute=30)
    journey.deliver(raw=ANSWER)
    journey.run()


def test_a_response_sent_with_its_note_alerts_the_duty_team_leader_exactly_once(
        any_journey: Journey, smtp_sink: tuple[int, Sink]) -> None:
    journey = _with_smtp(any_journey, smtp_sink[0])
    _response_drafted(journey)
    journey.clock.now = MONDAY.replace(hour=12)
    journey.send("CASS-2026-000001", "response", edited=False)
    journey.run()
    assert urgent_alerts(journey.engine, journey.settings, journey.clock.now) == ["note sent: CASS-2026-000001"]
    journey.run()
    assert urgent_alerts(journey.engine, journey.settings, journey.clock.now) == []
    (alert,) = [m for m in smtp_sink[1].received if "note for the RAO" in m.message["Subject"]]
    assert alert.envelope_to == list(DUTY)
    assert " ".join(alert.message["Subject"].split()) == "Sent with the note for the RAO in it: CASS-2026-000001"
    body = alert.message.get_content()
    assert "to helen.marsh@northshire.gov.uk, sent Mon 16 Nov 2026 12:00; ask them to delete it" in body
    assert "Request: CASS-2026-000001" in body
    assert "consultation" not in body and "nursery" not in body  # nothing of LADO's answer
    with Session(journey.engine) as session:
        digest = gather(session, journey.settings, Calendar.from_settings(journey.settings), journey.clock.now, MONDAY)
        shown = chronology_text(session, journey.request("CASS-2026-000001"))
    assert [row.cells[3][:48] for row in digest.cannot_wait] == ["sent with the bot's note for the RAO still in it"]
    assert digest.subject.startswith("CASS digest Mon 16 Nov 2026: 1 cannot wait")
    assert "sent with the bot's note for the RAO still in it (rule): the note for the RAO" in shown


def test_a_response_sent_as_rao_send_it_alerts_no_one(any_journey: Journey, smtp_sink: tuple[int, Sink]) -> None:
    journey = _with_smtp(any_journey, smtp_sink[0])
    _response_drafted(journey)
    journey.send("CASS-2026-000001", "response")
    journey.run()
    assert urgent_alerts(journey.engine, journey.settings, journey.clock.now) == []
    assert journey.request("CASS-2026-000001").state in ("responded", "closed")


@pytest.mark.parametrize(("body", "html", "left"), [
    (f"{NOTE_MARKER} - delete before sending:\n  - LADO know Mrs Ellery", "", "the note for the RAO"),
    ("NOTE FOR THE\r\nRAO - delete before sending", "", "the note for the RAO"),  # Outlook's rewrapping
    ("", "<p>NOTE&nbsp;FOR <b>THE</b>\n<span>RAO</span></p>", "the note for the RAO"),
    ("Dear colleague,\n[RAO: add the basic\ninformation from CareFirst]", "", "an [RAO: ...] placeholder"),
    ("", "<p>[ RAO : add the date]</p>", "an [RAO: ...] placeholder"),
    ("A note for the record: the RAO has checked.", "", ""),
    ("Dear colleague,\n\nPlease find our response.\n\nFrom: CASS\nSent: Monday\n\nNOTE FOR THE RAO", "", ""),
])
def test_the_note_and_placeholders_are_found_in_text_and_html_however_wrapped(body: str, html: str, left: str) -> None:
    raw = build_mail("RE: Information request [CASS-2026-000001]", body, sender="cass@childrenstrust.example",
                     html=html or None)
    assert left_in(parse_mail(raw)) == left


def test_lado_writing_again_after_their_answer_is_put_before_a_person(settings: Settings, tmp_path: Path) -> None:
    """A correction after the response was drafted ("ignore my earlier email") may change what it may say."""
    journey = Journey(settings, tmp_path)
    _response_drafted(journey)
    journey.deliver(raw=build_mail(
        "RE: LADO CHECK Priya Shah", "Priya - sorry, further to my earlier email: there is also a 2021 referral "
        "for Mrs Ellery from a school.\n\nSue", sender="lado@childrenstrust.example",
        date="Mon, 16 Nov 2026 11:40:00 +0000", In_Reply_To="<answer-1@childrenstrust.example>", **EXCHANGE_STAMP))
    journey.run()
    with Session(journey.engine) as session:
        reasons = [n.reason for n in session.exec(select(NeedsPerson)).all()]
    assert any(r.startswith("LADO wrote again after answering the check (LADO know Mrs Gwen Ellery): read it "
                            "against the response before it is sent") for r in reasons), reasons
