"""The Graph backend on the local Graph (tests/support/graph_server.py, started here on 127.0.0.1 over HTTPS).

Sync of 5,000 mails through `GraphMailbox.poll` (delta pages, then each message's
MIME from `$value`, polled again while the backend says `more`), as a ratio to a
bare httpx fetch of the same messages' `$value` in the same run: one keep-alive
connection, the same TLS, a token got once. Both are sequential, so the ratio is
what the backend's own work costs: delta pages, token lookups, retries' bookkeeping.
The two alternate for `--rounds` rounds and the best of each is kept, as the machine
may be busy with other work.
"""

from __future__ import annotations

import argparse
import ssl
import time
from urllib.parse import quote

import httpx

from bench.sample_mail import notice
from bot.mailbox.base import Folder
from bot.mailbox.graph import GraphMailbox
from tests.support.graph_server import GraphServer
from tests.support.graph_world import ADDRESS, World, bot_mailbox


def bare_fetch(server: GraphServer, ids: list[str]) -> float:
    headers = {"Authorization": f"Bearer {server.issue_token()}"}
    base = f"{server.url}/v1.0/users/{quote(ADDRESS, safe='@')}/messages"
    with httpx.Client(verify=ssl.create_default_context(cafile=str(server.ca_file)), headers=headers) as client:
        start = time.perf_counter()
        for message_id in ids:
            client.get(f"{base}/{quote(message_id, safe='')}/$value").raise_for_status()
        return time.perf_counter() - start


def backend_sync(box: GraphMailbox) -> tuple[float, int, int]:
    """(seconds, messages, polls) to read the inbox from scratch."""
    box.poll(Folder.SENT, None)  # signs in and opens the connection, outside the timing
    position, more, count, polls = None, True, 0, 0
    start = time.perf_counter()
    while more:
        poll = box.poll(Folder.INBOX, position)
        position, more, count, polls = poll.position, poll.more, count + len(poll.messages), polls + 1
    return time.perf_counter() - start, count, polls


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench graph")
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    server = GraphServer().start()
    try:
        world = World(server)
        world.reset()
        ids = [world.deliver(Folder.INBOX, notice(n)) for n in range(args.count)]
        bare, backend, polls = float("inf"), float("inf"), 0
        for _ in range(args.rounds):
            bare = min(bare, bare_fetch(server, ids))
            box = bot_mailbox(server)
            seconds, count, polls = backend_sync(box)
            box.close()
            assert count == args.count, (count, args.count)
            backend = min(backend, seconds)
        delta_pages = sum(1 for method, target, _ in server.requests if method == "GET" and "/delta" in target)
        print(f"sync {args.count:,} mails (best of {args.rounds}): bare httpx $value {args.count / bare:6.0f}/s; "
              f"GraphMailbox.poll {args.count / backend:6.0f}/s in {polls} polls, "
              f"{delta_pages // args.rounds} delta pages (ratio {bare / backend:.2f}, goal >= 0.5)")
    finally:
        server.stop()
