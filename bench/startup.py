"""How fast each command starts: the container's health check and every operator's command pay it.

    python -m bench startup [--rounds N]

Each round runs, one after another, a bare `python -c "import email"` (the baseline) and
`cassbot --help`, `cassbot status` (on a store that is up to date), `cassbot classify` of one
mail, `python -m bot.health` (the container's health check) and `cassbot requests --json`,
as fresh processes; the median wall time of each over the rounds and its ratio to the
baseline's (goals, issue 16: --help within 3x, status within 8x).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.site import deliver_demo_mail, site_config  # noqa: E402  (the tests' way of making a site)

GOALS = {"cassbot --help": 3.0, "cassbot status": 8.0}


def _commands(config: Path, health: Path) -> dict[str, list[str]]:
    cli = [sys.executable, "-m", "bot.cli"]
    return {
        "python -c 'import email'": [sys.executable, "-c", "import email"],
        "cassbot --help": [*cli, "--help"],
        "cassbot status": [*cli, "status", "--config", str(config)],
        "cassbot classify (one mail)": [*cli, "classify", str(ROOT / "demo" / "mail" / "01-ola-request.eml")],
        "python -m bot.health": [sys.executable, "-m", "bot.health", str(health)],
        "cassbot requests --json": [*cli, "requests", "--json", "--config", str(config)],
    }


def _site(folder: Path) -> tuple[Path, Path]:
    """A site after one pass over the demo's first request, and the health file a service would write."""
    config = site_config(folder)
    deliver_demo_mail(folder, "01-ola-request.eml")
    subprocess.run([sys.executable, "-m", "bot.cli", "run", "--once", "--config", str(config)], cwd=ROOT,
                   check=True, capture_output=True)
    health = folder / "health.json"
    health.write_text('{"fresh_until": "2999-01-01T00:00:00+00:00", "status": {"healthy": true, "mailboxes": {}}}')
    return config, health


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        commands = _commands(*_site(Path(folder)))
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run(command, cwd=ROOT, check=False, capture_output=True)
                times[name].append(time.perf_counter() - start)
    baseline = statistics.median(times["python -c 'import email'"])
    print(f"startup, median of {args.rounds} rounds (fresh processes, interleaved)")
    for name, samples in times.items():
        ratio = statistics.median(samples) / baseline
        goal = f"  (goal {GOALS[name]:.0f}x: {'met' if ratio <= GOALS[name] else 'NOT met'})" if name in GOALS else ""
        print(f"  {name:<30} {statistics.median(samples) * 1000:7.0f} ms  {ratio:5.1f}x{goal}")
