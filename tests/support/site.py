"""A site's configuration for a test: the shipped file with its Maildirs and store under a temporary folder."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def site_config(tmp_path: Path) -> Path:
    text = (ROOT / "config" / "cassbot.toml").read_text()
    text = text.replace('path = "state/', f'path = "{tmp_path}/')
    text = text.replace('url = "sqlite:///state/cassbot.sqlite3"', f'url = "sqlite:///{tmp_path}/cassbot.sqlite3"')
    text = text.replace('health_file = "state/health.json"', f'health_file = "{tmp_path}/health.json"')
    config = tmp_path / "site.toml"
    config.write_text(text)
    return config


def deliver_demo_mail(tmp_path: Path, *names: str) -> None:
    """The demo's mail of these names, in the site's CASS inbox (Maildir), in order."""
    inbox = tmp_path / "maildir" / "cass" / "new"
    inbox.mkdir(parents=True, exist_ok=True)
    for n, name in enumerate(names, 1):
        (inbox / f"{n}.eml").write_bytes((ROOT / "demo" / "mail" / name).read_bytes())
