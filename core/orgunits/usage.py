"""Where an organisational unit is used.

Every tenant table with a foreign key to ``org_units`` counts (measures, online services, the
DMS plugin's rollouts and document volumes …); they are found through their composite keys,
so an area or plugin that adds such a table needs no registration here. A Geschäftskreis is
also used by its Dienststellen. What a caller may rely on: ``Usage.in_use`` is true exactly
when deleting the unit would violate a foreign key.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Column, Table, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.orgunits.models import OrgUnit
from core.tenancy import owned_by

#: How many numbered records of a kind a usage lists by number (the count is always exact).
LISTED = 50


@dataclass(frozen=True)
class TableInfo:
    """German labels of a referencing table and the audit entity type of its records."""

    singular: str
    plural: str
    entity_type: str


KNOWN_TABLES: dict[str, TableInfo] = {
    "measures": TableInfo("Maßnahme", "Maßnahmen", "measure"),
    "online_services": TableInfo("Online-Dienst", "Online-Dienste", "online_service"),
    "dms_rollouts": TableInfo("DMS-Einführung", "DMS-Einführungen", "dms_rollout"),
    "dms_document_volumes": TableInfo("DMS-Dokumentenmenge", "DMS-Dokumentenmengen", "dms_document_volume"),
}


def table_info(name: str) -> TableInfo:
    return KNOWN_TABLES.get(name) or TableInfo(f"Eintrag in „{name}“", f"Einträge in „{name}“", name)


def count_label(name: str, count: int) -> str:
    """``"1 Maßnahme"``, ``"3 Maßnahmen"``."""
    info = table_info(name)
    return f"{count} {info.singular if count == 1 else info.plural}"


@dataclass(frozen=True)
class Reference:
    """A tenant table that points at org units, with its unit columns."""

    table: Table
    columns: tuple[Column[uuid.UUID], ...]

    @property
    def name(self) -> str:
        return self.table.name


@functools.cache
def references() -> tuple[Reference, ...]:
    """All tenant tables with a (tenant_id, unit) foreign key to ``org_units``, stable order."""
    from core.registry import import_all_models

    found: dict[str, list[Column[uuid.UUID]]] = {}
    tables: dict[str, Table] = {}
    for table in import_all_models().sorted_tables:
        if table.name == OrgUnit.__tablename__ or "tenant_id" not in table.c:
            continue
        for fk in table.foreign_key_constraints:
            if fk.referred_table.name != OrgUnit.__tablename__:
                continue
            columns = [c for c in fk.columns if c.name != "tenant_id"]
            if len(columns) == 1:
                assert isinstance(table, Table)
                tables[table.name] = table
                found.setdefault(table.name, []).append(columns[0])
    order = [*[n for n in KNOWN_TABLES if n in found], *sorted(n for n in found if n not in KNOWN_TABLES)]
    return tuple(Reference(tables[n], tuple(sorted(found[n], key=lambda c: c.name))) for n in order)


@dataclass(frozen=True)
class UsageItem:
    id: uuid.UUID
    number: str
    title: str | None


@dataclass
class UsageGroup:
    """The records of one table that use a unit."""

    table: str
    count: int
    #: Numbered records (measures, online services) by number; at most ``LISTED``.
    items: list[UsageItem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return count_label(self.table, self.count)


@dataclass
class Usage:
    unit: OrgUnit
    departments: list[OrgUnit]
    groups: list[UsageGroup]

    @property
    def in_use(self) -> bool:
        return bool(self.departments) or any(g.count for g in self.groups)

    def counts(self) -> dict[str, int]:
        out = {g.table: g.count for g in self.groups if g.count}
        if self.departments:
            out["departments"] = len(self.departments)
        return out

    def describe(self, limit: int = 5) -> str:
        """What uses the unit, in German: ``"2 Dienststellen (I.1, I.2), 3 Maßnahmen (MP 001, …)"``."""

        def names(values: Sequence[str], total: int) -> str:
            shown = ", ".join(values[:limit])
            return f" ({shown}{', …' if total > limit else ''})" if shown else ""

        parts = []
        if self.departments:
            n = len(self.departments)
            codes = [d.code for d in self.departments]
            parts.append(f"{n} Dienststelle{'' if n == 1 else 'n'}{names(codes, n)}")
        for g in self.groups:
            if g.count:
                parts.append(g.label + names([i.number for i in g.items], g.count))
        return ", ".join(parts)


async def usage_counts(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, dict[str, int]]:
    """Per unit id: table name → number of records that use it (units without use are absent)."""
    out: dict[uuid.UUID, dict[str, int]] = {}
    for ref in references():
        for column in ref.columns:
            stmt = (
                select(column, func.count())
                .where(owned_by(ref.table, tenant_id), column.is_not(None))
                .group_by(column)
            )
            for unit_id, count in (await session.execute(stmt)).tuples():
                per_unit = out.setdefault(unit_id, {})
                per_unit[ref.name] = per_unit.get(ref.name, 0) + count
    return out


async def usage_of(session: AsyncSession, tenant_id: uuid.UUID, unit: OrgUnit) -> Usage:
    from core.measures.service import natural_key

    departments = list(
        await session.scalars(
            select(OrgUnit).where(owned_by(OrgUnit, tenant_id), OrgUnit.parent_id == unit.id)
        )
    )
    departments.sort(key=lambda d: natural_key(d.code))
    groups = []
    for ref in references():
        scope = (owned_by(ref.table, tenant_id), or_(*(c == unit.id for c in ref.columns)))
        count = await session.scalar(select(func.count()).select_from(ref.table).where(*scope)) or 0
        items: list[UsageItem] = []
        if count and "number" in ref.table.c:
            title = ref.table.c.title if "title" in ref.table.c else None
            columns = [ref.table.c.id, ref.table.c.number, *([title] if title is not None else [])]
            rows = (await session.execute(select(*columns).where(*scope))).all()
            items = sorted(
                (UsageItem(r[0], r[1], r[2] if title is not None else None) for r in rows),
                key=lambda i: natural_key(i.number),
            )[:LISTED]
        groups.append(UsageGroup(ref.name, count, items))
    return Usage(unit, departments, groups)
