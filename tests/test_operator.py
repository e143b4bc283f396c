"""The operator's surface: every view as JSON against the schema shipped in docs/, references that match the
code, help for every command, and a command line that loads only what a command uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from bot.cli import main, parser
from bot.reference import documents
from tests.conftest import ROOT
from tests.support.site import deliver_demo_mail, site_config

DEMO = ROOT / "demo" / "mail"


def _schema(name: str) -> dict[str, object]:
    schema: dict[str, object] = json.loads((ROOT / "docs" / "schemas" / f"{name}.schema.json").read_text())
    return schema


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out: dict[str, object] = json.loads(capsys.readouterr().out)
    return out


def test_the_generated_references_in_docs_are_what_the_code_generates() -> None:
    stale = [str(path) for path, text in documents().items()
             if not (ROOT / path).exists() or (ROOT / path).read_text() != text]
    assert stale == [], "run `python -m bot.reference` and commit the result"


def test_the_configuration_reference_names_every_section_and_says_what_is_required() -> None:
    reference = (ROOT / "docs" / "configuration-reference.md").read_text()
    for section in ("[organisation]` (required)", "[addresses]` (required)", "[timescales]` (required)",
                    "[[mailboxes]]` (required)", "[smtp]` (optional)", "[digest]` (optional)",
                    "[alerts]` (optional)", "[service]` (optional)", "[observability]` (optional)",
                    "[working_hours]` (optional)", "[referrals]` (optional)", "[responses]` (optional)"):
        assert f"## `{section}" in reference
    assert "| `timeout_seconds` | number (> 0) | `30` |" in reference  # smtp.timeout_seconds, with its default
    assert "|  |" not in reference  # every key says what it is


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A site after one run: an urgent kinship request (challenge and checks drafted) and an OLA request."""
    config = site_config(tmp_path)
    deliver_demo_mail(tmp_path, "01-ola-request.eml", "02-urgent-kinship-request.eml")
    assert main(["run", "--once", "--config", str(config)]) == 0
    capsys.readouterr()
    return config


def test_status_as_json_follows_its_schema(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--json", "--config", str(site)]) == 0
    status = _json(capsys)
    jsonschema.validate(status, _schema("status"))
    mailboxes = status["mailboxes"]
    assert isinstance(mailboxes, dict) and set(mailboxes) == {"cass", "af", "lado"}
    assert all(m["last_good_poll"] and m["failing_since"] is None and m["error"] == "" for m in mailboxes.values())
    assert all(m["abilities"].get("read") == "" for m in mailboxes.values()), "each mailbox was read on its last poll"


def test_requests_as_json_give_each_check_and_draft_with_its_state(site: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["requests", "--json", "--config", str(site)]) == 0
    listing = _json(capsys)
    jsonschema.validate(listing, _schema("requests"))
    requests = listing["requests"]
    assert isinstance(requests, list)
    assert [r["urgent"] for r in requests] == [True, False]  # urgent first
    ola = requests[1]
    assert {c["team"]: c["state"] for c in ola["checks"]} == {"af": "drafted", "lado": "drafted"}
    assert {d["template"]: d["state"] for d in ola["drafts"]} == {
        "charms_check_request": "saved", "lado_check_request": "saved"}
    assert "decision" in [late["what"] for late in ola["late"]]  # received 16 November, nothing sent since
    urgent = requests[0]
    assert "secure_address_challenge" in [d["template"] for d in urgent["drafts"]]
    assert urgent["drafts"][0]["to"] == "info@oakleafkinship.co.uk"


def test_one_request_as_json_carries_its_facts_and_chronology(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["requests", "--config", str(site), "show", "cass-2026-000001", "--json"]) == 0
    request = _json(capsys)
    jsonschema.validate(request, _schema("request"))
    assert request["reference"] == "CASS-2026-000001" and request["applicant"] == "Ms Amara Bello"
    facts = request["facts"]
    assert isinstance(facts, dict) and facts["consent"]["status"] == "ok"
    chronology = request["chronology"]
    assert isinstance(chronology, list) and chronology[0]["what"].startswith("mail received in cass")
    assert main(["requests", "show", "CASS-1999-000000", "--json", "--config", str(site)]) == 2


@pytest.mark.parametrize("command", ["classify", "demo", "run", "status", "digest", "requests", "reconcile", "pilot"])
def test_every_command_has_help_saying_what_it_does(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([command, "--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: cassbot {command}" in text and "--config" in text
    assert "Exit codes: 0 " in text


def test_requests_help_shows_show_and_show_has_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["requests", "--help"])
    assert "show REF" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["requests", "show", "--help"])
    assert "REF" in capsys.readouterr().out


def test_the_top_level_help_lists_every_command_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert all(name in text for name in commands)
    assert "3 a mailbox refused" in " ".join(text.split())


def test_help_and_classify_load_neither_the_store_nor_a_mailbox_library() -> None:
    probe = ("import sys\nfrom bot.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'exchangelib', 'imapclient', 'pydantic')"
             " if m in sys.modules))")
    for args, unwanted_absent in ((["--help"], ["sqlalchemy", "sqlmodel", "alembic", "exchangelib", "imapclient",
                                               "pydantic"]),
                                  (["classify", str(DEMO / "01-ola-request.eml")],
                                   ["sqlmodel", "alembic", "exchangelib", "imapclient"])):
        out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=ROOT,
                             check=True).stdout.splitlines()[-1]
        loaded = json.loads(out.replace("'", '"'))
        assert not set(loaded) & set(unwanted_absent), (args, loaded)


def test_the_health_check_says_how_it_is_used(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.health import main as health
    assert health(["--help"]) == 0
    assert "state/health.json" in capsys.readouterr().out


def test_python_m_bench_help_prints_help_and_runs_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "bench", "--help"], capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    assert result.returncode == 0
    assert "usage:" in result.stdout and "accuracy" in result.stdout
