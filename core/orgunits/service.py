"""Organisational units: list (as a tree with use counts), create, rename/re-code, move a
Dienststelle, delete an unused unit; resolve (Geschäftskreis, Dienststelle) codes from
imports, creating what is missing. Every change is in the audit trail (``org_unit``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.audit.service import SYSTEM, Actor, _jsonable, diff, record
from core.concurrency import conflict_with_last_change, flush_or_conflict
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.orgunits.models import ORG_UNIT_KIND_LABELS, OrgUnit, OrgUnitKind
from core.orgunits.schemas import OrgUnitUpdate
from core.orgunits.usage import Usage, references, table_info, usage_counts, usage_of
from core.tenancy import owned_by

ENTITY = "org_unit"
STALE = (
    "Die Organisationseinheit wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde "
    "nicht gespeichert; bitte prüfen Sie den aktuellen Stand."
)
LIMITS = {"code": 40, "name": 300}
#: The fields that assign a record (measure, online service) to a unit, and the unit's kind.
ASSIGNMENT_FIELDS = (
    ("business_area_id", OrgUnitKind.BUSINESS_AREA),
    ("department_id", OrgUnitKind.DEPARTMENT),
)


def _text_errors(**values: str | None) -> list[FieldError]:
    """Lengths and control characters of an org unit's texts (422 instead of a database error)."""
    errors = []
    for key, value in values.items():
        if value is None:
            continue
        if "\x00" in value:
            errors.append(FieldError(key, "Die Angabe enthält ein unzulässiges Steuerzeichen."))
        elif len(value.strip()) > LIMITS[key]:
            errors.append(FieldError(key, f"Die Angabe ist zu lang (höchstens {LIMITS[key]} Zeichen)."))
    return errors


def _kind_article(unit: OrgUnit) -> str:
    return "er" if unit.kind == OrgUnitKind.BUSINESS_AREA.value else "sie"


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


@dataclass
class TreeNode:
    unit: OrgUnit
    #: table name → records of it that use the unit
    counts: dict[str, int]
    children: list[TreeNode] = field(default_factory=list)

    def count(self, table: str) -> int:
        return self.counts.get(table, 0)

    @property
    def other_uses(self) -> dict[str, int]:
        return {t: n for t, n in self.counts.items() if t not in ("measures", "online_services")}

    @property
    def in_use(self) -> bool:
        return bool(self.children) or any(self.counts.values())


@dataclass
class OrgTree:
    areas: list[TreeNode]
    #: Dienststellen without a (known) Geschäftskreis
    orphans: list[TreeNode]

    def nodes(self) -> list[TreeNode]:
        return [n for a in self.areas for n in (a, *a.children)] + self.orphans


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
        errors = await self._code_errors(kind, code, own_id=None)
        errors += _text_errors(name=name)
        if parent_id is not None:
            errors += await self._parent_errors(kind, parent_id)
        if errors:
            raise ValidationFailed(errors=errors)
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
        await self._audit("org_unit.create", unit, diff({}, snapshot(unit)))
        if self._cache is not None:
            self._cache[(unit.kind, unit.code)] = unit
        return unit

    async def update(self, unit_id: uuid.UUID, data: OrgUnitUpdate) -> OrgUnit:
        """Rename, re-code or move a unit. A stale ``version`` is a ``Conflict`` with the other
        change; moving a Dienststelle takes its records along (``move_assignments``)."""
        unit = await self.get(unit_id)
        if unit.version != data.version:
            raise await self.conflict(unit)
        kind = OrgUnitKind(unit.kind)
        errors: list[FieldError] = []
        code = unit.code
        if not isinstance(data.code, msgspec.UnsetType):
            code = (data.code or "").strip()
            errors += await self._code_errors(kind, code, own_id=unit.id)
        name = unit.name
        if not isinstance(data.name, msgspec.UnsetType):
            errors += _text_errors(name=data.name)
            name = (data.name or "").strip() or None
        parent_id = unit.parent_id
        if not isinstance(data.parent_id, msgspec.UnsetType):
            parent_id = data.parent_id
            if parent_id is not None:
                errors += await self._parent_errors(kind, parent_id)
        if errors:
            raise ValidationFailed(errors=errors)
        before = snapshot(unit)
        old_parent = unit.parent_id
        unit.code, unit.name, unit.parent_id = code, name, parent_id
        await flush_or_conflict(self.session, STALE)
        changes = diff(before, snapshot(unit))
        if changes:
            await self._audit("org_unit.update", unit, changes)
            self._cache = None
        if data.move_assignments and parent_id is not None and parent_id != old_parent:
            await self._move_assignments(unit, old_parent, parent_id)
        return unit

    async def delete(self, unit_id: uuid.UUID, version: int) -> str:
        """Delete an unused unit (its label is returned). Stale ``version`` or a unit still in
        use (Dienststellen, measures, online services, …) is a ``Conflict`` naming the uses."""
        unit = await self.get(unit_id)
        if unit.version != version:
            raise await self.conflict(unit)
        use = await usage_of(self.session, self.tenant_id, unit)
        if use.in_use:
            raise Conflict(
                f"„{unit.label()}“ kann nicht gelöscht werden, weil {_kind_article(unit)} noch verwendet "
                f"wird: {use.describe()}. Bitte ordnen Sie diese zuerst einer anderen "
                "Organisationseinheit zu.",
                current={**_jsonable(snapshot(unit)), "usage": use.counts()},
            )
        before = snapshot(unit)
        label = unit.label()
        try:
            async with self.session.begin_nested():
                await self.session.delete(unit)
                await self.session.flush()
        except IntegrityError:
            # assigned by someone else between the check and the delete
            raise Conflict(
                f"„{label}“ wurde inzwischen einem Eintrag zugeordnet und kann nicht gelöscht werden."
            ) from None
        except StaleDataError:
            raise Conflict(STALE) from None
        await self._audit("org_unit.delete", unit, diff(before, {}), entity_id=unit_id)
        self._cache = None
        return label

    async def conflict(self, unit: OrgUnit) -> Conflict:
        return await conflict_with_last_change(self.session, self.tenant_id, ENTITY, unit, snapshot, STALE)

    async def usage(self, unit_id: uuid.UUID) -> Usage:
        return await usage_of(self.session, self.tenant_id, await self.get(unit_id))

    async def tree(self) -> OrgTree:
        """Geschäftskreise with their Dienststellen (natural order of codes) and the use counts."""
        from core.measures.service import natural_key

        units = await self.list()
        counts = await usage_counts(self.session, self.tenant_id)
        nodes = {u.id: TreeNode(u, counts.get(u.id, {})) for u in units}
        areas, orphans = [], []
        for node in sorted(nodes.values(), key=lambda n: natural_key(n.unit.code)):
            if node.unit.kind == OrgUnitKind.BUSINESS_AREA.value:
                areas.append(node)
            elif (parent := nodes.get(node.unit.parent_id)) is not None and (  # type: ignore[arg-type]
                parent.unit.kind == OrgUnitKind.BUSINESS_AREA.value
            ):
                parent.children.append(node)
            else:
                orphans.append(node)
        return OrgTree(areas=areas, orphans=orphans)

    # --- helpers --------------------------------------------------------------------------------
    async def _code_errors(self, kind: OrgUnitKind, code: str, own_id: uuid.UUID | None) -> list[FieldError]:
        if not code:
            return [FieldError("code", "Bitte ein Kürzel angeben.")]
        errors = _text_errors(code=code)
        if errors:
            return errors
        clash = await self.session.scalar(
            select(OrgUnit).where(
                owned_by(OrgUnit, self.tenant_id), OrgUnit.kind == kind.value, OrgUnit.code == code
            )
        )
        if clash is not None and clash.id != own_id:
            owner = f"{ORG_UNIT_KIND_LABELS[kind]} „{clash.label()}“"
            return [FieldError("code", f"Das Kürzel „{code}“ ist bereits vergeben ({owner}).")]
        return []

    async def _parent_errors(self, kind: OrgUnitKind, parent_id: uuid.UUID) -> list[FieldError]:
        if kind != OrgUnitKind.DEPARTMENT:
            return [FieldError("parent_id", "Nur eine Dienststelle gehört zu einem Geschäftskreis.")]
        parent = await self.session.scalar(
            select(OrgUnit).where(owned_by(OrgUnit, self.tenant_id), OrgUnit.id == parent_id)
        )
        if parent is None or parent.kind != OrgUnitKind.BUSINESS_AREA.value:
            return [FieldError("parent_id", "Diesen Geschäftskreis gibt es nicht.")]
        return []

    async def _move_assignments(
        self, unit: OrgUnit, old_parent: uuid.UUID | None, new_parent: uuid.UUID
    ) -> None:
        """Records of the Dienststelle ``unit`` whose Geschäftskreis was ``old_parent`` (or
        none) get ``new_parent``: every table that assigns both (``business_area_id``,
        ``department_id``), version bumped so that open edits of them see a conflict."""
        parent = await self.get(new_parent)
        for ref in references():
            names = {c.name for c in ref.columns}
            if not {"business_area_id", "department_id"} <= names:
                continue
            t = ref.table
            same_area = t.c.business_area_id.is_(None)
            if old_parent is not None:
                same_area = same_area | (t.c.business_area_id == old_parent)
            scope = (owned_by(t, self.tenant_id), t.c.department_id == unit.id, same_area)
            moved = (await self.session.execute(select(t.c.id, t.c.business_area_id).where(*scope))).all()
            if not moved:
                continue
            values: dict[str, Any] = {"business_area_id": new_parent}
            if "version" in t.c:
                values["version"] = t.c.version + 1
            await self.session.execute(
                update(t).where(owned_by(t, self.tenant_id), t.c.id.in_([r[0] for r in moved])).values(values)
            )
            info = table_info(t.name)
            for row_id, old in moved:
                await record(
                    self.session,
                    tenant_id=self.tenant_id,
                    action=f"{info.entity_type}.update",
                    actor=self.actor,
                    entity_type=info.entity_type,
                    entity_id=row_id,
                    changes={"business_area_id": [_jsonable(old), str(new_parent)]},
                    reason=f"Dienststelle {unit.label()} in Geschäftskreis {parent.label()} verschoben",
                )

    async def _audit(
        self, action: str, unit: OrgUnit, changes: dict[str, Any], entity_id: uuid.UUID | None = None
    ) -> None:
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action=action,
            actor=self.actor,
            entity_type=ENTITY,
            entity_id=entity_id or unit.id,
            changes=changes,
        )

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
