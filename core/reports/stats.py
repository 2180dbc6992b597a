"""Figures per reporting date, as the committee report (seed 004) shows them:
number of measures and sum of progress per status P/E/U, online services per status.

Measures reported as already done when the plan was first drawn up ("2020-U(10)") are
left out of the progress figures, as the report does ("the remaining 149 measures form
the basis of the progress figures").
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.measures.models import Measure, MeasureProgress
from core.online_services.models import OnlineServiceStatus
from core.reporting.models import ReportingDate
from core.reporting.status import STATUSES
from core.tenancy import owned_by

MONTHS = {3: "März", 9: "Sept."}


def period_label(rd: ReportingDate) -> str:
    """ "März 2023" / "Sept. 2023"."""
    return f"{MONTHS.get(rd.date.month, rd.date.strftime('%m.'))} {rd.date.year}"


def counts_in_baseline():  # type: ignore[no-untyped-def]
    """SQL condition: measures counted in progress figures (not done before the plan)."""
    return or_(Measure.reported_year.is_(None), ~Measure.reported_year.like("%-U(%"))


@dataclass
class StatusFigures:
    """Per reporting date id: ``{status: count}`` and ``{status: progress sum}``."""

    counts: dict[uuid.UUID, Counter[str]] = field(default_factory=dict)
    sums: dict[uuid.UUID, Counter[str]] = field(default_factory=dict)

    def count(self, rd: ReportingDate, status: str | None = None) -> int:
        c = self.counts.get(rd.id, Counter())
        return c[status] if status else sum(c[s] for s in STATUSES)

    def sum(self, rd: ReportingDate, status: str | None = None) -> int:
        c = self.sums.get(rd.id, Counter())
        return c[status] if status else sum(c[s] for s in STATUSES)


async def measure_figures(session: AsyncSession, tenant_id: uuid.UUID) -> StatusFigures:
    stmt = (
        select(
            MeasureProgress.reporting_date_id,
            MeasureProgress.status,
            func.count(),
            func.coalesce(func.sum(MeasureProgress.progress), 0),
        )
        .join(
            Measure,
            (Measure.tenant_id == MeasureProgress.tenant_id) & (Measure.id == MeasureProgress.measure_id),
        )
        .where(
            owned_by(MeasureProgress, tenant_id), MeasureProgress.status.is_not(None), counts_in_baseline()
        )
        .group_by(MeasureProgress.reporting_date_id, MeasureProgress.status)
    )
    out = StatusFigures()
    for rd_id, status, count, total in await session.execute(stmt):
        out.counts.setdefault(rd_id, Counter())[status] = int(count)
        out.sums.setdefault(rd_id, Counter())[status] = int(total)
    return out


async def service_figures(session: AsyncSession, tenant_id: uuid.UUID) -> StatusFigures:
    stmt = (
        select(OnlineServiceStatus.reporting_date_id, OnlineServiceStatus.status, func.count())
        .where(owned_by(OnlineServiceStatus, tenant_id))
        .group_by(OnlineServiceStatus.reporting_date_id, OnlineServiceStatus.status)
    )
    out = StatusFigures()
    for rd_id, status, count in await session.execute(stmt):
        out.counts.setdefault(rd_id, Counter())[status] = int(count)
    return out


async def measures_by_reported_year(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[str, int]]:
    """ "Jahr der Meldung" → number of measures (as the report's table), "2020-U(10)" first."""
    rows = await session.execute(
        select(Measure.reported_year, func.count())
        .where(owned_by(Measure, tenant_id), Measure.title.is_not(None))
        .group_by(Measure.reported_year)
    )
    items = [(year or "ohne Angabe", int(n)) for year, n in rows]
    return sorted(items, key=lambda x: (x[0][:4], "-" not in x[0], x[0]))
