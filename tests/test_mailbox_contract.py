"""What every mailbox backend must do, as the people using the mailbox would notice it.

The contract tests run against each backend through the `mailbox` fixture and use
only the `Mailbox` interface plus the outside world's moves (mail arriving, an RAO
pressing Send), which each backend supplies in `Backend`. Tests named `test_maildir_*`
check what only the Maildir layout can show.
"""

from __future__ import annotations

import email
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from mailbox import Maildir
from pathlib import Path

import pytest

from bot.errors import MailboxError, MessageGone
from bot.mailbox.base import Folder, Mailbox, StoredMail
from bot.mailbox.maildir import MaildirMailbox
from tests.support.ews_world import ews_backend
from tests.support.graph_server import as_people_see
from tests.support.graph_world import graph_backend
from tests.support.imap_world import World, bot_mailbox
from tests.support.journey import maildir_marks
from tests.support.mail import build_mail

SENT_AT = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Backend:
    """A mailbox under test, and what only the outside world can do to it."""

    box: Mailbox
    deliver: Callable[[Folder, bytes], str]  # mail arriving, unread; returns its key
    is_draft: Callable[[str], bool]  # the message with this key in Drafts carries the draft flag
    send_draft: Callable[[str, str, datetime], str]  # (Message-ID, sent by, when) -> key in Sent
    marks: Callable[[Folder, str], set[str]]  # what a mail client shows of a message: "flagged", "read"...
    # What stays of a mail as the backend stores it: the bytes, except that Exchange Online renders MIME anew.
    seen: Callable[[bytes], object] = bytes


@pytest.fixture(params=["maildir", "imap", "ews", "graph"])
def mailbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend, fresh and empty; the only place that knows how one is built."""
    if request.param == "ews":
        box, ews_world = ews_backend(tmp_path)
        backend = Backend(box=box, deliver=ews_world.deliver, is_draft=ews_world.is_draft,
                          send_draft=ews_world.send_draft, marks=ews_world.marks)
    elif request.param == "graph":
        box, graph_world = graph_backend(tmp_path)
        backend = Backend(box=box, deliver=graph_world.deliver, is_draft=graph_world.is_draft,
                          send_draft=graph_world.send_draft, marks=graph_world.marks, seen=as_people_see)
    elif request.param == "imap":
        server = request.getfixturevalue("dovecot")
        world = World(server, "cass")
        world.reset()
        backend = Backend(box=bot_mailbox(server, "cass", "cass@example.org"), deliver=world.deliver,
                          is_draft=world.is_draft, send_draft=world.send_draft, marks=world.marks)
    elif request.param == "maildir":
        root = tmp_path / "cass"
        maildir = MaildirMailbox("cass", "cass@example.org", root)
        backend = Backend(
            box=maildir,
            deliver=maildir.deliver,
            is_draft=lambda key: "D" in Maildir(root / ".Drafts", create=False).get_message(key).get_flags(),
            send_draft=lambda message_id, by, when: maildir.send_draft(message_id, sent_by=by, when=when),
            marks=lambda folder, key: maildir_marks(root, folder, key),
        )
    else:
        pytest.fail(f"no backend called {request.param}")
    yield backend
    backend.box.close()


def _mail(subject: str, *, message_id: str | None = None, sender: str | None = "worker@example.gov.uk",
          unsent: bool = False) -> bytes:
    """A tiny mail with CRLF line ends, as it travels over SMTP and IMAP."""
    return build_mail(subject, f"{subject}\n", sender=sender, to="cass@example.org", message_id=message_id, date=None,
                      crlf=True, **({"X_Unsent": "1"} if unsent else {}))


def _seen(backend: Backend, stored: StoredMail) -> tuple[Folder, str, object]:
    return stored.folder, stored.key, backend.seen(stored.raw)


def _only(backend: Backend, folder: Folder) -> StoredMail:
    messages = backend.box.poll(folder, None).messages
    assert len(messages) == 1, messages
    return messages[0]


def test_delivered_mail_polls_back_byte_for_byte(mailbox: Backend) -> None:
    raws = [_mail("Child A"), _mail("Child B")]
    keys = [mailbox.deliver(Folder.INBOX, raw) for raw in raws]

    polled = mailbox.box.poll(Folder.INBOX, None).messages

    assert sorted((m.key, mailbox.seen(m.raw)) for m in polled) == sorted(
        (key, mailbox.seen(raw)) for key, raw in zip(keys, raws, strict=True))
    assert {m.folder for m in polled} == {Folder.INBOX}


def test_polling_again_changes_nothing(mailbox: Backend) -> None:
    mailbox.deliver(Folder.INBOX, _mail("Child A"))

    first = mailbox.box.poll(Folder.INBOX, None)

    assert mailbox.box.poll(Folder.INBOX, None).messages == first.messages


@pytest.mark.parametrize("folder", list(Folder))
def test_an_empty_or_missing_folder_polls_empty(mailbox: Backend, folder: Folder) -> None:
    assert mailbox.box.poll(folder, None).messages == []


def test_save_draft_puts_a_flagged_draft_in_drafts(mailbox: Backend) -> None:
    raw = _mail("Re: Child A", message_id="<draft-1@cassbot>", sender=None, unsent=True)

    key = mailbox.box.save_draft(raw, "<draft-1@cassbot>")

    assert _seen(mailbox, _only(mailbox, Folder.DRAFTS)) == _seen(mailbox, StoredMail(Folder.DRAFTS, key, raw))
    assert mailbox.is_draft(key)
    assert mailbox.box.poll(Folder.INBOX, None).messages == []


def test_saving_the_same_message_id_again_keeps_one_draft(mailbox: Backend) -> None:
    first = _mail("Re: Child A", message_id="<draft-1@cassbot>")
    rerendered = _mail("Re: Child A (rendered again after a crash)", message_id="<draft-1@cassbot>")

    key = mailbox.box.save_draft(first, "<draft-1@cassbot>")

    assert mailbox.box.save_draft(rerendered, "<draft-1@cassbot>") == key
    assert mailbox.seen(_only(mailbox, Folder.DRAFTS).raw) == mailbox.seen(first)


def test_draft_ids_lists_the_drafts(mailbox: Backend) -> None:
    assert mailbox.box.draft_ids() == set()

    for message_id in ("<draft-1@cassbot>", "<draft-2@cassbot>"):
        mailbox.box.save_draft(_mail("Re: Child A", message_id=message_id), message_id)

    assert mailbox.box.draft_ids() == {"<draft-1@cassbot>", "<draft-2@cassbot>"}


def test_file_into_moves_mail_into_information_requests(mailbox: Backend) -> None:
    request, other = _mail("Information request: Child A"), _mail("Child B")
    mailbox.deliver(Folder.INBOX, request)
    other_key = mailbox.deliver(Folder.INBOX, other)
    stored = next(m for m in mailbox.box.poll(Folder.INBOX, None).messages
                  if mailbox.seen(m.raw) == mailbox.seen(request))

    key = mailbox.box.file_into(Folder.INFORMATION_REQUESTS, stored)

    assert [_seen(mailbox, m) for m in mailbox.box.poll(Folder.INBOX, None).messages] == [
        _seen(mailbox, StoredMail(Folder.INBOX, other_key, other))]
    assert _seen(mailbox, _only(mailbox, Folder.INFORMATION_REQUESTS)) == _seen(
        mailbox, StoredMail(Folder.INFORMATION_REQUESTS, key, request))


def test_filing_a_message_that_is_gone_raises_and_adds_nothing(mailbox: Backend) -> None:
    mailbox.deliver(Folder.INBOX, _mail("Information request: Child A"))
    stored = _only(mailbox, Folder.INBOX)
    mailbox.box.file_into(Folder.INFORMATION_REQUESTS, stored)

    with pytest.raises(MessageGone, match="no longer in"):
        mailbox.box.file_into(Folder.INFORMATION_REQUESTS, stored)

    _only(mailbox, Folder.INFORMATION_REQUESTS)


def test_flag_shows_the_mail_flagged_still_unread_and_unchanged_and_filing_keeps_it(mailbox: Backend) -> None:
    urgent, other = _mail("URGENT information request: Child A"), _mail("Child B")
    key, other_key = mailbox.deliver(Folder.INBOX, urgent), mailbox.deliver(Folder.INBOX, other)
    stored = next(m for m in mailbox.box.poll(Folder.INBOX, None).messages
                  if mailbox.seen(m.raw) == mailbox.seen(urgent))

    mailbox.box.flag(stored)
    mailbox.box.flag(stored)  # again: nothing more changes

    assert mailbox.marks(Folder.INBOX, key) >= {"flagged"} and "read" not in mailbox.marks(Folder.INBOX, key)
    assert mailbox.marks(Folder.INBOX, other_key) == set()
    assert sorted(mailbox.seen(m.raw) for m in mailbox.box.poll(Folder.INBOX, None).messages) == sorted(  # type: ignore[type-var]
        [mailbox.seen(urgent), mailbox.seen(other)])
    filed = mailbox.box.file_into(Folder.INFORMATION_REQUESTS, stored)
    assert "flagged" in mailbox.marks(Folder.INFORMATION_REQUESTS, filed)
    assert "read" not in mailbox.marks(Folder.INFORMATION_REQUESTS, filed)


def test_flagging_a_message_that_is_gone_raises(mailbox: Backend) -> None:
    mailbox.deliver(Folder.INBOX, _mail("URGENT information request: Child A"))
    stored = _only(mailbox, Folder.INBOX)
    mailbox.box.file_into(Folder.INFORMATION_REQUESTS, stored)

    with pytest.raises(MessageGone, match="no longer in"):
        mailbox.box.flag(stored)


@pytest.mark.parametrize(("sender", "expected_from"), [
    (None, "priya.shah@example.org"),  # Outlook fills From from the account sending
    ("cass@example.org", "cass@example.org"),  # a From the draft already has is kept
])
def test_sending_a_draft_moves_it_to_sent_dated(mailbox: Backend, sender: str | None, expected_from: str) -> None:
    raw = _mail("Re: Child A", message_id="<draft-1@cassbot>", sender=sender, unsent=True)
    mailbox.box.save_draft(raw, "<draft-1@cassbot>")

    key = mailbox.send_draft("<draft-1@cassbot>", "priya.shah@example.org", SENT_AT)

    assert mailbox.box.draft_ids() == set()
    sent = _only(mailbox, Folder.SENT)
    assert sent.key == key
    msg = email.message_from_bytes(sent.raw)
    assert parsedate_to_datetime(msg["Date"]) == SENT_AT
    assert msg.get_all("Date") == [msg["Date"]]
    assert msg["From"] == expected_from
    assert msg["Message-ID"] == "<draft-1@cassbot>"
    assert msg["X-Unsent"] is None


def _files(root: Path) -> dict[str, list[str]]:
    return {subdir: sorted(os.listdir(root / subdir)) for subdir in ("new", "cur")}


def test_maildir_poll_leaves_new_mail_unread(tmp_path: Path) -> None:
    box = MaildirMailbox("cass", "cass@example.org", tmp_path)
    key = box.deliver(Folder.INBOX, _mail("Child A"))
    read_key = box.deliver(Folder.INBOX, _mail("Child B"), seen=True)
    before = _files(tmp_path)

    box.poll(Folder.INBOX, None)
    box.poll(Folder.INBOX, None)

    assert _files(tmp_path) == before == {"new": [key], "cur": [f"{read_key}:2,S"]}


def test_maildir_layout_is_dovecot_maildir_plus_plus(tmp_path: Path) -> None:
    box = MaildirMailbox("cass", "cass@example.org", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".Drafts", ".Sent", "cur", "new", "tmp"]
    assert (tmp_path / ".Drafts" / "maildirfolder").exists()

    box.deliver(Folder.INBOX, _mail("Information request: Child A"))
    box.file_into(Folder.INFORMATION_REQUESTS, box.poll(Folder.INBOX, None).messages[0])

    assert (tmp_path / ".Information Requests" / "maildirfolder").exists()
    assert sorted(Maildir(tmp_path).list_folders()) == ["Drafts", "Information Requests", "Sent"]


def test_maildir_folder_names_come_from_the_configuration(tmp_path: Path) -> None:
    box = MaildirMailbox("cass", "cass@example.org", tmp_path, {Folder.DRAFTS: "Bot Drafts"})

    key = box.save_draft(_mail("Re: A", message_id="<d@cassbot>"), "<d@cassbot>")

    assert Maildir(tmp_path / ".Bot Drafts", create=False).get_message(key).get_subdir() == "cur"
    assert not (tmp_path / ".Drafts").exists()


def test_maildir_filing_keeps_read_state_and_received_date(tmp_path: Path) -> None:
    box = MaildirMailbox("cass", "cass@example.org", tmp_path)
    unread = box.deliver(Folder.INBOX, _mail("Child A"))
    read = box.deliver(Folder.INBOX, _mail("Child B"), seen=True)
    received = datetime(2024, 1, 2, 8, 0, tzinfo=UTC).timestamp()
    os.utime(tmp_path / "new" / unread, (received, received))

    moved = {m.key: box.file_into(Folder.INFORMATION_REQUESTS, m) for m in box.poll(Folder.INBOX, None).messages}

    filed = Maildir(tmp_path / ".Information Requests", create=False)
    assert (filed.get_message(moved[unread]).get_subdir(), filed.get_message(moved[unread]).get_flags()) == ("new", "")
    assert (filed.get_message(moved[read]).get_subdir(), filed.get_message(moved[read]).get_flags()) == ("cur", "S")
    assert filed.get_message(moved[unread]).get_date() == received


def test_maildir_message_ids_match_exactly_apart_from_whitespace(tmp_path: Path) -> None:
    box = MaildirMailbox("cass", "cass@example.org", tmp_path)
    folded = _mail("Re: A", message_id="<d-1@cassbot>").replace(b"Message-ID: ", b"Message-ID:\r\n ")

    key = box.save_draft(folded, "<d-1@cassbot>")

    assert box.save_draft(_mail("Re: A", message_id="<d-1@cassbot>"), " <d-1@cassbot>\n") == key
    assert box.save_draft(_mail("Re: A", message_id="<D-1@cassbot>"), "<D-1@cassbot>") != key
    assert box.draft_ids() == {"<d-1@cassbot>", "<D-1@cassbot>"}


def test_maildir_sending_an_unknown_draft_raises(tmp_path: Path) -> None:
    box = MaildirMailbox("cass", "cass@example.org", tmp_path)

    with pytest.raises(MailboxError, match="no draft"):
        box.send_draft("<nowhere@cassbot>", sent_by="priya.shah@example.org", when=SENT_AT)


def test_maildir_file_system_errors_become_mailbox_errors(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("a file where the Maildir should be")

    with pytest.raises(MailboxError, match="INBOX") as raised:
        MaildirMailbox("cass", "cass@example.org", tmp_path / "not-a-folder")

    assert isinstance(raised.value.__cause__, OSError)
