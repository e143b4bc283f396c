"""The rest of the front door, as the people who use it see it: safeguarding referrals, partner requests
at each level, Ofsted suitability checks, urgent OLA requests, and mail the bot cannot place.

The mail is the labelled corpus's (tests/corpus/requests/) and the demo's; each test says what an RAO,
a team leader or the duty team leader would notice.
"""

from __future__ import annotations

import email
import email.message
import email.policy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.alerts import urgent_alerts
from bot.config import Settings
from bot.digest import gather, render
from bot.mailbox.base import Folder
from bot.store import NeedsPerson
from bot.timescales import Calendar
from tests.support.journey import Journey
from tests.support.mail import EXCHANGE_STAMP, build_mail
from tests.support.smtp_sink import Sink

CORPUS = Path(__file__).resolve().parent / "corpus" / "requests"
FIRST = "CASS-2026-000001"
LADO_ADDRESS = "lado@childrenstrust.example"


def _corpus(stem: str) -> bytes:
    (path,) = CORPUS.glob(f"{stem}*.eml")
    return path.read_bytes()


def _drafts(journey: Journey) -> list[email.message.EmailMessage]:
    found = []
    for raw in journey.folder(Folder.DRAFTS):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, email.message.EmailMessage)
        found.append(msg)
    return found


def _text(msg: email.message.EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _needs_person(journey: Journey) -> list[str]:
    with Session(journey.engine) as session:
        return [n.reason for n in session.exec(select(NeedsPerson)).all()]


def _with(journey: Journey, section: str, **changes: object) -> None:
    updated = getattr(journey.settings, section).model_copy(update=changes)
    journey.settings = journey.settings.model_copy(update={section: updated})
    journey.deps.settings = journey.settings


@pytest.fixture
def journey(settings: Settings, tmp_path: Path) -> Journey:
    return Journey(settings, tmp_path)


# Safeguarding referrals --------------------------------------------------------------------------------


def test_a_referral_opens_with_the_decision_clock_and_no_draft_to_the_referrer(journey: Journey) -> None:
    journey.deliver(raw=_corpus("fd-01"))
    journey.run()
    request = journey.request(FIRST)
    assert (request.kind, request.urgent) == ("referral", True)
    assert request.decision_due is not None
    assert request.decision_due - request.received_at <= timedelta(hours=24)
    assert _drafts(journey) == []  # the seeds allow nothing to the referrer by default


def test_an_acknowledgement_is_drafted_only_when_configured_and_says_nothing_about_the_child(
        journey: Journey) -> None:
    _with(journey, "referrals", acknowledge=True)
    journey.deliver(raw=_corpus("fd-01"))
    journey.run()
    (ack,) = _drafts(journey)
    assert ack["To"] == "k.lister@meridianlt.org.uk"
    text = _text(ack)
    assert FIRST in text
    assert "Lacey" not in text and "Dunmore" not in text and "belt" not in text


def test_the_decision_clock_runs_only_on_the_kinds_the_configuration_names(journey: Journey) -> None:
    _with(journey, "timescales", decision_kinds=("ola_request",))
    journey.deliver(raw=_corpus("fd-01"))
    journey.run()
    assert journey.request(FIRST).decision_due is None


def test_a_police_domestic_abuse_notification_at_standard_risk_is_a_referral_but_not_urgent(
        journey: Journey) -> None:
    journey.deliver(raw=_corpus("fh-13"))
    journey.run()
    request = journey.request(FIRST)
    assert (request.kind, request.urgent) == ("referral", False)


def test_a_member_of_the_public_telling_of_a_disclosure_from_webmail_is_an_urgent_referral(
        journey: Journey) -> None:
    journey.deliver(raw=_corpus("fh-38"))
    journey.run()
    request = journey.request(FIRST)
    assert (request.kind, request.urgent) == ("referral", True)


# Partner requests by level ---------------------------------------------------------------------------------


def test_a_complete_level2_request_gets_a_response_skeleton_in_the_seeds_categories_only(any_journey: Journey) -> None:
    journey = any_journey
    journey.deliver(raw=_corpus("fd-23"))  # Cafcass, section 7 report, form attached
    journey.run()
    (draft,) = _drafts(journey)
    assert draft["To"] == "gillian.otterburn@cafcass.gov.uk"
    assert draft["X-Cassbot-Draft"] == "partner_response"
    text = _text(draft)
    headings = [line.split(":")[0] for line in text.splitlines() if line.endswith("]") or ": [RAO" in line]
    assert {"Dates of involvement", "Reasons for involvement", "Family support or Early Help", "Care"} <= set(
        headings)
    assert "LADO" not in text and "CHARMS" not in text and "OFSTED" not in text.upper()


def test_a_level2_request_without_the_form_gets_a_more_information_draft_naming_it(any_journey: Journey) -> None:
    journey = any_journey
    journey.deliver(raw=_corpus("fd-21"))
    journey.run()
    (draft,) = _drafts(journey)
    assert draft["X-Cassbot-Draft"] == "more_information"
    assert draft["To"] == "beth.yardley@canalsideprimary.elmbury.sch.uk"
    text = " ".join(_text(draft).split())
    assert "Request for Information Form" in text
    assert "consent" in text


def test_a_level2_request_under_an_exemption_is_not_asked_for_consent(journey: Journey) -> None:
    journey.deliver(raw=_corpus("fd-17"))  # police, joint section 47, form attached
    journey.run()
    request = journey.request(FIRST)
    assert request.urgent
    assert [d["X-Cassbot-Draft"] for d in _drafts(journey)] == ["partner_response"]


def test_probation_with_theft_or_driving_alone_is_told_that_is_not_enough(journey: Journey) -> None:
    journey.deliver(raw=_corpus("fd-26"))
    journey.run()
    (draft,) = _drafts(journey)
    assert draft["X-Cassbot-Draft"] == "more_information"
    text = " ".join(_text(draft).split())
    assert "would not on their own be enough" in text


def test_a_level1_verification_is_answered_to_the_callers_own_work_address(journey: Journey) -> None:
    journey.deliver(raw=_corpus("fd-32"))
    journey.run()
    (draft,) = _drafts(journey)
    assert (draft["X-Cassbot-Draft"], draft["To"]) == ("level1_reply", "martin.ogundipe@elmshire.police.uk")


def test_a_level1_verification_from_webmail_that_gives_no_work_address_waits_for_a_person(
        journey: Journey) -> None:
    journey.deliver(raw=build_mail(
        "Level 1 check as discussed on the phone",
        "Hi, as discussed on the phone just now, this is my verification email for the level 1 check on "
        "Jayden Price (DOB 02/03/2019). Thanks, Sam", sender="Sam Field <samfield1988@gmail.com>"))
    journey.run()
    assert _drafts(journey) == []
    assert any("not the caller's own work address" in reason for reason in _needs_person(journey))


@pytest.mark.parametrize("stem", ["fd-37", "fd-38", "fd-41", "fd-42", "fd-43", "fd-44"])
def test_every_wording_of_the_whole_file_goes_to_the_disclosure_team(journey: Journey, stem: str) -> None:
    journey.deliver(raw=_corpus(stem))
    journey.run()
    assert [d["X-Cassbot-Draft"] for d in _drafts(journey)] == ["disclosure_redirect"]
    assert journey.request(FIRST).state == "redirected"


# Ofsted suitability checks ---------------------------------------------------------------------------------


def _suitability_check() -> bytes:
    return build_mail(
        "FW: Ofsted suitability check - Ms Amara Bello",
        "CASS - Ofsted have sent us the suitability check below for Ms Amara Bello. Has CASS replied to "
        "Northbridge yet?\n\nLADO\n\n-----Original Message-----\nFrom: Ofsted <suitability.checks@ofsted.gov.uk>\n"
        "Subject: Suitability check - Ms Amara Bello\n\nPlease confirm whether the local authority has "
        "responded to the fostering service's request about Ms Amara Bello.\n",
        sender=f"LADO <{LADO_ADDRESS}>", message_id="<suitability-1@childrenstrust.example>",
        date="Fri, 20 Nov 2026 10:50:00 +0000", **EXCHANGE_STAMP)


def _ola_with_checks_sent(journey: Journey) -> None:
    journey.deliver("01-ola-request.eml")
    journey.run()
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send(FIRST, "charms_check_request")
    journey.send(FIRST, "lado_check_request")
    journey.run()


def _suitability_reply(journey: Journey) -> email.message.EmailMessage:
    (reply,) = [d for d in _drafts(journey) if d["X-Cassbot-Draft"] == "suitability_reply"]
    assert reply["To"] == LADO_ADDRESS
    assert reply["In-Reply-To"] == "<suitability-1@childrenstrust.example>"
    return reply


def test_a_suitability_check_while_the_response_is_pending_tells_lado_when_it_is_due(journey: Journey) -> None:
    _ola_with_checks_sent(journey)
    journey.clock.now = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    journey.deliver(raw=_suitability_check())
    journey.run()
    text = " ".join(_text(_suitability_reply(journey)).split())
    assert FIRST in text
    assert "not" in text and "17 November 2026" in text  # the checks went on the 17th: due the same day
    assert "has been sent" not in text


def test_a_suitability_check_after_the_response_went_says_so_with_the_date(journey: Journey) -> None:
    _ola_with_checks_sent(journey)
    journey.clock.now = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    journey.deliver("05-charms-answer.eml", "06-lado-answer.eml")
    journey.run()
    journey.clock.now = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    journey.send(FIRST, "response")
    journey.run()
    journey.clock.now = datetime(2026, 11, 20, 11, 0, tzinfo=UTC)
    journey.deliver(raw=_suitability_check())
    journey.run()
    text = " ".join(_text(_suitability_reply(journey)).split())
    assert "18 November 2026" in text


# Urgent OLA requests -----------------------------------------------------------------------------------------


def test_the_lado_check_for_an_urgent_request_tells_the_rao_to_phone_lado(journey: Journey) -> None:
    journey.deliver("02-urgent-kinship-request.eml")
    journey.run()
    lado = next(d for d in _drafts(journey) if d["X-Cassbot-Draft"] == "lado_check_request")
    text = " ".join(_text(lado).split())
    assert "URGENT" in text and "phone LADO" in text


def test_by_default_the_response_waits_for_charms(journey: Journey) -> None:
    _ola_with_checks_sent(journey)
    journey.deliver("06-lado-answer.eml")
    journey.run()
    assert not [d for d in _drafts(journey) if "response" in str(d["X-Cassbot-Draft"])]
    assert journey.request(FIRST).state == "checks_pending"


def test_when_allowed_an_initial_response_goes_while_charms_is_pending_and_the_full_one_follows(
        journey: Journey) -> None:
    _with(journey, "responses", initial_while_charms_pending=True)
    _ola_with_checks_sent(journey)
    journey.clock.now = datetime(2026, 11, 17, 11, 0, tzinfo=UTC)
    journey.deliver("06-lado-answer.eml")
    journey.run()
    (initial,) = [d for d in _drafts(journey) if d["X-Cassbot-Draft"] == "initial_response"]
    assert initial["To"] == "grace.oduya@northbridge.gov.uk"
    text = " ".join(_text(initial).split())
    assert "[RAO: this is an initial response" in text and "CHARMS check is still pending" in text
    assert "OFSTED" in text.upper()  # LADO know Mr Kofi Bello
    journey.send(FIRST, "initial_response")
    journey.run()
    assert journey.request(FIRST).state == "checks_pending"  # still open for CHARMS
    journey.clock.now = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
    journey.deliver("05-charms-answer.eml")
    journey.run()
    full = [d for d in _drafts(journey) if d["X-Cassbot-Draft"] == "response"]
    assert len(full) == 1 and "still pending" not in _text(full[0])
    assert journey.request(FIRST).state == "response_drafted"


# Nothing dropped silently --------------------------------------------------------------------------------------


def test_mail_from_outside_that_the_bot_cannot_place_is_listed_with_what_it_saw(journey: Journey) -> None:
    journey.deliver(raw=_corpus("fd-56"))  # "anything you have on the family", no kind to tell
    journey.run()
    reasons = _needs_person(journey)
    assert len(reasons) == 1 and "could not tell which kind" in reasons[0]


def test_a_plain_notice_from_outside_is_not_listed(journey: Journey) -> None:
    journey.deliver(raw=_corpus("fd-49"))  # an interpreting invoice
    journey.run()
    assert _needs_person(journey) == []


def test_an_urgent_school_referral_alerts_the_duty_team_leader_once_and_heads_the_digest(
        any_journey: Journey, smtp_sink: tuple[int, Sink]) -> None:
    journey = any_journey
    port, sink = smtp_sink
    smtp = journey.settings.smtp.model_copy(update={"host": "127.0.0.1", "port": port, "security": "plain"})
    alerts = journey.settings.alerts.model_copy(update={"duty": ("j.hart@childrenstrust.example",)})
    journey.settings = journey.settings.model_copy(update={"smtp": smtp, "alerts": alerts})
    journey.deps.settings = journey.settings
    journey.clock.now = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    journey.deliver("02-urgent-kinship-request.eml")
    journey.deliver(raw=_corpus("fd-01"))  # a school's Request for Support: a belt, bruises, dad collects today
    journey.run()
    referral = journey.request("CASS-2026-000002")
    assert (referral.kind, referral.urgent) == ("referral", True)

    # The alert: once, within the minute, saying what it is and nothing of the child beyond the subject.
    assert urgent_alerts(journey.engine, journey.settings, journey.clock.now) == [FIRST, referral.reference]
    assert urgent_alerts(journey.engine, journey.settings, journey.clock.now + timedelta(minutes=1)) == []
    alert = next(r.message for r in sink.received if "referral" in str(r.message["Subject"]))
    assert alert["Subject"] == f"URGENT referral {referral.reference} from meridianlt.org.uk"
    body = alert.get_content()
    assert "safeguarding referral" in body and "clear decision is due" in body
    beyond_subject = body.replace("Subject: URGENT - Request for Support - Y4 pupil - Lacey-Mae Dunmore", "")
    assert "Lacey" not in beyond_subject and "belt" not in body  # staff see the subject line, nothing more

    # The digest: urgent referrals first, above even how fresh the data is.
    with Session(journey.engine) as session:
        data = gather(session, journey.settings, Calendar.from_settings(journey.settings),
                      journey.clock.now + timedelta(hours=1), journey.clock.now - timedelta(days=1))
    text, html = render(data, journey.settings)
    assert data.subject.split(": ", 1)[1].startswith("1 urgent referrals")
    head = text.split("How fresh this is")[0]
    assert "URGENT REFERRALS" in head and referral.reference in head
    assert FIRST not in head  # the urgent OLA request is listed with the other urgent requests
    assert html.index("Urgent referrals") < html.index("How fresh this is")
    assert not [d for d in _drafts(journey) if d["To"] == "k.lister@meridianlt.org.uk"]  # nothing to the school
