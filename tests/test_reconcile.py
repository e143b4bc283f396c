"""A store restored from an older backup catches up from the mailboxes: the same requests, references, checks
and drafts as before the restore, nothing drafted twice, nobody alerted again (Maildir and Dovecot)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.alerts import urgent_alerts
from bot.commands.reconcile import catch_up
from bot.config import Settings
from bot.mailbox.base import Folder
from bot.store import Check, Draft, NeedsPerson, Request
from tests.support.dovecot import Dovecot
from tests.support.journey import DEMO_MAIL, Journey
from tests.support.smtp_sink import Sink

FIRST, SECOND = "CASS-2026-000001", "CASS-2026-000002"
SINCE = datetime(2026, 11, 1, tzinfo=UTC)


def _store_file(journey: Journey) -> Path:
    return Path(journey.settings.store.url.removeprefix("sqlite:///"))


def _backup(journey: Journey, to: Path) -> None:
    with sqlite3.connect(_store_file(journey)) as source, sqlite3.connect(to) as copy:
        source.backup(copy)


def _what_people_see(journey: Journey) -> dict[str, object]:
    """Every request, check and draft as `requests show` would tell them, and what is in the Drafts folder."""
    with Session(journey.engine) as session:
        refs = {r.id: r.reference for r in session.exec(select(Request)).all()}
        return {
            "requests": sorted((r.reference, r.kind, r.state, r.urgent, r.applicant, r.requester_address)
                               for r in session.exec(select(Request)).all()),
            "checks": sorted((refs[c.request_id], c.team, c.state) for c in session.exec(select(Check)).all()),
            "drafts": sorted((refs[d.request_id], d.template, d.state, d.message_id, d.to_address, d.sent_by)
                             for d in session.exec(select(Draft)).all()),
            "in Drafts": sorted(journey.folder(Folder.DRAFTS)),
        }


def _first_request_then_backup(journey: Journey, tmp_path: Path) -> Path:
    """Monday: the demo's first request arrives, and the nightly backup is taken after it."""
    journey.clock.now = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    journey.deliver("01-ola-request.eml")
    journey.run()
    backup = tmp_path / "backup.sqlite3"
    _backup(journey, backup)
    return backup


def _restored(journey: Journey, backup: Path, settings: Settings, tmp_path: Path,
              dovecot: Dovecot | None = None) -> Journey:
    """The store lost and the backup put back (the mailboxes as they are): the bot started again on it."""
    for box in journey.maildirs.values():
        box.close()
    journey.engine.dispose()
    shutil.copyfile(backup, _store_file(journey))
    for suffix in ("-wal", "-shm"):
        Path(f"{_store_file(journey)}{suffix}").unlink(missing_ok=True)
    return Journey(settings, tmp_path, dovecot=dovecot)


def _with_smtp(journey: Journey, sink: tuple[int, Sink]) -> None:
    smtp = journey.settings.smtp.model_copy(update={"host": "127.0.0.1", "port": sink[0], "security": "plain"})
    alerts = journey.settings.alerts.model_copy(update={"duty": ("j.hart@childrenstrust.example",)})
    journey.settings = journey.settings.model_copy(update={"smtp": smtp, "alerts": alerts})
    journey.deps.settings = journey.settings


@pytest.mark.parametrize("backend", ["maildir", "imap"])
def test_a_store_restored_from_an_older_backup_catches_up_from_the_mailboxes(
        backend: str, settings: Settings, tmp_path: Path, request: pytest.FixtureRequest,
        smtp_sink: tuple[int, Sink]) -> None:
    dovecot = request.getfixturevalue("dovecot") if backend == "imap" else None
    journey = Journey(settings, tmp_path, dovecot=dovecot)
    if dovecot:
        journey.reset_server()
    _with_smtp(journey, smtp_sink)
    backup = _first_request_then_backup(journey, tmp_path)
    # Tuesday: the checks go, an urgent request comes (and is alerted), the answers come, the response is drafted.
    journey.clock.now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    journey.send(FIRST, "charms_check_request")
    journey.send(FIRST, "lado_check_request")
    journey.deliver("02-urgent-kinship-request.eml")
    journey.run()
    assert urgent_alerts(journey.engine, journey.settings, journey.clock.now) == [SECOND]
    journey.clock.now = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)
    journey.deliver("05-charms-answer.eml", "06-lado-answer.eml")
    journey.run()
    before = _what_people_see(journey)
    assert journey.request(FIRST).state == "response_drafted"

    restored = _restored(journey, backup, settings, tmp_path, dovecot)  # Monday's backup put back
    _with_smtp(restored, smtp_sink)
    restored.clock.now = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
    with Session(restored.engine) as session:
        assert len(session.exec(select(Request)).all()) == 1  # the backup knows Monday's request only

    catch_up(restored.deps, SINCE)
    assert _what_people_see(restored) == before
    assert urgent_alerts(restored.engine, restored.settings, restored.clock.now) == []  # alerted once, on Tuesday
    assert len(smtp_sink[1].received) == 1

    # Nothing changes on a second pass, and the journey goes on: the response sent closes the request.
    catch_up(restored.deps, SINCE)
    assert _what_people_see(restored) == before
    restored.send(FIRST, "response")
    restored.run()
    assert restored.request(FIRST).state == "closed"
    for box in restored.maildirs.values():
        box.close()


def test_reconcile_from_the_command_line_says_what_it_caught_up(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main
    from tests.support.site import deliver_demo_mail, site_config
    config = site_config(tmp_path)
    deliver_demo_mail(tmp_path, "01-ola-request.eml")
    assert main(["run", "--once", "--config", str(config)]) == 0
    (tmp_path / "cassbot.sqlite3").unlink()  # no backup at all: everything comes back from the mailbox
    capsys.readouterr()
    assert main(["reconcile", "--since", "2026-11-01", "--config", str(config)]) == 0
    assert "reconciled from 2026-11-01: 1 new request" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        main(["reconcile", "--since", "last week", "--config", str(config)])
    assert usage.value.code == 2 and "'last week' is not a date" in capsys.readouterr().err


def test_reconcile_says_which_requests_it_could_not_bring_back(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """Mail dated before --since is not read back: the bot's drafts still name the request, and it says so."""
    from bot.cli import main
    from tests.support.site import deliver_demo_mail, site_config
    config = site_config(tmp_path)
    deliver_demo_mail(tmp_path, "01-ola-request.eml")  # dated 16 November
    assert main(["run", "--once", "--config", str(config)]) == 0
    (tmp_path / "cassbot.sqlite3").unlink()
    capsys.readouterr()
    assert main(["reconcile", "--since", "2026-11-20", "--config", str(config)]) == 1
    assert "CASS-2026-000001" in capsys.readouterr().err
    assert main(["reconcile", "--since", "2026-11-09", "--config", str(config)]) == 0


def _delete_draft(journey: Journey, reference: str, template: str) -> None:
    """A person deletes one of the bot's drafts unsent, in Outlook."""
    message_id = journey.draft(reference, template).message_id.encode()
    drafts = Path(journey.settings.mailbox("cass").path) / ".Drafts"
    (found,) = [p for p in drafts.rglob("*") if p.is_file() and message_id in p.read_bytes()]
    found.unlink()


def test_no_number_the_bot_gave_before_the_restore_goes_to_another_mail(settings: Settings, tmp_path: Path) -> None:
    """A request the mailbox gives no trace of (its drafts all deleted) is numbered above every reference the
    bot's drafts show, so a request the survey knows always gets its own back."""
    journey = Journey(settings, tmp_path)
    backup = _first_request_then_backup(journey, tmp_path)
    journey.clock.now = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)
    journey.deliver("10-not-urgent-adoption.eml")  # dated 18 November: CASS-2026-000002
    journey.run()
    journey.deliver("02-urgent-kinship-request.eml")  # dated 16 November, so replayed first: CASS-2026-000003
    journey.run()
    assert journey.request("CASS-2026-000003").urgent
    for template in ("secure_address_challenge", "lado_check_request"):
        _delete_draft(journey, "CASS-2026-000003", template)
    kept = journey.request("CASS-2026-000002").message_id
    restored = _restored(journey, backup, settings, tmp_path)
    restored.clock.now = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    catch_up(restored.deps, SINCE)
    assert restored.request("CASS-2026-000002").message_id == kept
    with Session(restored.engine) as session:
        numbers = sorted(r.reference for r in session.exec(select(Request)).all())
    assert numbers == ["CASS-2026-000001", "CASS-2026-000002", "CASS-2026-000003"]


def test_a_draft_deleted_unsent_before_the_restore_is_not_made_again(settings: Settings, tmp_path: Path) -> None:
    journey = Journey(settings, tmp_path)
    journey.clock.now = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    backup = tmp_path / "backup.sqlite3"
    _backup(journey, backup)  # before anything arrived
    journey.deliver("01-ola-request.eml")
    journey.run()
    _delete_draft(journey, FIRST, "charms_check_request")
    in_drafts = sorted(journey.folder(Folder.DRAFTS))
    restored = _restored(journey, backup, settings, tmp_path)
    restored.clock.now = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
    catch_up(restored.deps, SINCE)
    assert sorted(restored.folder(Folder.DRAFTS)) == in_drafts  # the LADO check only, as the RAO left it
    with Session(restored.engine) as session:
        reasons = [n.reason for n in session.exec(select(NeedsPerson)).all()]
    assert any("charms check request draft was gone" in r for r in reasons)


@pytest.mark.parametrize("backend", ["graph", "ews"])
def test_reconcile_on_exchange_knows_the_bots_drafts_replies_made_by_createreply_included(
        backend: str, settings: Settings, tmp_path: Path) -> None:
    from tests.support.ews_world import ews_backend
    from tests.support.graph_world import graph_backend
    box, world = (graph_backend if backend == "graph" else ews_backend)(tmp_path)
    journey = Journey(settings, tmp_path / "before", mailboxes={"cass": box})
    for name in ("01-ola-request.eml", "02-urgent-kinship-request.eml"):
        world.deliver(Folder.INBOX, (DEMO_MAIL / name).read_bytes())
    journey.run()
    assert journey.draft(SECOND, "secure_address_challenge").state == "saved"  # a reply: createReply on Graph
    in_drafts = sorted(m.key for m in box.poll(Folder.DRAFTS, None).messages)

    restored = Journey(settings, tmp_path / "restored", mailboxes={"cass": box})  # the store lost, no backup
    catch_up(restored.deps, SINCE)

    with Session(restored.engine) as session:
        assert {d.state for d in session.exec(select(Draft)).all()} == {"saved"}  # none taken for deleted
        assert not [n.reason for n in session.exec(select(NeedsPerson)).all() if "was gone" in n.reason]
    assert sorted(m.key for m in box.poll(Folder.DRAFTS, None).messages) == in_drafts  # nothing drafted twice
    box.close()
