"""How every backend rides out a lost connection: retries with exponential, capped, jittered
back-off, logged once when an outage starts and once when it ends, not once per try."""

from __future__ import annotations

import random
from collections.abc import Callable
from logging import Logger
from typing import TypeVar

from bot.errors import MailboxError

T = TypeVar("T")
MAX_DELAY = 60.0


def backoff_delay(failures: int, base: float) -> float:
    """Seconds to wait after the `failures`-th failure in a row: base, 2x, 4x... up to a minute,
    times a random 0.5-1.0 so instances that lost the server together do not return together."""
    return float(min(MAX_DELAY, base * 2.0 ** (failures - 1)) * random.uniform(0.5, 1.0))


def retrying(
    work: Callable[[], T], *, log: Logger, role: str, server: str, transient: tuple[type[BaseException], ...],
    max_attempts: int, base_delay: float, sleep: Callable[[float], None],
    on_failure: Callable[[], None] = lambda: None, failed: str = "request failed",
) -> T:
    """Run `work`, again after each `transient` failure, `max_attempts` times in all; then MailboxError.

    `on_failure` runs after each such failure (an IMAP backend drops its broken
    connection there). Any other exception goes straight to the caller. The lines go
    to the backend's own `log`.
    """
    failures = 0
    while True:
        try:
            result = work()
        except transient as exc:
            failures += 1
            on_failure()
            if failures >= max_attempts:
                raise MailboxError(f"{role}: {server} unreachable after {failures} tries: {exc}") from exc
            if failures == 1:  # once per outage, not once per try
                log.warning("%s: %s %s (%s); retrying with back-off", role, server, failed, exc)
            sleep(backoff_delay(failures, base_delay))
            continue
        if failures:
            log.info("%s: %s answering again after %d tries", role, server, failures + 1)
        return result
