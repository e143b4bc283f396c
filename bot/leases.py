"""Leases that let several bot instances share one store (PostgreSQL) safely.

A mailbox is polled by one instance at a time: the poller holds a PostgreSQL
session-level advisory lock named after the mailbox. If that instance dies, its
connection closes, the database releases the lock, and another instance takes
the mailbox over at its next poll (within `service.poll_seconds`). No file locks:
instances need share nothing but the database. On SQLite (one instance) the lease
is always granted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text


def _key(name: str) -> int:
    """A stable signed 64-bit lock id for a name (PostgreSQL advisory lock keys are bigint)."""
    return int.from_bytes(hashlib.sha256(f"cassbot:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def lease(engine: Engine, name: str) -> Iterator[bool]:
    """Yields True when this instance holds `name` for the duration, False when another does."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        held = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _key(name)}).scalar())
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _key(name)})
