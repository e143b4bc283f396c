"""What the bot made of each mail, as Business Support see it in Outlook: a category ("cassbot: OLA request
CASS-2026-000001") on each mail it reads, on every backend (IMAP and Maildir: the keyword), beside a person's own
categories, once; created in an Exchange mailbox's master category list in blue when missing; and set exactly once
even when the bot dies between recording the mail and categorising it."""

from __future__ import annotations

import email
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.mail import parse_mail
from bot.mailbox.base import Folder, Mailbox, StoredMail, keyword
from bot.mailbox.maildir import MaildirMailbox
from bot.pipeline import Deps, run_once
from bot.store import MailSeen
from tests.support.ews_world import World as EwsWorld
from tests.support.ews_world import ews_backend
from tests.support.graph_world import graph_backend
from tests.support.imap_world import World as ImapWorld
from tests.support.imap_world import bot_mailbox
from tests.support.journey import DEMO_MAIL, Journey
from tests.support.mail import build_mail

OURS = "cassbot: OLA request CASS-2026-000123"
THEIRS = "Red category"  # a person's own, set in Outlook before the bot gets to the mail


@dataclass(frozen=True)
class Backend:
    box: Mailbox
    deliver: Callable[[Folder, bytes], str]
    person_categorises: Callable[[str, str], None]  # (key, category) in the inbox
    categories: Callable[[str], set[str]]  # what Outlook (or Thunderbird) shows on the inbox message
    master: Callable[[], dict[str, str]] | None = None  # Exchange's master category list: name -> colour


def _maildir_letters(root: Path, key: str) -> tuple[Path, str]:
    """The message's file (in new/ or cur/) and the letters of its info."""
    path = next(p for sub in ("new", "cur") for p in (root / sub).iterdir() if p.name.split(":")[0] == key)
    return path, path.name.partition(":2,")[2]


def _maildir_categories(root: Path, key: str) -> set[str]:
    names = dict(line.split(" ", 1) for line in (root / "dovecot-keywords").read_text().splitlines()) \
        if (root / "dovecot-keywords").exists() else {}
    _, letters = _maildir_letters(root, key)
    return {names[str(ord(c) - ord("a"))] for c in letters if c.islower()}


def _maildir_person(root: Path, key: str, name: str) -> None:
    """Thunderbird over Dovecot tagging a mail: keyword 0 in dovecot-keywords, letter a in the file's info."""
    (root / "dovecot-keywords").write_text(f"0 {name}\n")
    source, letters = _maildir_letters(root, key)
    source.rename(root / "cur" / f"{key}:2,{''.join(sorted(letters + 'a'))}")


def _ews_master(world: EwsWorld) -> dict[str, str]:
    with world.server.lock:
        calendar = world.server.folder(world.address, "calendar")
        assert calendar is not None
        xml = calendar.configurations.get("CategoryList", b"")
    return {m.group(1).decode(): m.group(2).decode() for m in re.finditer(rb'name="([^"]*)" color="(\d+)"', xml)}


@pytest.fixture(params=["maildir", "imap", "ews", "graph"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "maildir":
        root = tmp_path / "cass"
        maildir = MaildirMailbox("cass", "cass@example.org", root)
        found = Backend(maildir, maildir.deliver, lambda key, name: _maildir_person(root, key, name),
                        lambda key: _maildir_categories(root, key))
    elif request.param == "imap":
        world = ImapWorld(request.getfixturevalue("dovecot"), "cass")
        world.reset()

        def person(key: str, name: str) -> None:
            with world.client() as client:
                client.select_folder("INBOX")
                client.add_flags([int(key.partition(":")[2])], [name.encode()], silent=True)
        found = Backend(bot_mailbox(world.server, "cass", "cass@example.org"), world.deliver, person,
                        lambda key: {f.decode() for f in world.flags(Folder.INBOX, key) if not f.startswith(b"\\")})
    elif request.param == "ews":
        box, ews = ews_backend(tmp_path)

        def ews_person(key: str, name: str) -> None:
            with ews.server.lock:
                ews.server.items[key].categories += (name,)
        found = Backend(box, ews.deliver, ews_person, lambda key: set(ews.item(key).categories),
                        lambda: _ews_master(ews))
    else:
        box, graph = graph_backend(tmp_path)

        def graph_person(key: str, name: str) -> None:
            with graph.server.lock:
                graph.server.mailbox(graph.address).messages[key].categories.append(name)

        def graph_categories(key: str) -> set[str]:
            with graph.server.lock:
                listed = graph.server.mailbox(graph.address).messages[key].categories
                assert len(listed) == len(set(listed)), listed  # none twice
                return set(listed)
        found = Backend(box, graph.deliver, graph_person, graph_categories,
                        lambda: dict(graph.server.mailbox(graph.address).master_categories))
    yield found
    found.box.close()


def _polled(backend: Backend, raw: bytes) -> tuple[str, StoredMail]:
    key = backend.deliver(Folder.INBOX, raw)
    polled = backend.box.poll(Folder.INBOX, None).messages
    wanted = email.message_from_bytes(raw)["Message-ID"]  # Exchange adds headers of its own to what it stores
    return key, next(m for m in polled if email.message_from_bytes(m.raw)["Message-ID"] == wanted)


def _shown(backend: Backend, category: str) -> str:
    """The category as the backend keeps it: IMAP and Maildir have keywords."""
    return category if backend.master is not None else keyword(category)


def test_a_category_goes_beside_a_persons_own_and_only_once(backend: Backend) -> None:
    key, stored = _polled(backend, build_mail("Information request", message_id="<one@example.gov.uk>"))
    backend.person_categorises(stored.key, keyword(THEIRS) if backend.master is None else THEIRS)
    backend.box.categorise(stored, OURS)
    backend.box.categorise(stored, OURS)  # a poll after a crash doing it again
    theirs = THEIRS if backend.master is not None else keyword(THEIRS)
    assert backend.categories(stored.key) == {theirs, _shown(backend, OURS)}


def test_exchange_adds_a_missing_category_to_the_master_list_in_blue_once(backend: Backend) -> None:
    if backend.master is None:
        pytest.skip("IMAP and Maildir keep no master category list")
    for n in (1, 2):
        _, stored = _polled(backend, build_mail(f"Request {n}", message_id=f"<m{n}@example.gov.uk>"))
        backend.box.categorise(stored, OURS)
    assert backend.master() in ({OURS: "7"}, {OURS: "preset7"})  # EWS's CategoryList colour 7 is Graph's preset7


def test_the_imap_keyword_is_an_atom_of_the_same_words() -> None:
    assert keyword("cassbot: OLA request CASS-2026-000123") == "cassbot:OLA_request_CASS-2026-000123"
    assert keyword("cassbot: LADO answer, linked") == "cassbot:LADO_answer_linked"
    assert keyword("cassbot: A&F answer, linked") == "cassbot:A&F_answer_linked"


def _journey_categories(journey: Journey) -> dict[str, set[str]]:
    """Each CASS mail by subject, with its keywords, wherever the bot left it (the inbox, Information Requests)."""
    root = Path(journey.settings.mailbox("cass").path)
    shown: dict[str, set[str]] = {}
    for folder, path in ((Folder.INBOX, root), (Folder.INFORMATION_REQUESTS, root / ".Information Requests")):
        for stored in journey.cass.poll(folder, None).messages:
            shown[parse_mail(stored.raw).subject] = _maildir_categories(path, stored.key)
    return shown


def test_each_mail_the_bot_reads_says_what_it_made_of_it(settings: Settings, tmp_path: Path) -> None:
    journey = Journey(settings, tmp_path)
    journey.deliver("01-ola-request.eml", "07-spoofed-lado-answer.eml", "08-out-of-office.eml")
    journey.run()
    shown = _journey_categories(journey)
    assert {"cassbot:OLA_request_CASS-2026-000001"} in shown.values()  # filed, the keyword with it
    assert {"cassbot:needs_a_person"} in shown.values()  # the spoofed LADO answer
    assert {"cassbot:automatic_reply"} in shown.values()


def test_categories_can_be_turned_off(settings: Settings, tmp_path: Path) -> None:
    off = settings.model_copy(update={"categories": settings.categories.model_copy(update={"enabled": False})})
    journey = Journey(off, tmp_path)
    journey.deliver("01-ola-request.eml")
    journey.run()
    assert set().union(*_journey_categories(journey).values()) == set()


class Crash(BaseException):
    """The process dying (BaseException: nothing in the bot catches it)."""


class DiesAfterCategorising:
    """The CASS mailbox, passed through, except that the process dies the first time a category has been set."""

    def __init__(self, inner: Mailbox) -> None:
        self.inner, self.role, self.address, self.died = inner, inner.role, inner.address, False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def categorise(self, message: StoredMail, category: str) -> None:
        self.inner.categorise(message, category)
        if not self.died:
            self.died = True
            raise Crash("died between categorising the mail and recording it done")


def test_a_crash_between_the_record_and_the_category_leaves_it_set_once_after_restart(
        settings: Settings, tmp_path: Path) -> None:
    box, graph = graph_backend(tmp_path)
    journey = Journey(settings, tmp_path / "site")
    mailboxes: dict[str, Mailbox] = {**journey.maildirs, "cass": DiesAfterCategorising(box)}  # type: ignore[dict-item]
    graph.deliver(Folder.INBOX, (DEMO_MAIL / "01-ola-request.eml").read_bytes())
    with pytest.raises(Crash):
        run_once(Deps(journey.settings, journey.engine, mailboxes, journey.clock))
    with Session(journey.engine) as session:  # recorded, with the category still to set
        assert [m.to_categorise for m in session.exec(select(MailSeen))] == ["cassbot: OLA request CASS-2026-000001"]
    run_once(Deps(journey.settings, journey.engine, {**journey.maildirs, "cass": box}, journey.clock))  # restarted
    with graph.server.lock:  # filed into Information Requests since, under a new id
        categories = [c for m in graph.server.mailbox(graph.address).messages.values() if not m.is_draft
                      for c in m.categories]
    assert categories == ["cassbot: OLA request CASS-2026-000001"]  # set once, after the restart
    with Session(journey.engine) as session:
        assert [m.to_categorise for m in session.exec(select(MailSeen))] == [""]
