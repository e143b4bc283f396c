"""`cassbot classify` and `cassbot demo` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import ROOT
from tests.support.site import deliver_demo_mail, site_config

DEMO = ROOT / "demo" / "mail"


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_classify_prints_one_json_object_per_mail_in_folder_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", str(DEMO)]) == 0
    lines = _lines(capsys)
    assert [Path(str(line["path"])).name for line in lines] == sorted(p.name for p in DEMO.glob("*.eml"))
    for line in lines:
        assert set(line) == {"path", "kind", "urgent", "rao", "sender_trusted", "reference", "reasons"}
    spoofed = next(line for line in lines if str(line["path"]).endswith("07-spoofed-lado-answer.eml"))
    assert spoofed["kind"] == "lado_check_response" and spoofed["sender_trusted"] is False


def test_null_where_a_field_does_not_apply(capsys: pytest.CaptureFixture[str]) -> None:
    main(["classify", str(DEMO / "01-ola-request.eml")])
    (line,) = _lines(capsys)
    assert line["kind"] == "ola_request"
    assert line["rao"] is None and line["sender_trusted"] is None and line["reference"] is None
    assert line["reasons"]


def test_unreadable_file_still_gets_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", str(tmp_path / "missing.eml"), str(DEMO / "11-team-notice.eml")]) == 0
    missing, notice = _lines(capsys)
    assert missing["kind"] == "other" and "cannot read file" in str(missing["error"])
    assert notice["kind"] == "other" and "error" not in notice


def test_configuration_error_exits_2_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[organisation]\nname = "x"\ndomain = "not a domain"\n')
    assert main(["classify", "--config", str(bad), str(DEMO)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: organisation.domain: expected a domain" in err


def test_usage_error_exits_2() -> None:
    result = subprocess.run([sys.executable, "-m", "bot.cli", "classify"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "PATH" in result.stderr


def test_demo_runs_the_whole_journey(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "state" / "demo" / "cassbot.sqlite3").exists()
    assert "CASS-2026-000001  ola_request         closed" in out
    assert "lado.childrenstrust@gmail.com" in out  # the look-alike answer needs a person
    assert "draft sent: response" in out  # the chronology


def test_run_once_then_requests_and_their_chronology(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = site_config(tmp_path)
    deliver_demo_mail(tmp_path, "02-urgent-kinship-request.eml", "10-not-urgent-adoption.eml")
    assert main(["run", "--once", "--config", str(config)]) == 0
    assert "2 new request" in capsys.readouterr().out
    assert main(["requests", "--config", str(config)]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[2].startswith("CASS-2026-") and "URGENT" in listing[2]  # urgent first
    reference = listing[3].split()[0]
    assert main(["requests", "show", reference, "--config", str(config)]) == 0
    assert "request opened: ola_request" in capsys.readouterr().out
    assert main(["requests", "show", "CASS-1999-000000", "--config", str(config)]) == 2
