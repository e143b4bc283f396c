"""What cassbot writes is the service user's alone: state/, the store, digest previews (issue 14)."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.security.conftest import cassbot, site_config


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_the_store_and_previews_are_private(tmp_path: Path) -> None:
    config = site_config(tmp_path)
    assert cassbot("run", "--once", "--config", str(config), cwd=tmp_path).returncode == 0
    preview = tmp_path / "previews" / "digest.html"
    assert cassbot("digest", "--preview", str(preview), "--config", str(config), cwd=tmp_path).returncode == 0
    state = tmp_path / "state"
    written = [state, *state.rglob("*"), preview.parent, preview, preview.with_suffix(".txt")]
    assert (state / "cassbot.sqlite3") in written
    loose = {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in written if _mode(p) & 0o077}
    assert loose == {}
