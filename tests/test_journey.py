"""The seeds' whole OLA journey over Maildir, as an RAO and a team leader would see it."""

from __future__ import annotations

import email
import mailbox
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.mailbox.base import Folder
from bot.store import Check, NeedsPerson
from tests.support.journey import Journey

FIRST = "CASS-2026-000001"


def _text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _drafts_by_subject(journey: Journey) -> dict[str, email.message.Message]:
    drafts = map(email.message_from_bytes, journey.folder(Folder.DRAFTS))
    return {" ".join(str(m["Subject"]).split()): m for m in drafts}


@pytest.fixture
def journey(settings: Settings, tmp_path: Path) -> Journey:
    return Journey(settings, tmp_path)


def test_whole_ola_journey(any_journey: Journey) -> None:
    journey = any_journey
    # 1. The request arrives: a reference, a LADO and a CHARMS check request drafted.
    journey.deliver("01-ola-request.eml")
    journey.run()
    request = journey.request(FIRST)
    assert request.state == "checks_pending"
    assert request.applicant == "Ms Amara Bello"
    drafts = _drafts_by_subject(journey)
    charms = drafts[f"CHARMS check required by CASS - Ms Amara Bello [{FIRST}]"]
    lado = drafts[f"LADO check request - Ms Amara Bello and household [{FIRST}]"]
    assert charms["To"] == "fostering.recruitment@childrenstrust.example"
    assert lado["To"] == "lado@childrenstrust.example"
    assert lado["X-Cassbot-Reference"] == FIRST
    assert request.message_id in str(lado["References"])
    assert "Ms Amara Bello" in _text(bytes(lado))
    # The request was filed into Information Requests, as Business Support do by hand.
    assert journey.folder(Folder.INBOX) == []
    assert len(journey.folder(Folder.INFORMATION_REQUESTS)) == 1

    # 2. Priya sends both check requests from Outlook.
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send(FIRST, "charms_check_request")
    journey.send(FIRST, "lado_check_request")
    journey.run()
    assert journey.request(FIRST).rao == "Priya Shah"
    with Session(journey.engine) as session:
        assert {c.team: c.state for c in session.exec(select(Check)).all()} == {"af": "sent", "lado": "sent"}

    # 3. A&F and LADO answer in the CASS inbox with the subject conventions.
    journey.clock.now = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    journey.deliver("05-charms-answer.eml", "06-lado-answer.eml", "07-spoofed-lado-answer.eml")
    journey.run()
    request = journey.request(FIRST)
    assert request.state == "response_drafted"
    response = _drafts_by_subject(journey)[f"RE: {request.subject} [{FIRST}]"]
    assert response["To"] == "grace.oduya@northbridge.gov.uk"
    assert response["In-Reply-To"] == request.message_id
    body = _text(bytes(response))
    assert "OFSTED" in body.upper()
    assert not any(p.get_filename() for p in response.walk())  # never the CHARMS sheet
    # The look-alike LADO answer is listed for a person, not linked.
    with Session(journey.engine) as session:
        reasons = [n.reason for n in session.exec(select(NeedsPerson)).all()]
    assert any("lado.childrenstrust@gmail.com" in r for r in reasons)

    # 4. Priya sends the response: the request closes.
    journey.clock.now = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    journey.send(FIRST, "response")
    journey.run()
    assert journey.request(FIRST).state == "closed"
    assert journey.draft(FIRST, "response").sent_by == "priya.shah@childrenstrust.example"

    # The audit log tells the story.
    story = journey.audit_actions(FIRST)
    expected = ["request opened: ola_request", "state received -> checks_pending", "draft sent: charms_check_request",
                "LADO check answered", "state checks_pending -> response_drafted",
                "draft sent: response", "state response_drafted -> responded", "state responded -> closed"]
    positions = [next(i for i, action in enumerate(story) if action.startswith(e)) for e in expected]
    assert positions == sorted(positions), story
    assert story.index("CHARMS check answered") < story.index("state checks_pending -> response_drafted")


def test_request_from_a_generic_address_gets_a_secure_address_challenge(journey: Journey) -> None:
    journey.deliver("02-urgent-kinship-request.eml")
    journey.run()
    request = journey.request(FIRST)
    assert request.urgent and request.state == "awaiting_secure_address"
    challenge = journey.draft(FIRST, "secure_address_challenge")
    assert challenge.to_address == "info@oakleafkinship.co.uk"


def test_level3_request_is_redirected_and_closes_when_sent(journey: Journey) -> None:
    journey.deliver("04-level3-request.eml")
    journey.run()
    assert journey.request(FIRST).state == "redirected"
    journey.send(FIRST, "disclosure_redirect")
    journey.run()
    assert journey.request(FIRST).state == "closed"


def test_a_draft_deleted_unsent_is_noticed(journey: Journey) -> None:
    journey.deliver("01-ola-request.eml")
    journey.run()
    draft = journey.draft(FIRST, "lado_check_request")
    drafts = mailbox.Maildir(journey.root / "maildir" / "cass" / ".Drafts", create=False)
    key = next(k for k in drafts.iterkeys() if draft.message_id.encode() in drafts.get_bytes(k))
    drafts.discard(key)  # an RAO deletes the draft in Outlook
    report = journey.run()
    assert report.drafts_deleted == 1
    assert journey.draft(FIRST, "lado_check_request").state == "deleted"
    with Session(journey.engine) as session:
        assert any("deleted without being sent" in n.reason for n in session.exec(select(NeedsPerson)).all())
