"""Import and export of the online-service list in the layout of the municipal spreadsheet
(``online-dienste-beispiel.xlsx``: Anlage 6 of the committee report), all-or-nothing.

Beyond the example's columns, the export adds OZG-Leistungen, LeiKa-Schlüssel,
OZG-Reifegrad and E-Payment; the import reads them when present and otherwise leaves
those fields alone.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor, record
from core.excel.orgcolumns import ORG_LABELS, OrgColumns, org_cells, org_changes, org_order
from core.excel.reading import Sheet, as_text, carry_down, clean, date_columns, read_sheet
from core.excel.result import ImportResult, RowChange, row_audit
from core.excel.writing import add_table_sheet, workbook_bytes
from core.measures.models import Measure
from core.measures.validation import RowNumbers
from core.models import utcnow
from core.online_services.models import OnlineService, OnlineServiceStatus
from core.online_services.service import ENTITY, OnlineServiceService, snapshot
from core.orgunits.service import OrgUnitService, UnitRef
from core.reporting.service import ReportingService, closed_round_message
from core.reporting.status import ProgressError, parse_status
from core.tenancy import owned_by

COL_NUMBER = "Nr. Online-Dienst"
COL_TITLE = "Bezeichnung Online-Dienst"
COL_TYPE = "Umsetzungsart"
COL_MEASURE = "Nr. lt. Maßnahmenplan VwDigitalisierung"
COL_OZG = "OZG-Leistungen"
COL_LEIKA = "LeiKa-Schlüssel"
COL_MATURITY = "OZG-Reifegrad (0-4)"
COL_EPAYMENT = "E-Payment (ja/nein)"
STATUS_PREFIX = "Status"
HEADERS_BEFORE = [
    "Geschäftskreis",
    "Geschäftskreis-Bezeichnung",
    "Dienststelle",
    "Dienststelle-Bezeichnung",
    COL_NUMBER,
    COL_TITLE,
    COL_TYPE,
]
WIDTHS = [8, 28, 10, 28, 12, 50, 28]
_SPLIT = re.compile(r"[;,\n]+")
_YES = {"ja", "j", "yes", "x", "1", "true", "wahr"}
_NO = {"nein", "n", "no", "0", "false", "falsch"}


def status_header(date: dt.date) -> str:
    return f"Status (P/E/U) {date.strftime('%m.%Y')}"


@dataclass
class ParsedService:
    row: int
    number: str
    ba: UnitRef
    ds: UnitRef
    fields: dict[str, Any]
    statuses: dict[dt.date, str | None] = field(default_factory=dict)


def parse(sheet: Sheet, result: ImportResult) -> tuple[list[ParsedService], list[dt.date], set[str]]:
    org = OrgColumns.find(sheet)
    number_col = sheet.index(COL_NUMBER, "Nr. Onlinedienst", "Nummer", "Nr.")
    if number_col is None:
        result.add_error(1, COL_NUMBER, f"Die Spalte „{COL_NUMBER}“ fehlt.")
        return [], [], set()
    cols = {
        "title": sheet.index(COL_TITLE, "Bezeichnung", "Titel"),
        "implementation_type": sheet.index(COL_TYPE),
        "measure_number": sheet.index(COL_MEASURE, "Nr. lt. Maßnahmenplan", "Nr. Maßnahme", "Maßnahme"),
        "ozg_ids": sheet.index(COL_OZG, "OZG-Leistung", "OZG-IDs"),
        "leika_keys": sheet.index(COL_LEIKA, "LeiKa-Schlüssel", "LeiKa"),
        "ozg_maturity": sheet.index(COL_MATURITY, "OZG-Reifegrad", "Reifegrad"),
        "epayment": sheet.index(COL_EPAYMENT, "E-Payment", "ePayment"),
    }
    cols = {k: v for k, v in cols.items() if v is not None}
    status_cols = date_columns(sheet, STATUS_PREFIX, result, example="„03.2023“ oder „09.2023“")
    rows: list[ParsedService] = []
    headers = sheet.headers
    numbers = RowNumbers(result, headers[number_col], missing="Die Nummer des Online-Dienstes fehlt.")
    for number, cells in carry_down(sheet.rows, org.groups):
        num = numbers.take(number, as_text(cells[number_col]), other_values=org.has_own_values(cells))
        if num is None:
            continue
        values: dict[str, Any] = {}
        for key, i in cols.items():
            raw = clean(cells[i])
            if key in ("title", "implementation_type"):
                values[key] = as_text(raw)
                limit = 500 if key == "title" else 200
                if values[key] and len(values[key]) > limit:
                    result.add_error(number, headers[i], f"Der Text ist zu lang (höchstens {limit} Zeichen).")
            elif key == "measure_number":
                text = as_text(raw)
                values[key] = None if text is None or text.lower() == "nein" else text
                if values[key] and len(values[key]) > 40:
                    result.add_error(number, headers[i], "Die Maßnahmennummer ist zu lang.")
            elif key in ("ozg_ids", "leika_keys"):
                text = as_text(raw)
                values[key] = [p.strip() for p in _SPLIT.split(text) if p.strip()] if text else []
            elif key == "ozg_maturity":
                if raw is None:
                    values[key] = None
                else:
                    try:
                        level = float(str(raw).replace(",", "."))
                    except ValueError:
                        result.add_error(
                            number, headers[i], f"„{raw}“ ist keine Zahl; der OZG-Reifegrad ist 0–4."
                        )
                        continue
                    if not level.is_integer() or not 0 <= level <= 4:
                        result.add_error(
                            number, headers[i], f"Der OZG-Reifegrad {raw} liegt nicht zwischen 0 und 4."
                        )
                        continue
                    values[key] = int(level)
            elif key == "epayment":
                text = (as_text(raw) or "").lower()
                if text in _YES:
                    values[key] = True
                elif text in _NO or text == "":
                    values[key] = False
                else:
                    result.add_error(number, headers[i], f"„{raw}“: bitte „ja“ oder „nein“ angeben.")
        ba, ba_name, ds, ds_name = org.values(cells)
        parsed = ParsedService(number, num, UnitRef(ba, ba_name), UnitRef(ds, ds_name), values)
        for i, date in status_cols.items():
            try:
                parsed.statuses[date] = parse_status(cells[i])
            except ProgressError as exc:
                result.add_error(number, headers[i], str(exc))
        rows.append(parsed)
    has = set(cols) | ({"org"} if org.present else set())
    return rows, sorted(status_cols.values()), has


class OnlineServiceImporter:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor

    async def run(self, source: bytes | BinaryIO | str, *, dry_run: bool = False) -> ImportResult:
        result = ImportResult(dry_run=dry_run)
        rows, dates, has = parse(read_sheet(source), result)
        if result.errors:
            return result
        reporting = ReportingService(self.session, self.tenant_id, self.actor)
        existing_dates = {rd.date: rd for rd in await reporting.list()}
        date_of = {rd.id: rd.date for rd in existing_dates.values()}
        org_service = OrgUnitService(self.session, self.tenant_id, self.actor)
        units = await org_service.by_id()
        services = await OnlineServiceService(self.session, self.tenant_id).by_number()
        statuses: dict[tuple[uuid.UUID, dt.date], OnlineServiceStatus] = {}
        for s in await self.session.scalars(
            select(OnlineServiceStatus).where(owned_by(OnlineServiceStatus, self.tenant_id))
        ):
            statuses[(s.online_service_id, date_of[s.reporting_date_id])] = s
        measure_ids = {
            m.number: m.id
            for m in await self.session.scalars(select(Measure).where(owned_by(Measure, self.tenant_id)))
        }

        planned = []
        for row in rows:
            o = services.get(row.number)
            changes: dict[str, list[Any]] = {}
            for k, v in row.fields.items():
                old = getattr(o, k) if o is not None else None
                if k in ("ozg_ids", "leika_keys"):
                    old = list(old or [])
                    if o is None and not v:
                        continue
                if k == "epayment" and o is None and v is False:
                    continue
                if old != v:
                    changes[k] = [old, v]
            if "org" in has:
                changes |= org_changes(
                    units, o.business_area_id if o else None, o.department_id if o else None, row.ba, row.ds
                )
            for date, status in row.statuses.items():
                current = statuses.get((o.id, date)) if o else None
                old_status = current.status if current else None
                if old_status == status:
                    continue
                closed = closed_round_message(existing_dates.get(date), "der Status", old_status, status)
                if closed:
                    result.add_error(row.row, status_header(date), closed)
                changes[f"Status {date.strftime('%m.%Y')}"] = [old_status, status]
            action = "create" if o is None else "update" if changes else "unchanged"
            result.count(RowChange(row.row, row.number, action, changes))
            planned.append((row, o, changes))
        if result.errors or dry_run:
            return result

        rds = await reporting.ensure_dates(dates)
        resolved: dict[int, tuple[uuid.UUID | None, uuid.UUID | None]] = {}
        if "org" in has:
            resolved = await org_service.resolve_all({row.row: (row.ba, row.ds) for row, _o, _c in planned})
        new_statuses: list[dict[str, Any]] = []
        for row, o, changes in planned:
            if o is not None and not changes:
                continue
            values = dict(row.fields)
            if "org" in has:
                values["business_area_id"], values["department_id"] = resolved[row.row]
            if "measure_number" in values:
                values["measure_id"] = (
                    measure_ids.get(values["measure_number"]) if values["measure_number"] else None
                )
            if o is None:
                o = OnlineService(
                    tenant_id=self.tenant_id,
                    id=uuid.uuid4(),
                    number=row.number,
                    version=1,
                    ozg_ids=[],
                    leika_keys=[],
                    epayment=False,
                )
                for k, v in values.items():
                    setattr(o, k, v)
                self.session.add(o)
                before: dict[str, Any] = {}
                action = "online_service.create"
            else:
                before = snapshot(o)
                for k, v in values.items():
                    setattr(o, k, v)
                o.updated_at = utcnow()
                action = "online_service.update"
            for date, status in row.statuses.items():
                current = statuses.get((o.id, date))
                if (current.status if current else None) == status:
                    continue
                if status is None:
                    if current is not None:
                        await self.session.delete(current)
                elif current is None:
                    new_statuses.append(
                        {
                            "tenant_id": self.tenant_id,
                            "id": uuid.uuid4(),
                            "online_service_id": o.id,
                            "reporting_date_id": rds[date].id,
                            "status": status,
                            "version": 1,
                        }
                    )
                else:
                    current.status = status
            await record(
                self.session,
                tenant_id=self.tenant_id,
                action=action,
                actor=self.actor,
                entity_type=ENTITY,
                entity_id=o.id,
                changes=row_audit(before, snapshot(o), changes, also=ORG_LABELS, prefix="Status"),
                reason="Import Online-Dienste",
            )
        await self.session.flush()
        if new_statuses:
            await self.session.execute(insert(OnlineServiceStatus), new_statuses)
        return result


async def service_table(session: AsyncSession, tenant_id: uuid.UUID) -> tuple[list[str], list[list[Any]]]:
    lst = await OnlineServiceService(session, tenant_id).list()
    used = {rid for r in lst.rows for rid in r.statuses}
    status_dates = [rd for rd in lst.dates if rd.id in used] or lst.dates[-1:]
    headers = list(HEADERS_BEFORE) + [status_header(rd.date) for rd in status_dates]
    headers += [COL_MEASURE, COL_OZG, COL_LEIKA, COL_MATURITY, COL_EPAYMENT]

    out = []
    for r in sorted(lst.rows, key=lambda r: org_order(r.business_area, r.department, r.service.number)):
        o = r.service
        values: list[Any] = [
            *org_cells(r.business_area, r.department),
            o.number,
            o.title,
            o.implementation_type,
        ]
        values += [r.at(rd) for rd in status_dates]
        placeholder = not o.title
        values.append(o.measure_number or (None if placeholder else "nein"))
        values.append("; ".join(o.ozg_ids or []) or None)
        values.append("; ".join(o.leika_keys or []) or None)
        values.append(o.ozg_maturity)
        values.append(("ja" if o.epayment else "nein") if not placeholder or o.epayment else None)
        out.append(values)
    return headers, out


async def export_services(session: AsyncSession, tenant_id: uuid.UUID) -> bytes:
    headers, rows = await service_table(session, tenant_id)
    wb = Workbook()
    add_table_sheet(
        wb, "Online-Dienste", headers, rows, widths=WIDTHS + [12] * (len(headers) - len(WIDTHS)), first=True
    )
    return workbook_bytes(wb)
