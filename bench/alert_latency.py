"""From an urgent request's arrival (APPEND to a real Dovecot) to its alert in a real SMTP
sink, through a real `cassbot run` process waiting in IDLE: median and worst of 20.

The baseline, measured first in the same run, is the floor no bot can beat: a bare
imapclient IDLE on the same Dovecot hearing of an APPEND (EXISTS)."""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.mailbox.base import Folder
from tests.support.dovecot import USERS, Dovecot, free_port
from tests.support.imap_world import World, imap_config_file
from tests.support.smtp_sink import start_sink

ROOT = Path(__file__).resolve().parent.parent
URGENT = (ROOT / "demo" / "mail" / "02-urgent-kinship-request.eml").read_bytes()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench alerts")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    server = Dovecot()
    server.start()
    smtp_port = free_port()
    controller, sink = start_sink(smtp_port)
    root = Path(tempfile.mkdtemp(prefix="cassbot-bench-"))
    os.environ.update({f"CASSBOT_TEST_{role.upper()}_PASSWORD": secret for role, secret in USERS.items()})
    floor = _bare_idle_latencies(server, args.rounds)
    config = imap_config_file(root, server)
    config.write_text(config.read_text()
                      .replace('host = "localhost"\nport = 587\nsecurity = "starttls"',
                               f'host = "127.0.0.1"\nport = {smtp_port}\nsecurity = "plain"')
                      .replace("quiet_hours_start = 18:00:00", "quiet_hours_start = 00:00:00")
                      .replace("quiet_hours_end = 08:00:00", "quiet_hours_end = 00:00:00"))  # never quiet
    service = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(config)], cwd=ROOT,
                               stderr=subprocess.DEVNULL)
    world = World(server, "cass")
    latencies = []
    try:
        time.sleep(3)  # started, first poll done, IDLE watchers waiting
        for n in range(args.rounds):
            raw = URGENT.replace(b"Message-ID: <", f"Message-ID: <alert{n}.".encode(), 1)
            raw = raw.replace(b"Subject: URGENT", f"Subject: URGENT {n}".encode(), 1)
            before = len(sink.received)
            start = time.perf_counter()
            world.deliver(Folder.INBOX, raw)
            while len(sink.received) == before and time.perf_counter() - start < 120:
                time.sleep(0.01)
            latencies.append(time.perf_counter() - start)
    finally:
        service.send_signal(signal.SIGTERM)
        service.wait(timeout=60)
        controller.stop()
        server.remove()
    print(f"baseline, bare IDLE hearing of an APPEND, {len(floor)} mails: median {statistics.median(floor):.3f} s, "
          f"worst {max(floor):.3f} s")
    print(f"urgent request arrival to alert, {len(latencies)} requests: median {statistics.median(latencies):.2f} s, "
          f"worst {max(latencies):.2f} s (goal: within a minute)")
    print(f"ratio to the baseline: median {statistics.median(latencies) / statistics.median(floor):.1f}, "
          f"worst {max(latencies) / max(floor):.1f}")


def _bare_idle_latencies(server: Dovecot, rounds: int) -> list[float]:
    """APPEND from one connection to EXISTS on another that waits in IDLE: no bot involved."""
    world = World(server, "af")
    latencies = []
    with world.client() as client:
        client.select_folder("INBOX", readonly=True)
        for n in range(rounds):
            client.idle()
            start = time.perf_counter()
            world.deliver(Folder.INBOX, URGENT.replace(b"Message-ID: <", f"Message-ID: <floor{n}.".encode(), 1))
            while not any(b"EXISTS" in bytes(r[1]) if len(r) > 1 else False for r in client.idle_check(timeout=5)):
                if time.perf_counter() - start > 30:
                    break
            latencies.append(time.perf_counter() - start)
            client.idle_done()
    return latencies
