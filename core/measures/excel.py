"""Import and export of the measure plan in the layout of the municipal spreadsheet
(``massnahmenplan-beispiel.xlsx``: Anlage 4 of the committee report).

The import is all-or-nothing: every row is parsed and checked first; any invalid cell
yields a row/column/reason error and nothing is written. A dry run reports what would
change. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor
from core.excel.orgcolumns import ORG_LABELS, OrgColumns, org_cells, org_changes, org_order
from core.excel.reading import Sheet, as_text, carry_down, date_columns, read_sheet
from core.excel.result import AuditBatch, ImportResult, RowChange, row_audit
from core.excel.writing import add_table_sheet, workbook_bytes
from core.measures.models import Measure, MeasureProgress
from core.measures.service import ENTITY, MeasureService, parse_reported_year, snapshot
from core.measures.validation import RowNumbers
from core.models import utcnow
from core.orgunits.service import OrgUnitService, UnitRef
from core.reporting.models import ReportingDate
from core.reporting.service import ReportingService, closed_round_message
from core.reporting.status import ProgressError, ProgressValue, parse_progress, parse_status, status_for
from core.tenancy import owned_by

COL_NUMBER = "Nr. Maßnahme"
COL_YEAR = "Jahr der Meldung"
COL_TITLE = "Digitalisierungsprojekt /-Thema"
COL_DESCRIPTION = "Erläuterung/Beschreibung"
COL_INTRODUCTION = "Termin/Zeitraum Einführung"
PROGRESS_PREFIX = "Projektfortschritt"
STATUS_PREFIX = "Status"
HEADERS_BEFORE = [
    "Geschäftskreis",
    "Geschäftskreis-Bezeichnung",
    "Dienststelle",
    "Dienststellen-Bezeichnung",
    COL_NUMBER,
    COL_YEAR,
    COL_TITLE,
    COL_DESCRIPTION,
    COL_INTRODUCTION,
]
WIDTHS = [8, 28, 10, 28, 12, 14, 40, 60, 16]


def progress_header(rd_date: dt.date) -> str:
    return f"Projektfortschritt (0-10, a, g) Stand {rd_date.strftime('%m.%Y')}"


def status_header(rd_date: dt.date) -> str:
    return f"Status (P/E/U) Stand {rd_date.strftime('%m.%Y')}"


@dataclass
class ParsedMeasure:
    row: int
    number: str
    ba: UnitRef
    ds: UnitRef
    fields: dict[str, Any]
    #: reporting date → (value, status) for every progress column of the file
    progress: dict[dt.date, tuple[ProgressValue, str | None]] = field(default_factory=dict)


@dataclass
class ParsedPlan:
    rows: list[ParsedMeasure]
    dates: list[dt.date]
    has: set[str]


def parse(sheet: Sheet, result: ImportResult) -> ParsedPlan:
    org = OrgColumns.find(sheet)
    number_col = sheet.index(COL_NUMBER, "Nr. Massnahme", "Nummer", "Nr.")
    if number_col is None:
        result.add_error(1, COL_NUMBER, f"Die Spalte „{COL_NUMBER}“ fehlt.")
        return ParsedPlan([], [], set())
    simple = {
        "reported_year": sheet.index(COL_YEAR),
        "title": sheet.index(
            COL_TITLE, "Digitalisierungsprojekt/-Thema", "Digitalisierungsprojekt / -Thema", "Titel"
        ),
        "description": sheet.index(COL_DESCRIPTION, "Erläuterung / Beschreibung", "Beschreibung"),
        "introduction": sheet.index(COL_INTRODUCTION, "Termin / Zeitraum Einführung"),
    }
    simple = {k: v for k, v in simple.items() if v is not None}
    example = "„Stand 03.2023“ oder „Stand 09.2023“"
    progress_cols = date_columns(sheet, PROGRESS_PREFIX, result, example=example)
    status_cols = date_columns(sheet, STATUS_PREFIX, result, example=example)
    for i, date in status_cols.items():
        if date not in progress_cols.values():
            result.add_error(
                1, sheet.headers[i], "Zu diesem Status gibt es keine Spalte mit dem Projektfortschritt."
            )
    rows: list[ParsedMeasure] = []
    numbers = RowNumbers(result, sheet.headers[number_col], missing="Die Nummer der Maßnahme fehlt.")
    for number, cells in carry_down(sheet.rows, org.groups):
        header = sheet.headers
        num = numbers.take(number, as_text(cells[number_col]), other_values=org.has_own_values(cells))
        if num is None:
            continue
        ba, ba_name, ds, ds_name = org.values(cells)
        values: dict[str, Any] = {}
        for key, i in simple.items():
            values[key] = as_text(cells[i])
        if "reported_year" in values:
            try:
                values["reported_year"], values["reported_year_number"] = parse_reported_year(
                    values["reported_year"]
                )
            except ValueError as exc:
                result.add_error(number, header[simple["reported_year"]], str(exc))
        for key, limit in (("title", 500), ("introduction", 100)):
            if values.get(key) and len(values[key]) > limit:
                result.add_error(
                    number, header[simple[key]], f"Der Text ist zu lang (höchstens {limit} Zeichen)."
                )
        parsed = ParsedMeasure(number, num, UnitRef(ba, ba_name), UnitRef(ds, ds_name), values)
        for i, date in progress_cols.items():
            try:
                parsed.progress[date] = (parse_progress(cells[i]), None)
            except ProgressError as exc:
                result.add_error(number, header[i], str(exc))
        for i, date in status_cols.items():
            try:
                given = parse_status(cells[i])
            except ProgressError as exc:
                result.add_error(number, header[i], str(exc))
                continue
            value = parsed.progress.get(date, (ProgressValue(), None))[0]
            if date not in parsed.progress:
                continue  # the progress cell itself was invalid: reported above
            if value.progress is not None:
                derived = status_for(value.progress)
                if given is not None and given != derived:
                    result.add_error(
                        number,
                        header[i],
                        f"Der Status „{given}“ passt nicht zum Fortschritt "
                        f"{value.progress} (daraus folgt „{derived}“).",
                    )
            elif value.code is not None:
                parsed.progress[date] = (value, given)
            elif given is not None:
                result.add_error(
                    number,
                    header[i],
                    "Ein Status ohne Projektfortschritt zum selben Stichtag kann nicht übernommen werden.",
                )
        rows.append(parsed)
    has = set(simple) | ({"org"} if org.present else set())
    return ParsedPlan(rows, sorted(progress_cols.values()), has)


def _progress_changes(
    current: MeasureProgress | None, value: ProgressValue, status: str | None
) -> tuple[bool, Any, Any]:
    new_status = status_for(value.progress) if value.progress is not None else status
    old = (current.progress, current.code, current.status) if current else (None, None, None)
    new = (value.progress, value.code, new_status) if not value.is_empty else (None, None, None)
    old_shown = None if old == (None, None, None) else (old[0] if old[0] is not None else old[1])
    new_shown = None if value.is_empty else value.display
    if old_shown is not None and old[2] is not None and old[1] is not None:
        old_shown = f"{old_shown} ({old[2]})"
    if new_shown is not None and new[1] is not None and new[2] is not None:
        new_shown = f"{new_shown} ({new[2]})"
    return old != new, old_shown, new_shown


class MeasureImporter:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor

    async def run(self, source: bytes | BinaryIO | str, *, dry_run: bool = False) -> ImportResult:
        result = ImportResult(dry_run=dry_run)
        sheet = read_sheet(source)
        plan = parse(sheet, result)
        if result.errors:
            return result
        reporting = ReportingService(self.session, self.tenant_id, self.actor)
        existing_dates = {rd.date: rd for rd in await reporting.list()}
        org_service = OrgUnitService(self.session, self.tenant_id, self.actor)
        units = await org_service.by_id()
        measures = await MeasureService(self.session, self.tenant_id).by_number()
        progress: dict[tuple[uuid.UUID, dt.date], MeasureProgress] = {}
        date_of = {rd.id: rd.date for rd in existing_dates.values()}
        for p in await self.session.scalars(
            select(MeasureProgress).where(owned_by(MeasureProgress, self.tenant_id))
        ):
            progress[(p.measure_id, date_of[p.reporting_date_id])] = p

        # Phase 1: what would change (and may it change: closed rounds are read-only).
        planned: list[tuple[ParsedMeasure, Measure | None, dict[str, list[Any]]]] = []
        for row in plan.rows:
            m = measures.get(row.number)
            changes: dict[str, list[Any]] = {}
            if m is None:
                changes = {
                    k: [None, v]
                    for k, v in row.fields.items()
                    if v is not None and k != "reported_year_number"
                }
            else:
                for k, v in row.fields.items():
                    if k != "reported_year_number" and getattr(m, k) != v:
                        changes[k] = [getattr(m, k), v]
            if "org" in plan.has:
                changes |= org_changes(
                    units, m.business_area_id if m else None, m.department_id if m else None, row.ba, row.ds
                )
            for date, (value, status) in row.progress.items():
                current = progress.get((m.id, date)) if m else None
                changed, old_shown, new_shown = _progress_changes(current, value, status)
                if not changed:
                    continue
                closed = closed_round_message(
                    existing_dates.get(date), "der Fortschritt", old_shown, new_shown
                )
                if closed:
                    result.add_error(row.row, progress_header(date), closed)
                changes[f"Fortschritt {date.strftime('%m.%Y')}"] = [old_shown, new_shown]
            action = "create" if m is None else "update" if changes else "unchanged"
            result.count(RowChange(row.row, row.number, action, changes))
            planned.append((row, m, changes))
        if result.errors or dry_run:
            return result

        # Phase 2: write. Org units first (one flush), then the measures (ORM, audited),
        # then new progress rows in one bulk insert (they are many and never edited here).
        rds = await reporting.ensure_dates(plan.dates)
        resolved: dict[int, tuple[uuid.UUID | None, uuid.UUID | None]] = {}
        if "org" in plan.has:
            resolved = await org_service.resolve_all({row.row: (row.ba, row.ds) for row, _m, _c in planned})
        new_progress: list[dict[str, Any]] = []
        audit_batch = AuditBatch(self.tenant_id, self.actor, "Import Maßnahmenplan")
        for row, m, changes in planned:
            if m is not None and not changes:
                continue
            values = dict(row.fields)
            if "org" in plan.has:
                values["business_area_id"], values["department_id"] = resolved[row.row]
            if m is None:
                m = Measure(tenant_id=self.tenant_id, id=uuid.uuid4(), number=row.number, version=1, **values)
                self.session.add(m)
                before: dict[str, Any] = {}
                action = "measure.create"
            else:
                before = snapshot(m)
                for k, v in values.items():
                    setattr(m, k, v)
                m.updated_at = utcnow()
                action = "measure.update"
            for date, (value, status) in row.progress.items():
                current = progress.get((m.id, date))
                if not _progress_changes(current, value, status)[0]:
                    continue
                new_status = status_for(value.progress) if value.progress is not None else status
                if value.is_empty:
                    if current is not None:
                        await self.session.delete(current)
                elif current is None:
                    new_progress.append(
                        {
                            "tenant_id": self.tenant_id,
                            "id": uuid.uuid4(),
                            "measure_id": m.id,
                            "reporting_date_id": rds[date].id,
                            "progress": value.progress,
                            "code": value.code,
                            "status": new_status,
                            "version": 1,
                        }
                    )
                else:
                    current.progress, current.code, current.status = value.progress, value.code, new_status
            audit = row_audit(before, snapshot(m), changes, also=ORG_LABELS, prefix="Fortschritt")
            audit_batch.add(action=action, entity_type=ENTITY, entity_id=m.id, changes=audit)
        await self.session.flush()
        if new_progress:
            await self.session.execute(insert(MeasureProgress), new_progress)
        await audit_batch.write(self.session)
        await link_online_services(self.session, self.tenant_id)
        return result


async def link_online_services(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Link online services whose "Nr. lt. Maßnahmenplan" names an existing measure."""
    await session.execute(
        text(
            "UPDATE online_services o SET measure_id = m.id FROM measures m "
            "WHERE o.tenant_id = :t AND m.tenant_id = :t AND o.measure_id IS NULL "
            "AND o.measure_number = m.number"
        ),
        {"t": tenant_id},
    )


async def export_plan(session: AsyncSession, tenant_id: uuid.UUID) -> bytes:
    """The measure plan as .xlsx in the layout of the import (one row per measure, every
    reporting date as a progress column, the status of the latest one)."""
    wb = Workbook()
    headers, rows = await plan_table(session, tenant_id)
    add_table_sheet(
        wb, "Maßnahmenplan", headers, rows, widths=WIDTHS + [14] * (len(headers) - len(WIDTHS)), first=True
    )
    return workbook_bytes(wb)


async def plan_table(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[list[str], list[list[Any]]]:
    plan = await MeasureService(session, tenant_id).plan()
    dates: list[ReportingDate] = plan.dates
    latest = dates[-1] if dates else None
    status_dates = [
        rd
        for rd in dates
        if rd is latest
        or any((p := r.at(rd)) is not None and p.code is not None and p.status for r in plan.rows)
    ]
    headers = list(HEADERS_BEFORE) + [progress_header(rd.date) for rd in dates]
    headers += [status_header(rd.date) for rd in status_dates]

    rows = []
    for r in sorted(plan.rows, key=lambda r: org_order(r.business_area, r.department, r.measure.number)):
        m = r.measure
        values: list[Any] = [
            *org_cells(r.business_area, r.department),
            m.number,
            m.reported_year,
            m.title,
            m.description,
            m.introduction,
        ]
        any_value = bool(r.progress)
        for rd in dates:
            p = r.at(rd)
            values.append(
                (p.progress if p.progress is not None else p.code) if p else ("(Leer)" if any_value else None)
            )
        for rd in status_dates:
            p = r.at(rd)
            values.append(p.status if p else None)
        rows.append(values)
    return headers, rows
