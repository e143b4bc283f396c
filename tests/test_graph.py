"""The Graph backend against the local Graph (tests/graph_server.py) over HTTPS, with MSAL signing in for real.

Unread stays unread, delta links, drafts threaded and saved once, filing, and the
faults Exchange Online shows: throttling, expired delta links and tokens, server
errors, dropped connections, and a secret that has expired.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import MailboxAuthError, MailboxError
from bot.mailbox import graph
from bot.mailbox.base import Folder
from bot.mailbox.graph import MESSAGE_ID_PROPERTY, GraphMailbox
from tests.support.graph_metadata import problems
from tests.support.graph_server import GraphServer, Message, as_people_see
from tests.support.graph_world import ADDRESS, SECRET_ENV, World, bot_mailbox, certificate_file, graph_settings
from tests.support.journey import DEMO_MAIL, Journey
from tests.support.mail import build_mail

CATEGORY = "cassbot: awaiting approval"
FIRST = "CASS-2026-000001"
SENT_AT = dt.datetime(2024, 3, 5, 9, 30, tzinfo=dt.UTC)


class Sleeps(list[float]):
    """Stands in for time.sleep: records the waits, so throttling tests take no time."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server() -> Iterator[GraphServer]:
    server = GraphServer().start()
    server.mailbox(ADDRESS)
    yield server
    server.stop()
    assert not server.errors, server.errors
    assert not server.violations, server.violations  # every request as Graph v1.0's metadata allows it


@pytest.fixture
def world(server: GraphServer) -> World:
    return World(server)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def box(server: GraphServer, sleeps: Sleeps) -> Iterator[GraphMailbox]:
    box = bot_mailbox(server, sleep=sleeps)
    yield box
    box.close()


def _mail(n: int, *, message_id: str | None = None) -> bytes:
    return build_mail(f"Child {n}", f"Information request {n}\n", sender="worker@example.gov.uk", to=ADDRESS,
                      message_id=message_id or f"<mail-{n}@example.gov.uk>", date=None, crlf=True)


def _draft(message_id: str, in_reply_to: str = "", subject: str = "RE: Child 1 [CASS-0001]") -> bytes:
    thread = {"In_Reply_To": in_reply_to, "References": in_reply_to} if in_reply_to else {}
    return build_mail(subject, "Thank you for your request.\n", sender=ADDRESS, to="Worker <worker@example.gov.uk>",
                      message_id=message_id, date=None, html="<p>Thank you for your request.</p>\n",
                      X_Cassbot_Reference="CASS-0001", X_Cassbot_Draft="response", **thread)


def _drafts(server: GraphServer) -> list[Message]:
    return server.mailbox(ADDRESS).in_folder("drafts")


def _requests(server: GraphServer, method: str, where: str = "") -> list[tuple[str, str, bytes]]:
    return [r for r in server.requests if r[0] == method and where in r[1] and "/v1.0/" in r[1]]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == graph.__name__ and r.levelno >= logging.WARNING]


def test_the_metadata_check_catches_what_graph_v1_would_refuse() -> None:
    """The check every test here ends with: it knows Graph's message and its enums (graph_metadata_v1.0.xml)."""
    assert problems("PATCH", "messages/AAMk=", {}, b'{"flag": {"flagStatus": "flaged"}, "colour": 1}',
                    "application/json") == [
        "PATCH messages/AAMk=: followupFlag.flagStatus: 'flaged' is not one of ['complete', 'flagged', 'notFlagged']",
        "PATCH messages/AAMk=: message has no property 'colour'"]
    assert problems("GET", "mailFolders/inbox/messages/delta", {"changeType": "created", "$select": "id,received"},
                    b"", "") == ["GET mailFolders/inbox/messages/delta: $select: message has no property 'received'"]


# -- reading --


def test_delivered_mail_polls_back_as_exchange_renders_it_and_stays_unread(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    raws = [_mail(1), _mail(2)]
    keys = [world.deliver(Folder.INBOX, raw) for raw in raws]

    polled = box.poll(Folder.INBOX, None).messages

    assert sorted((m.key, as_people_see(m.raw)) for m in polled) == sorted(
        (key, as_people_see(raw)) for key, raw in zip(keys, raws, strict=True))
    assert all(b"\r\nThread-Index: " in m.raw for m in polled)  # Exchange's own headers are there too
    assert not any(m.is_read for m in server.mailbox(ADDRESS).messages.values())
    assert {r[0] for r in server.requests if "/v1.0/" in r[1]} == {"GET"}  # never a PATCH of isRead


def test_the_delta_link_means_the_next_poll_sees_only_new_mail(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    server.page_size = 3
    for n in range(7):
        world.deliver(Folder.INBOX, _mail(n))
    first = box.poll(Folder.INBOX, None)
    assert len({m.key for m in first.messages}) == len(first.messages) == 7
    assert len(_requests(server, "GET", "/messages/delta")) == 3  # every @odata.nextLink followed

    new = world.deliver(Folder.INBOX, _mail(7))
    second = box.poll(Folder.INBOX, first.position)
    before = len(server.requests)
    third = box.poll(Folder.INBOX, second.position)

    assert [m.key for m in second.messages] == [new]
    assert third.messages == [] and len(server.requests) == before + 1  # nothing new: one request


def test_a_long_backlog_is_read_a_poll_limit_at_a_time(
    box: GraphMailbox, world: World, server: GraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph, "POLL_LIMIT", 4)
    server.page_size = 2
    keys = {world.deliver(Folder.INBOX, _mail(n)) for n in range(9)}
    seen, position, more, polls = [], None, True, 0
    while more:
        poll = box.poll(Folder.INBOX, position)
        seen += [m.key for m in poll.messages]
        position, more, polls = poll.position, poll.more, polls + 1

    assert sorted(seen) == sorted(keys) and polls == 3


# -- drafts --


def test_a_reply_draft_is_threaded_carries_the_category_and_is_saved_once(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    original = world.deliver(Folder.INBOX, _mail(1, message_id="<req-1@example.gov.uk>"))
    raw = _draft("<CASS-0001.response.1@cassbot.example.org>", in_reply_to="<req-1@example.gov.uk>")

    key = box.save_draft(raw, "<CASS-0001.response.1@cassbot.example.org>")

    assert box.save_draft(raw, "<CASS-0001.response.1@cassbot.example.org>") == key
    assert server.replies == [(original, key)]  # made by createReply: Outlook threads it
    [draft] = _drafts(server)
    assert (draft.id, draft.is_draft, draft.categories) == (key, True, [CATEGORY])
    assert draft.fields["subject"] == "RE: Child 1 [CASS-0001]"  # the reference rides in the subject
    assert draft.fields["body"] == {"contentType": "html", "content": "<p>Thank you for your request.</p>\n"}
    assert draft.fields["toRecipients"] == [{"emailAddress": {"name": "Worker", "address": "worker@example.gov.uk"}}]
    assert draft.properties[MESSAGE_ID_PROPERTY] == "<CASS-0001.response.1@cassbot.example.org>"
    [polled] = box.poll(Folder.DRAFTS, None).messages
    mime = message_from_bytes(polled.raw)
    assert (mime["Message-ID"], mime["In-Reply-To"]) == ("<CASS-0001.response.1@cassbot.example.org>",
                                                        "<req-1@example.gov.uk>")
    # the bot's own headers, which reconcile reads back, were given at creation: one request made the draft
    assert (mime["X-Cassbot-Reference"], mime["X-Cassbot-Draft"]) == ("CASS-0001", "response")
    assert _requests(server, "PATCH") == []
    assert box.draft_ids() == {"<CASS-0001.response.1@cassbot.example.org>"}


def test_a_reply_draft_keeps_the_bots_headers_where_createreply_drops_internet_message_headers(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    server.reply_headers_dropped = True
    world.deliver(Folder.INBOX, _mail(1, message_id="<req-1@example.gov.uk>"))
    box.save_draft(_draft("<CASS-0001.response.1@cassbot.example.org>", "<req-1@example.gov.uk>"),
                   "<CASS-0001.response.1@cassbot.example.org>")

    [polled] = box.poll(Folder.DRAFTS, None).messages

    mime = message_from_bytes(polled.raw)
    assert (mime["X-Cassbot-Reference"], mime["X-Cassbot-Draft"]) == ("CASS-0001", "response")


def test_a_new_draft_is_created_from_its_mime_with_the_category(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    raw = _draft("<CASS-0001.charms.1@cassbot.example.org>", in_reply_to="<gone@example.gov.uk>")

    key = box.save_draft(raw, "<CASS-0001.charms.1@cassbot.example.org>")

    [created] = _requests(server, "POST", "/messages")
    assert created[1].endswith(f"/users/{ADDRESS}/messages")  # no original to reply to: MIME, base64
    assert as_people_see(box.poll(Folder.DRAFTS, None).messages[0].raw) == as_people_see(raw)
    assert world.is_draft(key) and _drafts(server)[0].categories == [CATEGORY]
    assert _requests(server, "PATCH") == []  # made whole in one request: the category came as Keywords


def test_drafts_stay_single_when_exchange_keeps_message_ids_of_its_own(box: GraphMailbox, world: World,
                                                                       server: GraphServer) -> None:
    server.own_message_ids = True
    world.deliver(Folder.INBOX, _mail(1, message_id="<req-1@example.gov.uk>"))
    ids = ["<CASS-0001.response.1@cassbot.example.org>", "<CASS-0001.charms.1@cassbot.example.org>",
           "<o'brien.1@cassbot.example.org>"]  # a quote, doubled in the OData literal
    raws = [_draft(ids[0], "<req-1@example.gov.uk>"), _draft(ids[1]), _draft(ids[2])]

    keys = [box.save_draft(raw, message_id) for raw, message_id in zip(raws, ids, strict=True)]

    assert [box.save_draft(raw, message_id) for raw, message_id in zip(raws, ids, strict=True)] == keys
    assert len(_drafts(server)) == 3
    assert not {m.fields["internetMessageId"] for m in _drafts(server)} & set(ids)
    assert box.draft_ids() == set(ids)


@pytest.mark.parametrize("in_reply_to", ["<req-1@example.gov.uk>", ""], ids=["createReply", "MIME"])
@pytest.mark.parametrize("own_ids", [False, True], ids=["kept", "replaced"])
def test_a_draft_whose_every_answer_was_lost_is_found_on_the_next_run_not_made_again(
    server: GraphServer, world: World, sleeps: Sleeps, in_reply_to: str, own_ids: bool
) -> None:
    server.own_message_ids = own_ids  # Exchange may give the draft a Message-ID of its own
    world.deliver(Folder.INBOX, _mail(1, message_id="<req-1@example.gov.uk>"))
    raw = _draft("<CASS-0001.response.1@cassbot.example.org>", in_reply_to)
    server.fault(0, "/messages", method="POST", processed=True)  # made, never answered, and the run gave up
    box = bot_mailbox(server, sleep=sleeps, max_attempts=1)
    with pytest.raises(MailboxError, match="after 1 tries"):
        box.save_draft(raw, "<CASS-0001.response.1@cassbot.example.org>")

    key = box.save_draft(raw, "<CASS-0001.response.1@cassbot.example.org>")

    [draft] = _drafts(server)
    assert draft.id == key and draft.categories == [CATEGORY]
    assert box.draft_ids() == {"<CASS-0001.response.1@cassbot.example.org>"}
    box.close()


def test_a_draft_an_older_release_left_without_its_category_is_finished_not_doubled(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    original = world.deliver(Folder.INBOX, _mail(1, message_id="<req-1@example.gov.uk>"))
    state = server.mailbox(ADDRESS)
    with server.lock:  # createReply with the marker alone, then a crash before the PATCH
        unfinished = state.create_reply(state.message(original), {"message": {"singleValueExtendedProperties": [
            {"id": MESSAGE_ID_PROPERTY, "value": "<CASS-0001.response.1@cassbot.example.org>"}]}})

    key = box.save_draft(_draft("<CASS-0001.response.1@cassbot.example.org>", "<req-1@example.gov.uk>"),
                         "<CASS-0001.response.1@cassbot.example.org>")

    [draft] = _drafts(server)
    assert draft.id == key == unfinished.id and draft.categories == [CATEGORY]


def test_a_draft_differing_only_in_case_is_not_taken_for_the_bots(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    world.deliver(Folder.INBOX, _mail(1, message_id="<REQ-1@example.gov.uk>"))
    world.deliver(Folder.INBOX, _mail(2, message_id="<req-1@example.gov.uk>"))
    box.save_draft(_draft("<CASS-0001.Response.1@cassbot.example.org>"), "<CASS-0001.Response.1@cassbot.example.org>")

    key = box.save_draft(_draft("<CASS-0001.response.1@cassbot.example.org>", "<req-1@example.gov.uk>"),
                         "<CASS-0001.response.1@cassbot.example.org>")

    assert len(_drafts(server)) == 2 and box.draft_ids() == {"<CASS-0001.Response.1@cassbot.example.org>",
                                                              "<CASS-0001.response.1@cassbot.example.org>"}
    [(original, draft_id)] = server.replies
    assert draft_id == key
    assert server.mailbox(ADDRESS).message(original).fields["internetMessageId"] == "<req-1@example.gov.uk>"


@pytest.mark.parametrize("in_reply_to", ["<req-1@example.gov.uk>", ""], ids=["createReply", "MIME"])
def test_a_draft_whose_creation_answer_was_lost_is_found_not_made_again(
    box: GraphMailbox, world: World, server: GraphServer, in_reply_to: str
) -> None:
    world.deliver(Folder.INBOX, _mail(1, message_id="<req-1@example.gov.uk>"))
    server.fault(0, "/messages", method="POST", processed=True)  # made, but the answer never arrives

    key = box.save_draft(_draft("<CASS-0001.response.1@cassbot.example.org>", in_reply_to),
                         "<CASS-0001.response.1@cassbot.example.org>")

    [draft] = _drafts(server)
    assert draft.id == key and draft.categories == [CATEGORY]
    assert len(server.replies) == (1 if in_reply_to else 0)


def test_a_sent_reply_comes_back_from_sent_items_with_the_bots_message_id(box: GraphMailbox, world: World) -> None:
    world.deliver(Folder.INBOX, _mail(1, message_id="<req-1@example.gov.uk>"))
    box.save_draft(_draft("<CASS-0001.response.1@cassbot.example.org>", "<req-1@example.gov.uk>"),
                   "<CASS-0001.response.1@cassbot.example.org>")

    key = world.send_draft("<CASS-0001.response.1@cassbot.example.org>", "priya.shah@example.org", SENT_AT)

    assert box.draft_ids() == set()
    [sent] = box.poll(Folder.SENT, None).messages
    msg = message_from_bytes(sent.raw)
    assert (sent.key, msg["Message-ID"], msg["Subject"]) == (
        key, "<CASS-0001.response.1@cassbot.example.org>", "RE: Child 1 [CASS-0001]")


# -- folders --


def test_filing_creates_information_requests_under_the_root_once(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    assert box.poll(Folder.INFORMATION_REQUESTS, None).messages == []  # looking creates nothing
    for n in (1, 2):
        world.deliver(Folder.INBOX, _mail(n))
    polled = box.poll(Folder.INBOX, None).messages

    keys = {box.file_into(Folder.INFORMATION_REQUESTS, m) for m in polled}

    state = server.mailbox(ADDRESS)
    [folder] = [f for f in state.folders.values() if f.name == "Information Requests"]
    assert folder.parent == state.folder("msgfolderroot").id
    assert len(_requests(server, "POST", "/childFolders")) == 1
    assert {m.key for m in box.poll(Folder.INFORMATION_REQUESTS, None).messages} == keys
    assert not any(m.is_read for m in state.messages.values())


def test_flagging_sets_the_follow_up_flag_and_high_importance(box: GraphMailbox, world: World) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    [stored] = box.poll(Folder.INBOX, None).messages

    box.flag(stored)

    assert world.marks(Folder.INBOX, key) == {"flagged", "high importance"}


def test_wait_for_mail_just_waits(box: GraphMailbox, sleeps: Sleeps) -> None:
    assert box.wait_for_mail(Folder.INBOX, 2.5) is False
    assert sleeps == [2.5]


# -- faults --


def test_throttling_is_waited_out_as_retry_after_asks_and_logged_once(
    box: GraphMailbox, world: World, server: GraphServer, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    server.page_size = 2
    keys = {world.deliver(Folder.INBOX, _mail(n)) for n in range(5)}
    server.fault(429, "$skiptoken", times=2, retry_after="3")
    server.fault(503, "/$value", times=1, retry_after="1")

    polled = box.poll(Folder.INBOX, None).messages

    assert sorted(m.key for m in polled) == sorted(keys)  # nothing lost, nothing twice
    assert sleeps == [1, 3, 3]  # the $value on page 1, then page 2 twice
    assert len(_warnings(caplog)) == 2 and all("throttling" in w for w in _warnings(caplog))  # one per episode


def test_throttling_longer_than_max_wait_gives_up_until_the_next_poll(
    server: GraphServer, world: World, sleeps: Sleeps
) -> None:
    box = bot_mailbox(server, settings=graph_settings(server, max_wait_seconds=30), sleep=sleeps)
    key = world.deliver(Folder.INBOX, _mail(1))
    server.fault(429, "/messages/delta", times=1, retry_after="120")

    with pytest.raises(MailboxError, match="throttling"):
        box.poll(Folder.INBOX, None)

    assert sleeps == []
    assert [m.key for m in box.poll(Folder.INBOX, None).messages] == [key]
    box.close()


def test_the_waits_of_one_poll_add_up_to_at_most_max_wait(server: GraphServer, world: World, sleeps: Sleeps) -> None:
    box = bot_mailbox(server, settings=graph_settings(server, max_wait_seconds=5), sleep=sleeps)
    world.deliver(Folder.INBOX, _mail(1))
    server.fault(429, "/messages/delta", times=1, retry_after="3")
    server.fault(429, "/$value", times=1, retry_after="3")

    with pytest.raises(MailboxError, match="3 s waited already"):
        box.poll(Folder.INBOX, None)

    assert sleeps == [3]
    box.close()


@pytest.mark.parametrize("how", ["410", "410-location", "404", "400"])
def test_an_expired_delta_link_on_any_documented_code_means_one_resync_logged_once(
    box: GraphMailbox, world: World, server: GraphServer, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    old = {world.deliver(Folder.INBOX, _mail(n)) for n in range(2)}
    position = box.poll(Folder.INBOX, None).position
    new = world.deliver(Folder.INBOX, _mail(2))
    server.expire_delta_links(how)

    resync = box.poll(Folder.INBOX, position)

    assert new in {m.key for m in resync.messages} and {m.key for m in resync.messages} <= old | {new}
    [warning] = _warnings(caplog)
    assert f"({how.split('-')[0]} " in warning
    assert box.poll(Folder.INBOX, resync.position).messages == []  # not stuck: the next poll is an ordinary one


def test_a_lost_sync_is_read_again_from_the_last_received_time_not_from_the_beginning(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    server.page_size = 50
    for n in range(200):
        world.server.mailbox(ADDRESS).deliver("inbox", _mail(n), received=f"2026-01-01T10:{n // 60:02d}:{n % 60:02d}Z")
    position = box.poll(Folder.INBOX, None).position
    new = [world.server.mailbox(ADDRESS).deliver("inbox", _mail(1000 + n), received=f"2026-02-01T09:00:0{n}Z")
           for n in range(3)]
    server.expire_delta_links("404")
    before = len(server.requests)

    resync = box.poll(Folder.INBOX, position)

    assert set(new) <= {m.key for m in resync.messages} and len(resync.messages) <= 4  # the last one read, at most
    assert len(server.requests) - before <= 2 * len(new) + 2  # the lost link, one delta page, a GET each


def test_mail_a_person_reads_or_flags_is_not_downloaded_again(
    box: GraphMailbox, world: World, server: GraphServer
) -> None:
    keys = [world.deliver(Folder.INBOX, _mail(n)) for n in range(3)]
    position = box.poll(Folder.INBOX, None).position
    state = server.mailbox(ADDRESS)
    with server.lock:
        for key in keys:  # Outlook: read, flagged, categorised
            state.update(state.message(key), {"isRead": True, "flag": {"flagStatus": "flagged"}, "categories": ["x"]})
    before = len(server.requests)

    again = box.poll(Folder.INBOX, position)

    assert again.messages == [] and len(server.requests) == before + 1  # one delta page, no $value


def test_an_expired_token_is_renewed_without_a_restart(box: GraphMailbox, world: World, server: GraphServer) -> None:
    position = box.poll(Folder.INBOX, None).position
    key = world.deliver(Folder.INBOX, _mail(1))
    server.expire_tokens()

    assert [m.key for m in box.poll(Folder.INBOX, position).messages] == [key]
    assert server.token_requests == 2


def test_a_server_error_mid_sync_is_retried_without_loss_or_doubles(
    box: GraphMailbox, world: World, server: GraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.page_size = 2
    keys = {world.deliver(Folder.INBOX, _mail(n)) for n in range(5)}
    server.fault(500, "$skiptoken", times=1)

    polled = box.poll(Folder.INBOX, None).messages

    assert sorted(m.key for m in polled) == sorted(keys)
    assert len(_warnings(caplog)) == 1


def test_a_long_outage_mid_sync_resumes_from_the_stored_position(
    server: GraphServer, world: World, sleeps: Sleeps
) -> None:
    box = bot_mailbox(server, sleep=sleeps, max_attempts=3)
    server.page_size = 2
    position = box.poll(Folder.INBOX, None).position
    keys = {world.deliver(Folder.INBOX, _mail(n)) for n in range(5)}
    server.fault(500, "$skiptoken", times=3)
    with pytest.raises(MailboxError, match="after 3 tries"):
        box.poll(Folder.INBOX, position)

    assert sorted(m.key for m in box.poll(Folder.INBOX, position).messages) == sorted(keys)
    box.close()


def test_a_dropped_connection_is_retried_and_logged_once(
    box: GraphMailbox, world: World, server: GraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    keys = {world.deliver(Folder.INBOX, _mail(n)) for n in range(3)}
    server.fault(0, "/$value", times=2)

    polled = box.poll(Folder.INBOX, None).messages

    assert sorted(m.key for m in polled) == sorted(keys)
    [warning] = _warnings(caplog)
    assert "Server disconnected" in warning


def test_a_sign_in_outage_is_retried_not_taken_for_a_refusal(
    box: GraphMailbox, world: World, server: GraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    key = world.deliver(Folder.INBOX, _mail(1))
    server.fault(503, "/oauth2/v2.0/token", method="POST", times=1, retry_after="0")

    assert [m.key for m in box.poll(Folder.INBOX, None).messages] == [key]
    assert len(_warnings(caplog)) == 1


def test_an_expired_secret_is_an_auth_error_naming_the_mailbox_asked_once(
    box: GraphMailbox, server: GraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.secret_state = "expired"

    for _ in range(3):
        with pytest.raises(MailboxAuthError, match=f"cass: .*{ADDRESS}.*AADSTS7000222"):
            box.poll(Folder.INBOX, None)

    assert server.token_requests == 1
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1


def test_a_mailbox_outside_the_application_access_policy_is_an_auth_error(box: GraphMailbox,
                                                                          server: GraphServer) -> None:
    server.allowed = {"lado@example.org"}

    with pytest.raises(MailboxAuthError, match=f"cass: Graph refused access to {ADDRESS}.*ErrorAccessDenied"):
        box.poll(Folder.INBOX, None)


def test_a_missing_secret_is_an_auth_error(box: GraphMailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV)

    with pytest.raises(MailboxAuthError, match=f"{SECRET_ENV} .* is not set"):
        box.poll(Folder.INBOX, None)


def test_a_certificate_signs_in_without_a_client_secret(server: GraphServer, world: World, tmp_path: Path) -> None:
    path, pem = certificate_file(tmp_path, days=5)
    server.certificate = pem
    settings = graph_settings(server, client_secret_env="", certificate_path=str(path))
    box = bot_mailbox(server, settings=settings)
    key = world.deliver(Folder.INBOX, _mail(1))

    assert [m.key for m in box.poll(Folder.INBOX, None).messages] == [key]
    [token_request] = [r for r in server.requests if r[1].endswith("/oauth2/v2.0/token")]
    assert b"client_assertion=" in token_request[2] and b"client_secret" not in token_request[2]
    box.close()


# -- the whole bot --


def test_the_ola_journey_over_graph_threads_the_response_and_a_resync_reprocesses_nothing(
    settings: Settings, tmp_path: Path, box: GraphMailbox, world: World, server: GraphServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    journey = Journey(settings, tmp_path, mailboxes={"cass": box})
    world.deliver(Folder.INBOX, (DEMO_MAIL / "01-ola-request.eml").read_bytes())
    journey.run()
    for template in ("charms_check_request", "lado_check_request"):  # new mail, made from the bot's MIME
        world.send_draft(journey.draft(FIRST, template).message_id, "priya.shah@childrenstrust.example", SENT_AT)
    journey.run()
    for name in ("05-charms-answer.eml", "06-lado-answer.eml"):
        world.deliver(Folder.INBOX, (DEMO_MAIL / name).read_bytes())

    journey.run()

    response = journey.draft(FIRST, "response")
    [(original, draft_id)] = server.replies  # the response is a reply to the request, wherever it was filed
    assert server.mailbox(ADDRESS).message(original).fields["internetMessageId"] == journey.request(FIRST).message_id
    assert (response.backend_key, response.state) == (draft_id, "saved")
    assert all(d.categories == [CATEGORY] for d in _drafts(server))
    world.send_draft(response.message_id, "priya.shah@childrenstrust.example", SENT_AT)
    journey.run()
    assert journey.request(FIRST).state == "closed"

    server.expire_delta_links()
    again = journey.run()
    assert again.outcomes and {o.outcome for o in again.outcomes} == {"already_processed"}
    assert again.drafts_saved == 0 and _drafts(server) == []
    assert sum("(410 " in w for w in _warnings(caplog)) == 2  # inbox and Sent Items, once each


def test_status_says_per_mailbox_what_the_bot_could_do_and_names_the_permission_it_lacked(
    settings: Settings, tmp_path: Path, box: GraphMailbox, world: World, server: GraphServer
) -> None:
    from sqlmodel import Session

    from bot.reports import service_status
    journey = Journey(settings, tmp_path, mailboxes={"cass": box})
    world.deliver(Folder.INBOX, (DEMO_MAIL / "01-ola-request.eml").read_bytes())
    server.fault(403, "/move", method="POST")  # the role assignment lets the app read and draft, not move

    with pytest.raises(MailboxAuthError):
        journey.run()

    with Session(journey.engine) as session:
        text = service_status(session, journey.settings, journey.clock.now).text()
    [line] = [line.strip() for line in text.splitlines() if "could" in line]
    assert line.startswith("could read, categorise; could NOT file: cass: Graph refused access to cass@example.org "
                           "(403")
    assert line.endswith("(needs Application Mail.ReadWrite on the mailbox, through the scoped role assignment)")


def test_a_category_beyond_ascii_reaches_a_new_draft_whole(server: GraphServer, world: World) -> None:
    box = bot_mailbox(server, settings=graph_settings(server, category="cassbot: aros am gymeradwyaeth ✓"))
    box.save_draft(_draft("<CASS-0001.charms.1@cassbot.example.org>"), "<CASS-0001.charms.1@cassbot.example.org>")

    assert _drafts(server)[0].categories == ["cassbot: aros am gymeradwyaeth ✓"]
    assert _requests(server, "PATCH") == []
    box.close()
