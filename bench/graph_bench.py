"""The Graph backend on the local Graph (tests/support/graph_server.py, started here on 127.0.0.1 over HTTPS).

Sync of 5,000 mails through `GraphMailbox.poll` (delta pages, then each message's
MIME from `$value`, polled again while the backend says `more`), as a ratio to a
bare httpx fetch of the same messages' `$value` in the same run: one keep-alive
connection, the same TLS, a token got once. Both are sequential, so the ratio is
what the backend's own work costs: delta pages, token lookups, retries' bookkeeping.
The two alternate for `--rounds` rounds and the best of each is kept, as the machine
may be busy with other work.

Then what Exchange Online counts against its limit of 10,000 requests per 10 minutes
per app and mailbox (learn.microsoft.com/graph/throttling-limits): the requests a poll
makes per new mail (goal: one GET each, and a delta page), per mail a person read or
flagged (goal: none), and to recover a lost sync of a `--folder` (10,000) message folder
with `--new` mails since the last one received (goal: at most 2 per new mail), against
reading the folder again from its beginning, which is what the bot did before.
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


def _requests(server: GraphServer) -> int:
    return sum(1 for _, target, _ in server.requests if "/v1.0/" in target)


def _caught_up(box: GraphMailbox) -> str | None:
    position, more = None, True
    while more:
        poll = box.poll(Folder.INBOX, position)
        position, more = poll.position, poll.more
    return position


def request_costs(folder: int, new: int) -> None:
    """Requests per new mail, per updated mail, and per new mail in a lost sync, on a folder of `folder` mails."""
    server = GraphServer().start()
    try:
        state = server.mailbox(ADDRESS)
        for n in range(folder):
            state.deliver("inbox", notice(n), received=f"2026-01-{1 + n // 1000 % 28:02d}T{n // 60 % 24:02d}:"
                                                       f"{n % 60:02d}:00Z")
        box = bot_mailbox(server)
        position = _caught_up(box)
        fresh = [state.deliver("inbox", notice(folder + n), received=f"2026-02-01T09:00:{n % 60:02d}Z")
                 for n in range(new)]
        before = _requests(server)
        position = box.poll(Folder.INBOX, position).position
        per_new = (_requests(server) - before) / new
        with server.lock:
            for key in fresh:  # Outlook: read and flagged by a person
                state.update(state.message(key), {"isRead": True, "flag": {"flagStatus": "flagged"}})
        before = _requests(server)
        position = box.poll(Folder.INBOX, position).position
        per_updated = (_requests(server) - before - 1) / new  # less the one delta page any poll makes
        again = [state.deliver("inbox", notice(2 * folder + n), received=f"2026-02-02T09:00:{n % 60:02d}Z")
                 for n in range(new)]
        server.expire_delta_links("404")
        before = _requests(server)
        recovered = box.poll(Folder.INBOX, position)
        lost = _requests(server) - before
        assert {m.key for m in recovered.messages} >= set(again), "the lost sync missed new mail"
        before = _requests(server)
        _caught_up(box)  # the folder from its beginning: the recovery before this release
        from_scratch = _requests(server) - before
        box.close()
    finally:
        server.stop()
    print(f"requests per new mail: {per_new:.2f} (goal 1 GET each, plus one delta page a poll); per mail a person "
          f"read or flagged: {per_updated:.2f} (goal 0)")
    print(f"lost sync (404 syncStateNotFound) of a {folder:,}-mail folder with {new} new: {lost} requests, "
          f"{lost / new:.2f} per new mail (goal <= 2); read again from its beginning: {from_scratch:,} requests "
          f"(ratio {from_scratch / max(lost, 1):.0f}x)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench graph")
    parser.add_argument("--count", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", type=int, default=10_000, help="mails in the folder whose sync is lost")
    parser.add_argument("--new", type=int, default=20, help="mails new since the last one received")
    args = parser.parse_args(argv)
    request_costs(args.folder, args.new)
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
