"""The month in figures as a service manager takes it to the partnership forum: on a quarter of mail with known
timings, planted late decisions and known edits to the drafts RAOs sent, every figure of November's report is
the count this test makes from the cases themselves; the report has no names, addresses or words from mail,
its CSV tables say what its JSON says, it renders every chart in a real browser, and it goes by mail once on
the first working day of the month."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from statistics import median, quantiles
from typing import Any

import pytest
from PIL import Image

from bot.cli import main
from bot.config import Settings
from bot.figures import DAYS
from tests.conftest import require
from tests.support.dovecot import Dovecot
from tests.support.journey import Journey
from tests.support.quarter_world import FIRST_DRAFT, KINDS, ORGANISATION, Case, Quarter, cases
from tests.support.site import site_config

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
SPOOF = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))  # GMT: UTC is London time
MONTHS = {"2026-08": (8, 9), "2026-09": (9, 10), "2026-10": (10, 11), "2026-11": (11, 12)}


def _in(at: datetime | None, month: str = "2026-11") -> bool:
    first, last = MONTHS[month]
    return at is not None and datetime(2026, first, 1, tzinfo=UTC) - timedelta(hours=1 if first < 11 else 0) \
        <= at < datetime(2026, last, 1, tzinfo=UTC) - timedelta(hours=1 if last < 11 else 0)


def _local(at: datetime) -> datetime:
    return at + (timedelta(hours=1) if at < datetime(2026, 10, 25, 1, tzinfo=UTC) else timedelta())


def _working_hours(start: datetime, end: datetime) -> float:
    """Working time as a person counts it on these dates (Tuesday to Friday, no holidays): the rest of the first
    day from the start, whole days between, the morning of the last day."""
    start, end = _local(start), _local(end)
    opens, closes = time(9), time(17)

    def clip(at: datetime) -> float:
        t = min(max(at.time(), opens), closes)
        return t.hour + t.minute / 60

    if start.date() == end.date():
        return round(clip(end) - clip(start), 2)
    between = (end.date() - start.date()).days - 1
    return round(17 - clip(start) + 8 * between + clip(end) - 9, 2)


def _end_of_day(at: datetime, extra: int = 0) -> datetime:
    local = _local(at)
    end = datetime.combine(local.date() + timedelta(days=extra), time(17), tzinfo=UTC)
    return end - (local - at)


def _p90(hours: list[float]) -> float | None:
    if not hours:
        return None
    return round(quantiles(hours, n=10, method="inclusive")[-1], 2) if len(hours) > 1 else hours[0]


def _timeliness(name: str, clocks: list[tuple[datetime, datetime | None, datetime]]) -> dict[str, Any]:
    counted = [c for c in clocks if c[1] is not None or c[2] < NOW]
    hours = sorted(_working_hours(start, stop) for start, stop, _ in counted if stop is not None)
    on_time = sum(stop is not None and stop <= due for _, stop, due in counted)
    return {"of": len(counted), "on_time": on_time,
            "on_time_percent": round(100 * on_time / len(counted), 1) if counted else None,
            "median_working_hours": round(median(hours), 2) if hours else None, "p90_working_hours": _p90(hours)}


def _decisions(all_cases: list[Case], month: str) -> list[tuple[datetime, datetime | None, datetime]]:
    clocks = []
    for c in all_cases:
        if _in(c.arrives, month):
            due = c.arrives + timedelta(hours=24)
            if c.urgent:
                due = min(due, _end_of_day(c.arrives))
            clocks.append((c.arrives, c.decided, due))
    return clocks


def _checks(all_cases: list[Case], month: str) -> list[tuple[datetime, datetime | None, datetime]]:
    return [(c.check_sent, c.answered, _end_of_day(c.check_sent)) for c in all_cases
            if c.check_sent and _in(c.check_sent, month)]


def _responses(all_cases: list[Case], month: str) -> list[tuple[datetime, datetime | None, datetime]]:
    return [(c.answered, c.responded, _end_of_day(c.answered, 1)) for c in all_cases
            if c.answered and _in(c.answered, month)]


def expected_figures(all_cases: list[Case]) -> dict[str, Any]:
    """November's report, counted from the cases."""
    nov = [c for c in all_cases if _in(c.arrives)]
    weeks: dict[str, Counter[str]] = {}
    for c in nov:
        weeks.setdefault(f"2026-W{c.arrives.isocalendar().week:02d}", Counter())[KINDS[c.kind]] += 1
    urgent = sum(c.urgent for c in nov)
    hours, days = Counter(f"{c.arrives.hour:02d}" for c in nov), Counter(DAYS[c.arrives.weekday()] for c in nov)
    timeliness = []
    for name, clocks in (("decision", _decisions), ("check answered", _checks),
                         ("response after the last answer", _responses)):
        this = _timeliness(name, clocks(all_cases, "2026-11"))
        trend = [{"period": m, "of": _timeliness(name, clocks(all_cases, m))["of"],
                  "on_time_percent": _timeliness(name, clocks(all_cases, m))["on_time_percent"]} for m in MONTHS]
        timeliness.append({"measure": name, **this, "trend": trend})
    lado = _timeliness("check answered", _checks(all_cases, "2026-11"))
    deleted = [c for c in nov if c.edit == "deleted"]
    answers = [c for c in all_cases if _in(c.answered)]
    return {
        "demand": {"requests": len(nov), "by_kind": dict(Counter(KINDS[c.kind] for c in nov)),
                   "by_week": {w: dict(k) for w, k in sorted(weeks.items())},
                   "by_organisation": dict(Counter(ORGANISATION[c.kind] for c in nov)), "urgent": urgent,
                   "urgent_percent": round(100 * urgent / len(nov), 1),
                   "by_hour": {f"{h:02d}": hours[f"{h:02d}"] for h in range(24)},
                   "by_day": {d: days[d] for d in DAYS}},
        "timeliness": timeliness,
        "lado": {"asked": lado["of"], "answered": sum(bool(c.answered) for c in all_cases if _in(c.check_sent)),
                 "on_time": lado["on_time"], "median_working_hours": lado["median_working_hours"],
                 "p90_working_hours": lado["p90_working_hours"], "open_at_end": 0},
        "quality": {"resubmissions": {"missing": sum(c.kind == "no_consent" for c in nov), "expired": 0,
                                      "incomplete": 0, "verbal_only": 0},
                    "secure_address_questions": sum(c.kind == "generic" for c in nov),
                    "level3_redirects": sum(c.kind == "level3" for c in nov),
                    "needs_person": {"an answer not trusted": 1, "draft deleted unsent": len(deleted)},
                    "mails": len(nov) + len(answers) + 1, "without_a_person": len(nov) + len(answers)},
        "acceptance": _acceptance(all_cases),
    }


def _acceptance(all_cases: list[Case]) -> dict[str, dict[str, int]]:
    """Per template: what RAOs did in November with the drafts (sent by when sent, deleted by when deleted)."""
    found: dict[str, Counter[str]] = {}
    for c in all_cases:
        if _in(c.arrives + c.decided_after):
            found.setdefault(FIRST_DRAFT[c.kind], Counter())[c.edit] += 1
        if c.responded and _in(c.responded):
            found.setdefault("response", Counter())[c.response_edit] += 1
    names = {"unchanged": "unchanged", "one line": "lightly_edited", "rewritten": "rewritten",
             "deleted": "deleted_unsent"}
    return {t: {names[e]: n[e] for e in names} | {"sent": sum(n[e] for e in names if e != "deleted")}
            for t, n in sorted(found.items())}


@pytest.fixture(scope="module")
def quarter_on_maildir(tmp_path_factory: pytest.TempPathFactory) -> Journey:
    from bot.config import load_settings
    from tests.conftest import ROOT
    journey = Journey(load_settings(ROOT / "config" / "cassbot.toml"), tmp_path_factory.mktemp("quarter"))
    Quarter(journey).play(cases(), SPOOF)
    return journey


def _report(journey: Journey) -> dict[str, Any]:
    from sqlmodel import Session

    from bot.figures import month_period, month_report
    with Session(journey.engine) as session:
        return month_report(session, journey.settings, month_period("2026-11"), NOW).model_dump(mode="json")


def _assert_figures(report: dict[str, Any]) -> None:
    want = expected_figures(cases())
    demand = {k: v for k, v in report["demand"].items() if k not in ("busiest_hour", "busiest_day")}
    assert demand == want["demand"]
    for got, expected in zip(report["timeliness"], want["timeliness"], strict=True):
        assert {k: got[k] for k in expected} == expected, got["measure"]
    lado = next(c for c in report["checks"] if c["team"] == "lado")
    assert {k: lado[k] for k in want["lado"]} == want["lado"]
    assert next(c for c in report["checks"] if c["team"] == "af")["asked"] == 0
    assert {k: report["quality"][k] for k in want["quality"]} == want["quality"]
    by_template = {t["name"]: t for t in report["acceptance"]["by_template"]}
    assert set(by_template) == set(want["acceptance"])
    for name, counts in want["acceptance"].items():
        assert {k: by_template[name][k] for k in counts} == counts, name
    assert report["acceptance"]["mostly_rewritten"] == ["response"]


def test_every_figure_is_the_count_made_from_the_cases(quarter_on_maildir: Journey) -> None:
    report = _report(quarter_on_maildir)
    _assert_figures(report)
    assert all(t["on_time"] < t["of"] for t in report["timeliness"])  # the planted late ones are late
    unchanged_only = [t for t in report["acceptance"]["by_template"] if t["sent"] == t["unchanged"] and t["sent"]]
    assert all(t["median_changed_percent"] == 0.0 for t in unchanged_only)
    for t in report["acceptance"]["by_template"]:  # one line of a letter is a light edit; a new letter is not
        if t["lightly_edited"] and not t["rewritten"] and not t["unchanged"]:
            assert 0 < t["median_changed_percent"] <= 50


def test_the_same_quarter_on_dovecot_gives_the_same_figures(dovecot: Dovecot, tmp_path: Path,
                                                            settings: Settings) -> None:
    journey = Journey(settings, tmp_path, dovecot=dovecot)
    journey.reset_server()
    Quarter(journey).play(cases(), SPOOF)
    _assert_figures(_report(journey))


def _run_report(journey: Journey, out: Path, *extra: str) -> int:
    return main(["report", "--month", "2026-11", "--config", str(site_config(journey.root)), "--out", str(out),
                 *extra])


def test_the_files_hold_counts_and_times_only_and_the_tables_agree(quarter_on_maildir: Journey,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert _run_report(quarter_on_maildir, out) == 0
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "report.json", "demand_by_week.csv", "timeliness.csv", "checks.csv",
            "acceptance_by_template.csv", "needs_person.csv"} <= names
    assert all(p.stat().st_mode & 0o077 == 0 for p in out.iterdir())
    text = "".join(p.read_text() for p in out.iterdir())
    for words in ("Test1", "Ms ", "northbridge", "brightpath", "crownlaw", "gmail", "Form F", "court bundle",
                  "lives alone", "Priya"):
        assert words not in text, words
    assert not re.search(r"[\w.]+@[\w.]+", text.replace("@page", ""))  # not one address
    report = json.loads((out / "report.json").read_text())
    rows = (out / "acceptance_by_template.csv").read_text().splitlines()
    response = next(r for r in report["acceptance"]["by_template"] if r["name"] == "response")
    assert any(row.startswith(f"response,{response['sent']},{response['unchanged']},") for row in rows)
    assert "Mostly rewritten, worth a look: response" in (out / "report.html").read_text()


def test_the_report_json_follows_its_published_schema(quarter_on_maildir: Journey, tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from tests.conftest import ROOT
    assert _run_report(quarter_on_maildir, tmp_path) == 0
    schema = json.loads((ROOT / "docs" / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(json.loads((tmp_path / "report.json").read_text()), schema)


def test_the_report_renders_every_chart_in_a_real_browser(quarter_on_maildir: Journey, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require(chromium is not None, "chromium")
    assert chromium is not None
    assert _run_report(quarter_on_maildir, tmp_path / "report") == 0
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=800,3000", (tmp_path / "report" / "report.html").as_uri()],
                   check=True, capture_output=True, timeout=120)
    pixels = Image.open(shot).convert("RGB").tobytes()
    colours = Counter(zip(pixels[0::3], pixels[1::3], pixels[2::3], strict=True))
    charts = {"requests per week": "#1f5fa8", "by hour": "#c05a00", "by day": "#5a3e99", "timeliness": "#2e8b57",
              "checks per team": "#8a6d00", "drafts unchanged": "#1b7f3b", "drafts lightly edited": "#e0a800",
              "drafts rewritten": "#c0392b", "level 3 in the weeks": "#7b3fa0"}
    for chart, colour in charts.items():
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert colours[rgb] > 150, f"the {chart} chart hardly drew ({colour})"


def test_last_months_report_goes_once_on_the_first_working_day(quarter_on_maildir: Journey) -> None:
    from bot.report_mail import send_due_report
    from tests.support.dovecot import free_port
    from tests.support.smtp_sink import start_sink
    port = free_port()
    controller, sink = start_sink(port)
    settings = quarter_on_maildir.settings
    site = settings.model_copy(update={"smtp": settings.smtp.model_copy(update={
        "host": "127.0.0.1", "port": port, "security": "plain"})})
    leaders = sorted(m.address for m in settings.staff if m.role == "team_leader")
    try:
        assert send_due_report(quarter_on_maildir.engine, site, datetime(2026, 11, 30, 9, 0, tzinfo=UTC)).sent == []
        first = send_due_report(quarter_on_maildir.engine, site, datetime(2026, 12, 1, 8, 5, tzinfo=UTC))
        again = send_due_report(quarter_on_maildir.engine, site, datetime(2026, 12, 1, 8, 10, tzinfo=UTC))
    finally:
        controller.stop()
    assert date(2026, 12, 1).weekday() == 1  # a Tuesday: the first working day of December
    assert sorted(first.sent) == leaders and sorted(again.already) == leaders
    assert sorted(r.envelope_to[0] for r in sink.received) == leaders  # once each
    mail = sink.received[0].message
    assert mail["Subject"] == "CASS front door in figures: 2026-11" and mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_body(("plain",))
    assert body is not None and "RAOs sent" in body.get_content()


def _sent_between(start: datetime, end: datetime) -> Counter[str]:
    """What RAOs did with drafts in [start, end), from the cases: each first draft and each response."""
    done: Counter[str] = Counter()
    for c in cases():
        if start <= c.arrives + c.decided_after < end:
            done[c.edit] += 1
        if c.responded and start <= c.responded < end:
            done[c.response_edit] += 1
    return done


def test_the_digest_says_what_raos_did_with_last_weeks_drafts(quarter_on_maildir: Journey) -> None:
    from sqlmodel import Session

    from bot.digest import gather, render
    from bot.timescales import Calendar
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday: last week is 16 to 22 November
    done = _sent_between(datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
    settings = quarter_on_maildir.settings
    with Session(quarter_on_maildir.engine) as session:
        text, html = render(gather(session, settings, Calendar.from_settings(settings), now, now), settings)
    sent = done["unchanged"] + done["one line"] + done["rewritten"]
    line = (f"Last week RAOs sent {sent} drafts: {done['unchanged']} unchanged, {done['one line']} lightly edited, "
            f"{done['rewritten']} rewritten; {done['deleted']} deleted unsent")
    assert sent and line in text and line in html


def test_status_json_gives_the_last_seven_days_of_drafts(quarter_on_maildir: Journey) -> None:
    from sqlmodel import Session

    from bot.views import status_view
    now = datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
    done = _sent_between(now - timedelta(days=7), now)
    with Session(quarter_on_maildir.engine) as session:
        drafts = status_view(session, quarter_on_maildir.settings, now).model_dump(mode="json")["drafts_last_7_days"]
    assert {k: drafts["total"][k] for k in ("unchanged", "lightly_edited", "rewritten", "deleted_unsent")} == {
        "unchanged": done["unchanged"], "lightly_edited": done["one line"], "rewritten": done["rewritten"],
        "deleted_unsent": done["deleted"]}


def test_a_month_that_is_not_a_month_is_a_usage_error(quarter_on_maildir: Journey, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    config = str(site_config(quarter_on_maildir.root))
    assert main(["report", "--month", "2026-13", "--config", config, "--out", str(tmp_path)]) == 2
    assert main(["report", "--until", "2026-12-01", "--config", config, "--out", str(tmp_path)]) == 2
    assert "--month '2026-13' is not a month (YYYY-MM)" in capsys.readouterr().err


@pytest.mark.parametrize(("reason", "label"), [
    ("claims to be a check answer but it comes from lado.team@gmail.com, not lado@childrenstrust.example",
     "an answer not trusted"),
    ("lado check answer not linked to any open request", "could not link"),
    ("draft lado_check_request (LADO check request - Ms A [CASS-2026-000001]) was deleted without being sent",
     "draft deleted unsent"),
    ("reply to the secure-address question gives no personal address", "address to confirm"),
    ("Mr Gary Lane (age not given): confirm before sending", "consent or ages to confirm"),
    ("a message about the rota", "other"),
])
def test_a_needs_a_person_reason_is_counted_under_a_fixed_label_never_shown(reason: str, label: str) -> None:
    from bot.figures import needs_person_label
    assert needs_person_label(reason) == label
