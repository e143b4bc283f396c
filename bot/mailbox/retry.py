"""The back-off every backend uses after a lost connection: exponential, capped, with jitter."""

from __future__ import annotations

import random

MAX_DELAY = 60.0


def backoff_delay(failures: int, base: float) -> float:
    """Seconds to wait after the `failures`-th failure in a row: base, 2x, 4x... up to a minute,
    times a random 0.5-1.0 so instances that lost the server together do not return together."""
    return float(min(MAX_DELAY, base * 2.0 ** (failures - 1)) * random.uniform(0.5, 1.0))
