"""The month in figures written out: one HTML page for Outlook and A4 (inline styles and SVG, no scripts), one
CSV file per table, and JSON whose schema is docs/schemas/report.schema.json (`bot.figures.MonthReport`).

Everything here comes from the report's counts and times (`bot.figures`): there is nothing else to leak.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from bot.charts import column_chart, csv_text, share_rows, stacked_rows, week_chart
from bot.compose import template_environment
from bot.figures import MonthReport, TeamChecks, TemplateAcceptance, Timeliness

# One colour per chart, so a reader (and the rendering test) can tell each chart drew.
COLOURS = {"hours": "#c05a00", "days": "#5a3e99", "timeliness": "#2e8b57", "checks": "#8a6d00"}
EDIT_COLOURS = (("unchanged", "#1b7f3b"), ("lightly edited", "#e0a800"), ("rewritten", "#c0392b"),
                ("deleted unsent", "#7f8c8d"))


def as_json(report: MonthReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def as_html(report: MonthReport) -> str:
    return template_environment().get_template("report/month.html.j2").render(r=report, charts=_charts(report))


def _charts(report: MonthReport) -> dict[str, Any]:
    d = report.demand
    return {
        "weeks": week_chart(d.by_week),
        "hours": column_chart(d.by_hour, COLOURS["hours"]),
        "days": column_chart(d.by_day, COLOURS["days"]),
        "timeliness": share_rows((t.measure, t.on_time_percent, _on_time_words(t.on_time_percent, t.of))
                                 for t in report.timeliness),
        "checks": share_rows((c.label, _share(c.on_time, c.asked), _on_time_words(_share(c.on_time, c.asked),
                                                                                  c.asked)) for c in report.checks),
        "acceptance": stacked_rows((a.name.replace("_", " "), _edits(a))
                                   for a in [report.acceptance.total, *report.acceptance.by_template]),
    }


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _on_time_words(percent: float | None, of: int) -> str:
    return f"{percent}% on time of {of}" if percent is not None else "none in the period"


def _edits(accepted: TemplateAcceptance) -> list[tuple[int, str, str]]:
    counts = (accepted.unchanged, accepted.lightly_edited, accepted.rewritten, accepted.deleted_unsent)
    return [(count, colour, what) for count, (what, colour) in zip(counts, EDIT_COLOURS, strict=True)]


def as_csv(report: MonthReport) -> dict[str, str]:
    """One CSV file per table of the report, by file name."""
    d, q, a = report.demand, report.quality, report.acceptance
    weeks = [{"week": w, "kind": k, "requests": n} for w, kinds in d.by_week.items() for k, n in kinds.items()]
    trend = [{"measure": t.measure, **p.model_dump()} for t in report.timeliness for p in t.trend]
    quality = q.model_dump(exclude={"resubmissions", "needs_person"})
    return {
        "demand_by_kind.csv": _pairs(("kind", "requests"), d.by_kind),
        "demand_by_week.csv": csv_text(["week", "kind", "requests"], weeks),
        "demand_by_organisation.csv": _pairs(("organisation", "requests"), d.by_organisation),
        "demand_by_hour.csv": _pairs(("hour", "requests"), d.by_hour),
        "demand_by_day.csv": _pairs(("day", "requests"), d.by_day),
        "timeliness.csv": _model_rows(Timeliness, [t.model_dump(exclude={"trend"}) for t in report.timeliness],
                                      ("trend",)),
        "timeliness_trend.csv": csv_text(["measure", "period", "of", "on_time_percent"], trend),
        "checks.csv": _model_rows(TeamChecks, [c.model_dump() for c in report.checks]),
        "resubmissions.csv": _pairs(("why", "drafted"), q.resubmissions),
        "needs_person.csv": _pairs(("reason", "entries"), q.needs_person),
        "quality.csv": _pairs(("measure", "value"), quality),
        "acceptance_by_template.csv": _model_rows(TemplateAcceptance, [t.model_dump() for t in
                                                                       [a.total, *a.by_template]]),
        "acceptance_by_month.csv": _model_rows(TemplateAcceptance, [m.model_dump() for m in a.by_month]),
    }


def _pairs(columns: tuple[str, str], table: dict[str, Any]) -> str:
    return csv_text(columns, [{columns[0]: k, columns[1]: v} for k, v in table.items()])


def _model_rows(model: type[BaseModel], rows: list[dict[str, Any]], leave_out: tuple[str, ...] = ()) -> str:
    return csv_text([name for name in model.model_fields if name not in leave_out], rows)


def files(report: MonthReport) -> dict[str, str]:
    """Every file of the report, by name: report.html, report.json and the CSV tables."""
    return {"report.html": as_html(report), "report.json": as_json(report), **as_csv(report)}
