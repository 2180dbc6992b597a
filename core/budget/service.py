"""Budget plan service: lines, yearly entries, sums, IST–SOLL, plan versus actual.

Rules a caller may rely on: explicit tenant filter (another tenant's id is ``NotFound``),
audit entries for every write, ``Conflict`` with the newer state for a stale ``version``,
``ValidationFailed`` naming each bad field.
"""

from __future__ import annotations

import decimal
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor, diff, record
from core.budget.models import (
    ACTUAL_COLUMNS,
    NUMBER_COLUMNS,
    ONE_OFF_COLUMNS,
    RUNNING_COLUMNS,
    STAFF_COLUMNS,
    BudgetEntry,
    BudgetLine,
)
from core.concurrency import check_version, flush_or_conflict
from core.errors import FieldError, NotFound, ValidationFailed
from core.strategy.kinds import FieldSpec, parse_fields

ZERO = decimal.Decimal("0.00")
STAFF_KEYS = tuple(k for k, _ in STAFF_COLUMNS)

LINE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("number", "Lfd. Nr.", required=True, max_length=20),
    FieldSpec("title", "Maßnahme / Position", required=True, max_length=300),
    FieldSpec("remark", "Bemerkung / Kalkulationsgrundlage", "text"),
    FieldSpec("position", "Reihenfolge", "int", minimum=0, maximum=100000),
)
ENTRY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("year", "Jahr", "int", required=True, minimum=2000, maximum=2100),
    *[
        FieldSpec(k, label, "decimal")
        for k, label in (*ONE_OFF_COLUMNS, *RUNNING_COLUMNS, *STAFF_COLUMNS, *ACTUAL_COLUMNS)
    ],
    FieldSpec("note", "Bemerkung", "text"),
)
#: Link fields of a line, parsed separately (they need lookups).
LINK_FIELDS = ("building_block_key", "measure_id")


# --- reading ---------------------------------------------------------------------------------
@dataclass
class LineView:
    line: BudgetLine
    entries: list[BudgetEntry] = field(default_factory=list)

    def total(self, column: str) -> decimal.Decimal:
        """Sum over the years; staff (VZÄ) is a level, not a flow: the latest year's value."""
        if column in STAFF_KEYS:
            return getattr(self.entries[-1], column) if self.entries else ZERO
        return sum((getattr(e, column) for e in self.entries), ZERO)


@dataclass
class Totals:
    """Sums of the plan: per column, per year and column, and the derived figures."""

    columns: dict[str, decimal.Decimal]
    by_year: dict[int, dict[str, decimal.Decimal]]

    @staticmethod
    def derived(values: Mapping[str, decimal.Decimal]) -> dict[str, decimal.Decimal]:
        one_off = sum((values.get(k, ZERO) for k, _ in ONE_OFF_COLUMNS), ZERO)
        running = sum((values.get(k, ZERO) for k, _ in RUNNING_COLUMNS), ZERO)
        actual = values.get("actual_one_off", ZERO) + values.get("actual_running", ZERO)
        return {
            "one_off": one_off,
            "running": running,
            "planned": one_off + running,
            "actual": actual,
            "plan_minus_actual": one_off + running - actual,
            "staff_gap": values.get("staff_soll", ZERO) - values.get("staff_ist", ZERO),
        }

    @property
    def overall(self) -> dict[str, decimal.Decimal]:
        """Money summed over all years; staff (VZÄ) as planned for the latest year."""
        values = dict(self.columns)
        last = self.by_year.get(max(self.by_year)) if self.by_year else None
        for key in STAFF_KEYS:
            values[key] = last.get(key, ZERO) if last else ZERO
        return values | self.derived(values)

    def year(self, year: int) -> dict[str, decimal.Decimal]:
        values = self.by_year.get(year, {})
        return {k: values.get(k, ZERO) for k in NUMBER_COLUMNS} | self.derived(values)

    @property
    def years(self) -> list[int]:
        return sorted(self.by_year)


def entry_values(entry: BudgetEntry) -> dict[str, decimal.Decimal]:
    return {k: getattr(entry, k) for k in NUMBER_COLUMNS}


async def list_lines(session: AsyncSession, tenant_id: uuid.UUID) -> list[LineView]:
    lines = await session.scalars(
        select(BudgetLine)
        .where(BudgetLine.tenant_id == tenant_id)
        .order_by(BudgetLine.position, BudgetLine.number)
    )
    views = {line.id: LineView(line) for line in lines}
    if views:
        entries = await session.scalars(
            select(BudgetEntry).where(BudgetEntry.tenant_id == tenant_id).order_by(BudgetEntry.year)
        )
        for entry in entries:
            if entry.line_id in views:
                views[entry.line_id].entries.append(entry)
    return list(views.values())


def compute_totals(lines: list[LineView]) -> Totals:
    columns = dict.fromkeys(NUMBER_COLUMNS, ZERO)
    by_year: dict[int, dict[str, decimal.Decimal]] = defaultdict(lambda: dict.fromkeys(NUMBER_COLUMNS, ZERO))
    for view in lines:
        for entry in view.entries:
            for key in NUMBER_COLUMNS:
                value = getattr(entry, key)
                columns[key] += value
                by_year[entry.year][key] += value
    return Totals(columns, dict(by_year))


async def totals(session: AsyncSession, tenant_id: uuid.UUID) -> Totals:
    """Budget totals of a tenant (for the dashboard): per column, per year, IST–SOLL, plan vs actual."""
    sums = [func.coalesce(func.sum(getattr(BudgetEntry, k)), 0).label(k) for k in NUMBER_COLUMNS]
    rows = await session.execute(
        select(BudgetEntry.year, *sums).where(BudgetEntry.tenant_id == tenant_id).group_by(BudgetEntry.year)
    )
    by_year = {}
    columns = dict.fromkeys(NUMBER_COLUMNS, ZERO)
    for row in rows:
        values = {k: decimal.Decimal(getattr(row, k)) for k in NUMBER_COLUMNS}
        by_year[row.year] = values
        for k, v in values.items():
            columns[k] += v
    return Totals(columns, by_year)


async def get_line(session: AsyncSession, tenant_id: uuid.UUID, line_id: uuid.UUID) -> LineView:
    line = await session.scalar(
        select(BudgetLine).where(BudgetLine.tenant_id == tenant_id, BudgetLine.id == line_id)
    )
    if line is None:
        raise NotFound("Diese Position des Finanzplans gibt es nicht.")
    entries = await session.scalars(
        select(BudgetEntry)
        .where(BudgetEntry.tenant_id == tenant_id, BudgetEntry.line_id == line_id)
        .order_by(BudgetEntry.year)
    )
    return LineView(line, list(entries))


async def get_entry(
    session: AsyncSession, tenant_id: uuid.UUID, line_id: uuid.UUID, entry_id: uuid.UUID
) -> BudgetEntry:
    entry = await session.scalar(
        select(BudgetEntry).where(
            BudgetEntry.tenant_id == tenant_id, BudgetEntry.id == entry_id, BudgetEntry.line_id == line_id
        )
    )
    if entry is None:
        raise NotFound("Dieses Jahr der Position gibt es nicht.")
    return entry


# --- helpers ---------------------------------------------------------------------------------
def line_state(line: BudgetLine) -> dict[str, Any]:
    return {f.name: getattr(line, f.name) for f in LINE_FIELDS} | {
        "building_block_key": line.building_block_key,
        "measure_id": line.measure_id,
        "id": line.id,
        "version": line.version,
    }


def entry_state(entry: BudgetEntry) -> dict[str, Any]:
    return {f.name: getattr(entry, f.name) for f in ENTRY_FIELDS} | {
        "id": entry.id,
        "line_id": entry.line_id,
        "version": entry.version,
    }


def _audit_view(state: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in ("id", "version", "line_id")}


def _uuid_or_none(value: Any, field_name: str, label: str) -> uuid.UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed([FieldError(field_name, f"{label}: unbekannter Verweis.")]) from None


async def resolve_links(
    session: AsyncSession, tenant_id: uuid.UUID, data: Mapping[str, Any]
) -> dict[str, Any]:
    """Check the links of a line: the measure must be the tenant's, the building block a known lineage."""
    out: dict[str, Any] = {}
    if "measure_id" in data:
        measure_id = _uuid_or_none(data["measure_id"], "measure_id", "Maßnahme")
        if measure_id is not None:
            from core.measures.models import Measure

            found = await session.scalar(
                select(Measure.id).where(Measure.tenant_id == tenant_id, Measure.id == measure_id)
            )
            if found is None:
                raise ValidationFailed([FieldError("measure_id", "Diese Maßnahme gibt es nicht.")])
        out["measure_id"] = measure_id
    if "building_block_key" in data:
        key = _uuid_or_none(data["building_block_key"], "building_block_key", "Lösungsbaustein")
        if key is not None:
            from core.strategy.models import BuildingBlock

            found = await session.scalar(
                select(BuildingBlock.id)
                .where(BuildingBlock.tenant_id == tenant_id, BuildingBlock.lineage_id == key)
                .limit(1)
            )
            if found is None:
                raise ValidationFailed(
                    [FieldError("building_block_key", "Diesen Lösungsbaustein gibt es nicht.")]
                )
        out["building_block_key"] = key
    return out


async def _check_number_free(
    session: AsyncSession, tenant_id: uuid.UUID, number: str | None, own_id: uuid.UUID | None
) -> None:
    if number is None:
        return
    clash = await session.scalar(
        select(BudgetLine.id).where(BudgetLine.tenant_id == tenant_id, BudgetLine.number == number)
    )
    if clash is not None and clash != own_id:
        raise ValidationFailed([FieldError("number", f"Die Nummer {number} ist schon vergeben.")])


# --- lines -----------------------------------------------------------------------------------
async def create_line(
    session: AsyncSession, tenant_id: uuid.UUID, data: Mapping[str, Any], *, actor: Actor = SYSTEM
) -> BudgetLine:
    values = parse_fields(LINE_FIELDS, data, partial=False)
    values |= await resolve_links(session, tenant_id, data)
    await _check_number_free(session, tenant_id, values["number"], None)
    if not data.get("position"):
        values["position"] = (
            await session.scalar(
                select(func.coalesce(func.max(BudgetLine.position), 0)).where(
                    BudgetLine.tenant_id == tenant_id
                )
            )
            or 0
        ) + 1
    line = BudgetLine(tenant_id=tenant_id, id=uuid.uuid4(), **values)
    session.add(line)
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="budget.line.create",
        actor=actor,
        entity_type="budget.line",
        entity_id=line.id,
        changes=diff({}, _audit_view(line_state(line))),
    )
    return line


async def update_line(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    line_id: uuid.UUID,
    data: Mapping[str, Any],
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> BudgetLine:
    line = (await get_line(session, tenant_id, line_id)).line
    before = line_state(line)
    check_version(expected_version, line.version, before)
    values = parse_fields(LINE_FIELDS, data, partial=True)
    values |= await resolve_links(session, tenant_id, data)
    await _check_number_free(session, tenant_id, values.get("number"), line.id)
    for key, value in values.items():
        setattr(line, key, value)
    changes = diff(_audit_view(before), _audit_view(line_state(line)))
    if changes:
        await flush_or_conflict(session, state=before)
        await record(
            session,
            tenant_id=tenant_id,
            action="budget.line.update",
            actor=actor,
            entity_type="budget.line",
            entity_id=line.id,
            changes=changes,
        )
    return line


async def delete_line(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    line_id: uuid.UUID,
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> None:
    view = await get_line(session, tenant_id, line_id)
    before = line_state(view.line)
    check_version(expected_version, view.line.version, before)
    await session.delete(view.line)
    await flush_or_conflict(session, state=before)
    await record(
        session,
        tenant_id=tenant_id,
        action="budget.line.delete",
        actor=actor,
        entity_type="budget.line",
        entity_id=line_id,
        changes=diff(_audit_view(before), {}),
    )


# --- entries (one year of a line) ------------------------------------------------------------
def _entry_values(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for spec in ENTRY_FIELDS:  # one message per bad field, all at once
        try:
            values |= parse_fields((spec,), data, partial=partial)
        except ValidationFailed as exc:
            errors += exc.errors
            continue
        if spec.name in NUMBER_COLUMNS and values.get(spec.name) is not None and values[spec.name] < 0:
            errors.append(FieldError(spec.name, "Bitte keinen negativen Wert angeben."))
    if errors:
        raise ValidationFailed(errors)
    return {k: (ZERO if v is None and k in NUMBER_COLUMNS else v) for k, v in values.items()}


async def set_entry(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    line_id: uuid.UUID,
    data: Mapping[str, Any],
    *,
    actor: Actor = SYSTEM,
) -> BudgetEntry:
    """Add the figures of a year to a line (a year can only be added once)."""
    await get_line(session, tenant_id, line_id)
    values = _entry_values(data, partial=False)
    clash = await session.scalar(
        select(BudgetEntry.id).where(
            BudgetEntry.tenant_id == tenant_id,
            BudgetEntry.line_id == line_id,
            BudgetEntry.year == values["year"],
        )
    )
    if clash is not None:
        raise ValidationFailed(
            [FieldError("year", f"Für {values['year']} gibt es schon Werte; bitte dort ändern.")]
        )
    entry = BudgetEntry(tenant_id=tenant_id, id=uuid.uuid4(), line_id=line_id, **values)
    session.add(entry)
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="budget.entry.create",
        actor=actor,
        entity_type="budget.entry",
        entity_id=entry.id,
        changes=diff({}, _audit_view(entry_state(entry))),
    )
    return entry


async def update_entry(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    line_id: uuid.UUID,
    entry_id: uuid.UUID,
    data: Mapping[str, Any],
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> BudgetEntry:
    entry = await get_entry(session, tenant_id, line_id, entry_id)
    before = entry_state(entry)
    check_version(expected_version, entry.version, before)
    values = _entry_values(data, partial=True)
    if "year" in values and values["year"] != entry.year:
        clash = await session.scalar(
            select(BudgetEntry.id).where(
                BudgetEntry.tenant_id == tenant_id,
                BudgetEntry.line_id == line_id,
                BudgetEntry.year == values["year"],
            )
        )
        if clash is not None:
            raise ValidationFailed([FieldError("year", f"Für {values['year']} gibt es schon Werte.")])
    for key, value in values.items():
        setattr(entry, key, value)
    changes = diff(_audit_view(before), _audit_view(entry_state(entry)))
    if changes:
        await flush_or_conflict(session, state=before)
        await record(
            session,
            tenant_id=tenant_id,
            action="budget.entry.update",
            actor=actor,
            entity_type="budget.entry",
            entity_id=entry.id,
            changes=changes,
        )
    return entry


async def delete_entry(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    line_id: uuid.UUID,
    entry_id: uuid.UUID,
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> None:
    entry = await get_entry(session, tenant_id, line_id, entry_id)
    before = entry_state(entry)
    check_version(expected_version, entry.version, before)
    await session.delete(entry)
    await flush_or_conflict(session, state=before)
    await record(
        session,
        tenant_id=tenant_id,
        action="budget.entry.delete",
        actor=actor,
        entity_type="budget.entry",
        entity_id=entry_id,
        changes=diff(_audit_view(before), {}),
    )


# --- for forms and tables --------------------------------------------------------------------
async def link_choices(
    session: AsyncSession, tenant_id: uuid.UUID
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(building blocks, measures)`` as ``(id, label)`` options for the line form."""
    from core.measures.models import Measure
    from core.strategy.service import building_block_choices

    blocks = await building_block_choices(session, tenant_id)
    measures = [
        (str(m.id), f"{m.number} {m.title or ''}".strip())
        for m in await session.scalars(
            select(Measure).where(Measure.tenant_id == tenant_id).order_by(Measure.number)
        )
    ]
    return blocks, measures


async def link_labels(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[dict[Any, str], dict[Any, str]]:
    """Labels of linked building blocks (by lineage id, any version; current one wins) and measures."""
    from core.measures.models import Measure
    from core.strategy.models import BuildingBlock

    blocks: dict[Any, str] = {}
    for b in await session.scalars(select(BuildingBlock).where(BuildingBlock.tenant_id == tenant_id)):
        blocks.setdefault(b.lineage_id, b.code)
    for key, label in (await link_choices(session, tenant_id))[0]:
        blocks[uuid.UUID(key)] = label.split(" ", 1)[0]
    measures = {
        m.id: m.number for m in await session.scalars(select(Measure).where(Measure.tenant_id == tenant_id))
    }
    return blocks, measures


async def unlink_measure(
    session: AsyncSession, tenant_id: uuid.UUID, measure_id: uuid.UUID, *, actor: Actor = SYSTEM
) -> int:
    """Before a measure is deleted: drop the link of every budget line to it (audited).

    The composite foreign key ``(tenant_id, measure_id)`` cannot be ``ON DELETE SET NULL``
    (that would null ``tenant_id`` too), so the measures area calls this; returns the count.
    """
    lines = list(
        await session.scalars(
            select(BudgetLine).where(BudgetLine.tenant_id == tenant_id, BudgetLine.measure_id == measure_id)
        )
    )
    for line in lines:
        line.measure_id = None
        await record(
            session,
            tenant_id=tenant_id,
            action="budget.line.update",
            actor=actor,
            entity_type="budget.line",
            entity_id=line.id,
            changes={"measure_id": [str(measure_id), None]},
            reason="Maßnahme gelöscht",
        )
    await session.flush()
    return len(lines)
