"""Excel import and export of the budget plan (Rahmenfinanzplan / Ressourcenplan).

Layout (sheet "Finanzplan", first row = headers, one row per position and year; see
``docs/strategie-und-finanzplan.md`` and the example file ``core/budget/data/finanzplan-beispiel.xlsx``):

``Lfd. Nr. | Lösungsbaustein | Maßnahme (Nr.) | Maßnahme / Position | Bemerkung / Kalkulationsgrundlage |
Jahr | <7 cost columns> | <3 staff columns in VZÄ> | Ist-Ausgaben einmalig | Ist-Ausgaben laufend |
Bemerkung zum Jahr``

* The first row of a Lfd. Nr. defines the position; later rows of the same number may leave
  the position columns blank (a different value there is an error).
* ``Jahr`` blank: a position without figures (kept as a placeholder).
* Numbers may be written as in the strategy document: ``45.000 €``, ``0,30 VZÄ``; blank or
  ``(Leer)`` is 0. Negative numbers are rejected.
* ``Lösungsbaustein`` is the code of a building block of the current strategy (``LBS-001``),
  ``Maßnahme (Nr.)`` the number of a measure of the measure plan (``MP 011``).
* Any invalid cell rejects the whole file (row, column, reason) and nothing is written.
  Positions missing from the file are kept (deleting is done in the UI). Re-importing the
  same file changes nothing.
"""

from __future__ import annotations

import decimal
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor
from core.budget import service
from core.budget.models import ACTUAL_COLUMNS, NUMBER_COLUMNS, ONE_OFF_COLUMNS, RUNNING_COLUMNS, STAFF_COLUMNS
from core.excel.reading import Sheet, as_text, clean, normalise_header, read_sheet
from core.excel.result import ImportResult, RowChange
from core.excel.writing import add_table_sheet, workbook_bytes

SHEET = "Finanzplan"
LINE_HEADERS = (
    "Lfd. Nr.",
    "Lösungsbaustein",
    "Maßnahme (Nr.)",
    "Maßnahme / Position",
    "Bemerkung / Kalkulationsgrundlage",
)
YEAR_HEADER = "Jahr"
NOTE_HEADER = "Bemerkung zum Jahr"
VALUE_HEADERS: tuple[tuple[str, str], ...] = (
    *[(k, f"{label} (€)") for k, label in ONE_OFF_COLUMNS],
    *[(k, f"{label} (€)") for k, label in RUNNING_COLUMNS],
    *[(k, label) for k, label in STAFF_COLUMNS],
    *[(k, f"{label} (€)") for k, label in ACTUAL_COLUMNS],
)
HEADERS: tuple[str, ...] = (*LINE_HEADERS, YEAR_HEADER, *[h for _, h in VALUE_HEADERS], NOTE_HEADER)
STAFF_KEYS = {k for k, _ in STAFF_COLUMNS}
_UNIT = re.compile(r"(€|eur|vzä|vza|vz)\.?$", re.IGNORECASE)
CENT = decimal.Decimal("0.01")


def parse_number(value: Any) -> decimal.Decimal:
    """``45.000 €`` → 45000, ``0,30 VZÄ`` → 0.30, blank → 0; ``ValueError`` otherwise."""
    value = clean(value)
    if value is None:
        return decimal.Decimal("0.00")
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | decimal.Decimal):
        number = decimal.Decimal(str(value))
    else:
        text = _UNIT.sub("", str(value).replace("\u00a0", " ").strip()).strip().replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # 45.000 (German thousands)
            text = text.replace(".", "")
        number = decimal.Decimal(text)
    if not number.is_finite():
        raise ValueError
    return number.quantize(CENT)


@dataclass
class ParsedLine:
    row: int
    number: str
    title: str
    remark: str
    block_code: str | None
    measure_number: str | None
    building_block_key: uuid.UUID | None = None
    measure_id: uuid.UUID | None = None
    entries: dict[int, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # year → (row, values)


async def _lookups(
    session: AsyncSession, tenant_id: uuid.UUID
) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    """Building block codes of the current strategy → lineage id; measure numbers → id."""
    from core.measures.models import Measure
    from core.strategy import service as strategy_service
    from core.strategy.models import BuildingBlock

    blocks: dict[str, uuid.UUID] = {}
    current = await strategy_service.current_strategy(session, tenant_id)
    if current is not None:
        for b in await session.scalars(
            select(BuildingBlock).where(
                BuildingBlock.tenant_id == tenant_id, BuildingBlock.strategy_id == current.id
            )
        ):
            blocks[b.code.strip().upper()] = b.lineage_id
    measures = {
        m.number.strip().upper(): m.id
        for m in await session.scalars(select(Measure).where(Measure.tenant_id == tenant_id))
    }
    return blocks, measures


def _columns(sheet: Sheet, result: ImportResult) -> dict[str, int] | None:
    index = {normalise_header(h): i for i, h in enumerate(sheet.headers)}
    columns: dict[str, int] = {}
    missing = []
    for header in HEADERS:
        i = index.get(normalise_header(header))
        if i is None:
            missing.append(header)
        else:
            columns[header] = i
    if missing:
        for header in missing:
            result.add_error(1, header, "Diese Spalte fehlt in der Kopfzeile.")
        return None
    return columns


def parse(
    sheet: Sheet, result: ImportResult, blocks: dict[str, uuid.UUID], measures: dict[str, uuid.UUID]
) -> list[ParsedLine]:
    columns = _columns(sheet, result)
    if columns is None:
        return []
    lines: dict[str, ParsedLine] = {}
    for row, cells in sheet.rows:

        def cell(header: str, cells: list[Any] = cells) -> Any:
            return cells[columns[header]]

        number = as_text(cell("Lfd. Nr."))
        if number is None:
            result.add_error(row, "Lfd. Nr.", "Die laufende Nummer fehlt.")
            continue
        number = number.strip()
        line_values = {
            "title": as_text(cell("Maßnahme / Position")),
            "remark": as_text(cell("Bemerkung / Kalkulationsgrundlage")),
            "block_code": as_text(cell("Lösungsbaustein")),
            "measure_number": as_text(cell("Maßnahme (Nr.)")),
        }
        line = lines.get(number)
        if line is None:
            if not line_values["title"]:
                result.add_error(row, "Maßnahme / Position", "Die Bezeichnung der Position fehlt.")
                continue
            if len(number) > 20:
                result.add_error(row, "Lfd. Nr.", "Höchstens 20 Zeichen.")
                continue
            line = ParsedLine(
                row,
                number,
                line_values["title"] or "",
                line_values["remark"] or "",
                line_values["block_code"],
                line_values["measure_number"],
            )
            if line.block_code:
                key = blocks.get(line.block_code.strip().upper())
                if key is None:
                    result.add_error(
                        row,
                        "Lösungsbaustein",
                        f"Den Lösungsbaustein „{line.block_code}“ gibt es in der aktuellen Strategie nicht.",
                    )
                line.building_block_key = key
            if line.measure_number:
                mid = measures.get(line.measure_number.strip().upper())
                if mid is None:
                    result.add_error(
                        row, "Maßnahme (Nr.)", f"Die Maßnahme „{line.measure_number}“ gibt es nicht."
                    )
                line.measure_id = mid
            lines[number] = line
        else:
            for key, header in (
                ("title", "Maßnahme / Position"),
                ("remark", "Bemerkung / Kalkulationsgrundlage"),
                ("block_code", "Lösungsbaustein"),
                ("measure_number", "Maßnahme (Nr.)"),
            ):
                given = line_values[key]
                if given is not None and given != (getattr(line, key) or None):
                    result.add_error(
                        row,
                        header,
                        f"Widerspricht der ersten Zeile der Position {number} (Zeile {line.row}).",
                    )
        year_cell = clean(cell(YEAR_HEADER))
        if year_cell is None:
            continue
        try:
            year = int(decimal.Decimal(str(year_cell).strip()))
            if not 2000 <= year <= 2100 or decimal.Decimal(str(year_cell).strip()) != year:
                raise ValueError
        except (ValueError, decimal.InvalidOperation):
            result.add_error(row, YEAR_HEADER, "Bitte ein Jahr zwischen 2000 und 2100 angeben.")
            continue
        if year in line.entries:
            result.add_error(
                row,
                YEAR_HEADER,
                f"Das Jahr {year} steht für Position {number} schon in Zeile {line.entries[year][0]}.",
            )
            continue
        values: dict[str, Any] = {"year": year, "note": as_text(cell(NOTE_HEADER)) or ""}
        for key, header in VALUE_HEADERS:
            try:
                number_value = parse_number(cell(header))
            except (ValueError, decimal.InvalidOperation):
                result.add_error(row, header, f"„{cell(header)}“ ist keine Zahl.")
                continue
            if number_value < 0:
                result.add_error(row, header, "Negative Werte sind nicht zulässig.")
            elif number_value >= (decimal.Decimal("1e6") if key in STAFF_KEYS else decimal.Decimal("1e12")):
                result.add_error(row, header, "Die Zahl ist zu groß.")
            values[key] = number_value
        line.entries[year] = (row, values)
    return list(lines.values())


def _line_changes(view: service.LineView | None, line: ParsedLine) -> dict[str, list[Any]]:
    new = {
        "title": line.title,
        "remark": line.remark,
        "building_block_key": line.building_block_key,
        "measure_id": line.measure_id,
    }
    if view is None:
        return {k: [None, v] for k, v in new.items() if v not in (None, "")}
    return {k: [getattr(view.line, k), v] for k, v in new.items() if getattr(view.line, k) != v}


def _entry_changes(entry: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    if entry is None:
        return {k: [None, v] for k, v in values.items() if k != "year" and v not in (None, "", 0)}
    return {k: [getattr(entry, k), v] for k, v in values.items() if k != "year" and getattr(entry, k) != v}


async def import_budget(
    session: AsyncSession, tenant_id: uuid.UUID, source: Any, *, dry_run: bool = False, actor: Actor = SYSTEM
) -> ImportResult:
    """Import a budget plan file; with errors or ``dry_run`` nothing is written."""
    result = ImportResult(dry_run=dry_run)
    sheet = read_sheet(source, sheet=SHEET)
    blocks, measures = await _lookups(session, tenant_id)
    parsed = parse(sheet, result, blocks, measures)
    if not sheet.rows and not result.errors:
        result.add_error(2, "Lfd. Nr.", "Die Datei enthält keine Positionen.")
    if result.errors:
        return result
    existing = {v.line.number: v for v in await service.list_lines(session, tenant_id)}
    for line in parsed:
        view = existing.get(line.number)
        changes = _line_changes(view, line)
        action = "create" if view is None else ("update" if changes else "unchanged")
        if not dry_run:
            data = {
                "number": line.number,
                "title": line.title,
                "remark": line.remark,
                "building_block_key": line.building_block_key,
                "measure_id": line.measure_id,
            }
            if view is None:
                created = await service.create_line(session, tenant_id, data, actor=actor)
                view = service.LineView(created)
            elif changes:
                await service.update_line(
                    session, tenant_id, view.line.id, data, expected_version=view.line.version, actor=actor
                )
        if not line.entries:
            result.count(RowChange(line.row, line.number, action, changes))
            continue
        by_year = {e.year: e for e in view.entries} if view is not None else {}
        first = True
        for year, (row, values) in sorted(line.entries.items(), key=lambda kv: kv[1][0]):
            entry = by_year.get(year)
            entry_changes = _entry_changes(entry, values)
            entry_action = "create" if entry is None else ("update" if entry_changes else "unchanged")
            line_part = action if first else "unchanged"
            if "create" in (line_part, entry_action):
                row_action = "create"
            elif "update" in (line_part, entry_action):
                row_action = "update"
            else:
                row_action = "unchanged"
            result.count(
                RowChange(
                    row, f"{line.number}/{year}", row_action, (changes if first else {}) | entry_changes
                )
            )
            first = False
            if dry_run:
                continue
            if entry is None:
                await service.set_entry(session, tenant_id, view.line.id, values, actor=actor)
            elif entry_changes:
                await service.update_entry(
                    session,
                    tenant_id,
                    view.line.id,
                    entry.id,
                    values,
                    expected_version=entry.version,
                    actor=actor,
                )
    return result


class BudgetImporter:
    """``import_budget`` in the shape of the other areas' importers (``run(source, dry_run=…)``),
    for the command line they share."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor

    async def run(self, source: Any, *, dry_run: bool = False) -> ImportResult:
        return await import_budget(self.session, self.tenant_id, source, dry_run=dry_run, actor=self.actor)


async def export_rows(session: AsyncSession, tenant_id: uuid.UUID) -> list[list[Any]]:
    from core.measures.models import Measure
    from core.strategy.models import BuildingBlock

    codes: dict[uuid.UUID, str] = {}
    for b in await session.scalars(select(BuildingBlock).where(BuildingBlock.tenant_id == tenant_id)):
        codes.setdefault(b.lineage_id, b.code)
    blocks, _ = await _lookups(session, tenant_id)
    codes.update({lineage: code for code, lineage in blocks.items()})  # current version wins
    measure_numbers = {
        m.id: m.number for m in await session.scalars(select(Measure).where(Measure.tenant_id == tenant_id))
    }
    rows: list[list[Any]] = []
    for view in await service.list_lines(session, tenant_id):
        line = view.line
        head = [
            line.number,
            codes.get(line.building_block_key) if line.building_block_key else None,
            measure_numbers.get(line.measure_id) if line.measure_id else None,
            line.title,
            line.remark or None,
        ]
        if not view.entries:
            rows.append(head + [None] * (len(HEADERS) - len(head)))
        for i, entry in enumerate(view.entries):
            rows.append(
                (head if i == 0 else [line.number, None, None, None, None])
                + [entry.year]
                + [getattr(entry, k) for k, _ in VALUE_HEADERS]
                + [entry.note or None]
            )
    return rows


def build_workbook(rows: list[list[Any]], totals: service.Totals | None = None) -> bytes:
    wb = Workbook()
    add_table_sheet(
        wb, SHEET, HEADERS, rows, widths=[9, 12, 12, 40, 40, 8] + [16] * len(VALUE_HEADERS) + [30], first=True
    )
    if totals is not None:
        headers = [
            "Jahr",
            "Einmalaufwand (€)",
            "Laufende Aufwände (€)",
            "Plan gesamt (€)",
            "Ist-Ausgaben (€)",
            "Plan – Ist (€)",
            "VZÄ IST",
            "VZÄ SOLL",
            "Differenz IST – SOLL (VZÄ)",
            "Dezentral (VZÄ)",
        ]

        def figures(label: Any, v: dict[str, decimal.Decimal]) -> list[Any]:
            return [
                label,
                v["one_off"],
                v["running"],
                v["planned"],
                v["actual"],
                v["plan_minus_actual"],
                v["staff_ist"],
                v["staff_soll"],
                v["staff_gap"],
                v["staff_decentral"],
            ]

        sums = [figures(y, totals.year(y)) for y in totals.years] + [figures("Gesamt", totals.overall)]
        add_table_sheet(wb, "Summen (nur Export)", headers, sums, widths=[10] + [18] * 9)
    return workbook_bytes(wb)


async def export_budget(session: AsyncSession, tenant_id: uuid.UUID) -> bytes:
    """The budget plan as .xlsx in the import layout, plus a sheet with the sums (ignored on import)."""
    lines = await service.list_lines(session, tenant_id)
    return build_workbook(await export_rows(session, tenant_id), service.compute_totals(lines))


def example_rows() -> list[list[Any]]:
    """The reconstructed Dorsten Rahmenfinanzplan (demo data) in the import layout."""
    from core.strategy import dorsten

    rows: list[list[Any]] = []
    years = dorsten.BUDGET_YEARS
    for item in dorsten.BUDGET:
        money = {**item["one_off"], **item["running"]}
        head = [item["number"], item["block"], None, item["title"], item["remark"] or None]
        if not money and not item["staff"]:
            rows.append(head + [None] * (len(HEADERS) - len(head)))
            continue
        for i, year in enumerate(years):
            values = []
            for key, _ in VALUE_HEADERS:
                if key in money:
                    total = decimal.Decimal(money[key])
                    share = (total / len(years)).quantize(CENT)
                    values.append(total - share * (len(years) - 1) if i == len(years) - 1 else share)
                elif key in item["staff"]:
                    values.append(decimal.Decimal(item["staff"][key]))
                else:
                    values.append(decimal.Decimal("0.00"))
            rows.append(
                (head if i == 0 else [item["number"], None, None, None, None]) + [year] + values + [None]
            )
    return rows


__all__ = ["HEADERS", "NUMBER_COLUMNS", "export_budget", "import_budget", "parse_number"]
