"""Helpers for the security suite: a site configuration in a temporary folder, and `cassbot` run as a
separate process, so what is checked is what an operator sees (the exit code, the one line on stderr,
the files left behind)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def site_config(tmp: Path, extra: str = "", **replace: str) -> Path:
    """The shipped configuration with its state under `tmp`, `replace` applied (old text -> new), `extra`
    appended."""
    text = (ROOT / "config" / "cassbot.toml").read_text()
    text = text.replace('path = "state/', f'path = "{tmp}/state/').replace(
        'url = "sqlite:///state/cassbot.sqlite3"', f'url = "sqlite:///{tmp}/state/cassbot.sqlite3"')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    config = tmp / "site.toml"
    config.write_text(text + extra)
    return config


def cassbot(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`cassbot ARGS...` in its own process, in `cwd`, with the test's environment and `env`."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=120, check=False)
