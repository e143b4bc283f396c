"""Linking a later mail to its request, in DESIGN.md's order, never guessing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.store import MailSeen, NeedsPerson
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import EXCHANGE_STAMP, build_mail

AF = "fostering.recruitment@childrenstrust.example"


def _mail(subject: str, body: str, sender: str, attachment: tuple[str, bytes] | None = None, **headers: str) -> bytes:
    return build_mail(subject, body, sender=sender, date="Tue, 17 Nov 2026 10:00:00 +0000",
                      message_id=f"<{abs(hash((subject, body, sender)))}@test>", attachment=attachment, **headers)


def _request(applicant: str, sender: str = "helen.marsh@northshire.gov.uk") -> bytes:
    return _mail(f"Information request - Form F - {applicant}",
                 f"Form F assessment of {applicant}, a former foster carer. Signed consent attached, "
                 "signed 2 November 2026.", sender, attachment=signed_consent(applicant))


def _outcome(journey: Journey, subject: str) -> tuple[str, int | None, list[str]]:
    with Session(journey.engine) as session:
        seen = session.exec(select(MailSeen).where(MailSeen.subject == subject)).one()
        reasons = [n.reason for n in session.exec(select(NeedsPerson).where(NeedsPerson.subject == subject)).all()]
        return seen.outcome, seen.request_id, reasons


@pytest.fixture
def journey(settings: Settings, tmp_path: Path) -> Journey:
    journey = Journey(settings, tmp_path)
    journey.deliver(raw=_request("Mr Sam Cole"))
    journey.run()  # one at a time: two mails delivered in one second come back from a Maildir in either order
    journey.deliver(raw=_request("Ms Ann Cole", sender="p.ray@eastvale.gov.uk"))
    journey.run()
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    for reference in ("CASS-2026-000001", "CASS-2026-000002"):
        journey.send(reference, "charms_check_request")
    journey.run()
    return journey


def test_reference_in_the_subject_links(journey: Journey) -> None:
    journey.deliver(raw=_mail("RE: update please [CASS-2026-000002]", "Any news?", "p.ray@eastvale.gov.uk"))
    journey.run()
    assert _outcome(journey, "update please [CASS-2026-000002]")[:2] == ("linked", 2)


def test_a_reply_in_a_thread_the_bot_knows_links(journey: Journey) -> None:
    sent = journey.draft("CASS-2026-000001", "charms_check_request")
    with Session(journey.engine) as session:
        sent_id = session.exec(select(MailSeen.message_id).where(MailSeen.folder == "sent")).first()
    journey.deliver(raw=_mail("RE: CHARMS check required by CASS - Charms Check - Priya Shah", "Summary attached.",
                              AF, In_Reply_To=str(sent_id), **EXCHANGE_STAMP))
    journey.run()
    outcome, request_id, _ = _outcome(journey, "CHARMS check required by CASS - Charms Check - Priya Shah")
    assert sent.request_id in (1, 2) and (outcome, request_id) == ("linked", 1)


def test_rao_and_applicant_link_when_they_fit_one_request(journey: Journey) -> None:
    journey.deliver(raw=_mail("CHARMs Check - P Shah", "Summary for Ms Ann Cole attached.", AF, **EXCHANGE_STAMP))
    journey.run()
    assert _outcome(journey, "CHARMs Check - P Shah")[:2] == ("linked", 2)


def test_a_surname_shared_by_two_requests_is_not_guessed(journey: Journey) -> None:
    journey.deliver(raw=_mail("CHARMs Check - Priya Shah", "Summary for Cole attached.", AF, **EXCHANGE_STAMP))
    journey.run()
    outcome, request_id, reasons = _outcome(journey, "CHARMs Check - Priya Shah")
    assert (outcome, request_id) == ("needs_person", None)
    assert reasons == ["could belong to 2 requests (CASS-2026-000001, CASS-2026-000002)"]


def test_an_untrusted_answer_is_never_linked_even_with_a_reference(journey: Journey) -> None:
    journey.deliver(raw=_mail("CHARMs Check - Priya Shah [CASS-2026-000001]", "Summary.", "charms@gmail.com"))
    journey.run()
    outcome, request_id, reasons = _outcome(journey, "CHARMs Check - Priya Shah [CASS-2026-000001]")
    assert (outcome, request_id) == ("needs_person", None)
    assert "charms@gmail.com" in reasons[0]


def test_an_unknown_reference_is_listed_for_a_person(journey: Journey) -> None:
    journey.deliver(raw=_mail("RE: query [CASS-2026-000999]", "Hello?", "p.ray@eastvale.gov.uk"))
    journey.run()
    assert _outcome(journey, "query [CASS-2026-000999]")[2] == [
        "reference CASS-2026-000999 is not a request the bot knows"
    ]
