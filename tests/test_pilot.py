"""Pilot mode as a service manager and a data protection officer see it: on a month of mail with known staff
decisions, the report finds exactly the planted disagreements and agreement the test counts itself; the pilot
never changes a mailbox (a read-only Dovecot login, byte-identical before and after); the report is private,
has no mail's words, renders in a real browser, and the pilot's store is purged unless kept."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image

from bot.classify import Classifier
from bot.cli import main
from bot.config import Settings
from bot.domain import Kind
from bot.mail import parse_mail
from bot.mailbox.base import Folder
from bot.pilot import compare, read_period, replay, what_staff_did
from bot.pilot_report import summarise
from bot.store import open_store
from bot.teams import mailbox_roles
from tests.conftest import ROOT, require
from tests.support import pilot_world
from tests.support.dovecot import Dovecot, free_port
from tests.support.imap_world import World, imap_config_file
from tests.support.journey import Journey
from tests.support.mail import build_mail
from tests.support.site import site_config

SINCE, UNTIL = date(2026, 11, 1), date(2026, 12, 1)


def _pilot(journey: Journey):  # type: ignore[no-untyped-def]
    engine = open_store(f"sqlite:///{journey.root / 'pilot.sqlite3'}")
    period = read_period(journey.maildirs, datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    replay(journey.settings, engine, journey.maildirs, period)
    return compare(journey.settings, engine, period, SINCE, UNTIL)


def _month_on_maildir(settings: Settings, root: Path) -> Journey:
    journey = Journey(settings, root)
    for role, folder, raw in pilot_world.month():
        journey.maildirs[role].deliver(folder, raw)  # type: ignore[attr-defined]
    return journey


def test_the_report_finds_exactly_the_planted_disagreements(settings: Settings, tmp_path: Path) -> None:
    result = _pilot(_month_on_maildir(settings, tmp_path))
    got = {r.reference: {d.name: (d.bot, d.staff) for d in r.decisions} for r in result.requests}
    assert got == pilot_world.expected()


def test_agreement_figures_match_a_count_done_here(settings: Settings, tmp_path: Path) -> None:
    summary = summarise(_pilot(_month_on_maildir(settings, tmp_path)), datetime(2026, 12, 1, tzinfo=UTC))
    counted: dict[str, list[int]] = {}
    for row in pilot_world.expected().values():
        for name, (bot, staff) in row.items():
            counted.setdefault(name, [0, 0])
            counted[name][0] += bot == staff
            counted[name][1] += 1
    assert {k: tuple(v) for k, v in counted.items()} == summary.agreement
    planted = {("CASS-2026-000003", "CHARMS check asked"), ("CASS-2026-000005", "resubmission requested"),
               ("CASS-2026-000005", "LADO check asked"), ("CASS-2026-000007", "secure address asked"),
               ("CASS-2026-000009", "response: OFSTED paragraph"), ("CASS-2026-000011", "Level 3 redirect")}
    assert {(d.reference, d.decision) for d in summary.disagreements} == planted
    skipped = next(d for d in summary.disagreements if d.reference == "CASS-2026-000003")
    assert skipped.staff_did.startswith("LADO check to l.@childrenstrust.example")  # what staff did instead


@pytest.fixture
def month_on_dovecot(dovecot: Dovecot) -> Dovecot:
    """The month delivered on the test Dovecot, and a second server over the same mail whose logins may only
    read (Dovecot's ACL plugin: each owner has lookup and read rights, nothing else)."""
    for role in mailbox_roles():
        World(dovecot, role).reset()
    for role, folder, raw in pilot_world.month():
        World(dovecot, role).deliver(folder, raw)
    return dovecot


@pytest.fixture
def read_only(month_on_dovecot: Dovecot) -> Iterator[Dovecot]:
    server = Dovecot(read_only_over=month_on_dovecot)
    server.start()
    yield server
    server.remove()


def _mail_files(server: Dovecot) -> dict[str, bytes]:
    """Every file of the mailboxes (messages, their flags in their names, UID lists, subscriptions), less the
    read-only server's own cache of which mailboxes have ACLs."""
    return {str(p.relative_to(server.mail)): p.read_bytes() for p in sorted(server.mail.rglob("*"))
            if p.is_file() and p.name != "dovecot-acl-list"}


def _run_pilot(config: Path, out: Path, *extra: str) -> int:
    return main(["pilot", "--since", "2026-11-01", "--until", "2026-12-01", "--config", str(config),
                 "--out", str(out), *extra])


def test_a_pilot_through_a_read_only_login_changes_nothing_and_writes_a_private_report(
        month_on_dovecot: Dovecot, read_only: Dovecot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _mail_files(month_on_dovecot)
    out = tmp_path / "report"
    assert _run_pilot(imap_config_file(tmp_path, read_only), out) == 0
    assert "11 requests, 6 disagreements" in capsys.readouterr().out
    assert _mail_files(month_on_dovecot) == before  # not a flag, not a draft, not a byte
    for name in ("report.html", "report.json", "report.csv"):
        assert (out / name).stat().st_mode & 0o077 == 0
    assert not (out / "pilot.sqlite3").exists()  # the period's data purged with the report written
    report = json.loads((out / "report.json").read_text())
    assert report["agreement"]["CHARMS check asked"] == {"agreed": 10, "compared": 11, "percent": 90.9}


def test_the_report_holds_no_mail_words_and_only_initials_unless_asked(
        settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journey = _month_on_maildir(settings, tmp_path / "site")
    config = site_config(tmp_path / "site")
    out = tmp_path / "report"
    assert _run_pilot(config, out) == 0
    text = "".join((out / name).read_text() for name in ("report.html", "report.json", "report.csv"))
    for words in ("Disclosure Team, who deal", "Please resubmit", "Kara Doyle", "Olive", "harbourlightfostering.co.uk"
                  "info@harbourlightfostering.co.uk", "tom.reeve@"):
        assert words not in text
    assert "t.r.@westshire.gov.uk" in text  # the addressee, reduced to initials and organisation
    assert _run_pilot(config, tmp_path / "full", "--full", "--keep") == 0
    full = (tmp_path / "full" / "report.json").read_text()
    assert "tom.reeve@westshire.gov.uk" in full and (tmp_path / "full" / "pilot.sqlite3").exists()
    assert journey.folder(Folder.DRAFTS) == []  # the pilot drafts nothing


def test_the_report_renders_its_charts_and_tables_in_a_real_browser(settings: Settings, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium is not None, "chromium")
    assert chromium is not None
    _month_on_maildir(settings, tmp_path / "site")
    out = tmp_path / "report"
    assert _run_pilot(site_config(tmp_path / "site"), out) == 0
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1100,2600", (out / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    pixels = Image.open(shot).convert("RGB").tobytes()
    colours = Counter(zip(pixels[0::3], pixels[1::3], pixels[2::3], strict=True))
    for colour in ("#1f5fa8", "#7b3fa0", "#2e8b57", "#eeeeee", "#ffe0e0"):  # bars by kind, the step bars,
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))              # table headers, disagreements
        assert colours[rgb] > 200, f"{colour} hardly drawn: the charts or tables did not render"


def _tree(root: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every folder and file under `root`, with each file's bytes and modification time."""
    return {str(p): (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else None for p in sorted(root.rglob("*"))}


def test_a_pilot_over_the_demos_mail_reads_it_and_leaves_it_as_it_was(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    maildirs = tmp_path / "state" / "demo" / "maildir"
    before = _tree(maildirs)
    config = tmp_path / "demo.toml"
    config.write_text((ROOT / "config" / "cassbot.toml").read_text().replace(
        'path = "state/maildir/', 'path = "state/demo/maildir/'))
    capsys.readouterr()
    assert _run_pilot(config, tmp_path / "report") == 0
    assert "14 mails, 5 requests, 0 disagreements" in capsys.readouterr().out
    assert _tree(maildirs) == before  # not a byte, not a file's time, not a folder
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert report["no_staff_action"] == 4  # in the demo Priya acts on the first request only
    assert report["agreement"]["LADO check asked"] == {"agreed": 1, "compared": 1, "percent": 100.0}


def test_a_pilot_that_cannot_read_a_mailbox_says_so_and_keeps_nothing(
        dovecot: Dovecot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report"
    assert _run_pilot(imap_config_file(tmp_path, dovecot, port=free_port()), out) == 1  # the server is not there
    assert "a mailbox could not be read" in capsys.readouterr().err
    assert not (out / "pilot.sqlite3").exists() and not (out / "report.html").exists()


def test_the_pilot_reads_a_reply_with_no_words_and_can_write_nothing(settings: Settings) -> None:
    from bot.mail import parse_mail
    from bot.pilot import PilotWrote, ReadOnly, what_staff_did
    from tests.support.mail import build_mail
    reply = parse_mail(build_mail("RE: Information request", "", sender="cass@childrenstrust.example",
                                  to="sam.ince@eastvale.gov.uk"))
    assert what_staff_did(settings, reply).what == "response"
    box = ReadOnly(Journey(settings, Path(tempfile.mkdtemp())).cass)
    with pytest.raises(PilotWrote):
        box.save_draft(b"Subject: x\r\n\r\n", "<x@y>")


def test_a_reason_with_a_quote_left_open_keeps_none_of_the_mails_words() -> None:
    from bot.pilot_report import _reason
    assert _reason('consent ok; the request says "approved with your trust in 2017', full=False) == \
        'consent ok; the request says "…'


@pytest.mark.parametrize(("word", "named"), [("Ofsted", True), ("OFSTED's", True), ("Ofstedish", False)])
def test_the_classifier_and_the_pilot_read_ofsted_in_the_same_words(word: str, named: bool, settings: Settings,
                                                                    classifier: Classifier) -> None:
    """The word that makes a mail LADO passes on an Ofsted suitability check is the word that, in a reply staff
    sent, counts as the OFSTED paragraph the pilot compares with the bot's."""
    passed_on = parse_mail(build_mail("FW: Ms Amara Bello", f"A suitability check from {word} for Ms Amara Bello, "
                                      "passed on to CASS.", sender="lado@childrenstrust.example"))
    assert (classifier.classify(passed_on).kind == Kind.SUITABILITY_CHECK) is named
    reply = parse_mail(build_mail("RE: Information request", f"Please contact {word} about Mr Kofi Bello.",
                                  sender="rao@childrenstrust.example", to="helen.marsh@northshire.gov.uk"))
    assert ("response: OFSTED paragraph" in what_staff_did(settings, reply).says) is named
