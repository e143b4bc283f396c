"""A mail is the same mail only when its Message-ID and its content match (issue 14)."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from bot.config import Settings
from bot.store import MailSeen, NeedsPerson, Request
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import build_mail

REAL_ID = "<CAK4R2xreal-request@northshire.gov.uk>"
REQUEST = build_mail("Information request - Form F - Mr Sam Cole",
                     "We are assessing Mr Sam Cole as a foster carer. He lives alone. Signed consent attached, "
                     "signed 2 November 2026.", sender="helen.marsh@northshire.gov.uk", message_id=REAL_ID,
                     attachment=signed_consent("Mr Sam Cole"))


def _requests(journey: Journey) -> list[Request]:
    with Session(journey.engine) as session:
        return list(session.exec(select(Request)).all())


def _listed(journey: Journey) -> list[str]:
    with Session(journey.engine) as session:
        return [n.reason for n in session.exec(select(NeedsPerson)).all()]


def test_a_request_whose_message_id_was_taken_first_is_still_processed(settings: Settings, tmp_path: Path) -> None:
    """An outsider who learns a request's Message-ID and sends first cannot make the bot skip the request."""
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=build_mail("Newsletter", "Nothing to see.", sender="someone@evil.example",
                                   message_id=REAL_ID))
    journey.run()
    journey.deliver(raw=REQUEST)
    journey.run()
    assert [r.applicant for r in _requests(journey)] == ["Mr Sam Cole"]
    assert any(f"its Message-ID {REAL_ID} was already used by a different mail" in r for r in _listed(journey))


def test_the_same_mail_seen_again_is_processed_once(settings: Settings, tmp_path: Path) -> None:
    journey = Journey(settings, tmp_path)
    for _ in range(2):
        journey.deliver(raw=REQUEST)
        journey.run()
    assert len(_requests(journey)) == 1
    assert not any("already used" in r for r in _listed(journey))


def test_a_colliding_mail_seen_again_is_not_processed_twice(settings: Settings, tmp_path: Path) -> None:
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=build_mail("Newsletter", "Nothing to see.", sender="someone@evil.example",
                                   message_id=REAL_ID))
    journey.run()
    for _ in range(2):
        journey.deliver(raw=REQUEST)
        journey.run()
    assert len(_requests(journey)) == 1
    assert sum("already used" in r for r in _listed(journey)) == 1
    with Session(journey.engine) as session:
        assert len(session.exec(select(MailSeen)).all()) == 2
