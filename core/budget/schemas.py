"""msgspec DTOs of the budget API. Money as decimal strings, staff in VZÄ."""

import datetime as dt
import decimal
import uuid
from typing import Any

import msgspec

from core.budget.models import NUMBER_COLUMNS

Number = str | int | float | None


class BudgetEntryRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    version: int
    line_id: uuid.UUID
    year: int
    development: decimal.Decimal
    hardware_software: decimal.Decimal
    infrastructure: decimal.Decimal
    consulting: decimal.Decimal
    transformation: decimal.Decimal
    licences: decimal.Decimal
    training: decimal.Decimal
    staff_ist: decimal.Decimal
    staff_soll: decimal.Decimal
    staff_decentral: decimal.Decimal
    actual_one_off: decimal.Decimal
    actual_running: decimal.Decimal
    note: str


class BudgetLineRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    version: int
    number: str
    title: str
    remark: str
    position: int
    building_block_key: uuid.UUID | None
    measure_id: uuid.UUID | None
    updated_at: dt.datetime
    entries: list[BudgetEntryRead] = []


class BudgetLineCreate(msgspec.Struct, kw_only=True):
    number: str
    title: str
    remark: str | None = None
    position: int | None = None
    building_block_key: uuid.UUID | None = None
    measure_id: uuid.UUID | None = None


class BudgetLineUpdate(msgspec.Struct, kw_only=True):
    version: int
    number: str | msgspec.UnsetType = msgspec.UNSET
    title: str | msgspec.UnsetType = msgspec.UNSET
    remark: str | msgspec.UnsetType | None = msgspec.UNSET
    position: int | msgspec.UnsetType | None = msgspec.UNSET
    building_block_key: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    measure_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


def _entry_fields(required_year: bool) -> list[Any]:
    fields: list[Any] = [("year", int) if required_year else ("year", int | msgspec.UnsetType, msgspec.UNSET)]
    fields += [(k, Number | msgspec.UnsetType, msgspec.UNSET) for k in NUMBER_COLUMNS]
    fields.append(("note", str | msgspec.UnsetType | None, msgspec.UNSET))
    return fields


BudgetEntryCreate = msgspec.defstruct("BudgetEntryCreate", _entry_fields(True), kw_only=True)
BudgetEntryUpdate = msgspec.defstruct(
    "BudgetEntryUpdate", [("version", int), *_entry_fields(False)], kw_only=True
)


class YearTotals(msgspec.Struct, kw_only=True):
    year: int | None
    development: decimal.Decimal
    hardware_software: decimal.Decimal
    infrastructure: decimal.Decimal
    consulting: decimal.Decimal
    transformation: decimal.Decimal
    licences: decimal.Decimal
    training: decimal.Decimal
    staff_ist: decimal.Decimal
    staff_soll: decimal.Decimal
    staff_decentral: decimal.Decimal
    actual_one_off: decimal.Decimal
    actual_running: decimal.Decimal
    one_off: decimal.Decimal
    running: decimal.Decimal
    planned: decimal.Decimal
    actual: decimal.Decimal
    plan_minus_actual: decimal.Decimal
    staff_gap: decimal.Decimal


class BudgetTotals(msgspec.Struct, kw_only=True):
    overall: YearTotals
    years: list[YearTotals]


class BudgetPlan(msgspec.Struct, kw_only=True):
    lines: list[BudgetLineRead]
    totals: BudgetTotals


class ImportRowError(msgspec.Struct):
    row: int
    column: str
    message: str


class ImportResultOut(msgspec.Struct, kw_only=True):
    created: int
    updated: int
    unchanged: int
    errors: list[ImportRowError]
    dry_run: bool = False


def line_read(view: Any) -> BudgetLineRead:
    line = view.line
    return BudgetLineRead(
        id=line.id,
        version=line.version,
        number=line.number,
        title=line.title,
        remark=line.remark,
        position=line.position,
        building_block_key=line.building_block_key,
        measure_id=line.measure_id,
        updated_at=line.updated_at,
        entries=[entry_read(e) for e in view.entries],
    )


def entry_read(entry: Any) -> BudgetEntryRead:
    return BudgetEntryRead(**{f: getattr(entry, f) for f in BudgetEntryRead.__struct_fields__})


def totals_out(totals: Any) -> BudgetTotals:
    return BudgetTotals(
        overall=YearTotals(year=None, **totals.overall),
        years=[YearTotals(year=y, **totals.year(y)) for y in totals.years],
    )


def write_data(payload: msgspec.Struct, *, skip: tuple[str, ...] = ("version",)) -> dict[str, Any]:
    return {
        f: getattr(payload, f)
        for f in payload.__struct_fields__
        if f not in skip and getattr(payload, f) is not msgspec.UNSET
    }
