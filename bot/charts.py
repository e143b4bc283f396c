"""The charts of the reports people read in Outlook and print (the pilot's, the month's), as SVG geometry.

Each function turns counts into the shapes `templates/charts.html.j2` draws as inline SVG: no scripts, no
external files, so a report is one self-contained HTML file that Outlook shows and a printer prints.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KIND_COLOURS = {"ola_request": "#1f5fa8", "partner_request": "#2e8b57", "level1_verification": "#8a6d00",
                "disclosure_request": "#7b3fa0", "referral": "#b00000"}
OTHER_COLOUR = "#777777"
WIDTH = 560  # of the plotting area, in SVG units: fits A4 portrait with margins


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str


def week_chart(per_week: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    """Requests per week, stacked by kind: the bars, the legend and the week labels."""
    weeks = list(per_week)
    tallest = max((sum(kinds.values()) for kinds in per_week.values()), default=1) or 1
    step = WIDTH / max(len(weeks), 1)
    bars = []
    for n, week in enumerate(weeks):
        bottom = 200.0
        for kind, count in sorted(per_week[week].items()):
            height = 180 * count / tallest
            bottom -= height
            bars.append(Bar(40 + n * step + step * 0.15, bottom, step * 0.7, height,
                            KIND_COLOURS.get(kind, OTHER_COLOUR), f"{week}: {count} {kind.replace('_', ' ')}"))
    kinds = sorted({kind for kinds in per_week.values() for kind in kinds})
    legend = [(kind.replace("_", " "), KIND_COLOURS.get(kind, OTHER_COLOUR)) for kind in kinds]
    labels = [(40 + n * step + step / 2, week) for n, week in enumerate(weeks)]
    return {"bars": bars, "legend": legend, "labels": labels, "tallest": tallest}


def column_chart(counts: Mapping[str, int], colour: str) -> dict[str, Any]:
    """One column per label (hours of the day, days of the week), heights against the tallest."""
    tallest = max(counts.values(), default=0) or 1
    step = WIDTH / max(len(counts), 1)
    bars = [Bar(40 + n * step + step * 0.1, 120 - 100 * count / tallest, step * 0.8, 100 * count / tallest, colour,
                f"{label}: {count}") for n, (label, count) in enumerate(counts.items())]
    labels = [(40 + n * step + step / 2, label) for n, label in enumerate(counts)]
    return {"bars": bars, "labels": labels, "tallest": max(counts.values(), default=0)}


def share_rows(rows: Iterable[tuple[str, float | None, str]]) -> list[dict[str, Any]]:
    """A bar out of 100% per row: (label, percent or None, the words beside it)."""
    return [{"y": 10 + n * 40, "label": label, "width": 4 * (percent or 0.0), "text": text}
            for n, (label, percent, text) in enumerate(rows)]


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, list(columns))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_private(folder: Path, files: Mapping[str, str]) -> None:
    """Write each report file readable by the service user only: reports are about children's services."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o600)


def stacked_rows(rows: Iterable[tuple[str, Sequence[tuple[int, str, str]]]]) -> list[dict[str, Any]]:
    """A bar per row split into segments of one whole: (label, [(count, colour, what), ...])."""
    drawn = []
    for n, (label, parts) in enumerate(rows):
        whole = sum(count for count, _, _ in parts) or 1
        x, segments = 150.0, []
        for count, colour, what in parts:
            width = 320 * count / whole
            segments.append({"x": x, "width": width, "colour": colour, "text": f"{count} {what}"})
            x += width
        drawn.append({"y": 10 + n * 40, "label": label, "segments": segments,
                      "text": ", ".join(f"{count} {what}" for count, _, what in parts if count) or "none"})
    return drawn
