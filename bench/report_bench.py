"""The month in figures over a year of a busy front door, and what measuring a sent draft costs.

    python -m bench report [--mails N]

Writes a store holding a year of about N mails (default 20,000: requests, their checks, the drafts RAOs sent,
edited or deleted, needs-a-person entries), then runs, as fresh processes, `cassbot report` for the whole year
and for one month of it, and `cassbot status --json` on the same store as the baseline (a process that opens
the store and reads it); prints each one's wall time and peak memory (GNU time) and the year's report as a
ratio to the baseline. Memory is flat when the year's peak is close to the month's.

Then the acceptance measure: the fingerprint kept when a draft is saved plus the comparison when its sent copy
is read, per sent mail, against parsing that sent mail (which the pipeline does anyway).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sqlmodel import Session  # noqa: E402

from bot.acceptance import fingerprint, measure  # noqa: E402
from bot.domain import CheckState, DraftState, Kind, Outcome, RequestState  # noqa: E402
from bot.mail import parse_mail  # noqa: E402
from bot.store import Check, Draft, MailSeen, NeedsPerson, Request, make_engine, migrate  # noqa: E402
from tests.support.mail import build_mail  # noqa: E402
from tests.support.site import site_config  # noqa: E402

START = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
MAILS_PER_REQUEST = 5  # the request, the check sent, its answer, the response sent, one more (a chaser, an OOO)
LETTER = (ROOT / "templates" / "drafts" / "response.txt.j2").read_text()


def _request(n: int, at: datetime, kinds: list[Kind]) -> Request:
    return Request(kind=kinds[n % len(kinds)], state=RequestState.CLOSED, urgent=n % 9 == 0, mailbox="cass",
                   requester_address=f"worker{n}@northbridge.gov.uk", reference=f"CASS-2026-{n:06d}",
                   received_at=at, decision_due=at + timedelta(hours=24), updated_at=at, closed_at=at)


def _write_year(url: str, mails: int) -> int:
    engine = make_engine(url)
    migrate(engine)
    rng = random.Random(23)
    kinds = [Kind.OLA_REQUEST, Kind.OLA_REQUEST, Kind.PARTNER_REQUEST, Kind.REFERRAL, Kind.DISCLOSURE_REQUEST]
    kept = fingerprint(LETTER)
    requests = mails // MAILS_PER_REQUEST
    with Session(engine) as session:
        for n in range(1, requests + 1):
            at = START + timedelta(days=365) * n / requests
            request = _request(n, at, kinds)
            session.add(request)
            session.flush()
            sent = at + timedelta(hours=rng.uniform(1, 30))
            answered = sent + timedelta(hours=rng.uniform(0.5, 26))
            changed = rng.choice((0.0, 0.0, 0.05, 0.12, 0.8))
            edit = "unchanged" if changed == 0 else "rewritten" if changed > 0.5 else "lightly edited"
            session.add(Check(request_id=request.id or 0, team="lado", state=CheckState.ANSWERED, sent_at=sent,
                              answered_at=answered))
            for template, when in (("lado_check_request", sent), ("response", answered + timedelta(hours=3))):
                state = DraftState.DELETED if n % 17 == 0 and template == "response" else DraftState.SENT
                session.add(Draft(request_id=request.id or 0, template=template, mailbox="cass",
                                  message_id=f"<{n}.{template}@bench>", to_address="x@y", subject="s",
                                  state=state, created_at=at, saved_at=at, fingerprint=kept,
                                  sent_at=when if state == DraftState.SENT else None,
                                  deleted_at=when if state == DraftState.DELETED else None,
                                  changed=changed if state == DraftState.SENT else None,
                                  edit=edit if state == DraftState.SENT else ""))
            for m in range(MAILS_PER_REQUEST):
                session.add(MailSeen(mailbox="cass", folder="inbox" if m % 2 == 0 else "sent", backend_key=f"{n}.{m}",
                                     message_id=f"<{n}.{m}@bench>", kind="ola_request", outcome=Outcome.LINKED,
                                     request_id=request.id, processed_at=at + timedelta(hours=m)))
            if n % 20 == 0:
                session.add(NeedsPerson(at=at, mailbox="cass", message_id=f"<{n}.0@bench>",
                                        reason="consent: confirm the signing date", request_id=request.id))
            if n % 500 == 0:
                session.commit()
        session.commit()
    engine.dispose()
    return requests * MAILS_PER_REQUEST


def _timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak memory in MB of one fresh process."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=ROOT, capture_output=True, text=True)
    if done.returncode not in (0, 1):  # status exits 1: no mailbox has been polled in this store
        raise SystemExit(f"{' '.join(command[2:4])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return time.perf_counter() - start, int(done.stderr.strip().splitlines()[-1]) // 1024


def _acceptance(drafts: int) -> tuple[float, float]:
    """Milliseconds per sent mail: fingerprint at save plus measure at send; and parsing the sent mail."""
    sent = build_mail("RE: Information request [CASS-2026-000123]", LETTER.replace("Thank you", "Thanks") +
                      "\n-----Original Message-----\nFrom: someone\n" + LETTER)
    start = time.perf_counter()
    for _ in range(drafts):
        parsed = parse_mail(sent)
    parsing = (time.perf_counter() - start) * 1000 / drafts
    start = time.perf_counter()
    for _ in range(drafts):
        found = measure(fingerprint(LETTER), parsed.body_text)
    assert found is not None
    return (time.perf_counter() - start) * 1000 / drafts, parsing


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench report")
    parser.add_argument("--mails", type=int, default=20_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        config = site_config(site)
        written = _write_year(f"sqlite:///{site / 'cassbot.sqlite3'}", args.mails)
        cli = [sys.executable, "-m", "bot.cli"]
        baseline = _timed([*cli, "status", "--json", "--config", str(config)])
        month = _timed([*cli, "report", "--month", "2026-06", "--config", str(config), "--out", str(site / "m")])
        year = _timed([*cli, "report", "--since", "2025-12-01", "--until", "2026-12-01", "--config", str(config),
                       "--out", str(site / "y")])
        figures = json.loads((site / "y" / "report.json").read_text())
    per_mail, parsing = _acceptance(2000)
    print(f"report over a year of {written} mails ({figures['demand']['requests']} requests), fresh processes")
    print(f"  cassbot status --json (baseline) {baseline[0]:6.2f} s   peak {baseline[1]:4d} MB   1.00x")
    print(f"  cassbot report, one month        {month[0]:6.2f} s   peak {month[1]:4d} MB   "
          f"{month[0] / baseline[0]:5.2f}x")
    print(f"  cassbot report, the year         {year[0]:6.2f} s   peak {year[1]:4d} MB   "
          f"{year[0] / baseline[0]:5.2f}x  (target: at most 10 s; memory {year[1] / month[1]:.2f}x the month's)")
    print(f"acceptance measure per sent mail   {per_mail:6.3f} ms  (parsing that mail: {parsing:.3f} ms; "
          f"{per_mail / parsing:.2f}x; target: at most 5 ms)")
