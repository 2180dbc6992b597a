"""The measure plan: list (filter, sort), create, edit, delete, progress per reporting date.

Every change is written to the audit trail (old → new) in the same transaction. Edits carry
the version the editor started from; a stale version raises ``Conflict`` with the current
state and the other editor's change.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor, diff, record
from core.concurrency import conflict_with_last_change, flush_or_conflict
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.measures.models import Measure, MeasureProgress
from core.measures.schemas import (
    EDITABLE_FIELDS,
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
    OrgUnitRead,
    ProgressRead,
)
from core.measures.validation import clean_texts, number_errors
from core.models import utcnow
from core.orgunits.models import OrgUnit
from core.orgunits.service import OrgUnitService
from core.reporting.models import ReportingDate
from core.reporting.service import ReportingService, ensure_open
from core.reporting.status import ProgressError, ProgressValue, parse_progress, parse_status, status_for
from core.tenancy import owned_by

REPORTED_YEAR = re.compile(r"^(?P<year>(19|20)\d{2})(-(?P<status>[PEU])\((?P<progress>\d{1,2})\))?$")
ENTITY = "measure"


def parse_reported_year(value: str | None) -> tuple[str | None, int | None]:
    """ "2021" → ("2021", 2021); "2020-U(10)" → ("2020-U(10)", 2020); invalid → ValueError."""
    if value is None or not str(value).strip():
        return None, None
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    match = REPORTED_YEAR.match(text)
    if not match:
        raise ValueError(f"„{text}“ ist kein Jahr der Meldung (z. B. „2021“ oder „2020-U(10)“).")
    if match["progress"] is not None and not 0 <= int(match["progress"]) <= 10:
        raise ValueError(f"„{text}“: der Fortschritt in Klammern muss zwischen 0 und 10 liegen.")
    return text, int(match["year"])


def natural_key(number: str) -> tuple[Any, ...]:
    """Sort "MP 9" before "MP 11"."""
    return tuple(int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", number or ""))


def snapshot(m: Measure) -> dict[str, Any]:
    return {
        "number": m.number,
        "title": m.title,
        "business_area_id": m.business_area_id,
        "department_id": m.department_id,
        "reported_year": m.reported_year,
        "description": m.description,
        "introduction": m.introduction,
        "building_block_key": m.building_block_key,
        "version": m.version,
    }


def progress_snapshot(p: MeasureProgress | None) -> dict[str, Any]:
    if p is None:
        return {"progress": None, "code": None, "status": None}
    return {"progress": p.progress, "code": p.code, "status": p.status}


@dataclass
class MeasureRow:
    """One line of the plan: the measure, its org units and its progress by reporting date."""

    measure: Measure
    business_area: OrgUnit | None
    department: OrgUnit | None
    #: reporting date id → a row with ``progress``, ``code``, ``status``, ``reporting_date_id``
    progress: dict[uuid.UUID, Any] = field(default_factory=dict)

    def at(self, rd: ReportingDate | None) -> Any:
        return self.progress.get(rd.id) if rd is not None else None

    def latest(self, dates: Sequence[ReportingDate]) -> Any:
        for rd in reversed(dates):
            if rd.id in self.progress:
                return self.progress[rd.id]
        return None


@dataclass
class MeasureFilter:
    q: str | None = None
    business_area_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    status: str | None = None  # P / E / U / "none" (at the chosen reporting date)
    reported_year: int | None = None
    reporting_date_id: uuid.UUID | None = None
    sort: str = "number"
    descending: bool = False


@dataclass
class MeasurePlan:
    dates: list[ReportingDate]
    rows: list[MeasureRow]
    #: The reporting date the status filter and status column refer to.
    focus: ReportingDate | None
    org_units: dict[uuid.UUID, OrgUnit]
    total: int


SORT_KEYS = (
    "number",
    "title",
    "business_area",
    "department",
    "reported_year",
    "introduction",
    "progress",
    "status",
)


def to_org_read(u: OrgUnit | None) -> OrgUnitRead | None:
    if u is None:
        return None
    return OrgUnitRead(
        id=u.id, kind=u.kind, code=u.code, name=u.name, parent_id=u.parent_id, version=u.version
    )


def to_read(row: MeasureRow, dates: Sequence[ReportingDate]) -> MeasureRead:
    m = row.measure
    by_id = {rd.id: rd for rd in dates}
    progress = [
        ProgressRead(
            reporting_date_id=p.reporting_date_id,
            reporting_date=by_id[p.reporting_date_id].date,
            progress=p.progress,
            code=p.code,
            status=p.status,
        )
        for p in sorted(row.progress.values(), key=lambda p: by_id[p.reporting_date_id].date)
        if p.reporting_date_id in by_id
    ]
    latest = row.latest(dates)
    return MeasureRead(
        id=m.id,
        version=m.version,
        number=m.number,
        business_area=to_org_read(row.business_area),
        department=to_org_read(row.department),
        reported_year=m.reported_year,
        title=m.title,
        description=m.description,
        introduction=m.introduction,
        building_block_key=m.building_block_key,
        status=latest.status if latest else None,
        progress=progress,
    )


class MeasureService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor

    # --- reading ---------------------------------------------------------------------------
    async def _org_units(self) -> dict[uuid.UUID, OrgUnit]:
        rows = await self.session.scalars(select(OrgUnit).where(owned_by(OrgUnit, self.tenant_id)))
        return {u.id: u for u in rows}

    async def _rows(
        self,
        measures: Sequence[Measure],
        units: dict[uuid.UUID, OrgUnit],
        *,
        all_of_tenant: bool = False,
        date_ids: Sequence[uuid.UUID] | None = None,
    ) -> list[MeasureRow]:
        rows = {
            m.id: MeasureRow(
                m,
                units.get(m.business_area_id) if m.business_area_id else None,
                units.get(m.department_id) if m.department_id else None,
            )
            for m in measures
        }
        if not rows:
            return []
        # Plain rows, not ORM objects: a plan has thousands of progress values and the
        # list pages only read them (writes load the one ORM row they change).
        stmt = select(
            MeasureProgress.measure_id,
            MeasureProgress.reporting_date_id,
            MeasureProgress.progress,
            MeasureProgress.code,
            MeasureProgress.status,
        ).where(owned_by(MeasureProgress, self.tenant_id))
        if not all_of_tenant:
            stmt = stmt.where(MeasureProgress.measure_id.in_(list(rows)))
        if date_ids is not None:
            stmt = stmt.where(MeasureProgress.reporting_date_id.in_(list(date_ids)))
        for p in await self.session.execute(stmt):
            row = rows.get(p.measure_id)
            if row is not None:
                row.progress[p.reporting_date_id] = p
        return list(rows.values())

    async def plan(self, flt: MeasureFilter | None = None, *, latest_dates: int | None = None) -> MeasurePlan:
        """The plan, filtered and sorted. ``latest_dates`` limits the progress loaded to the
        latest N reporting dates (plus the focus date): the table shows no more."""
        flt = flt or MeasureFilter()
        dates = await ReportingService(self.session, self.tenant_id).list()
        units = await self._org_units()
        stmt = select(Measure).where(owned_by(Measure, self.tenant_id))
        if flt.business_area_id:
            stmt = stmt.where(Measure.business_area_id == flt.business_area_id)
        if flt.department_id:
            stmt = stmt.where(Measure.department_id == flt.department_id)
        if flt.reported_year:
            stmt = stmt.where(Measure.reported_year_number == flt.reported_year)
        if flt.q:
            like = f"%{flt.q.strip()}%"
            stmt = stmt.where(
                Measure.number.ilike(like) | Measure.title.ilike(like) | Measure.description.ilike(like)
            )
        measures = list(await self.session.scalars(stmt))
        filtered = bool(flt.business_area_id or flt.department_id or flt.reported_year or flt.q)
        focus = next((rd for rd in dates if rd.id == flt.reporting_date_id), None) or (
            dates[-1] if dates else None
        )
        date_ids = None
        if latest_dates is not None:
            date_ids = [rd.id for rd in dates[-latest_dates:]] + ([focus.id] if focus else [])
        rows = await self._rows(measures, units, all_of_tenant=not filtered, date_ids=date_ids)
        if flt.status:

            def status_of(r: MeasureRow) -> str:
                p = r.at(focus)
                return (p.status or "none") if p else "none"

            rows = [r for r in rows if status_of(r) == flt.status]
        rows.sort(key=self._sort_key(flt.sort, focus), reverse=flt.descending)
        return MeasurePlan(dates=dates, rows=rows, focus=focus, org_units=units, total=len(rows))

    @staticmethod
    def _sort_key(sort: str, focus: ReportingDate | None) -> Any:
        def unit_key(u: OrgUnit | None) -> tuple[Any, ...]:
            return (u is None, natural_key(u.code) if u else ())

        def key(r: MeasureRow) -> tuple[Any, ...]:
            m = r.measure
            p = r.at(focus)
            if sort == "title":
                primary: tuple[Any, ...] = (m.title is None, (m.title or "").lower())
            elif sort == "business_area":
                primary = unit_key(r.business_area) + unit_key(r.department)
            elif sort == "department":
                primary = unit_key(r.department)
            elif sort == "reported_year":
                primary = (m.reported_year is None, m.reported_year or "")
            elif sort == "introduction":
                primary = (m.introduction is None, m.introduction or "")
            elif sort == "progress":
                primary = (p is None or p.progress is None, p.progress if p and p.progress is not None else 0)
            elif sort == "status":
                primary = (p is None or p.status is None, "PEU".find(p.status) if p and p.status else 0)
            else:
                primary = ()
            return (*primary, natural_key(m.number))

        return key

    async def get_row(self, measure_id: uuid.UUID) -> tuple[MeasureRow, list[ReportingDate]]:
        m = await self.get(measure_id)
        units = await self._org_units()
        dates = await ReportingService(self.session, self.tenant_id).list()
        rows = await self._rows([m], units)
        return rows[0], dates

    async def read(self, measure_id: uuid.UUID) -> MeasureRead:
        row, dates = await self.get_row(measure_id)
        return to_read(row, dates)

    async def get(self, measure_id: uuid.UUID) -> Measure:
        m = await self.session.scalar(
            select(Measure).where(owned_by(Measure, self.tenant_id), Measure.id == measure_id)
        )
        if m is None:
            raise NotFound("Diese Maßnahme existiert nicht.")
        return m

    async def by_number(self) -> dict[str, Measure]:
        return {
            m.number: m
            for m in await self.session.scalars(select(Measure).where(owned_by(Measure, self.tenant_id)))
        }

    # --- validation ------------------------------------------------------------------------
    async def _validate(self, values: dict[str, Any], *, measure_id: uuid.UUID | None) -> dict[str, Any]:
        out = dict(values)
        errors = clean_texts(out, ("number", "title", "reported_year", "description", "introduction"))
        if "number" in out:
            errors += await number_errors(
                self.session, self.tenant_id, Measure, out["number"], measure_id, example="MP 011"
            )
        if out.get("title") and len(out["title"]) > 500:
            errors.append(FieldError("title", "Der Titel ist zu lang (höchstens 500 Zeichen)."))
        if out.get("introduction") and len(out["introduction"]) > 100:
            errors.append(FieldError("introduction", "Die Angabe ist zu lang (höchstens 100 Zeichen)."))
        if "reported_year" in out:
            try:
                out["reported_year"], out["reported_year_number"] = parse_reported_year(out["reported_year"])
            except ValueError as exc:
                errors.append(FieldError("reported_year", str(exc)))
        errors += await OrgUnitService(self.session, self.tenant_id).assignment_errors(out)
        if errors:
            raise ValidationFailed(errors=errors)
        return out

    async def conflict(self, m: Measure, message: str | None = None) -> Conflict:
        return await conflict_with_last_change(
            self.session,
            self.tenant_id,
            ENTITY,
            m,
            snapshot,
            message
            or "Die Maßnahme wurde inzwischen von jemand anderem geändert. "
            "Bitte prüfen Sie den aktuellen Stand und übernehmen Sie Ihre Änderung erneut.",
        )

    # --- writing ---------------------------------------------------------------------------
    async def create(self, data: MeasureCreate) -> Measure:
        values = await self._validate(msgspec.structs.asdict(data), measure_id=None)
        m = Measure(tenant_id=self.tenant_id, id=uuid.uuid4(), **values)
        self.session.add(m)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="measure.create",
            actor=self.actor,
            entity_type=ENTITY,
            entity_id=m.id,
            changes=diff({}, snapshot(m)),
        )
        await self._link_online_services(m)
        return m

    async def update(self, measure_id: uuid.UUID, data: MeasureUpdate) -> Measure:
        m = await self.get(measure_id)
        if m.version != data.version:
            raise await self.conflict(m)
        values = {k: getattr(data, k) for k in EDITABLE_FIELDS if getattr(data, k) is not msgspec.UNSET}
        values = await self._validate(values, measure_id=m.id)
        before = snapshot(m)
        for key, value in values.items():
            setattr(m, key, value)
        await self._flush(m)
        changes = diff(before, snapshot(m))
        if changes:
            await record(
                self.session,
                tenant_id=self.tenant_id,
                action="measure.update",
                actor=self.actor,
                entity_type=ENTITY,
                entity_id=m.id,
                changes=changes,
            )
            if "number" in changes:
                await self._link_online_services(m)
        return m

    async def _flush(self, m: Measure) -> None:
        await flush_or_conflict(
            self.session,
            "Die Maßnahme wurde gleichzeitig von jemand anderem geändert. Bitte laden Sie die Seite neu.",
        )

    async def delete(self, measure_id: uuid.UUID, version: int) -> None:
        from core.online_services.models import OnlineService

        m = await self.get(measure_id)
        if m.version != version:
            raise await self.conflict(m)
        before = snapshot(m)
        await self.session.execute(
            update(OnlineService)
            .where(owned_by(OnlineService, self.tenant_id), OnlineService.measure_id == m.id)
            .values(measure_id=None)
        )
        await self._unlink_references(m)
        await self.session.execute(
            delete(MeasureProgress).where(
                owned_by(MeasureProgress, self.tenant_id), MeasureProgress.measure_id == m.id
            )
        )
        await self.session.delete(m)
        await self._flush(m)
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="measure.delete",
            actor=self.actor,
            entity_type=ENTITY,
            entity_id=m.id,
            changes=diff(before, {}),
        )

    async def _unlink_references(self, m: Measure) -> None:
        """Clear optional links to this measure in other areas' tables (budget lines, DMS
        rollouts, …), found through their composite foreign keys, with an audit entry each.

        A composite key ``(tenant_id, measure_id)`` cannot be ``ON DELETE SET NULL`` (that
        would null ``tenant_id`` too), and the measures area must not import the others.
        """
        from sqlalchemy import Table

        from core.registry import import_all_models

        for table in import_all_models().sorted_tables:
            if table.name in ("measures", "measure_progress", "online_services"):
                continue
            for fk in table.foreign_key_constraints:
                if fk.referred_table.name != "measures" or "tenant_id" not in table.c:
                    continue
                columns = [c for c in fk.columns if c.name != "tenant_id"]
                if len(columns) != 1 or not columns[0].nullable:
                    continue
                column = columns[0]
                assert isinstance(table, Table)
                rows = (await self.session.execute(
                    update(table)
                    .where(table.c.tenant_id == self.tenant_id, column == m.id)
                    .values({column.name: None})
                    .returning(table.c.id)
                )).scalars().all()
                for row_id in rows:
                    await record(
                        self.session, tenant_id=self.tenant_id, action=f"{table.name}.update",
                        actor=self.actor, entity_type=table.name, entity_id=row_id,
                        changes={column.name: [str(m.id), None]}, reason=f"Maßnahme {m.number} gelöscht",
                    )

    async def _link_online_services(self, m: Measure) -> None:
        """Online services that named this measure's number before it existed get linked."""
        from core.online_services.models import OnlineService

        await self.session.execute(
            update(OnlineService)
            .where(
                owned_by(OnlineService, self.tenant_id),
                OnlineService.measure_number == m.number,
                OnlineService.measure_id.is_(None),
            )
            .values(measure_id=m.id)
        )

    async def set_progress(
        self,
        measure_id: uuid.UUID,
        reporting_date_id: uuid.UUID,
        *,
        version: int,
        value: object,
        status: str | None = None,
    ) -> MeasureProgress | None:
        """Enter the progress of an open round. ``version`` is the measure's version."""
        m = await self.get(measure_id)
        rd = await ReportingService(self.session, self.tenant_id).get(reporting_date_id)
        try:
            parsed = parse_progress(value)
            given_status = parse_status(status)
        except ProgressError as exc:
            raise ValidationFailed(errors=[FieldError("progress", str(exc))]) from None
        if m.version != version:
            raise await self.conflict(m)
        ensure_open(rd)
        current = await self.session.scalar(
            select(MeasureProgress).where(
                owned_by(MeasureProgress, self.tenant_id),
                MeasureProgress.measure_id == m.id,
                MeasureProgress.reporting_date_id == rd.id,
            )
        )
        new_status = status_for(parsed.progress) if parsed.progress is not None else given_status
        before = progress_snapshot(current)
        if parsed.is_empty:
            if current is not None:
                await self.session.delete(current)
                current = None
        elif current is None:
            current = MeasureProgress(
                tenant_id=self.tenant_id,
                id=uuid.uuid4(),
                measure_id=m.id,
                reporting_date_id=rd.id,
                progress=parsed.progress,
                code=parsed.code,
                status=new_status,
            )
            self.session.add(current)
        else:
            current.progress, current.code, current.status = parsed.progress, parsed.code, new_status
        changes = diff(before, progress_snapshot(current))
        if changes:
            m.updated_at = utcnow()  # bumps the measure's version: progress edits race like field edits
            await self._flush(m)
            await record(
                self.session,
                tenant_id=self.tenant_id,
                action="measure.progress",
                actor=self.actor,
                entity_type=ENTITY,
                entity_id=m.id,
                changes={f"{k} {rd.label}": v for k, v in changes.items()},
            )
        return current


def progress_value_of(p: MeasureProgress | None) -> ProgressValue:
    return ProgressValue(progress=p.progress, code=p.code) if p else ProgressValue()
