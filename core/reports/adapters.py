"""Small adapters to the strategy and budget areas (owned by another area).

The dashboard and report must work whether or not those areas are present or have data;
anything missing or failing shows as "no data" instead of breaking the page.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger("kommpass.reports")


def _function(module: str, *names: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    for name in names:
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    return None


async def _guarded(session: AsyncSession, fn: Any, tenant_id: uuid.UUID) -> Any:
    # A savepoint keeps a failing query of another area from aborting our transaction.
    try:
        async with session.begin_nested():
            return await fn(session, tenant_id)
    except Exception:
        log.warning("adapter.failed", function=getattr(fn, "__qualname__", str(fn)), exc_info=True)
        return None


async def goals_vs_targets(session: AsyncSession, tenant_id: uuid.UUID) -> list[Any]:
    fn = _function("core.strategy.service", "goals_vs_targets")
    if fn is None:
        return []
    return list(await _guarded(session, fn, tenant_id) or [])


async def budget_totals(session: AsyncSession, tenant_id: uuid.UUID) -> Any:
    """Whatever the budget area's totals function returns (None when absent)."""
    fn = _function("core.budget.service", "dashboard_totals", "totals_for_dashboard", "totals")
    if fn is None:
        return None
    return await _guarded(session, fn, tenant_id)


async def building_block_choices(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
    fn = _function("core.strategy.service", "building_block_choices")
    if fn is None:
        return []
    return list(await _guarded(session, fn, tenant_id) or [])


BUDGET_LABELS = {
    "one_off": "Einmalige Kosten",
    "running": "Laufende Kosten",
    "planned": "Geplant gesamt",
    "actual": "Ist-Ausgaben",
    "plan_minus_actual": "Plan minus Ist",
    "staff_ist": "Personal VZÄ IST",
    "staff_soll": "Personal VZÄ SOLL",
    "staff_gap": "VZÄ SOLL–IST",
}


async def budget_summary(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Any] | None:
    """``{"overall": [(label, value, is_money)], "years": [(year, planned, actual)]}`` or None."""
    totals = await budget_totals(session, tenant_id)
    if totals is None:
        return None
    try:
        overall = totals.overall
        years = [(y, totals.year(y).get("planned"), totals.year(y).get("actual")) for y in totals.years]
    except Exception:
        log.warning("adapter.budget_shape", exc_info=True)
        return None
    if not years:
        return None
    rows = [
        (label, overall.get(key), not key.startswith("staff"))
        for key, label in BUDGET_LABELS.items()
        if key in overall
    ]
    return {"overall": rows, "years": years}
