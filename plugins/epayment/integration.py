"""What the plugin contributes to the core: dashboard widget, committee-report section, jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog
from sqlalchemy import select

from plugins.epayment.service import accounting, accounts, payments
from plugins.epayment.service.common import euro, today_local
from plugins.types import RenderContext

log = structlog.get_logger("kommpass.epayment")


async def load_widget(ctx: RenderContext) -> dict[str, Any]:
    counts = await payments.status_counts(ctx.session, ctx.tenant_id)
    today = today_local()
    summary = await accounting.day_summary(ctx.session, ctx.tenant_id, today)
    flagged = len(await payments.list_payments(ctx.session, ctx.tenant_id, flagged=True, limit=100))
    platforms = [
        (accounts.PLATFORMS[a.platform], accounts.completeness(a, a.platform)["percent"])
        for a in await accounts.list_accounts(ctx.session, ctx.tenant_id)
    ]
    return {
        "counts": counts,
        "today_count": sum(s["count"] for s in summary),
        "today_sum": euro(sum(s["sum_cents"] for s in summary)),
        "flagged": flagged,
        "platforms": platforms,
    }


async def load_report_section(ctx: RenderContext) -> dict[str, Any]:
    moment = getattr(ctx.reporting_date, "date", ctx.reporting_date)
    year = moment.year if isinstance(moment, dt.date) else today_local().year
    costs = await accounting.monthly_costs(ctx.session, ctx.tenant_id, year)
    counts = await payments.status_counts(ctx.session, ctx.tenant_id)
    account_rows = [
        [
            accounts.PLATFORMS[a.platform],
            accounts.STAGES[a.stage],
            f"{accounts.completeness(a, a.platform)['percent']} %",
        ]
        for a in await accounts.list_accounts(ctx.session, ctx.tenant_id)
    ]
    paid = sum(r["count"] for r in costs)
    total = sum(r["sum_cents"] for r in costs)
    cost = sum(r["cost_cents"] for r in costs)
    return {
        "paragraphs": [
            f"Im Jahr {year} wurden {paid} Online-Zahlungen über {euro(total)} verbucht; "
            f"die Transaktionskosten der Bezahlplattform betrugen {euro(cost)}.",
            f"Offene Zahlungen: {counts.get('pending', 0) + counts.get('initiated', 0)}, "
            f"abgebrochen: {counts.get('cancelled', 0)}, fehlgeschlagen: {counts.get('failed', 0)}.",
        ],
        "tables": [
            {
                "title": "Anbindung an Bezahlplattformen",
                "columns": ["Plattform", "Stufe", "Vollständigkeit"],
                "rows": account_rows,
            },
            {
                "title": f"Zahlungen und Transaktionskosten {year}",
                "columns": ["Monat", "Plattform", "Zahlungen", "Summe", "Transaktionskosten"],
                "rows": [
                    [
                        f"{r['month']:02d}/{year}",
                        r["platform_label"],
                        r["count"],
                        euro(r["sum_cents"]),
                        euro(r["cost_cents"]),
                    ]
                    for r in costs
                ],
            },
        ],
    }


async def expire_payments_job(ctx: Any) -> dict[str, int]:
    """Close payments past their expiry, tenant by tenant (each in its own tenant transaction)."""
    from core.db import platform_session, tenant_session
    from tenants.models import Tenant

    sessionmaker = ctx.sessionmaker
    async with platform_session(sessionmaker) as session:
        tenant_ids = (await session.scalars(select(Tenant.id))).all()
    total = 0
    for tenant_id in tenant_ids:
        async with tenant_session(sessionmaker, tenant_id) as session:
            total += await payments.expire_payments(session, tenant_id)
    if total:
        log.info("epayment.expired", count=total)
    return {"expired": total}
