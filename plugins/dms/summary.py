"""What the DMS plugin contributes to other areas: the committee-report section, the dashboard
widget and the assistant's documents. Built on ``DmsService`` only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from plugins.dms.models import (
    INTEGRATION_PROCEDURE,
    STATUS_INTRODUCING,
    STATUS_LABELS,
    STATUS_LIVE,
    STATUS_PLANNED,
)
from plugins.dms.schemas import Rollout
from plugins.dms.service import DmsService
from plugins.types import AssistantDocument, RenderContext

REPORT_TITLE = "Programm Dokumentenmanagementsystem (DMS)"
PROCEDURE_HEADING = "In Anbindung an eine Fachsoftware"
STANDALONE_HEADING = "Ohne Anbindung Fachverfahren mit Workflow-/Prozessdimension"
COLUMN_TITLES = {
    STATUS_LIVE: "Elektronische Akte umgesetzt",
    STATUS_INTRODUCING: "Elektronische Akte in Einführung",
    STATUS_PLANNED: "Elektronische Akte geplant",
}


def _name(r: Rollout) -> str:
    return r.designation or r.file_type


def e_file_groups(rollouts: list[Rollout], status: str) -> dict[str, Any]:
    """The committee report's view of one status column (seed 004, section 6).

    E-files tied to a Fachverfahren are listed once by name (in whichever units); standalone
    e-files are grouped by DMS product and e-file with the units listed below.
    """
    procedure: list[str] = []
    standalone: dict[tuple[str, str], list[str]] = {}

    def reached(r: Rollout) -> dt.date:
        # units in the order they reached the status (stable: ties keep the unit order)
        return (r.live_on if status == STATUS_LIVE else r.introduction_on) or dt.date.max

    items = [r for r in rollouts if r.status == status]
    for r in items:  # in the order of the e-file types
        if r.integration == INTEGRATION_PROCEDURE and _name(r) not in procedure:
            procedure.append(_name(r))
    for r in sorted(items, key=reached):
        if r.integration != INTEGRATION_PROCEDURE:
            standalone.setdefault((r.product or "", _name(r)), []).append(r.org_unit)
    groups = [
        {"label": " ".join(p for p in key if p), "product": key[0] or None, "e_file": key[1], "units": units}
        for key, units in standalone.items()
    ]
    return {"procedure": procedure, "standalone": groups}


async def report_data(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Any]:
    service = DmsService(session, tenant_id)
    rollouts = await service.rollout_rows()
    indicator = await service.indicator()
    columns = {s: e_file_groups(rollouts, s) for s in (STATUS_LIVE, STATUS_INTRODUCING)}
    lists: list[dict[str, Any]] = []
    for status in (STATUS_LIVE, STATUS_INTRODUCING):
        col = columns[status]
        lists.append(
            {"title": f"{COLUMN_TITLES[status]} – {PROCEDURE_HEADING}", "items": list(col["procedure"])}
        )
        for group in col["standalone"]:
            lists.append(
                {
                    "title": f"{COLUMN_TITLES[status]} – {STANDALONE_HEADING}: {group['label']}",
                    "items": list(group["units"]),
                }
            )
    trend_rows = [
        [
            p.reporting_date.strftime("%d.%m.%Y"),
            p.total_count,
            p.digital_count,
            _pct(p.digital_share) if p.digital_share is not None else "–",
        ]
        for p in indicator.trend
    ]
    goal_text = f"{_pct(indicator.goal.goal_share_percent)} bis {indicator.goal.goal_year}"
    paragraphs = []
    if indicator.latest_share is not None:
        last = indicator.trend[-1]
        paragraphs.append(
            f"Digital bearbeitete Dokumente zum {last.reporting_date:%d.%m.%Y}: "
            f"{_pct(indicator.latest_share)} (Ziel: {_pct(indicator.goal.goal_share_percent)} bis "
            f"{indicator.goal.goal_year})."
        )
    if not rollouts:
        paragraphs.append("Es sind noch keine E-Akten-Einführungen erfasst.")
    return {
        "title": REPORT_TITLE,
        "columns": [
            {"status": s, "title": COLUMN_TITLES[s], **columns[s]} for s in (STATUS_LIVE, STATUS_INTRODUCING)
        ],
        "paragraphs": paragraphs,
        "lists": lists,
        "tables": [
            {
                "title": f"Anteil digital bearbeiteter Dokumente (Ziel {goal_text})",
                "columns": ["Stichtag", "Dokumente", "davon digital", "Anteil digital"],
                "rows": trend_rows,
            }
        ]
        if trend_rows
        else [],
        "indicator": {
            "latest_share": indicator.latest_share,
            "goal": indicator.goal.goal_share_percent,
            "goal_year": indicator.goal.goal_year,
        },
    }


def _pct(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + " %"


async def load_report_section(ctx: RenderContext) -> dict[str, Any]:
    return await report_data(ctx.session, ctx.tenant_id)


async def load_widget(ctx: RenderContext) -> dict[str, Any]:
    service = DmsService(ctx.session, ctx.tenant_id)
    indicator = await service.indicator()
    counts = await service.status_counts()
    return {
        "counts": counts,
        "labels": STATUS_LABELS,
        "latest_share": indicator.latest_share,
        "goal": indicator.goal,
        "goal_reached": indicator.goal_reached,
    }


def report_text(data: dict[str, Any]) -> str:
    """Plain text of the report section (assistant index, plain exports)."""
    lines = [data["title"]]
    for col in data["columns"]:
        lines.append(f"{col['title']}:")
        if col["procedure"]:
            lines.append(f"  {PROCEDURE_HEADING}: " + ", ".join(col["procedure"]))
        for group in col["standalone"]:
            lines.append(f"  {STANDALONE_HEADING}: {group['label']} – " + ", ".join(group["units"]))
    lines.extend(data["paragraphs"])
    return "\n".join(lines)


async def assistant_documents(session: AsyncSession, tenant_id: uuid.UUID | None) -> list[AssistantDocument]:
    """One passage for the whole DMS state plus one per e-file type with its units."""
    if tenant_id is None:
        return []
    from plugins.settings import enabled_plugins

    if "dms" not in await enabled_plugins(session, tenant_id):  # switched off: not in the index either
        return []
    data = await report_data(session, tenant_id)
    service = DmsService(session, tenant_id)
    rollouts = await service.rollout_rows()
    if not rollouts:
        return []
    docs = [
        AssistantDocument(
            kind="dms",
            key="overview",
            title="DMS-Einführung: Stand der E-Akten",
            text=report_text(data),
            url="/dms",
            tenant_id=tenant_id,
            heading_path=("DMS-Einführung",),
        )
    ]
    by_type: dict[uuid.UUID, list[Rollout]] = {}
    for r in rollouts:
        by_type.setdefault(r.file_type_id, []).append(r)
    for type_id, items in by_type.items():
        parts = []
        for r in items:
            how = (
                f"angebunden an das Fachverfahren {r.procedure_name}"
                if r.integration == INTEGRATION_PROCEDURE
                else "ohne Fachverfahren mit Workflows"
            )
            parts.append(
                f"{r.org_unit}: {r.status_label} ({how}" + (f", DMS {r.product}" if r.product else "") + ")"
            )
        docs.append(
            AssistantDocument(
                kind="dms",
                key=f"file_type:{type_id}",
                title=f"E-Akte {items[0].file_type}",
                text=f"E-Akte {items[0].file_type}. " + "; ".join(parts) + ".",
                url=f"/dms/einfuehrungen?aktenart={type_id}",
                tenant_id=tenant_id,
                heading_path=("DMS-Einführung", items[0].file_type),
            )
        )
    return docs
