"""The IMAP backend on a real Dovecot (started here on 127.0.0.1, stopped at the end).

1. A poll with nothing new, on a 100- and a 20,000-message mailbox: IMAP commands
   and time per poll; the ratio must stay near 1.
2. Ingest of 5,000 mails: the backend's poll, and the whole bot (poll, parse,
   classify, store, drafts), each as a ratio to a bare imapclient
   FETCH BODY.PEEK[] of the same mails in the same run.
3. IDLE latency: from a second connection's APPEND of a request to its draft being
   in Drafts, with the bot waiting in IDLE: median and 95th percentile of 20.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench.sample_mail import notice
from bot.config import load_settings
from bot.mailbox.base import Folder
from bot.mailbox.imap import ImapMailbox
from bot.pipeline import Deps, run_once
from bot.store import make_engine, migrate, utcnow
from tests.support.dovecot import USERS, Dovecot
from tests.support.imap_world import World, bot_mailbox
from tests.support.journey import imap_settings_for

DEMO = Path(__file__).resolve().parent.parent / "demo" / "mail"


class CommandCounter(logging.Handler):
    """Counts the IMAP commands imapclient logs (its own protocol log, at DEBUG)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += record.getMessage().startswith(">")


def seed(world: World, count: int) -> None:
    with world.client() as client:
        for start in range(0, count, 500):
            client.multiappend("INBOX", [notice(n) for n in range(start, min(count, start + 500))])


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def noop_polls(server: Dovecot, sizes: tuple[int, int]) -> None:
    counter = CommandCounter()
    imap_log = logging.getLogger("imapclient.imaplib")
    imap_log.addHandler(counter)
    imap_log.setLevel(logging.DEBUG)
    results = {}
    for size in sizes:
        world = World(server, "cass")
        world.reset()
        seed(world, size)
        box = bot_mailbox(server, "cass", "cass@childrenstrust.example")
        position, more = None, True
        while more:  # catch up first: a poll reads at most POLL_LIMIT messages
            poll = box.poll(Folder.INBOX, position)
            position, more = poll.position, poll.more
        counter.count = 0
        start = time.perf_counter()
        for _ in range(50):
            box.poll(Folder.INBOX, position)
        elapsed = (time.perf_counter() - start) / 50
        results[size] = (counter.count / 50, elapsed)
        print(f"no-op poll, {size:>6,} messages: {counter.count / 50:.0f} IMAP command(s), {elapsed * 1e3:.2f} ms")
        box.close()
    imap_log.removeHandler(counter)
    small, large = sizes
    print(f"ratio {large:,} / {small:,}: commands {results[large][0] / results[small][0]:.2f}, "
          f"time {results[large][1] / results[small][1]:.2f} (goal: near 1)")


def ingest(server: Dovecot, count: int) -> None:
    world = World(server, "cass")
    world.reset()
    seed(world, count)
    with world.client() as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        bare = timed(lambda: [client.fetch(uids[i:i + 200], [b"BODY.PEEK[]"]) for i in range(0, len(uids), 200)])
    box = bot_mailbox(server, "cass", "cass@childrenstrust.example")
    backend = timed(lambda: read_all(box))
    box.close()
    settings = imap_settings_for(load_settings(), server)
    root = Path(tempfile.mkdtemp(prefix="cassbot-bench-"))
    engine = make_engine(f"sqlite:///{root / 'cassbot.sqlite3'}")
    migrate(engine)
    mailboxes = {"cass": bot_mailbox(server, "cass", "cass@childrenstrust.example")}
    whole = timed(lambda: run_once(Deps(settings, engine, dict(mailboxes), utcnow)))
    print(f"ingest {count:,} mails: bare FETCH {count / bare:7.0f}/s; backend poll {count / backend:7.0f}/s "
          f"(ratio {bare / backend:.2f}, goal >= 0.5); whole bot {count / whole:6.0f}/s (ratio {bare / whole:.3f})")


def read_all(box: ImapMailbox) -> int:
    position, more, count = None, True, 0
    while more:
        poll = box.poll(Folder.INBOX, position)
        position, more, count = poll.position, poll.more, count + len(poll.messages)
    return count


def idle_latency(server: Dovecot, rounds: int) -> None:
    for role in ("cass", "af", "lado"):
        World(server, role).reset()
    settings = imap_settings_for(load_settings(), server)
    root = Path(tempfile.mkdtemp(prefix="cassbot-bench-"))
    engine = make_engine(f"sqlite:///{root / 'cassbot.sqlite3'}")
    migrate(engine)
    cass = bot_mailbox(server, "cass", "cass@childrenstrust.example")
    deps = Deps(settings, engine, {"cass": cass}, utcnow)
    stop = threading.Event()

    def bot() -> None:
        while not stop.is_set():
            run_once(deps)
            cass.wait_for_mail(Folder.INBOX, timeout=1.0)

    thread = threading.Thread(target=bot, daemon=True)
    thread.start()
    world = World(server, "cass")
    request = (DEMO / "01-ola-request.eml").read_bytes()
    latencies = []
    with world.client() as watcher:
        for n in range(rounds):
            raw = request.replace(b"Message-ID: <", f"Message-ID: <idle{n}.".encode(), 1)
            watcher.select_folder("Drafts", readonly=True)
            before = len(watcher.search(["ALL"]))
            start = time.perf_counter()
            world.deliver(Folder.INBOX, raw)
            while len(watcher.search(["ALL"])) == before:
                watcher.noop()
                time.sleep(0.005)
            latencies.append(time.perf_counter() - start)
    stop.set()
    thread.join(timeout=10)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    print(f"IDLE latency, APPEND to draft in Drafts, {rounds} requests: median {statistics.median(latencies):.3f} s, "
          f"95th percentile {p95:.3f} s (goal: median under 1 s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench imap")
    parser.add_argument("--sizes", type=int, nargs=2, default=(100, 20_000))
    parser.add_argument("--ingest", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    server = Dovecot()
    server.start()
    for role, secret in USERS.items():
        os.environ[f"CASSBOT_TEST_{role.upper()}_PASSWORD"] = secret
    try:
        noop_polls(server, tuple(args.sizes))
        ingest(server, args.ingest)
        idle_latency(server, args.rounds)
    finally:
        server.remove()

