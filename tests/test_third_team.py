"""Adding a check team is what docs/architecture.md's "add a check team" row says, and nothing more: one row
in `bot.teams`, its request template pair, its part of the response (a partial pair), an answer reader
named in `bot.extract.answers.READERS`, and a mailbox with its role in the configuration.

A made-up team, "Health", configured here and nowhere in the bot, goes through classification,
linking, drafting, the digest, the chronology and the response letter like A&F and LADO.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from sqlmodel import Session

from bot import compose, teams
from bot.config import Settings, settings_from_dict
from bot.digest import gather
from bot.errors import ConfigError
from bot.extract import answers
from bot.extract.answers import TeamAnswer
from bot.mail import ParsedMail
from bot.mailbox.base import Folder
from bot.patterns import any_of
from bot.pipeline import Deps
from bot.reports import chronology_text
from bot.teams import CheckTeam
from bot.timescales import Calendar
from tests.conftest import ROOT
from tests.support.forms import signed_consent
from tests.support.journey import Journey
from tests.support.mail import build_mail

FIRST = "CASS-2026-000001"
HEALTH_ADDRESS = "health.checks@childrenstrust.example"


def read_health_answer(mail: ParsedMail, checked: Sequence[str], relations: Mapping[str, str]) -> TeamAnswer:
    body = mail.fresh_text.lower()
    known = "record" in body and "no record" not in body
    summary = "the health team holds a record" if known else "the health team holds nothing"
    return TeamAnswer(summary, {"health_known": known},
                      ("Health team: add what they hold, in your own words",) if known else ())


HEALTH = CheckTeam(
    role="health", name="Health", label="Health (SystmOne)", system="Health check",
    request_template="health_check_request", answer_kind="health_check_response",
    convention=any_of(r"\bhealth[\s\-_]*checks?\b"), request_body=any_of(r"\bknown to health\b"),
    request_subject="Health check required by CASS - {applicant} [{reference}]",
    reader="health", asked_when=lambda facts: True,
    response=teams.ResponsePart("health", {"health_known": True}),  # until Health answer: say they may hold one
)


@pytest.fixture
def journey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Journey]:
    monkeypatch.setattr(teams, "CHECK_TEAMS", (*teams.CHECK_TEAMS, HEALTH))
    monkeypatch.setitem(answers.READERS, "health", read_health_answer)
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    for part in ("txt", "html"):
        (templates / "drafts" / f"health_check_request.{part}.j2").write_text(
            "Our reference: {{ reference }}\nIs {{ applicant }} known to the health team?\n")
        (templates / "drafts" / "response" / f"health.{part}.j2").write_text(
            "\n\n{% if health_known %}Please ask the GP: the health team holds a record."
            "{% else %}The health team holds no record.{% endif %}")
    monkeypatch.setattr(compose, "TEMPLATES", templates)
    data = tomllib.loads((ROOT / "config" / "cassbot.toml").read_text())
    data["mailboxes"].append({"role": "health", "address": HEALTH_ADDRESS, "backend": "maildir"})
    yield Journey(settings_from_dict(data), tmp_path / "bot")


def _answer(subject: str, body: str, sender: str) -> bytes:
    return build_mail(subject, body, sender=sender, date="Tue, 17 Nov 2026 12:00:00 +0000",
                      X_MS_Exchange_Organization_AuthAs="Internal")


def test_a_third_check_team_is_one_row_a_template_pair_and_a_reader(journey: Journey) -> None:
    journey.deliver(raw=build_mail(
        "Information request - Form F - Mr Sam Cole", "Form F fostering assessment of Mr Sam Cole, who lives alone. "
        "Signed consent attached, signed 2 November 2026.", sender="helen.marsh@northshire.gov.uk",
        attachment=signed_consent("Mr Sam Cole")))
    journey.run()
    health = journey.draft(FIRST, "health_check_request")
    assert health.to_address == HEALTH_ADDRESS
    assert health.subject == f"Health check required by CASS - Mr Sam Cole [{FIRST}]"

    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send(FIRST, "lado_check_request")
    journey.send(FIRST, "health_check_request")
    journey.run()
    with Session(journey.engine) as session:
        waiting = gather(session, journey.settings, Calendar.from_settings(journey.settings), journey.clock.now,
                         journey.clock.now).checks
    assert sorted(row.cells[1] for row in waiting) == ["Health (SystmOne)", "LADO"]

    journey.clock.now = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    journey.deliver(raw=_answer("LADO CHECK - Priya Shah", "Mr Sam Cole is not known to LADO.",
                                "lado@childrenstrust.example"))
    journey.deliver(raw=_answer("HEALTH CHECK - Priya Shah", "We hold a record for Mr Cole.", HEALTH_ADDRESS))
    report = journey.run()
    assert {(o.kind, o.outcome) for o in report.outcomes} >= {("health_check_response", "linked")}
    assert journey.request(FIRST).state == "response_drafted"
    assert "Health team: add what they hold" in journey.draft(FIRST, "response").context_json
    letter = _draft_text(journey, FIRST, "response")
    assert "The applicant is not known to the Local Authority Designated Officer" in letter
    assert "Please ask the GP: the health team holds a record." in letter
    with Session(journey.engine) as session:
        chronology = chronology_text(session, journey.request(FIRST))
    assert "Health check answered" in chronology and "the health team holds a record" in chronology


def _draft_text(journey: Journey, reference: str, template: str) -> str:
    """The text of a draft as the RAO opens it in Drafts."""
    message_id = journey.draft(reference, template).message_id
    raw = next(r for r in journey.folder(Folder.DRAFTS) if message_id.encode() in r)
    part = message_from_bytes(raw, policy=default).get_body(("plain",))
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_a_team_whose_reader_is_not_named_is_refused(journey: Journey, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table names a reader the bot does not have: the run does not start, and says which."""
    monkeypatch.delitem(answers.READERS, "health")
    with pytest.raises(ConfigError, match="no answer reader is named 'health'"):
        Deps(journey.settings, journey.engine, journey.deps.mailboxes, journey.clock)


def test_the_shipped_configuration_knows_no_such_team(settings: Settings) -> None:
    assert [team.role for team in teams.teams()] == ["lado", "af"]
    assert [m.role for m in settings.mailboxes] == ["cass", "af", "lado"]
