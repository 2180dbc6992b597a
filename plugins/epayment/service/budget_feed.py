"""Feeding the transaction costs into the running costs of the budget plan (``core.budget``).

The year's transaction costs (sum of the months, see ``accounting.monthly_costs``) become the
"Ist-Ausgaben laufend" of the chosen budget line for that year, through the budget service
(audit trail and validation included). The line is chosen by the town: seed 000 has one such
line, "Bezahlplattform … sowie Transaktionskosten im lfd. Betrieb".
"""

from __future__ import annotations

import decimal
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor
from plugins.epayment.service.accounting import year_cost_total

COLUMN = "actual_running"


async def budget_lines(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
    """(line id, "number title") of the tenant's budget plan, for a choice."""
    from core.budget import service as budget

    return [
        (str(v.line.id), f"{v.line.number} {v.line.title}")
        for v in await budget.list_lines(session, tenant_id)
    ]


def suggested_line(lines: list[tuple[str, str]]) -> str | None:
    for line_id, label in lines:
        low = label.lower()
        if "bezahl" in low or "payment" in low or "transaktion" in low:
            return line_id
    return None


async def feed_budget(
    session: AsyncSession, tenant_id: uuid.UUID, *, line_id: uuid.UUID, year: int, actor: Actor = SYSTEM
) -> dict[str, Any]:
    """Write the year's transaction costs to the line's running actuals; returns what was written."""
    from core.budget import service as budget

    cents = await year_cost_total(session, tenant_id, year)
    amount = (decimal.Decimal(cents) / 100).quantize(decimal.Decimal("0.01"))
    view = await budget.get_line(session, tenant_id, line_id)
    entry = next((e for e in view.entries if e.year == year), None)
    if entry is None:
        await budget.set_entry(session, tenant_id, line_id, {"year": year, COLUMN: amount}, actor=actor)
    else:
        await budget.update_entry(
            session,
            tenant_id,
            line_id,
            entry.id,
            {COLUMN: amount},
            expected_version=entry.version,
            actor=actor,
        )
    return {
        "line_id": str(line_id),
        "line": f"{view.line.number} {view.line.title}",
        "year": year,
        "cost_cents": cents,
    }
