"""The EWS backend against the local EWS SOAP server (tests/support/ews_server.py, started here on 127.0.0.1).

Sync of 5,000 mails: EwsMailbox.poll from no position until nothing more, as a
ratio to exchangelib's bare `inbox.all().only("mime_content")` (FindItem for the
ids, GetItem for the bodies) of the same mails in the same run. Each is timed
`--rounds` times, alternately, and the best time of each is kept. Then the time of
a poll with nothing new, once caught up, and the requests a poll makes per new mail,
per mail a person read, and to recover a lost sync state of a `--folder` (10,000)
mail folder with `--new` mails since the last one received (goal: at most 2 per new
mail), against reading the folder again from its beginning (what the bot did before).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from exchangelib import DELEGATE, NTLM, Account, Configuration, Credentials, FaultTolerance
from exchangelib import UTC as EWS_UTC

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
    account = Account(ADDRESS, config=config, autodiscover=False, access_type=DELEGATE, default_timezone=EWS_UTC)
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


def _caught_up(box: EwsMailbox, position: str | None = None) -> str | None:
    more = True
    while more:
        poll = box.poll(Folder.INBOX, position)
        position, more = poll.position, poll.more
    return position


def request_costs(folder: int, new: int) -> None:
    server = start_server(ADDRESS)
    try:
        world = World(server, ADDRESS)
        for n in range(folder):
            server.deliver(ADDRESS, "inbox", notice(n), when=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n))
        box = bot_mailbox(server, ADDRESS)
        position = _caught_up(box)
        later = datetime(2026, 3, 1, tzinfo=UTC)
        fresh = [server.deliver(ADDRESS, "inbox", notice(folder + n), when=later) for n in range(new)]
        before = server.requests.total()
        position = box.poll(Folder.INBOX, position).position
        per_new = (server.requests.total() - before) / new
        with server.lock:
            for key in fresh:  # read by a person in Outlook
                world.item(key).is_read = True
                server._record(server.folders[world.item(key).folder], "Update", key)
        before = server.requests.total()
        position = box.poll(Folder.INBOX, position).position
        per_updated = (server.requests.total() - before - 1) / new
        again = [server.deliver(ADDRESS, "inbox", notice(2 * folder + n), when=later + timedelta(days=1))
                 for n in range(new)]
        server.expire_sync_states()
        before = server.requests.total()
        recovered = box.poll(Folder.INBOX, position)
        lost = server.requests.total() - before
        assert {m.key for m in recovered.messages} >= set(again), "the lost sync missed new mail"
        before = server.requests.total()
        _caught_up(box, None)  # the folder from its beginning: the recovery before this release
        from_scratch = server.requests.total() - before
        box.close()
    finally:
        server.stop()
    print(f"requests per new mail: {per_new:.2f} (one SyncFolderItems a poll, one GetItem per 100 new); per mail a "
          f"person read: {per_updated:.2f} (goal 0)")
    print(f"lost sync state (ErrorInvalidSyncStateData) of a {folder:,}-mail folder with {new} new: {lost} requests, "
          f"{lost / new:.2f} per new mail (goal <= 2); read again from its beginning: {from_scratch:,} requests "
          f"(ratio {from_scratch / max(lost, 1):.1f}x, and {folder:,} MIME bodies against {new + 1})")


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
    parser.add_argument("--folder", type=int, default=10_000, help="mails in the folder whose sync state is lost")
    parser.add_argument("--new", type=int, default=20, help="mails new since the last one received")
    args = parser.parse_args(argv)
    request_costs(args.folder, args.new)
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
