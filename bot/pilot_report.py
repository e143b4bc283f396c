"""The pilot's report, for a service manager and a data protection officer: HTML, JSON and CSV of one summary.

No mail's words are in it. By default names are initials and addresses keep only their
organisation ("g.o.@northbridge.gov.uk"), and the bot's reasons lose what they quote from a
mail; `full=True` (`cassbot pilot --full`) keeps them. The HTML is rendered from
templates/pilot/ with inline styles and inline SVG charts: no scripts, readable offline.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from bot.charts import csv_text, share_rows, week_chart
from bot.compose import template_environment
from bot.pilot import PilotResult, decisions_compared

STEPS = ("first action", "check answered", "response")


@dataclass
class Disagreement:
    reference: str
    decision: str
    bot: str
    staff: str
    why: str
    staff_did: str  # what staff sent on the request, and when (never the words)


@dataclass
class Summary:
    since: str
    until: str
    generated_at: str
    mails_read: int
    requests: int
    full: bool
    agreement: dict[str, tuple[int, int]] = field(default_factory=dict)  # decision -> (agreed, compared)
    confusion: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # decision -> bot -> staff -> n
    disagreements: list[Disagreement] = field(default_factory=list)
    needs_person: int = 0  # requests with something the bot could not handle
    no_staff_action: int = 0  # requests staff sent nothing on in the period: nothing to compare
    per_week: dict[str, dict[str, int]] = field(default_factory=dict)  # ISO week -> kind -> requests
    steps: dict[str, dict[str, float]] = field(default_factory=dict)  # step -> median hours, within, of
    rows: list[dict[str, str]] = field(default_factory=list)  # one per request and decision, for the CSV

    def percent(self, decision: str) -> float:
        agreed, compared = self.agreement.get(decision, (0, 0))
        return round(100 * agreed / compared, 1) if compared else 0.0


def summarise(result: PilotResult, now: datetime, full: bool = False) -> Summary:
    summary = Summary(str(result.since), str(result.until), now.isoformat(timespec="minutes"), result.mails_read,
                      len(result.requests), full)
    counts: dict[str, list[int]] = {name: [0, 0] for name in decisions_compared()}
    confusion: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    hours: dict[str, list[tuple[float, bool]]] = {step: [] for step in STEPS}
    for request in result.requests:
        week = f"{request.received_at.isocalendar().year}-W{request.received_at.isocalendar().week:02d}"
        summary.per_week.setdefault(week, {})
        summary.per_week[week][request.kind] = summary.per_week[week].get(request.kind, 0) + 1
        summary.needs_person += bool(request.needs_person)
        summary.no_staff_action += not request.staff
        for decision in request.decisions:
            counts[decision.name][0] += decision.agree
            counts[decision.name][1] += 1
            bot, staff = _shown(decision.bot, full), _shown(decision.staff, full)
            if decision.name != "addressee":
                confusion[decision.name][bot][staff] += 1
            summary.rows.append({"reference": request.reference, "kind": request.kind,
                                 "received": request.received_at.isoformat(timespec="minutes"),
                                 "decision": decision.name, "bot": bot, "staff": staff,
                                 "agree": "yes" if decision.agree else "no"})
            if not decision.agree:
                did = "; ".join(f"{a.what} to {_shown(a.to, full)} {a.at:%d %b %H:%M}" for a in request.staff)
                summary.disagreements.append(Disagreement(request.reference, decision.name, bot, staff,
                                                          _reason(decision.why, full), did))
        for step, timing in request.timings.items():
            if timing is not None:
                hours[step].append(timing)
    summary.agreement = {name: (agreed, compared) for name, (agreed, compared) in counts.items() if compared}
    summary.confusion = {name: {b: dict(s) for b, s in table.items()} for name, table in confusion.items()}
    summary.steps = {step: {"median_hours": median(h for h, _ in found), "within": sum(w for _, w in found),
                            "of": len(found)} for step, found in hours.items() if found}
    summary.per_week = dict(sorted(summary.per_week.items()))
    return summary


def _shown(value: str, full: bool) -> str:
    """An addressee reduced to its organisation and the initials of its local part, unless the full view."""
    if full or "@" not in value:
        return value
    return ", ".join(_masked(address) for address in value.split(", "))


def _masked(address: str) -> str:
    local, _, domain = address.partition("@")
    return "".join(f"{part[0]}." for part in re.split(r"[._\-+]", local) if part) + f"@{domain}"


def _reason(why: str, full: bool) -> str:
    if full:
        return why
    why = re.sub(r"\"[^\"]*\"|“[^”]*”", "\"…\"", why)  # what the bot quoted from the mail
    why = re.sub(r"[\"“”].*", "\"…", why)  # a quote left open: what follows it may be the mail's words
    return re.sub(r"[\w.+'\-]+@([\w\-]+(?:\.[\w\-]+)+)", lambda m: _masked(m.group(0)), why)


def as_json(summary: Summary) -> str:
    data: dict[str, Any] = {**summary.__dict__, "disagreements": [d.__dict__ for d in summary.disagreements],
                            "agreement": {k: {"agreed": a, "compared": c, "percent": summary.percent(k)}
                                          for k, (a, c) in summary.agreement.items()}}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def as_csv(summary: Summary) -> str:
    return csv_text(["reference", "kind", "received", "decision", "bot", "staff", "agree"], summary.rows)


def as_html(summary: Summary, organisation: str) -> str:
    return template_environment().get_template("pilot/report.html.j2").render(
        s=summary, organisation=organisation, week_chart=week_chart(summary.per_week), step_chart=_step_chart(summary))


def _step_chart(summary: Summary) -> list[dict[str, Any]]:
    """For each step: the share done within its timescale (a bar out of 100%) and the median hours."""
    rows = []
    for step, found in summary.steps.items():
        percent = round(100 * found["within"] / found["of"]) if found["of"] else 0
        rows.append((step, float(percent), f"{percent}% of {int(found['of'])}; median {found['median_hours']} h"))
    return share_rows(rows)
