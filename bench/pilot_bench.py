"""A pilot over a year of a busy front door, against the service's own pass over the same mail.

    python -m bench pilot [--mails N]

Generates about N mails (default 20,000: requests, staff's check requests and replies, the
teams' answers, spread over a year, with the pilot tests' planted disagreements repeated) in
local Maildirs, then runs, as fresh processes, `cassbot pilot` over the year and `cassbot run
--once` over a copy of the same Maildirs, and prints each one's wall time and peak memory
(GNU time's maximum resident set size) and the pilot's time as a ratio to the run's.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.mailbox.maildir import MaildirMailbox  # noqa: E402
from tests.support import pilot_world  # noqa: E402
from tests.support.site import site_config  # noqa: E402

FIRST = ("Iris", "Jade", "Kara", "Lena", "Mia", "Nora", "Olive", "Paula", "Rosa", "Sara", "Tess", "Una", "Vera")
LAST = ("Shaw", "Wells", "Doyle", "Fox", "Hart", "Vale", "Dean", "Grey", "King", "Lowe", "Moon", "Nash", "Pryce",
        "Quinn", "Reid", "Stone", "Tate", "Upton", "Vance", "Webb")


def _cases(count: int) -> tuple[pilot_world.Case, ...]:
    """`count` requests: the month's cases again and again, each applicant named differently."""
    names = itertools.cycle(f"Ms {f} {last}{n or ''}" for n in range(100) for f in FIRST for last in LAST)
    return tuple(case.__class__(**{**case.__dict__, "applicant": next(names)})
                 for case in itertools.islice(itertools.cycle(pilot_world.CASES), count))


def _write_year(root: Path, mails: int) -> int:
    per_case = len(pilot_world.month()) / len(pilot_world.CASES)
    cases = _cases(int(mails / per_case))
    start = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
    boxes = {role: MaildirMailbox(role, f"{role}@childrenstrust.example", root / "maildir" / role)
             for role in ("cass", "af", "lado")}
    written = 0
    for role, folder, raw in pilot_world.month(cases, start, timedelta(days=365) / len(cases)):
        boxes[role].deliver(folder, raw)
        written += 1
    return written


def _timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak memory in MB of one fresh process."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[2:4])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - start, int(done.stderr.strip().splitlines()[-1]) // 1024


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench pilot")
    parser.add_argument("--mails", type=int, default=20_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        pilot_site, run_site = Path(folder) / "pilot", Path(folder) / "run"
        written = _write_year(pilot_site, args.mails)
        shutil.copytree(pilot_site, run_site)
        cli = [sys.executable, "-m", "bot.cli"]
        pilot = _timed([*cli, "pilot", "--since", "2025-12-01", "--until", "2026-12-02", "--config",
                        str(site_config(pilot_site)), "--out", str(pilot_site / "report")])
        run = _timed([*cli, "run", "--once", "--config", str(site_config(run_site))])
    print(f"pilot over {written} mails (a year), fresh processes")
    print(f"  cassbot run --once   {run[0]:7.1f} s   peak {run[1]:5d} MB   1.00x")
    print(f"  cassbot pilot        {pilot[0]:7.1f} s   peak {pilot[1]:5d} MB   {pilot[0] / run[0]:4.2f}x")
