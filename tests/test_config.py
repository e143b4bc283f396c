"""Configuration: the shipped default loads, and every mistake names its file and key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.config import Settings, load_settings
from bot.errors import ConfigError, Exit
from tests.conftest import ROOT

SHIPPED = ROOT / "config" / "cassbot.toml"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cassbot.toml"
    path.write_text(text)
    return path


def _shipped_with(old: str, new: str, tmp_path: Path) -> Path:
    text = SHIPPED.read_text()
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_shipped_default_names_the_three_mailboxes(settings: Settings) -> None:
    assert settings.organisation.domain == "childrenstrust.example"
    assert settings.mailbox("cass").address == "cass@childrenstrust.example"
    assert settings.mailbox("af").address == "fostering.recruitment@childrenstrust.example"
    assert settings.mailbox("lado").address == "lado@childrenstrust.example"
    assert {m.role for m in settings.staff} == {"rao", "team_leader"}
    assert "gov.uk" in settings.addresses.secure_domains
    assert "info" in settings.addresses.generic_local_parts
    assert settings.timescales.consent_max_age_months == 3


def test_settings_cannot_be_changed_after_start_up(settings: Settings) -> None:
    with pytest.raises(ValidationError):
        settings.organisation.domain = "elsewhere.example"  # type: ignore[misc]


def test_bad_address_names_file_and_key(tmp_path: Path) -> None:
    path = _shipped_with('address = "lado@childrenstrust.example"', 'address = "lado at trust"', tmp_path)
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert f"{path}: mailboxes[2].address: expected an email address" in str(err.value)


def test_missing_key_is_named(tmp_path: Path) -> None:
    path = _shipped_with("decision_hours = 24\n", "", tmp_path)
    with pytest.raises(ConfigError, match=r"timescales\.decision_hours: this key is required"):
        load_settings(path)


def test_misspelt_key_is_named(tmp_path: Path) -> None:
    path = _shipped_with("decision_hours = 24", "decison_hours = 24\ndecision_hours = 24", tmp_path)
    with pytest.raises(ConfigError, match=r"timescales\.decison_hours: unknown key"):
        load_settings(path)


def test_wrong_role_is_named(tmp_path: Path) -> None:
    path = _shipped_with('role = "rao"', 'role = "social_worker"', tmp_path)
    with pytest.raises(ConfigError, match=r"staff\[0\]\.role: Input should be 'rao' or 'team_leader'"):
        load_settings(path)


def test_a_missing_mailbox_role_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The roles are the check teams' table's (`bot.teams`): `cassbot` checks them as it starts, and refuses."""
    path = _shipped_with('role = "lado"', 'role = "health"', tmp_path)
    assert main(["status", "--config", str(path)]) == Exit.USAGE
    expected = (f"{path}: mailboxes: expected exactly one mailbox with each role (cass, lado, af); "
                "check 'lado' (found 0), 'health' (no such role)")
    assert expected in capsys.readouterr().err


def test_a_role_configured_twice_is_reported(tmp_path: Path) -> None:
    path = _shipped_with('role = "lado"', 'role = "af"', tmp_path)
    with pytest.raises(ConfigError, match=r"mailboxes: expected exactly one mailbox with each role; "
                                          r"check 'af' \(found 2\)"):
        load_settings(path)


def test_broken_toml_and_missing_file_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path, "[organisation\n"))
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        load_settings(tmp_path / "absent.toml")


def _keys(data: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(data, dict):
        return [kv for key, value in data.items() for kv in [(prefix + key, value), *_keys(value, prefix + key + ".")]]
    if isinstance(data, list):
        return [kv for item in data for kv in _keys(item, prefix)]
    return []


def test_config_names_where_secrets_are_never_the_secrets() -> None:
    data = tomllib.loads(SHIPPED.read_text())
    secretish = [(k, v) for k, v in _keys(data) if any(w in k.lower() for w in ("password", "secret", "token"))]
    assert secretish, "the shipped file should show where a password comes from"
    for key, value in secretish:
        assert key.endswith(("_env", "_command")), key  # the name of a variable, never its value
        assert value == "" or str(value).isupper(), (key, value)


def test_an_alert_recipient_must_be_on_the_staff_list(tmp_path: Path) -> None:
    path = _shipped_with('duty = ["j.hart@childrenstrust.example"]',
                         'duty = ["j.hart@childrenstrust.example", "someone@gmail.com"]', tmp_path)
    with pytest.raises(ConfigError, match=r"alerts\.duty: someone@gmail.com is not on the staff list"):
        load_settings(path)


def test_a_report_recipient_must_be_on_the_staff_list(tmp_path: Path) -> None:
    """The month in figures goes only to staff, as alerts do: one rule for both."""
    path = _shipped_with("recipients = []", 'recipients = ["partner@northshire.gov.uk"]', tmp_path)
    with pytest.raises(ConfigError, match=r"report\.recipients: partner@northshire.gov.uk is not on the staff list "
                                          r"\(\[\[staff\]\]\); the report goes only to staff"):
        load_settings(path)
