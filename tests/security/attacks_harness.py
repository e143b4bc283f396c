"""Play attack mails written apart from the code (tests/security/attacks/: an .eml and a .json each) through
whole journeys, and say which attacks got through, as a person would see it."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bot.classify import Classifier
from bot.config import Settings
from bot.mail import parse_mail
from bot.store import Draft, MailSeen, Request
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import build_mail

ATTACKS = Path(__file__).resolve().parent / "attacks"
# 7*191: the number on its own, never inside a random MIME boundary's digits.
_NOT_RENDERED = re.compile(
    r"(?<![\d.])1337(?!\d)|Traceback|jinja2|Undefined|<class |Settings\(|__globals__|os\.environ")


def _journey(settings: Settings, requester: str) -> Journey:
    journey = Journey(settings, Path(tempfile.mkdtemp(prefix="attack-")))
    journey.deliver(raw=build_mail(
        "Information request - Form F - Mr Sam Cole", "We are assessing Mr Sam Cole as a foster carer. He lives "
        "alone. Signed consent attached, signed 2 November 2026.", sender=requester,
        message_id="<first-request@example.org>", attachment=signed_consent("Mr Sam Cole")))
    journey.run()
    return journey


def _after_sending(settings: Settings, requester: str, template: str, raw: bytes) -> Journey:
    """The first request from `requester`, its `template` draft sent by an RAO the next morning, then the
    attack delivered: where an answer or a follow-up arrives in real life."""
    journey = _journey(settings, requester)
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send("CASS-2026-000001", template)
    journey.run()
    journey.deliver(raw=raw)
    journey.run()
    return journey


def _drafts(journey: Journey) -> list[Draft]:
    with Session(journey.engine) as session:
        return list(session.exec(select(Draft)).all())


def _drafts_text(journey: Journey) -> str:
    from bot.mailbox.base import Folder
    return "\n".join(raw.decode("utf-8", "replace") for raw in journey.folder(Folder.DRAFTS))


def play(path: Path, settings: Settings) -> list[str]:
    """What got through, in words ([] when the attack failed)."""
    label: dict[str, Any] = json.loads(path.with_suffix(".json").read_text())
    raw = path.read_bytes()
    expect = label["expect"]
    broke: list[str] = []
    if label["stage"] == "answer":
        found = Classifier(settings).classify(parse_mail(raw))
        if found.sender_trusted:
            broke.append("answer trusted")
        journey = _after_sending(settings, "helen.marsh@northshire.gov.uk", "lado_check_request", raw)
        if any(d.template == "response" for d in _drafts(journey)):
            broke.append("a response was drafted on it")
    elif label["stage"] == "followup":
        journey = _after_sending(settings, "info@brightpathfostering.co.uk", "secure_address_challenge", raw)
        address = journey.request("CASS-2026-000001").requester_address
        if address in [a.lower() for a in expect.get("address_must_not_become", [])]:
            broke.append(f"the response address became {address}")
    elif path.name.startswith("mid-") and path.stem.endswith("-b"):
        journey = Journey(settings, Path(tempfile.mkdtemp(prefix="attack-")))
        journey.deliver(raw=path.with_name(path.name.replace("-b.eml", "-a.eml")).read_bytes())
        journey.run()
        journey.deliver(raw=raw)
        journey.run()
        with Session(journey.engine) as session:
            opened = session.exec(select(Request)).all()
        if expect.get("request_opened") and not opened:
            broke.append("the real request was skipped")
    else:
        journey = Journey(settings, Path(tempfile.mkdtemp(prefix="attack-")))
        journey.deliver(raw=raw)
        journey.run()
        never = {a.lower() for a in expect.get("draft_never_to", [])}
        wrong = [d.to_address for d in _drafts(journey) if d.to_address.lower() in never]
        if wrong:
            broke.append(f"a draft to {wrong}")
        with Session(journey.engine) as session:
            requests = session.exec(select(Request)).all()
            failed = session.exec(select(MailSeen).where(MailSeen.outcome == "failed")).all()
        taken = [r for r in requests if r.facts.get("requester", {}).get("secure")]
        if expect.get("secure") is False and taken:
            broke.append(f"{taken[0].requester_address} taken for a person's own or a secure address")
        if any(r.requester_address.lower() in never for r in taken):
            broke.append("a response would go to an address the attacker chose")
        if expect.get("no_template_evaluation") and (_NOT_RENDERED.search(_drafts_text(journey)) or failed):
            broke.append("a template was evaluated or the mail failed")
    return broke
