"""Online services: list (filter, sort), create, edit, delete, status per reporting date."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor, diff, record
from core.concurrency import conflict_with_last_change, flush_or_conflict
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.measures.models import Measure
from core.measures.service import natural_key, to_org_read
from core.measures.validation import clean_texts, number_errors
from core.models import utcnow
from core.online_services.models import OnlineService, OnlineServiceStatus
from core.online_services.schemas import (
    EDITABLE_FIELDS,
    OnlineServiceCreate,
    OnlineServiceRead,
    OnlineServiceUpdate,
    StatusRead,
)
from core.orgunits.models import OrgUnit
from core.orgunits.service import OrgUnitService
from core.reporting.models import ReportingDate
from core.reporting.service import ReportingService, ensure_open
from core.reporting.status import ProgressError, parse_status
from core.tenancy import owned_by

ENTITY = "online_service"
_KEY = re.compile(r"^[0-9A-Za-z._:-]{1,60}$")


def snapshot(o: OnlineService) -> dict[str, Any]:
    return {
        "number": o.number,
        "title": o.title,
        "business_area_id": o.business_area_id,
        "department_id": o.department_id,
        "implementation_type": o.implementation_type,
        "measure_number": o.measure_number,
        "measure_id": o.measure_id,
        "ozg_ids": list(o.ozg_ids or []),
        "leika_keys": list(o.leika_keys or []),
        "ozg_maturity": o.ozg_maturity,
        "epayment": o.epayment,
        "version": o.version,
    }


@dataclass
class ServiceRow:
    service: OnlineService
    business_area: OrgUnit | None
    department: OrgUnit | None
    #: reporting date id → a row with ``status`` and ``reporting_date_id``
    statuses: dict[uuid.UUID, Any] = field(default_factory=dict)

    def at(self, rd: ReportingDate | None) -> str | None:
        s = self.statuses.get(rd.id) if rd is not None else None
        return s.status if s else None

    def latest(self, dates: Sequence[ReportingDate]) -> str | None:
        for rd in reversed(dates):
            if rd.id in self.statuses:
                return self.statuses[rd.id].status
        return None


@dataclass
class ServiceFilter:
    q: str | None = None
    business_area_id: uuid.UUID | None = None
    status: str | None = None
    implementation_type: str | None = None
    reporting_date_id: uuid.UUID | None = None
    sort: str = "number"
    descending: bool = False


@dataclass
class ServiceList:
    dates: list[ReportingDate]
    rows: list[ServiceRow]
    focus: ReportingDate | None
    org_units: dict[uuid.UUID, OrgUnit]
    total: int


def to_read(row: ServiceRow, dates: Sequence[ReportingDate]) -> OnlineServiceRead:
    o = row.service
    by_id = {rd.id: rd for rd in dates}
    statuses = [
        StatusRead(
            reporting_date_id=s.reporting_date_id,
            reporting_date=by_id[s.reporting_date_id].date,
            status=s.status,
        )
        for s in sorted(row.statuses.values(), key=lambda s: by_id[s.reporting_date_id].date)
    ]
    return OnlineServiceRead(
        id=o.id,
        version=o.version,
        number=o.number,
        title=o.title,
        business_area=to_org_read(row.business_area),
        department=to_org_read(row.department),
        implementation_type=o.implementation_type,
        measure_number=o.measure_number,
        measure_id=o.measure_id,
        ozg_ids=list(o.ozg_ids or []),
        leika_keys=list(o.leika_keys or []),
        ozg_maturity=o.ozg_maturity,
        epayment=o.epayment,
        status=row.latest(dates),
        statuses=statuses,
    )


class OnlineServiceService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor

    async def _org_units(self) -> dict[uuid.UUID, OrgUnit]:
        return {
            u.id: u
            for u in await self.session.scalars(select(OrgUnit).where(owned_by(OrgUnit, self.tenant_id)))
        }

    async def _rows(
        self,
        services: Sequence[OnlineService],
        units: dict[uuid.UUID, OrgUnit],
        *,
        all_of_tenant: bool = False,
    ) -> list[ServiceRow]:
        rows = {
            o.id: ServiceRow(
                o,
                units.get(o.business_area_id) if o.business_area_id else None,
                units.get(o.department_id) if o.department_id else None,
            )
            for o in services
        }
        if not rows:
            return []
        stmt = select(
            OnlineServiceStatus.online_service_id,
            OnlineServiceStatus.reporting_date_id,
            OnlineServiceStatus.status,
        ).where(owned_by(OnlineServiceStatus, self.tenant_id))
        if not all_of_tenant:
            stmt = stmt.where(OnlineServiceStatus.online_service_id.in_(list(rows)))
        for s in await self.session.execute(stmt):
            row = rows.get(s.online_service_id)
            if row is not None:
                row.statuses[s.reporting_date_id] = s
        return list(rows.values())

    async def list(self, flt: ServiceFilter | None = None) -> ServiceList:
        flt = flt or ServiceFilter()
        dates = await ReportingService(self.session, self.tenant_id).list()
        units = await self._org_units()
        stmt = select(OnlineService).where(owned_by(OnlineService, self.tenant_id))
        if flt.business_area_id:
            stmt = stmt.where(OnlineService.business_area_id == flt.business_area_id)
        if flt.implementation_type:
            stmt = stmt.where(OnlineService.implementation_type == flt.implementation_type)
        if flt.q:
            like = f"%{flt.q.strip()}%"
            stmt = stmt.where(
                OnlineService.number.ilike(like)
                | OnlineService.title.ilike(like)
                | OnlineService.measure_number.ilike(like)
            )
        services = list(await self.session.scalars(stmt))
        filtered = bool(flt.business_area_id or flt.implementation_type or flt.q)
        rows = await self._rows(services, units, all_of_tenant=not filtered)
        focus = next((rd for rd in dates if rd.id == flt.reporting_date_id), None) or (
            dates[-1] if dates else None
        )
        if flt.status:
            rows = [r for r in rows if (r.at(focus) or "none") == flt.status]

        def key(r: ServiceRow) -> tuple[Any, ...]:
            o = r.service
            if flt.sort == "title":
                primary: tuple[Any, ...] = (o.title is None, (o.title or "").lower())
            elif flt.sort == "business_area":
                primary = (
                    r.business_area is None,
                    natural_key(r.business_area.code) if r.business_area else (),
                    natural_key(r.department.code) if r.department else (),
                )
            elif flt.sort == "implementation_type":
                primary = (o.implementation_type is None, o.implementation_type or "")
            elif flt.sort == "status":
                st = r.at(focus)
                primary = (st is None, "PEU".find(st) if st else 0)
            elif flt.sort == "measure":
                primary = (o.measure_number is None, natural_key(o.measure_number or ""))
            elif flt.sort == "ozg_maturity":
                primary = (o.ozg_maturity is None, o.ozg_maturity or 0)
            else:
                primary = ()
            return (*primary, natural_key(o.number))

        rows.sort(key=key, reverse=flt.descending)
        return ServiceList(dates=dates, rows=rows, focus=focus, org_units=units, total=len(rows))

    async def get(self, service_id: uuid.UUID) -> OnlineService:
        o = await self.session.scalar(
            select(OnlineService).where(
                owned_by(OnlineService, self.tenant_id), OnlineService.id == service_id
            )
        )
        if o is None:
            raise NotFound("Dieser Online-Dienst existiert nicht.")
        return o

    async def get_row(self, service_id: uuid.UUID) -> tuple[ServiceRow, list[ReportingDate]]:
        o = await self.get(service_id)
        rows = await self._rows([o], await self._org_units())
        return rows[0], await ReportingService(self.session, self.tenant_id).list()

    async def read(self, service_id: uuid.UUID) -> OnlineServiceRead:
        row, dates = await self.get_row(service_id)
        return to_read(row, dates)

    async def by_number(self) -> dict[str, OnlineService]:
        return {
            o.number: o
            for o in await self.session.scalars(
                select(OnlineService).where(owned_by(OnlineService, self.tenant_id))
            )
        }

    async def _validate(self, values: dict[str, Any], *, service_id: uuid.UUID | None) -> dict[str, Any]:
        out = dict(values)
        errors = clean_texts(out, ("number", "title", "implementation_type", "measure_number"))
        if "measure_number" in out and out["measure_number"] and out["measure_number"].lower() == "nein":
            out["measure_number"] = None
        if "number" in out:
            errors += await number_errors(
                self.session, self.tenant_id, OnlineService, out["number"], service_id, example="OD 013"
            )
        for key, limit in (("title", 500), ("implementation_type", 200), ("measure_number", 40)):
            if out.get(key) and len(out[key]) > limit:
                errors.append(FieldError(key, f"Die Angabe ist zu lang (höchstens {limit} Zeichen)."))
        if out.get("ozg_maturity") is not None and not 0 <= out["ozg_maturity"] <= 4:
            errors.append(FieldError("ozg_maturity", "Der OZG-Reifegrad liegt zwischen 0 und 4."))
        for key, label in (("ozg_ids", "OZG-Leistung"), ("leika_keys", "LeiKa-Schlüssel")):
            if key in out:
                keys = [k.strip() for k in out[key] or [] if k and k.strip()]
                bad = [k for k in keys if not _KEY.match(k)]
                if bad:
                    errors.append(FieldError(key, f"Ungültige Angabe für {label}: „{bad[0]}“."))
                out[key] = list(dict.fromkeys(keys))
        if out.get("measure_id") is not None:
            m = await self.session.scalar(
                select(Measure).where(owned_by(Measure, self.tenant_id), Measure.id == out["measure_id"])
            )
            if m is None:
                errors.append(FieldError("measure_id", "Diese Maßnahme gibt es nicht."))
            else:
                out["measure_number"] = m.number
        elif "measure_number" in out:
            out["measure_id"] = (
                await self.session.scalar(
                    select(Measure.id).where(
                        owned_by(Measure, self.tenant_id), Measure.number == out["measure_number"]
                    )
                )
                if out["measure_number"]
                else None
            )
        elif "measure_id" in out:
            out["measure_number"] = None
        errors += await OrgUnitService(self.session, self.tenant_id).assignment_errors(out)
        if errors:
            raise ValidationFailed(errors=errors)
        return out

    async def conflict(self, o: OnlineService) -> Conflict:
        return await conflict_with_last_change(
            self.session,
            self.tenant_id,
            ENTITY,
            o,
            snapshot,
            "Der Online-Dienst wurde inzwischen von jemand anderem geändert. "
            "Bitte prüfen Sie den aktuellen Stand und übernehmen Sie Ihre Änderung erneut.",
        )

    async def _flush(self) -> None:
        await flush_or_conflict(
            self.session,
            "Der Online-Dienst wurde gleichzeitig von jemand anderem geändert. "
            "Bitte laden Sie die Seite neu.",
        )

    async def create(self, data: OnlineServiceCreate) -> OnlineService:
        values = await self._validate(msgspec.structs.asdict(data), service_id=None)
        o = OnlineService(tenant_id=self.tenant_id, id=uuid.uuid4(), **values)
        self.session.add(o)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="online_service.create",
            actor=self.actor,
            entity_type=ENTITY,
            entity_id=o.id,
            changes=diff({}, snapshot(o)),
        )
        return o

    async def update(self, service_id: uuid.UUID, data: OnlineServiceUpdate) -> OnlineService:
        o = await self.get(service_id)
        if o.version != data.version:
            raise await self.conflict(o)
        values = {k: getattr(data, k) for k in EDITABLE_FIELDS if getattr(data, k) is not msgspec.UNSET}
        values = await self._validate(values, service_id=o.id)
        before = snapshot(o)
        for key, value in values.items():
            setattr(o, key, value)
        await self._flush()
        changes = diff(before, snapshot(o))
        if changes:
            await record(
                self.session,
                tenant_id=self.tenant_id,
                action="online_service.update",
                actor=self.actor,
                entity_type=ENTITY,
                entity_id=o.id,
                changes=changes,
            )
        return o

    async def delete(self, service_id: uuid.UUID, version: int) -> None:
        o = await self.get(service_id)
        if o.version != version:
            raise await self.conflict(o)
        before = snapshot(o)
        await self.session.execute(
            delete(OnlineServiceStatus).where(
                owned_by(OnlineServiceStatus, self.tenant_id), OnlineServiceStatus.online_service_id == o.id
            )
        )
        await self.session.delete(o)
        await self._flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="online_service.delete",
            actor=self.actor,
            entity_type=ENTITY,
            entity_id=o.id,
            changes=diff(before, {}),
        )

    async def set_status(
        self, service_id: uuid.UUID, reporting_date_id: uuid.UUID, *, version: int, status: str | None
    ) -> OnlineServiceStatus | None:
        o = await self.get(service_id)
        rd = await ReportingService(self.session, self.tenant_id).get(reporting_date_id)
        try:
            new = parse_status(status)
        except ProgressError as exc:
            raise ValidationFailed(errors=[FieldError("status", str(exc))]) from None
        if o.version != version:
            raise await self.conflict(o)
        ensure_open(rd)
        current = await self.session.scalar(
            select(OnlineServiceStatus).where(
                owned_by(OnlineServiceStatus, self.tenant_id),
                OnlineServiceStatus.online_service_id == o.id,
                OnlineServiceStatus.reporting_date_id == rd.id,
            )
        )
        old = current.status if current else None
        if old == new:
            return current
        if new is None:
            assert current is not None
            await self.session.delete(current)
            current = None
        elif current is None:
            current = OnlineServiceStatus(
                tenant_id=self.tenant_id,
                id=uuid.uuid4(),
                online_service_id=o.id,
                reporting_date_id=rd.id,
                status=new,
            )
            self.session.add(current)
        else:
            current.status = new
        o.updated_at = utcnow()
        await self._flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="online_service.status",
            actor=self.actor,
            entity_type=ENTITY,
            entity_id=o.id,
            changes={f"Status {rd.label}": [old, new]},
        )
        return current
