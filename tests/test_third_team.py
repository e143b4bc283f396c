"""Adding a check team is one row in `bot.teams`, a template pair and an answer reader (docs/architecture.md).

A made-up team, "Health", configured here and nowhere in the bot, goes through
classification, linking, drafting, the digest and the chronology like A&F and LADO.
"""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session

from bot import compose, teams
from bot.config import Settings, settings_from_dict
from bot.digest import gather
from bot.extract.answers import TeamAnswer
from bot.mail import ParsedMail
from bot.patterns import any_of
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
    return TeamAnswer(summary, {}, ("Health team: add what they hold, in your own words",) if known else ())


HEALTH = CheckTeam(
    role="health", name="Health", label="Health (SystmOne)", system="Health check",
    request_template="health_check_request", answer_kind="health_check_response",
    convention=any_of(r"\bhealth[\s\-_]*checks?\b"), request_body=any_of(r"\bknown to health\b"),
    request_subject="Health check required by CASS - {applicant} [{reference}]",
    read_answer=read_health_answer, asked_when=lambda facts: True,
)


@pytest.fixture
def journey(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Journey]:
    monkeypatch.setattr(teams, "CHECK_TEAMS", (*teams.CHECK_TEAMS, HEALTH))
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    for part in ("txt", "html"):
        (templates / "drafts" / f"health_check_request.{part}.j2").write_text(
            "Our reference: {{ reference }}\nIs {{ applicant }} known to the health team?\n")
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
    with Session(journey.engine) as session:
        chronology = chronology_text(session, journey.request(FIRST))
    assert "Health check answered" in chronology and "the health team holds a record" in chronology


def test_the_shipped_configuration_knows_no_such_team(settings: Settings) -> None:
    assert [team.role for team in teams.teams()] == ["lado", "af"]
    assert [m.role for m in settings.mailboxes] == ["cass", "af", "lado"]
