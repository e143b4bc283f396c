"""The container image, as an IT team would run it: against the test Dovecot, stopped by SIGTERM.

Runs only where CASSBOT_IMAGE names a built image (`.ci/container.sh` builds it with
podman and sets it); everywhere else it skips.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from bot.mailbox.base import Folder
from bot.teams import mailbox_roles
from tests.conftest import ROOT
from tests.support.dovecot import USERS, Dovecot
from tests.support.imap_world import World, imap_config_file

IMAGE = os.environ.get("CASSBOT_IMAGE", "")
pytestmark = pytest.mark.skipif(not IMAGE, reason="no container image built (CASSBOT_IMAGE is not set)")


def _podman(*args: str, check: bool = True) -> str:
    return subprocess.run(["podman", *args], check=check, capture_output=True, text=True, timeout=120).stdout.strip()


def _processed(db: Path) -> int:
    if not db.exists():
        return 0  # never create it here: the container's user must own it
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return int(connection.execute("SELECT count(*) FROM mail_seen WHERE folder='inbox'").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_the_image_processes_a_journey_and_stops_cleanly_on_sigterm(dovecot: Dovecot, tmp_path: Path) -> None:
    for role in mailbox_roles():
        World(dovecot, role).reset()
    request = (ROOT / "demo" / "mail" / "01-ola-request.eml").read_bytes()
    notices = [(ROOT / "demo" / "mail" / "11-team-notice.eml").read_bytes().replace(
        b"Message-ID: <", f"Message-ID: <c{n}.".encode(), 1) for n in range(40)]
    World(dovecot, "cass").deliver_many(Folder.INBOX, [request, *notices])
    state = Path(tempfile.mkdtemp(prefix="cassbot-state-"))
    os.chmod(state, 0o777)  # the image runs as an unprivileged user
    config = imap_config_file(tmp_path, dovecot, poll_seconds=2)
    config.write_text(config.read_text().replace(f'url = "sqlite:///{tmp_path}/cassbot.sqlite3"',
                                                 'url = "sqlite:////app/state/cassbot.sqlite3"')
                      .replace(f'health_file = "{tmp_path}/health.json"', 'health_file = "state/health.json"'))
    name = f"cassbot-test-{os.getpid()}"
    env = [f"--env=CASSBOT_TEST_{role.upper()}_PASSWORD={secret}" for role, secret in USERS.items()]
    _podman("run", "--detach", "--network=host", f"--name={name}", *env,
            f"--volume={config}:/app/config/cassbot.toml:ro", f"--volume={state}:/app/state", IMAGE)
    try:
        deadline = time.monotonic() + 120
        while _processed(state / "cassbot.sqlite3") < 41 and time.monotonic() < deadline:
            time.sleep(0.5)
        logs = subprocess.run(["podman", "logs", name], capture_output=True, text=True).stderr
        assert _processed(state / "cassbot.sqlite3") == 41, logs[-3000:]
        _podman("healthcheck", "run", name)  # the health file the service writes says healthy
        _podman("stop", "--time=30", name)  # SIGTERM through tini
        assert _podman("inspect", name, "--format={{.State.ExitCode}}") == "0"
    finally:
        _podman("rm", "--force", name, check=False)
    with World(dovecot, "cass").client() as client:
        client.select_folder("Drafts", readonly=True)
        assert len(client.search(["ALL"])) == 2  # the LADO and CHARMS check requests, once each
