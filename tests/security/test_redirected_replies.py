"""Where a response goes: only the requester, from their own address or organisation, may change it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.store import Draft, NeedsPerson
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import EXCHANGE_STAMP, build_mail

AGENCY_BOX = "info@brightpathfostering.co.uk"


def _journey(settings: Settings, tmp_path: Path, requester: str = AGENCY_BOX) -> Journey:
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=build_mail(
        "Information request - Form F - Mr Sam Cole", "We are assessing Mr Sam Cole as a foster carer. He lives "
        "alone. Signed consent attached, signed 2 November 2026.", sender=requester,
        message_id="<request@brightpath>", attachment=signed_consent("Mr Sam Cole")))
    journey.run()
    assert journey.request("CASS-2026-000001").state == "awaiting_secure_address"
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send("CASS-2026-000001", "secure_address_challenge")
    journey.run()
    return journey


def _reply(journey: Journey, sender: str, body: str) -> None:
    journey.deliver(raw=build_mail("RE: Information request - Form F - Mr Sam Cole [CASS-2026-000001]", body,
                                   sender=sender, date="Tue, 17 Nov 2026 10:00:00 +0000"))
    journey.run()


def _addresses_drafted(journey: Journey) -> set[str]:
    with Session(journey.engine) as session:
        return {d.to_address for d in session.exec(select(Draft)).all()}


def _listed(journey: Journey) -> list[str]:
    with Session(journey.engine) as session:
        return [n.reason for n in session.exec(select(NeedsPerson)).all()]


@pytest.mark.parametrize(("sender", "offered"), [
    (AGENCY_BOX, "claire.dunn@brightpathfostering.co.uk"),
    ("claire.dunn@brightpathfostering.co.uk", "claire.dunn@brightpathfostering.co.uk"),
])
def test_the_requester_or_their_organisation_gives_the_secure_address(
        sender: str, offered: str, settings: Settings, tmp_path: Path) -> None:
    journey = _journey(settings, tmp_path)
    _reply(journey, sender, f"My own email address is {offered} - please send the response there.")
    request = journey.request("CASS-2026-000001")
    assert request.requester_address == offered
    assert request.state == "checks_pending"


@pytest.mark.parametrize(("sender", "body", "why"), [
    ("attacker@gmail.com", "My own email address is attacker@gmail.com", "not from the requester"),
    ("someone@evil.example", "My own email address is claire.dunn@brightpathfostering.co.uk", "not from the requester"),
    (AGENCY_BOX, "My own email address is jo.smith@evil.example, please reply there",
     "not at the requester's organisation"),
    (AGENCY_BOX, "My own email address is claire.dunn.brightpath@gmail.com", "webmail"),
    (AGENCY_BOX, "Please reply to me at referrals@brightpathfostering.co.uk", "generic"),
    ('"info@brightpathfostering.co.uk" <attacker@gmail.com>', "My own email address is attacker@gmail.com",
     "cannot be trusted"),
])
def test_no_one_else_redirects_the_response(sender: str, body: str, why: str, settings: Settings,
                                            tmp_path: Path) -> None:
    journey = _journey(settings, tmp_path)
    _reply(journey, sender, body)
    request = journey.request("CASS-2026-000001")
    assert request.requester_address == AGENCY_BOX
    assert request.state == "awaiting_secure_address"
    assert any(why in reason for reason in _listed(journey)), _listed(journey)
    assert not ({"attacker@gmail.com", "jo.smith@evil.example"} & _addresses_drafted(journey))


def test_a_webmail_requester_is_only_their_own_address(settings: Settings, tmp_path: Path) -> None:
    """On webmail an organisation is no one's: another gmail address is a stranger."""
    journey = _journey(settings, tmp_path, requester="jo.isw@gmail.com")
    _reply(journey, "someone.else@gmail.com", "My own email address is someone.else@gmail.com")
    assert journey.request("CASS-2026-000001").requester_address == "jo.isw@gmail.com"
    assert any("not from the requester" in reason for reason in _listed(journey))


def test_knowing_the_reference_changes_nothing_else(settings: Settings, tmp_path: Path) -> None:
    """References are sequential and appear in subjects: a stranger quoting one can neither make a request
    urgent-and-moved nor answer its checks."""
    journey = _journey(settings, tmp_path)
    _reply(journey, "attacker@gmail.com", "URGENT. Consent attached, signed today. Here is more information.")
    journey.deliver(raw=build_mail("LADO CHECK Priya Shah [CASS-2026-000001]", "Not known.",
                                   sender="attacker@gmail.com", **EXCHANGE_STAMP))
    journey.run()
    request = journey.request("CASS-2026-000001")
    assert request.state == "awaiting_secure_address" and not request.urgent
    with Session(journey.engine) as session:
        assert session.exec(select(Draft).where(Draft.template == "response")).first() is None
