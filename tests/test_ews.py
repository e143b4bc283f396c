"""The EWS backend through exchangelib, against a local EWS SOAP server: the contract, then Exchange's ways.

Nothing in exchangelib is patched: the bot's requests cross a real HTTP connection
to `tests.support.ews_server`, which answers in the published EWS schema and fails on cue
(throttling, server errors, a dropped connection, a refused login).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import ConfigError, MailboxAuthError, MailboxError
from bot.mailbox import ews
from bot.mailbox.base import Folder
from bot.mailbox.ews import EwsMailbox
from bot.pipeline import Deps, run_once
from bot.store import make_engine, migrate
from tests.support.ews_server import EwsServer
from tests.support.ews_world import PASSWORD, USER, World, bot_mailbox, ews_settings, start_server
from tests.support.mail import build_mail

ADDRESS = "cass@childrenstrust.example"
DEMO = Path(__file__).resolve().parent.parent / "demo" / "mail"


# -- one server per test, for counting requests and injecting faults --

@pytest.fixture
def server() -> Iterator[EwsServer]:
    server = start_server(ADDRESS)
    yield server
    server.stop()


@pytest.fixture
def world(server: EwsServer) -> World:
    return World(server, ADDRESS)


@pytest.fixture
def box(server: EwsServer) -> Iterator[EwsMailbox]:
    box = bot_mailbox(server, ADDRESS)
    yield box
    box.close()


def _mail(n: int, subject: str = "Team notice") -> bytes:
    return build_mail(f"{subject} {n}", to=ADDRESS, message_id=f"<notice-{n}@childrenstrust.example>", date=None,
                      crlf=True)


def _keys(box: EwsMailbox, folder: Folder = Folder.INBOX, position: str | None = None) -> list[str]:
    return sorted(m.key for m in box.poll(folder, position).messages)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_bot_runs_on_ews_end_to_end(settings: Settings, tmp_path: Path) -> None:
    """The demo mail through the whole pipeline on EWS: drafts with the category, nothing read, nothing twice."""
    address = settings.mailbox("cass").address
    server = start_server(address)
    world = World(server, address)
    for path in sorted(DEMO.glob("*.eml")):
        world.deliver(Folder.INBOX, path.read_bytes())
    engine = make_engine(f"sqlite:///{tmp_path / 'cassbot.sqlite3'}")
    migrate(engine)
    box = bot_mailbox(server, address)
    try:
        first = run_once(Deps(settings, engine, {"cass": box}, lambda: datetime(2026, 11, 16, 10, 0, tzinfo=UTC)))
        again = run_once(Deps(settings, engine, {"cass": box}, lambda: datetime(2026, 11, 16, 10, 5, tzinfo=UTC)))
    finally:
        box.close()
        server.stop()

    drafts = world.items(Folder.DRAFTS)
    assert not first.failed and first.drafts_saved == len(drafts) > 0
    assert all(d.is_draft and d.categories == ("cassbot: awaiting approval",) for d in drafts)
    assert not any(i.is_read for f in (Folder.INBOX, Folder.INFORMATION_REQUESTS) for i in world.items(f))
    assert (again.outcomes, again.drafts_saved) == ([], 0)


def test_polling_reads_bodies_with_get_item_and_never_marks_mail_read(
    server: EwsServer, world: World, box: EwsMailbox
) -> None:
    raws = [_mail(n) for n in range(3)]
    keys = world.deliver_many(Folder.INBOX, raws)

    polled = box.poll(Folder.INBOX, None).messages

    assert {m.key: m.raw for m in polled} == dict(zip(keys, raws, strict=True))
    assert not any(world.item(key).is_read for key in keys)
    assert set(server.operations) <= {"GetFolder", "SyncFolderItems", "GetItem"}  # no UpdateItem, ever


def test_the_position_means_the_next_poll_sees_only_new_mail(server: EwsServer, world: World, box: EwsMailbox) -> None:
    world.deliver_many(Folder.INBOX, [_mail(1), _mail(2)])
    first = box.poll(Folder.INBOX, None)
    new = world.deliver(Folder.INBOX, _mail(3))

    second = box.poll(Folder.INBOX, first.position)
    before = server.operations.copy()
    third = box.poll(Folder.INBOX, second.position)

    assert [m.key for m in second.messages] == [new]
    assert (third.messages, third.position) == ([], second.position)
    assert server.operations - before == {"SyncFolderItems": 1}  # nothing new: one request, no GetItem


def test_a_big_folder_comes_in_bounded_polls(world: World, box: EwsMailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ews, "SYNC_PAGE", 40)
    monkeypatch.setattr(ews, "POLL_LIMIT", 100)
    keys = world.deliver_many(Folder.INBOX, [_mail(n) for n in range(250)])

    polls, seen, position, more = [], [], None, True
    while more:
        poll = box.poll(Folder.INBOX, position)
        polls.append(len(poll.messages))
        seen += [m.key for m in poll.messages]
        position, more = poll.position, poll.more

    assert polls == [120, 120, 10]  # whole SyncFolderItems pages, stopping once past POLL_LIMIT
    assert sorted(seen) == sorted(keys)


def test_drafts_are_saved_once_with_the_category(server: EwsServer, world: World, box: EwsMailbox) -> None:
    key = box.save_draft(_mail(1, "Re: Child A"), "<notice-1@childrenstrust.example>")
    again = box.save_draft(_mail(1, "Re: Child A, rendered again"), " <notice-1@childrenstrust.example>\n")

    draft = world.item(key)
    assert again == key and server.operations["CreateItem"] == 1
    assert draft.categories == (ews_settings(server).category,) and draft.is_draft and not draft.is_read
    assert [i.id for i in world.items(Folder.DRAFTS)] == [key]


def test_message_ids_differing_in_case_are_different_drafts(world: World, box: EwsMailbox) -> None:
    """Exchange matches the InternetMessageId restriction without regard to case; Message-IDs are case-sensitive."""
    lower = box.save_draft(_mail(1).replace(b"notice-1", b"draft-a"), "<draft-a@childrenstrust.example>")
    upper = box.save_draft(_mail(1).replace(b"notice-1", b"DRAFT-A"), "<DRAFT-A@childrenstrust.example>")

    assert lower != upper
    assert box.draft_ids() == {"<draft-a@childrenstrust.example>", "<DRAFT-A@childrenstrust.example>"}


def test_filing_makes_information_requests_beside_the_inbox_once(
    server: EwsServer, world: World, box: EwsMailbox
) -> None:
    world.deliver_many(Folder.INBOX, [_mail(1), _mail(2)])

    for stored in box.poll(Folder.INBOX, None).messages:
        box.file_into(Folder.INFORMATION_REQUESTS, stored)

    filed = server.folder(ADDRESS, "Information Requests")
    top = server.folder(ADDRESS, "msgfolderroot")
    assert filed is not None and top is not None and filed.parent == top.id
    assert server.operations["CreateFolder"] == 1
    assert [i.is_read for i in world.items(Folder.INFORMATION_REQUESTS)] == [False, False]  # still unread


def test_flagging_sets_the_follow_up_flag_and_high_importance_once(
    server: EwsServer, world: World, box: EwsMailbox
) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    [stored] = box.poll(Folder.INBOX, None).messages

    box.flag(stored)
    box.flag(stored)  # already flagged: looked at, not changed again

    assert world.marks(Folder.INBOX, key) == {"flagged", "high importance", "in to-do"}  # Outlook's whole flag
    assert server.operations["UpdateItem"] == 1
    values = {uri: value for uri, (_, value) in world.item(key).properties.items()}
    assert (values["ext:Common/0x8530"], values["ext:0x1095"], values["ext:Common/0x85a4"]) == (
        "Follow up", "6", "Team notice 1")  # PidLidFlagRequest, PidTagFollowupIcon (red), PidLidToDoTitle


def test_a_mail_flagged_by_an_older_release_gets_the_rest_of_the_flag(
    server: EwsServer, world: World, box: EwsMailbox
) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    [stored] = box.poll(Folder.INBOX, None).messages
    with server.lock:  # PidTagFlagStatus and Importance alone, as the bot set them before
        world.item(key).properties["ext:0x1090"] = ({"PropertyTag": "0x1090", "PropertyType": "Integer"}, "2")
        world.item(key).importance = "High"

    box.flag(stored)

    assert world.marks(Folder.INBOX, key) == {"flagged", "high importance", "in to-do"}


def test_an_information_requests_folder_deleted_by_someone_is_made_again(
    server: EwsServer, world: World, box: EwsMailbox
) -> None:
    world.deliver_many(Folder.INBOX, [_mail(1), _mail(2)])
    first, second = box.poll(Folder.INBOX, None).messages
    box.file_into(Folder.INFORMATION_REQUESTS, first)
    server.remove_folder(ADDRESS, "Information Requests")

    with pytest.raises(MailboxError, match="destination folder does not exist"):
        box.file_into(Folder.INFORMATION_REQUESTS, second)
    box.file_into(Folder.INFORMATION_REQUESTS, second)

    assert [i.mime for i in world.items(Folder.INFORMATION_REQUESTS)] == [second.raw]


def test_throttling_is_waited_out_once_nothing_lost_or_doubled(
    server: EwsServer, world: World, box: EwsMailbox, caplog: pytest.LogCaptureFixture
) -> None:
    keys = world.deliver_many(Folder.INBOX, [_mail(n) for n in range(3)])
    server.fail("GetItem", "busy", back_off_ms=300)

    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        polled = box.poll(Folder.INBOX, None).messages

    assert sorted(m.key for m in polled) == sorted(keys)
    assert time.monotonic() - started >= 0.3  # BackOffMilliseconds honoured
    assert (server.requests["GetItem"], server.operations["GetItem"]) == (2, 1)
    assert len(_warnings(caplog)) == 1 and "back off" in _warnings(caplog)[0]


def test_throttling_longer_than_max_wait_fails_the_poll_without_waiting(server: EwsServer, world: World) -> None:
    world.deliver(Folder.INBOX, _mail(1))
    box = bot_mailbox(server, ADDRESS, settings=ews_settings(server, max_wait_seconds=1))
    server.fail("SyncFolderItems", "busy", back_off_ms=60_000)

    started = time.monotonic()
    with pytest.raises(MailboxError, match="throttling .* longer than max_wait_seconds"):
        box.poll(Folder.INBOX, None)

    assert time.monotonic() - started < 1
    box.close()


def test_a_server_busy_again_and_again_is_waited_out_no_longer_than_max_wait_in_all(
    server: EwsServer, world: World
) -> None:
    world.deliver(Folder.INBOX, _mail(1))
    box = bot_mailbox(server, ADDRESS, settings=ews_settings(server, max_wait_seconds=1))
    server.fail("SyncFolderItems", "busy", back_off_ms=300, times=40)  # each wait short, 12 s in all

    started = time.monotonic()
    with pytest.raises(MailboxError, match="throttling .* longer than max_wait_seconds"):
        box.poll(Folder.INBOX, None)

    assert time.monotonic() - started < 2  # one deadline for the poll, not one per back-off
    server.faults.clear()
    assert len(box.poll(Folder.INBOX, None).messages) == 1  # and the next poll has a deadline of its own
    box.close()


@pytest.mark.parametrize("kind", ["internal", "http500", "drop"])
@pytest.mark.parametrize(("operation", "skip"), [("SyncFolderItems", 1), ("GetItem", 1)])
def test_a_failure_mid_sync_is_retried_nothing_lost_or_doubled(
    server: EwsServer, world: World, box: EwsMailbox, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch, kind: str, operation: str, skip: int,
) -> None:
    monkeypatch.setattr(ews, "SYNC_PAGE", 3)
    monkeypatch.setattr(ews, "FETCH_BATCH", 2)
    keys = world.deliver_many(Folder.INBOX, [_mail(n) for n in range(7)])
    server.fail(operation, kind, skip=skip)  # the second page of the sync, or the second GetItem

    with caplog.at_level(logging.INFO, logger="bot.mailbox.ews"):
        polled = box.poll(Folder.INBOX, None).messages

    assert sorted(m.key for m in polled) == sorted(keys) and not server.faults
    warnings = _warnings(caplog)
    assert len(warnings) == 1 and "retrying with back-off" in warnings[0]  # one line per outage
    assert "answering again" in caplog.records[-1].getMessage()


def test_an_outage_longer_than_the_retries_fails_and_the_next_poll_loses_nothing(
    server: EwsServer, world: World, box: EwsMailbox
) -> None:
    world.deliver(Folder.INBOX, _mail(1))
    position = box.poll(Folder.INBOX, None).position
    new = world.deliver_many(Folder.INBOX, [_mail(2), _mail(3)])
    server.fail("GetItem", "drop", times=4)

    with pytest.raises(MailboxError, match="unreachable after 4 tries") as raised:
        box.poll(Folder.INBOX, position)

    assert raised.value.__cause__ is not None
    assert _keys(box, position=position) == sorted(new)


def test_a_wrong_password_is_refused_at_once_without_retrying(server: EwsServer) -> None:
    box = bot_mailbox(server, ADDRESS, password="wrong", settings=ews_settings(server, max_wait_seconds=300))

    started = time.monotonic()
    with pytest.raises(MailboxAuthError, match=f"cass: .*{ADDRESS}"):
        box.poll(Folder.INBOX, None)

    assert time.monotonic() - started < 1
    assert server.refused == 1  # one failed login, not a run of them that locks the account
    box.close()


def test_a_password_changed_while_running_is_refused(server: EwsServer, box: EwsMailbox) -> None:
    box.poll(Folder.INBOX, None)
    server.fail(None, "401")  # the connection's sign-in is no longer good: NTLM signs in again, and fails
    server.change_password(USER, "a new password")
    try:
        with pytest.raises(MailboxAuthError):
            box.draft_ids()
    finally:
        server.change_password(USER, PASSWORD)


def test_ntlm_the_shipped_default_signs_in_and_basic_is_refused_where_iis_has_it_off(
    server: EwsServer, world: World
) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    ntlm = bot_mailbox(server, ADDRESS)  # auth = "ntlm", as config/cassbot.toml ships it
    basic = bot_mailbox(server, ADDRESS, settings=ews_settings(server, auth="basic", username=USER))
    try:
        assert [m.key for m in ntlm.poll(Folder.INBOX, None).messages] == [key]
        with pytest.raises(MailboxAuthError):
            basic.poll(Folder.INBOX, None)
        with pytest.raises(MailboxAuthError):
            bot_mailbox(server, ADDRESS, password="wrong").poll(Folder.INBOX, None)
    finally:
        ntlm.close()
        basic.close()


def test_basic_signs_in_where_the_virtual_directory_has_it_on() -> None:
    server = EwsServer({USER: PASSWORD}, auth=("basic",)).start()
    server.add_mailbox(ADDRESS)
    box = bot_mailbox(server, ADDRESS, settings=ews_settings(server, auth="basic", username=USER))
    try:
        assert box.poll(Folder.INBOX, None).messages == []
        with pytest.raises(MailboxAuthError):
            bot_mailbox(server, ADDRESS).poll(Folder.INBOX, None)  # NTLM, which this server does not take
    finally:
        box.close()
        server.stop()


def test_delegate_access_needs_full_access_to_the_mailbox() -> None:
    server = start_server(ADDRESS, grants={USER: ("someone.else@childrenstrust.example",)})
    box = bot_mailbox(server, ADDRESS)
    try:
        with pytest.raises(MailboxAuthError, match="refused access"):
            box.poll(Folder.INBOX, None)
    finally:
        box.close()
        server.stop()


@pytest.mark.parametrize("may_impersonate", [True, False])
def test_impersonation_acts_as_the_mailbox(may_impersonate: bool) -> None:
    server = start_server(ADDRESS, impersonators=(USER,) if may_impersonate else ())
    key = World(server, ADDRESS).deliver(Folder.INBOX, _mail(1))
    box = bot_mailbox(server, ADDRESS, settings=ews_settings(server, access="impersonation"))
    try:
        if may_impersonate:
            assert _keys(box) == [key]
            assert set(server.impersonated) == {ADDRESS}
        else:
            with pytest.raises(MailboxAuthError):
                box.poll(Folder.INBOX, None)
    finally:
        box.close()
        server.stop()


def test_a_sync_state_exchange_rejects_starts_the_folder_again(
    world: World, box: EwsMailbox, caplog: pytest.LogCaptureFixture
) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    sent_position = box.poll(Folder.SENT, None).position  # valid, but for another folder

    with caplog.at_level(logging.WARNING):
        poll = box.poll(Folder.INBOX, sent_position)

    assert [m.key for m in poll.messages] == [key] and poll.position != sent_position
    assert "no longer accepts the sync state" in _warnings(caplog)[0]


def test_a_lost_sync_state_reads_again_only_mail_received_since_the_last_one_read(
    server: EwsServer, world: World, box: EwsMailbox, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(600):  # more than one SyncFolderItems page
        server.deliver(ADDRESS, "inbox", _mail(n), when=datetime(2026, 1, 5, 9, n // 60, n % 60, tzinfo=UTC))
    position = box.poll(Folder.INBOX, None).position
    new = [server.deliver(ADDRESS, "inbox", _mail(1000 + n), when=datetime(2026, 2, 1, 9, n, tzinfo=UTC))
           for n in range(3)]
    server.expire_sync_states()
    fetched = server.operations["GetItem"]

    with caplog.at_level(logging.WARNING):
        resync = box.poll(Folder.INBOX, position)

    assert set(new) <= {m.key for m in resync.messages}  # none lost
    assert len(resync.messages) == 4  # and only what came from the last one read on was downloaded
    assert server.operations["GetItem"] - fetched == 1
    assert "reading the folder again from 2026-01-05T09:09:59Z" in _warnings(caplog)[0]
    assert box.poll(Folder.INBOX, resync.position).messages == []


def test_mail_a_person_reads_is_not_downloaded_again(server: EwsServer, world: World, box: EwsMailbox) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    position = box.poll(Folder.INBOX, None).position
    with server.lock:
        world.item(key).is_read = True
        server._record(server.folders[world.item(key).folder], "Update", key)
    fetched = server.operations["GetItem"]

    assert box.poll(Folder.INBOX, position).messages == [] and server.operations["GetItem"] == fetched


def test_wait_for_mail_waits_out_the_timeout_without_asking_the_server(server: EwsServer) -> None:
    slept: list[float] = []
    box = bot_mailbox(server, ADDRESS, sleep=slept.append)

    assert box.wait_for_mail(Folder.INBOX, 7.5) is False
    assert slept == [7.5] and not server.operations


def test_a_closed_mailbox_reconnects_when_used_again(world: World, box: EwsMailbox) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    box.poll(Folder.INBOX, None)
    box.close()

    assert _keys(box) == [key]


def test_an_unknown_exchange_version_fails_at_start(server: EwsServer) -> None:
    with pytest.raises(ConfigError, match="ews.version: unknown Exchange version 'Exchange2003'"):
        bot_mailbox(server, ADDRESS, settings=ews_settings(server, version="Exchange2003"))
    assert [ews.exchange_version(name).build.major_version for name in ("Exchange2013_SP1", "Exchange2019")] == [
        15, 15]
