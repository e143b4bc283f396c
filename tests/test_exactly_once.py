"""Exactly-once: a rerun or a crash at any point never loses a mail or duplicates a draft."""

from __future__ import annotations

import contextlib
import email
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from bot.config import Settings
from bot.mailbox.base import Folder, Mailbox, Poll, StoredMail
from bot.store import AuditEvent, Draft, MailSeen, Request
from tests.support.journey import Journey

URGENT = "URGENT - connected carer assessment - Mr Lee Fenwick"
MAIL = ("01-ola-request.eml", "02-urgent-kinship-request.eml", "03-partner-rfi.eml", "04-level3-request.eml",
        "05-charms-answer.eml", "08-out-of-office.eml", "11-team-notice.eml")


class Crash(BaseException):
    """A crash the bot cannot catch: the process dies here (BaseException, like SIGKILL's effect)."""


class CrashingClock:
    """Dies on its `crash_at`-th reading: the clock is read at every step of processing."""

    def __init__(self, crash_at: int) -> None:
        self.calls, self.crash_at = 0, crash_at

    def __call__(self) -> datetime:
        self.calls += 1
        if self.calls == self.crash_at:
            raise Crash(f"crash at clock reading {self.calls}")
        return datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


class Outside:
    """The real mailbox, passed through; each subclass changes the one moment it is about."""

    def __init__(self, inner: Mailbox) -> None:
        self.inner, self.role, self.address = inner, inner.role, inner.address

    def poll(self, folder: Folder, position: str | None) -> Poll:
        return self.inner.poll(folder, position)

    def save_draft(self, raw: bytes, message_id: str) -> str:
        return self.inner.save_draft(raw, message_id)

    def draft_ids(self) -> set[str]:
        return self.inner.draft_ids()

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        return self.inner.file_into(folder, message)

    def flag(self, message: StoredMail) -> None:
        self.inner.flag(message)

    def categorise(self, message: StoredMail, category: str) -> None:
        self.inner.categorise(message, category)

    def close(self) -> None:
        self.inner.close()


class CrashAfterSaving(Outside):
    """A mailbox that dies right after a draft reaches the Drafts folder, before the store hears of it."""

    def save_draft(self, raw: bytes, message_id: str) -> str:
        self.inner.save_draft(raw, message_id)
        raise Crash("crash between saving a draft and recording it")


class CrashBeforeFiling(Outside):
    """A mailbox that dies when the first new request is about to be filed, after its record committed."""

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        raise Crash("crash between recording a new request and filing it")


class CrashBeforeFlagging(Outside):
    def flag(self, message: StoredMail) -> None:
        raise Crash("crash between recording an urgent request and flagging it")


class CrashAfterFiling(Outside):
    def file_into(self, folder: Folder, message: StoredMail) -> str:
        self.inner.file_into(folder, message)
        raise Crash("crash between filing a new request and recording that it is filed")


class PersonFilesItFirst(Outside):
    """Business Support file each new request by hand a moment before the bot gets to it."""

    def file_into(self, folder: Folder, message: StoredMail) -> str:
        self.inner.file_into(folder, message)  # the person
        return self.inner.file_into(folder, message)  # the bot, finding it gone


def _counts(journey: Journey) -> tuple[int, int, int, int]:
    with Session(journey.engine) as session:
        return tuple(session.exec(select(func.count()).select_from(t)).one()  # type: ignore[return-value]
                     for t in (MailSeen, Request, Draft, AuditEvent))


def _assert_exactly_once(journey: Journey) -> None:
    with Session(journey.engine) as session:
        seen = Counter(m.message_id for m in session.exec(select(MailSeen)).all())
        drafts = session.exec(select(Draft)).all()
    assert len(seen) == len(MAIL) and set(seen.values()) == {1}, seen
    in_folder = Counter(_message_ids(journey, Folder.DRAFTS))
    assert set(in_folder.values()) <= {1}, in_folder  # no draft twice in Drafts
    assert {d.message_id for d in drafts} == set(in_folder)  # every recorded draft is there, and only those
    assert {d.state for d in drafts} == {"saved"}
    with Session(journey.engine) as session:
        requests = {m.message_id for m in session.exec(select(MailSeen).where(MailSeen.outcome == "new_request"))}
    filed = Counter(_message_ids(journey, Folder.INFORMATION_REQUESTS))
    assert filed == Counter(requests), filed  # every new request filed once, and nothing else
    assert not requests & set(_message_ids(journey, Folder.INBOX))


def _message_ids(journey: Journey, folder: Folder) -> list[str]:
    return [str(email.message_from_bytes(raw)["Message-ID"]) for raw in journey.folder(folder)]


@pytest.fixture
def journey(settings: Settings, tmp_path: Path) -> Journey:
    journey = Journey(settings, tmp_path)
    journey.deliver(*MAIL)
    return journey


def test_running_twice_creates_nothing_new(journey: Journey) -> None:
    journey.run()
    before, drafts = _counts(journey), journey.folder(Folder.DRAFTS)
    journey.run()
    assert _counts(journey) == before
    assert journey.folder(Folder.DRAFTS) == drafts
    _assert_exactly_once(journey)


def test_crash_between_saving_a_draft_and_recording_it(journey: Journey, settings: Settings, tmp_path: Path) -> None:
    crashing = Journey(settings, tmp_path, mailboxes={**journey.maildirs, "cass": CrashAfterSaving(journey.cass)})
    with pytest.raises(Crash):
        crashing.run()
    Journey(settings, tmp_path).run()  # restart
    _assert_exactly_once(journey)


def test_crash_between_recording_a_request_and_filing_it(journey: Journey, settings: Settings,
                                                          tmp_path: Path) -> None:
    crashing = Journey(settings, tmp_path, mailboxes={**journey.maildirs, "cass": CrashBeforeFiling(journey.cass)})
    with pytest.raises(Crash):
        crashing.run()
    assert journey.folder(Folder.INFORMATION_REQUESTS) == []
    Journey(settings, tmp_path).run()  # restart: the request is recognised, not processed again, and filed
    _assert_exactly_once(journey)
    assert journey.marked(Folder.INFORMATION_REQUESTS)[URGENT] == {"flagged"}


def test_crash_between_recording_an_urgent_request_and_flagging_it(journey: Journey, settings: Settings,
                                                                    tmp_path: Path) -> None:
    crashing = Journey(settings, tmp_path, mailboxes={**journey.maildirs, "cass": CrashBeforeFlagging(journey.cass)})
    with pytest.raises(Crash):
        crashing.run()
    assert journey.marked(Folder.INBOX)[URGENT] == set()
    Journey(settings, tmp_path).run()  # restart: flagged, then filed
    _assert_exactly_once(journey)
    assert journey.marked(Folder.INFORMATION_REQUESTS)[URGENT] == {"flagged"}


def test_a_request_filed_just_before_a_crash_then_moved_back_by_a_person_stays_in_the_inbox(
    journey: Journey, settings: Settings, tmp_path: Path
) -> None:
    crashing = Journey(settings, tmp_path, mailboxes={**journey.maildirs, "cass": CrashAfterFiling(journey.cass)})
    with pytest.raises(Crash):
        crashing.run()  # the first request is filed, but the store still says "to file"
    [filed] = journey.cass.poll(Folder.INFORMATION_REQUESTS, None).messages
    journey.cass.file_into(Folder.INBOX, filed)  # someone drags it back
    Journey(settings, tmp_path).run()
    assert filed.raw in journey.folder(Folder.INBOX)
    assert filed.raw not in journey.folder(Folder.INFORMATION_REQUESTS)


def test_a_request_someone_files_first_is_left_where_they_put_it_and_the_run_goes_on(
    journey: Journey, settings: Settings, tmp_path: Path
) -> None:
    racing = Journey(settings, tmp_path, mailboxes={**journey.maildirs, "cass": PersonFilesItFirst(journey.cass)})
    report = racing.run()
    assert report.failed == {}
    _assert_exactly_once(journey)  # each new request filed once (by the person), every mail processed
    with Session(journey.engine) as session:
        assert not session.exec(select(MailSeen).where(MailSeen.to_file)).all()


def test_a_request_a_person_moves_back_to_the_inbox_stays_there(journey: Journey) -> None:
    journey.run()
    [filed] = [m for m in journey.cass.poll(Folder.INFORMATION_REQUESTS, None).messages if b"Amara Bello" in m.raw]
    journey.cass.file_into(Folder.INBOX, filed)  # someone in Business Support drags it back
    journey.run()
    assert filed.raw in journey.folder(Folder.INBOX)
    assert filed.raw not in journey.folder(Folder.INFORMATION_REQUESTS)


@pytest.mark.parametrize("crash_at", range(1, 22))  # one run reads the clock 18 times
def test_crash_at_any_step_then_restart(journey: Journey, settings: Settings, tmp_path: Path, crash_at: int) -> None:
    crashing = Journey(settings, tmp_path)
    crashing.deps.clock = CrashingClock(crash_at)
    with contextlib.suppress(Crash):
        crashing.run()
    Journey(settings, tmp_path).run()  # restart
    _assert_exactly_once(journey)
