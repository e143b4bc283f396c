"""The EWS backend against the local EWS SOAP server (tests/support/ews_server.py, started here on 127.0.0.1).

Sync of 5,000 mails: EwsMailbox.poll from no position until nothing more, as a
ratio to exchangelib's bare `inbox.all().only("mime_content")` (FindItem for the
ids, GetItem for the bodies) of the same mails in the same run. Each is timed
`--rounds` times, alternately, and the best time of each is kept. Then the time of
a poll with nothing new, once caught up.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from exchangelib import DELEGATE, NTLM, UTC, Account, Configuration, Credentials, FaultTolerance

from bench.sample_mail import notice
from bot.mailbox.base import Folder
from bot.mailbox.ews import EwsMailbox, exchange_version
from tests.support.ews_server import EwsServer
from tests.support.ews_world import DOMAIN, PASSWORD, USER, World, bot_mailbox, start_server

ADDRESS = "cass@childrenstrust.example"


def bare_fetch(server: EwsServer) -> int:
    """exchangelib on its own: every mail's MIME, as a script would read it."""
    config = Configuration(service_endpoint=server.endpoint, credentials=Credentials(f"{DOMAIN}\\{USER}", PASSWORD),
                           auth_type=NTLM, version=exchange_version("Exchange2016"),
                           retry_policy=FaultTolerance(max_wait=60))
    account = Account(ADDRESS, config=config, autodiscover=False, access_type=DELEGATE, default_timezone=UTC)
    try:
        return sum(1 for item in account.inbox.all().only("mime_content") if item.mime_content)
    finally:
        account.protocol.close()


def backend_sync(server: EwsServer) -> int:
    """The bot's backend: SyncFolderItems pages and GetItem, poll after poll."""
    box: EwsMailbox = bot_mailbox(server, ADDRESS)
    position, more, count = None, True, 0
    try:
        while more:
            poll = box.poll(Folder.INBOX, position)
            position, more, count = poll.position, poll.more, count + len(poll.messages)
    finally:
        box.close()
    return count


def noop_poll_ms(server: EwsServer, polls: int = 50) -> float:
    """A poll with nothing new, once caught up: one SyncFolderItems round trip."""
    box = bot_mailbox(server, ADDRESS)
    try:
        position, more = None, True
        while more:
            poll = box.poll(Folder.INBOX, position)
            position, more = poll.position, poll.more
        start = time.perf_counter()
        for _ in range(polls):
            box.poll(Folder.INBOX, position)
        return (time.perf_counter() - start) / polls * 1000
    finally:
        box.close()


def timed(work: Callable[[], int], expected: int) -> float:
    start = time.perf_counter()
    got = work()
    elapsed = time.perf_counter() - start
    if got != expected:
        raise SystemExit(f"read {got} mails, not {expected}")
    return elapsed


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench ews")
    parser.add_argument("--mails", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    server = start_server(ADDRESS)
    try:
        World(server, ADDRESS).deliver_many(Folder.INBOX, [notice(n) for n in range(args.mails)])
        bare_times, backend_times = [], []
        for _ in range(args.rounds):  # alternately, so both see the same machine
            bare_times.append(timed(lambda: bare_fetch(server), args.mails))
            backend_times.append(timed(lambda: backend_sync(server), args.mails))
        requests = dict(server.requests)
        noop = noop_poll_ms(server)
    finally:
        server.stop()
    bare, backend = args.mails / min(bare_times), args.mails / min(backend_times)
    print(f"sync {args.mails:,} mails (best of {args.rounds}): bare exchangelib FindItem+GetItem {bare:7.0f}/s; "
          f"EwsMailbox.poll {backend:7.0f}/s (ratio {backend / bare:.2f}, goal >= 0.5)")
    print(f"requests over all rounds: {requests}")
    print(f"no-op poll once caught up: {noop:.1f} ms (one SyncFolderItems, no GetItem)")
