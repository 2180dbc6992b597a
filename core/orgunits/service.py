"""Organisational units: list, create, rename; resolve (Geschäftskreis, Dienststelle) codes
from imports, creating what is missing."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.audit.service import SYSTEM, Actor, diff, record
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.orgunits.models import OrgUnit, OrgUnitKind
from core.tenancy import owned_by

LIMITS = {"code": 40, "name": 300}
#: The fields that assign a record (measure, online service) to a unit, and the unit's kind.
ASSIGNMENT_FIELDS = (
    ("business_area_id", OrgUnitKind.BUSINESS_AREA),
    ("department_id", OrgUnitKind.DEPARTMENT),
)


def check_texts(**values: str | None) -> None:
    """Lengths and control characters of an org unit's texts (422 instead of a database error)."""
    errors = []
    for key, value in values.items():
        if value is None:
            continue
        if "\x00" in value:
            errors.append(FieldError(key, "Die Angabe enthält ein unzulässiges Steuerzeichen."))
        elif len(value.strip()) > LIMITS[key]:
            errors.append(FieldError(key, f"Die Angabe ist zu lang (höchstens {LIMITS[key]} Zeichen)."))
    if errors:
        raise ValidationFailed(errors=errors)


def snapshot(unit: OrgUnit) -> dict[str, Any]:
    return {
        "kind": unit.kind,
        "code": unit.code,
        "name": unit.name,
        "parent_id": unit.parent_id,
        "version": unit.version,
    }


@dataclass(frozen=True)
class UnitRef:
    """A (code, name) pair as a spreadsheet gives it."""

    code: str | None
    name: str | None


class OrgUnitService:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor
        self._cache: dict[tuple[str, str], OrgUnit] | None = None

    async def list(self, kind: OrgUnitKind | None = None) -> list[OrgUnit]:
        stmt = select(OrgUnit).where(owned_by(OrgUnit, self.tenant_id))
        if kind is not None:
            stmt = stmt.where(OrgUnit.kind == kind.value)
        return list(await self.session.scalars(stmt.order_by(OrgUnit.kind, OrgUnit.code)))

    async def by_id(self) -> dict[uuid.UUID, OrgUnit]:
        return {u.id: u for u in await self.list()}

    async def get(self, unit_id: uuid.UUID) -> OrgUnit:
        unit = await self.session.scalar(
            select(OrgUnit).where(owned_by(OrgUnit, self.tenant_id), OrgUnit.id == unit_id)
        )
        if unit is None:
            raise NotFound("Diese Organisationseinheit existiert nicht.")
        return unit

    async def assignment_errors(self, values: Mapping[str, Any]) -> list[FieldError]:
        """One error per ``business_area_id`` / ``department_id`` in ``values`` that is not a
        unit of this tenant of that kind (``None`` and absent fields are fine)."""
        errors = []
        for key, kind in ASSIGNMENT_FIELDS:
            if values.get(key) is not None:
                unit = await self.session.scalar(
                    select(OrgUnit).where(owned_by(OrgUnit, self.tenant_id), OrgUnit.id == values[key])
                )
                if unit is None or unit.kind != kind.value:
                    errors.append(FieldError(key, "Diese Organisationseinheit gibt es nicht."))
        return errors

    async def create(
        self, kind: OrgUnitKind, code: str, name: str | None, parent_id: uuid.UUID | None = None
    ) -> OrgUnit:
        code = (code or "").strip()
        if not code:
            raise ValidationFailed(errors=[FieldError("code", "Bitte ein Kürzel angeben.")])
        check_texts(code=code, name=name)
        if parent_id is not None:
            parent = await self.get(parent_id)
            if kind != OrgUnitKind.DEPARTMENT or parent.kind != OrgUnitKind.BUSINESS_AREA.value:
                raise ValidationFailed(
                    errors=[
                        FieldError(
                            "parent_id", "Nur eine Dienststelle kann einem Geschäftskreis zugeordnet werden."
                        )
                    ]
                )
        existing = await self.session.scalar(
            select(OrgUnit).where(
                owned_by(OrgUnit, self.tenant_id), OrgUnit.kind == kind.value, OrgUnit.code == code
            )
        )
        if existing is not None:
            raise Conflict(f"Das Kürzel „{code}“ ist bereits vergeben.", current=snapshot(existing))
        unit = OrgUnit(
            tenant_id=self.tenant_id,
            id=uuid.uuid4(),
            kind=kind.value,
            code=code,
            name=(name or "").strip() or None,
            parent_id=parent_id,
        )
        self.session.add(unit)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action="org_unit.create",
            actor=self.actor,
            entity_type="org_unit",
            entity_id=unit.id,
            changes=diff({}, snapshot(unit)),
        )
        if self._cache is not None:
            self._cache[(unit.kind, unit.code)] = unit
        return unit

    async def update(
        self, unit_id: uuid.UUID, *, version: int, name: str | None, parent_id: uuid.UUID | None = None
    ) -> OrgUnit:
        unit = await self.get(unit_id)
        if unit.version != version:
            raise Conflict("Die Organisationseinheit wurde inzwischen geändert.", current=snapshot(unit))
        check_texts(name=name)
        before = snapshot(unit)
        unit.name = (name or "").strip() or None
        if unit.kind == OrgUnitKind.DEPARTMENT.value:
            if parent_id is not None:
                await self.get(parent_id)
            unit.parent_id = parent_id
        try:
            await self.session.flush()
        except StaleDataError:
            await self.session.refresh(unit)
            raise Conflict(
                "Die Organisationseinheit wurde inzwischen geändert.", current=snapshot(unit)
            ) from None
        changes = diff(before, snapshot(unit))
        if changes:
            await record(
                self.session,
                tenant_id=self.tenant_id,
                action="org_unit.update",
                actor=self.actor,
                entity_type="org_unit",
                entity_id=unit.id,
                changes=changes,
            )
        return unit

    # --- resolving spreadsheet references -------------------------------------------------
    async def _load_cache(self) -> dict[tuple[str, str], OrgUnit]:
        if self._cache is None:
            self._cache = {(u.kind, u.code): u for u in await self.list()}
        return self._cache

    async def peek(self, kind: OrgUnitKind, code: str | None) -> OrgUnit | None:
        if not code:
            return None
        return (await self._load_cache()).get((kind.value, code))

    async def resolve(
        self, business_area: UnitRef, department: UnitRef, *, dry_run: bool = False, flush: bool = True
    ) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        """Ids for a row's Geschäftskreis and Dienststelle; missing units are created and
        names given for known ones are updated (nothing is written on a dry run). With
        ``flush=False`` the caller flushes once after resolving many rows."""
        cache = await self._load_cache()
        ba = await self._resolve_one(cache, OrgUnitKind.BUSINESS_AREA, business_area, None, dry_run)
        ds = await self._resolve_one(cache, OrgUnitKind.DEPARTMENT, department, ba, dry_run)
        if flush and not dry_run:
            await self.session.flush()
        return ba, ds

    async def resolve_all(
        self, rows: Mapping[int, tuple[UnitRef, UnitRef]]
    ) -> dict[int, tuple[uuid.UUID | None, uuid.UUID | None]]:
        """``resolve`` for many rows (row → (Geschäftskreis, Dienststelle)), flushed once."""
        resolved = {row: await self.resolve(ba, ds, flush=False) for row, (ba, ds) in rows.items()}
        await self.session.flush()
        return resolved

    async def _resolve_one(
        self,
        cache: dict[tuple[str, str], OrgUnit],
        kind: OrgUnitKind,
        ref: UnitRef,
        parent_id: uuid.UUID | None,
        dry_run: bool,
    ) -> uuid.UUID | None:
        if not ref.code:
            return None
        unit = cache.get((kind.value, ref.code))
        if unit is None:
            unit = OrgUnit(
                tenant_id=self.tenant_id,
                id=uuid.uuid4(),
                kind=kind.value,
                code=ref.code,
                name=ref.name,
                parent_id=parent_id,
                version=1,
            )
            cache[(kind.value, ref.code)] = unit
            if not dry_run:
                self.session.add(unit)
                await record(
                    self.session,
                    tenant_id=self.tenant_id,
                    action="org_unit.create",
                    actor=self.actor,
                    entity_type="org_unit",
                    entity_id=unit.id,
                    changes=diff({}, snapshot(unit)),
                    reason="Import",
                )
            return unit.id
        changed = (ref.name and ref.name != unit.name) or (
            parent_id and unit.parent_id is None and kind == OrgUnitKind.DEPARTMENT
        )
        if changed and not dry_run:
            before = snapshot(unit)
            if ref.name:
                unit.name = ref.name
            if parent_id and unit.parent_id is None and kind == OrgUnitKind.DEPARTMENT:
                unit.parent_id = parent_id
            await record(
                self.session,
                tenant_id=self.tenant_id,
                action="org_unit.update",
                actor=self.actor,
                entity_type="org_unit",
                entity_id=unit.id,
                changes=diff(before, snapshot(unit)),
                reason="Import",
            )
        return unit.id
