"""JSON log lines and the Prometheus metrics, as an operator's tools would read them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from bot.cli import main
from bot.config import Settings
from bot.observability import StoreCollector
from tests.conftest import ROOT
from tests.support.journey import Journey, with_mailboxes


def test_logs_are_json_lines_when_configured(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "config" / "cassbot.toml").read_text().replace('log_format = "text"', 'log_format = "json"')
    text = text.replace('path = "state/', f'path = "{tmp_path}/').replace(
        'url = "sqlite:///state/cassbot.sqlite3"', f'url = "sqlite:///{tmp_path}/cassbot.sqlite3"')
    config = tmp_path / "site.toml"
    config.write_text(text)
    inbox = tmp_path / "maildir" / "cass" / "new"
    inbox.mkdir(parents=True)
    (inbox / "1").write_bytes((ROOT / "demo" / "mail" / "01-ola-request.eml").read_bytes())
    assert main(["run", "--once", "--config", str(config)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines and {"time", "level", "logger", "message"} <= set(lines[0])
    assert any("new_request CASS-2026-000001" in line["message"] for line in lines)


def test_metrics_come_from_the_store(settings: Settings, tmp_path: Path) -> None:
    journey = Journey(settings, tmp_path)
    journey.deliver("01-ola-request.eml", "07-spoofed-lado-answer.eml", "11-team-notice.eml")
    journey.run()
    registry = CollectorRegistry()
    registry.register(StoreCollector(journey.engine, journey.settings))
    metrics = generate_latest(registry).decode()
    assert 'cassbot_mail_processed_total{outcome="new_request"} 1.0' in metrics
    assert 'cassbot_mail_processed_total{outcome="needs_person"} 1.0' in metrics
    assert "cassbot_drafts_awaiting_approval 2.0" in metrics
    assert 'cassbot_mailbox_failing{mailbox="cass"} 0.0' in metrics
    assert "cassbot_needs_person 1.0" in metrics


def test_the_days_left_on_a_client_secret_are_a_metric(settings: Settings, tmp_path: Path) -> None:
    expires = datetime.now(ZoneInfo(settings.working_hours.timezone)).date() + timedelta(days=40)
    graph = {"tenant_id": "t-1", "client_id": "app-1", "client_secret_env": "S", "client_secret_expires": expires}
    journey = Journey(settings, tmp_path)
    registry = CollectorRegistry()
    registry.register(StoreCollector(journey.engine,
                                     with_mailboxes(journey.settings, ("lado",), backend="graph", graph=graph)))
    metrics = generate_latest(registry).decode()
    assert 'cassbot_credential_expiry_days{credential="client secret",mailbox="lado"} 40.0' in metrics
    assert metrics.count("cassbot_credential_expiry_days{") == 1  # a password or a Maildir has no expiry to know
