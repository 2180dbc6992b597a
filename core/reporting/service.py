"""Reporting dates and rounds: open a round for a Stichtag, close it (read-only afterwards)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.audit.service import SYSTEM, Actor, diff, record
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.models import utcnow
from core.reporting.models import ReportingDate, RoundState
from core.tenancy import owned_by


def is_stichtag(date: dt.date) -> bool:
    return (date.month, date.day) in ((3, 31), (9, 30))


def stichtag_for(year: int, month: int) -> dt.date:
    if month == 3:
        return dt.date(year, 3, 31)
    if month == 9:
        return dt.date(year, 9, 30)
    raise ValueError(month)


def next_stichtag(after: dt.date) -> dt.date:
    for candidate in (dt.date(after.year, 3, 31), dt.date(after.year, 9, 30), dt.date(after.year + 1, 3, 31)):
        if candidate > after:
            return candidate
    raise AssertionError("unreachable")


def snapshot(rd: ReportingDate) -> dict[str, Any]:
    return {"date": rd.date, "state": rd.state, "closed_at": rd.closed_at, "version": rd.version}


def ensure_open(rd: ReportingDate) -> None:
    if rd.is_closed:
        raise Conflict(
            f"Der Berichtstermin {rd.label} ist abgeschlossen; "
            "seine Werte können nicht mehr geändert werden.",
            current=snapshot(rd),
        )


def closed_round_message(rd: ReportingDate | None, what: str, old: Any, new: Any) -> str | None:
    """Why an import may not change ``what`` ("der Status") of the round ``rd`` from ``old`` to
    ``new``: the round is closed. ``None`` while it is open or does not exist yet."""
    if rd is None or not rd.is_closed:
        return None
    return (
        f"Der Berichtstermin {rd.label} ist abgeschlossen; {what} kann nicht von {old or 'leer'} "
        f"auf {new or 'leer'} geändert werden."
    )


class ReportingService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor

    async def list(self) -> list[ReportingDate]:
        rows = await self.session.scalars(
            select(ReportingDate).where(owned_by(ReportingDate, self.tenant_id)).order_by(ReportingDate.date)
        )
        return list(rows)

    async def get(self, reporting_date_id: uuid.UUID) -> ReportingDate:
        rd = await self.session.scalar(
            select(ReportingDate).where(
                owned_by(ReportingDate, self.tenant_id), ReportingDate.id == reporting_date_id
            )
        )
        if rd is None:
            raise NotFound("Dieser Berichtstermin existiert nicht.")
        return rd

    async def by_date(self, date: dt.date) -> ReportingDate | None:
        return await self.session.scalar(
            select(ReportingDate).where(owned_by(ReportingDate, self.tenant_id), ReportingDate.date == date)
        )

    async def current_open(self) -> ReportingDate | None:
        """The latest open round (where progress is entered now), if any."""
        return await self.session.scalar(
            select(ReportingDate)
            .where(owned_by(ReportingDate, self.tenant_id), ReportingDate.state == RoundState.OPEN.value)
            .order_by(ReportingDate.date.desc())
            .limit(1)
        )

    async def open_round(self, date: dt.date) -> ReportingDate:
        if not is_stichtag(date):
            raise ValidationFailed(
                errors=[
                    FieldError(
                        "date", "Ein Berichtstermin ist immer der 31.03. oder der 30.09. eines Jahres."
                    )
                ]
            )
        existing = await self.by_date(date)
        if existing is not None:
            if existing.is_closed:
                raise Conflict(
                    f"Der Berichtstermin {existing.label} ist bereits abgeschlossen.",
                    current=snapshot(existing),
                )
            raise Conflict(
                f"Für den {existing.label} ist bereits eine Berichtsrunde offen.", current=snapshot(existing)
            )
        rd = ReportingDate(tenant_id=self.tenant_id, id=uuid.uuid4(), date=date, state=RoundState.OPEN.value)
        self.session.add(rd)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="reporting_date.open",
            actor=self.actor,
            entity_type="reporting_date",
            entity_id=rd.id,
            changes=diff({}, snapshot(rd)),
        )
        return rd

    async def close_round(self, reporting_date_id: uuid.UUID, version: int) -> ReportingDate:
        rd = await self.get(reporting_date_id)
        if rd.version != version:
            raise Conflict(
                "Der Berichtstermin wurde inzwischen von jemand anderem geändert.", current=snapshot(rd)
            )
        ensure_open(rd)
        before = snapshot(rd)
        rd.state = RoundState.CLOSED.value
        rd.closed_at = utcnow()
        rd.closed_by_id = self.actor.user_id
        try:
            await self.session.flush()
        except StaleDataError:
            await self.session.refresh(rd)
            raise Conflict(
                "Der Berichtstermin wurde inzwischen von jemand anderem geändert.", current=snapshot(rd)
            ) from None
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="reporting_date.close",
            actor=self.actor,
            entity_type="reporting_date",
            entity_id=rd.id,
            changes=diff(before, snapshot(rd)),
        )
        return rd

    async def ensure_dates(
        self, dates: Iterable[dt.date], *, dry_run: bool = False
    ) -> dict[dt.date, ReportingDate]:
        """The reporting dates for ``dates``, creating missing ones as open rounds (imports)."""
        wanted = sorted(set(dates))
        existing = {rd.date: rd for rd in await self.list()}
        for date in wanted:
            if date in existing:
                continue
            rd = ReportingDate(
                tenant_id=self.tenant_id, id=uuid.uuid4(), date=date, state=RoundState.OPEN.value, version=1
            )
            if not dry_run:
                self.session.add(rd)
                await record(
                    self.session,
                    tenant_id=self.tenant_id,
                    action="reporting_date.open",
                    actor=self.actor,
                    entity_type="reporting_date",
                    entity_id=rd.id,
                    changes=diff({}, {"date": date, "state": rd.state}),
                    reason="Import",
                )
            existing[date] = rd
        if not dry_run:
            await self.session.flush()
        return existing
