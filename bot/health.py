"""The container's health check, cheap enough to run all day: `python -m bot.health [FILE]`.

`cassbot run` rewrites the health file (`service.health_file`, state/health.json by default)
every HEALTH_TICK_SECONDS with what `cassbot status --json` would print and how long that
stays true. The check reads it with the standard library alone: exit 0 when the service is
healthy and the file is fresh, 1 when it is not healthy or has stopped writing it (a hung or
dead service), each with one line saying why. `cassbot status` is the full view.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

HEALTH_TICK_SECONDS = 30
DEFAULT_FILE = "state/health.json"


def write(path: Path, status: dict[str, object], now: datetime) -> None:
    """Replace the health file at once (a reader never sees half of it), readable by the service user only."""
    fresh_until = now + timedelta(seconds=3 * HEALTH_TICK_SECONDS)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600, a unique name
    try:
        with os.fdopen(handle, "w") as out:
            out.write(json.dumps({"fresh_until": fresh_until.isoformat(), "status": status}))
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def check(path: Path, now: datetime) -> tuple[bool, str]:
    """Whether the service is healthy by its own last word, and why not."""
    try:
        written = json.loads(path.read_text())
        fresh_until = datetime.fromisoformat(written["fresh_until"])
        healthy = bool(written["status"]["healthy"])
        stale = now > fresh_until
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return False, f"no usable health file at {path} ({type(exc).__name__}): is `cassbot run` running?"
    if stale:
        return False, f"the service last wrote {path} before {fresh_until:%Y-%m-%d %H:%M:%S}: hung or stopped"
    if not healthy:
        boxes = written["status"].get("mailboxes") or {}
        problems = [f"{role}: {box.get('problem')}" for role, box in boxes.items() if isinstance(box, dict)
                    and box.get("problem")]
        return False, "not healthy: " + "; ".join(problems)
    return True, "healthy"


USAGE = """usage: python -m bot.health [FILE]

The container's health check: reads the health file `cassbot run` keeps (FILE, default
state/health.json in the current directory; give service.health_file when it is elsewhere).
Exit 0 healthy; 1 not healthy, or the file missing or not rewritten for 90 seconds."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    healthy, why = check(Path(args[0] if args else DEFAULT_FILE), datetime.now(UTC))
    print(f"cassbot: {why}", file=sys.stdout if healthy else sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    raise SystemExit(main())
