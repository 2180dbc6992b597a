"""The strategy document as PDF (WeasyPrint), in the structure of the Dorsten strategy (seed 003).

Contents with page numbers, introduction, initial situation, the digital strategy (vision,
definition, assessment: E-Government architecture, maturity, SWOT; challenges, Kernziele with
their indicators), the Lösungsbausteine with every rubric, the recommendations, the measure
plan (read through ``core.measures``) and the budget plan (``core.budget``), conclusion.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import calendar
from core.strategy import service
from core.strategy.kinds import KINDS, display
from core.strategy.models import ARCHITECTURE_STATES, MATURITY_AREAS, SWOT_CATEGORIES

_ENV = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


_ENV.filters["number"] = _number
_ENV.filters["eur"] = lambda v: "–" if v is None else f"{_number(v)} €"
_ENV.filters["date"] = lambda v: v.strftime("%d.%m.%Y") if v else "–"


async def measure_rows(session: AsyncSession, tenant_id: uuid.UUID) -> list[dict[str, Any]]:
    """The measure plan for the document: number, title, introduction, building block, latest status."""
    try:
        from core.measures.service import MeasureService

        plan = await MeasureService(session, tenant_id).plan()
        latest = plan.dates[-1] if plan.dates else None
        rows = []
        for r in plan.rows:
            p = r.at(latest) if latest is not None else None
            rows.append(
                {
                    "number": r.measure.number,
                    "title": r.measure.title or "",
                    "introduction": r.measure.introduction or "",
                    "building_block_key": r.measure.building_block_key,
                    "progress": (p.progress if p.progress is not None else p.code) if p else None,
                    "status": p.status if p else None,
                }
            )
        return rows
    except (ImportError, AttributeError, TypeError):  # measures area not (yet) in this shape
        from core.measures.models import Measure

        measures = await session.scalars(
            select(Measure).where(Measure.tenant_id == tenant_id).order_by(Measure.number)
        )
        return [
            {
                "number": m.number,
                "title": m.title or "",
                "introduction": m.introduction or "",
                "building_block_key": m.building_block_key,
                "progress": None,
                "status": None,
            }
            for m in measures
        ]


async def document_context(
    session: AsyncSession, tenant_id: uuid.UUID, strategy_id: uuid.UUID, *, tenant_name: str
) -> dict[str, Any]:
    from core.budget import service as budget

    full = await service.load_full(session, tenant_id, strategy_id)
    blocks = {b.lineage_id: b for b in full.parts["building_blocks"]}
    measures = await measure_rows(session, tenant_id)
    for m in measures:
        block = blocks.get(m["building_block_key"])
        m["building_block"] = block.code if block else ""
    lines = await budget.list_lines(session, tenant_id)
    totals = budget.compute_totals(lines)
    return {
        "tenant_name": tenant_name,
        "full": full,
        "s": full.strategy,
        "kinds": KINDS,
        "display": display,
        "maturity_areas": dict(MATURITY_AREAS),
        "swot_categories": SWOT_CATEGORIES,
        "architecture_states": dict(ARCHITECTURE_STATES),
        "measures": measures,
        "budget_lines": lines,
        "totals": totals,
        "blocks": blocks,
        "created": calendar.today(),
        "one_off": budget.ONE_OFF_COLUMNS,
        "running": budget.RUNNING_COLUMNS,
        "staff": budget.STAFF_COLUMNS,
        "status_labels": service.STATUS_LABELS,
    }


def render_html(context: dict[str, Any]) -> str:
    return _ENV.get_template("document.html").render(**context)


async def render_pdf(
    session: AsyncSession, tenant_id: uuid.UUID, strategy_id: uuid.UUID, *, tenant_name: str
) -> tuple[bytes, str]:
    """The PDF and a file name such as ``digitalisierungsstrategie-1.0.pdf``."""
    from weasyprint import HTML

    context = await document_context(session, tenant_id, strategy_id, tenant_name=tenant_name)
    html = render_html(context)
    pdf: bytes = HTML(string=html, base_url=str(Path(__file__).parent)).write_pdf()
    label = "".join(c if c.isalnum() or c in ".-" else "-" for c in context["s"].label)
    return pdf, f"digitalisierungsstrategie-{label}.pdf"
