"""Leases that let several bot instances share one store (PostgreSQL) safely.

A mailbox is polled by one instance at a time: the poller holds a PostgreSQL
session-level advisory lock named after the mailbox. If that instance dies, its
connection closes, the database releases the lock, and another instance takes
the mailbox over at its next poll (within `service.poll_seconds`). No file locks:
instances need share nothing but the database. On SQLite (one instance) the lease
is always granted, and `single_run` keeps a second `cassbot run` (a cron entry firing
while the last run is still going) off the store instead: an exclusive lock on a file
beside the database, which the kernel drops when the process ends, however it ends.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

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


@contextmanager
def single_run(engine: Engine, wait_seconds: float = 0.0,
               waiting: Callable[[str], None] = lambda holder: None) -> Iterator[str | None]:
    """On a SQLite store, hold `<database>.lock` for the duration: yields None when held, else who holds it.

    A run that finds the lock held waits for it up to `wait_seconds` (calling `waiting` once, with the
    holder), then gives up. flock(2) locks belong to the open file: a run killed with SIGKILL leaves
    no lock behind. PostgreSQL stores need none (each mailbox has its lease) and always get None.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield None
        return
    path = Path(database).with_name(Path(database).name + ".lock")
    with open(path, "a+", encoding="utf-8") as handle:
        holder = _lock(handle, time.monotonic() + wait_seconds, waiting)
        if holder is not None:
            yield holder
            return
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield None
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock(handle: IO[str], deadline: float, waiting: Callable[[str], None]) -> str | None:
    """None once the lock is this process's; who holds it when the deadline passes first."""
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return None
        except BlockingIOError:
            handle.seek(0)
            holder = f"process {handle.read().strip() or 'unknown'}"
        if time.monotonic() >= deadline:
            return holder
        if not told:
            waiting(holder)
            told = True
        time.sleep(0.2)
