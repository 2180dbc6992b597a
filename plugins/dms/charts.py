"""Chart.js configurations (rendered by the ``chart`` macro, with the same numbers as a table)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from core import calendar
from plugins.dms.models import STATUS_CODES, STATUS_INTRODUCING, STATUS_LABELS, STATUS_LIVE, STATUS_PLANNED
from plugins.dms.schemas import Indicator, Rollout

# KERN-like colours; the status is also written out in the legend and the data table.
COLOURS = {STATUS_PLANNED: "#9aa5b1", STATUS_INTRODUCING: "#d68a00", STATUS_LIVE: "#1d7a3a"}
GOAL_COLOUR = "#b3261e"
LINE_COLOUR = "#0b4f8a"


def _fmt_date(d: dt.date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else "–"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",") + " %"


def trend_chart(indicator: Indicator) -> dict[str, Any]:
    labels = [p.reporting_date.strftime("%d.%m.%Y") for p in indicator.trend]
    goal = indicator.goal.goal_share_percent
    spec = {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": "Anteil digital bearbeitet (%)",
                    "data": [p.digital_share for p in indicator.trend],
                    "borderColor": LINE_COLOUR,
                    "backgroundColor": LINE_COLOUR,
                    "pointStyle": "circle",
                },
                {
                    "label": f"Ziel {indicator.goal.goal_year} (%)",
                    "data": [goal for _ in labels],
                    "borderColor": GOAL_COLOUR,
                    "borderDash": [6, 4],
                    "pointStyle": "rectRot",
                    "fill": False,
                },
            ],
        },
        "options": {"scales": {"y": {"min": 0, "max": 100, "title": {"display": True, "text": "Prozent"}}}},
    }
    rows = [
        [
            p.reporting_date.strftime("%d.%m.%Y"),
            f"{p.total_count:,}".replace(",", "."),
            f"{p.digital_count:,}".replace(",", "."),
            _pct(p.digital_share),
            _pct(goal),
        ]
        for p in indicator.trend
    ]
    return {
        "spec": spec,
        "columns": ["Stichtag", "Dokumente", "davon digital", "Anteil digital", "Ziel"],
        "rows": rows,
    }


def progress_chart(progress: list[dict[str, Any]]) -> dict[str, Any]:
    labels = [p["org_unit"] for p in progress]
    spec = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": f"{STATUS_LABELS[s]} ({STATUS_CODES[s]})",
                    "data": [p[s] for p in progress],
                    "backgroundColor": COLOURS[s],
                }
                for s in (STATUS_LIVE, STATUS_INTRODUCING, STATUS_PLANNED)
            ],
        },
        "options": {
            "indexAxis": "y",
            "scales": {
                "x": {"stacked": True, "ticks": {"precision": 0}},
                "y": {"stacked": True, "ticks": {"autoSkip": False}},
            },
        },
    }
    rows = [
        [p["org_unit"], p[STATUS_LIVE], p[STATUS_INTRODUCING], p[STATUS_PLANNED], f"{p['live_percent']} %"]
        for p in progress
    ]
    return {
        "height": max(256, 26 * len(labels) + 90),
        "spec": spec,
        "columns": ["Organisationseinheit", "umgesetzt", "in Einführung", "geplant", "Anteil umgesetzt"],
        "rows": rows,
    }


def _year(d: dt.date) -> float:
    return round(d.year + (d.timetuple().tm_yday - 1) / 366, 3)


def timeline_chart(rollouts: list[Rollout], today: dt.date | None = None) -> dict[str, Any]:
    """Floating bars per rollout item: from the start (planned or introduction) to live or today."""
    today = today or calendar.today()
    labels: list[str] = []
    bars: dict[str, list[Any]] = {s: [] for s in STATUS_LABELS}
    rows = []
    lo, hi = math.inf, -math.inf
    for r in rollouts:
        label = f"{r.designation or r.file_type} – {r.org_unit}"
        rows.append(
            [
                label,
                r.status_label,
                _fmt_date(r.planned_on),
                _fmt_date(r.introduction_on),
                _fmt_date(r.live_on),
            ]
        )
        start = r.introduction_on or r.planned_on
        if start is None:
            continue
        end = r.live_on or (today if r.status == STATUS_INTRODUCING else (r.planned_on or start))
        end = max(end, start)
        labels.append(label)
        for status in bars:
            bars[status].append(
                [_year(start), max(_year(end), _year(start) + 0.05)] if status == r.status else None
            )
        lo, hi = min(lo, _year(start)), max(hi, _year(end))
    spec = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"label": STATUS_LABELS[s], "data": bars[s], "backgroundColor": COLOURS[s], "grouped": False}
                for s in (STATUS_LIVE, STATUS_INTRODUCING, STATUS_PLANNED)
            ],
        },
        "options": {
            "indexAxis": "y",
            "scales": {
                "x": {
                    "type": "linear",
                    "min": math.floor(lo) if labels else today.year - 1,
                    "max": math.ceil(hi) if labels else today.year + 1,
                    "ticks": {"stepSize": 1, "format": {"useGrouping": False, "maximumFractionDigits": 0}},
                    "title": {"display": True, "text": "Jahr"},
                },
                "y": {"ticks": {"autoSkip": False}},
            },
        },
    }
    return {
        "spec": spec,
        "columns": ["E-Akte – Organisationseinheit", "Status", "geplant", "Einführung begonnen", "umgesetzt"],
        "rows": rows,
        "height": max(200, 28 * len(labels) + 80),
    }
