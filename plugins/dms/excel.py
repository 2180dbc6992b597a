"""Excel import and export of the DMS rollout (openpyxl).

The export has the sheets "Einführungen", "Dokumentenmengen", "Produkte" and "Aktenarten";
the import reads "Einführungen" and "Dokumentenmengen" in the same layout (the export is the
template). The import is all or nothing: every row is checked first; one problem anywhere
(an unknown unit, dates out of order, a digital share above 100 %) and nothing is written.
A row for an e-file type and unit that already exists updates it; a volume for a unit and
reporting date that exists is replaced.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.errors import FieldError, ValidationFailed
from plugins.dms.forms import Parser
from plugins.dms.models import INBOX_MODES, INTEGRATIONS, SCANNING_MODES, STATUS_CODES, STATUS_LABELS
from plugins.dms.schemas import FileTypeInput, ImportResult, ProductInput, RolloutInput, VolumeInput
from plugins.dms.service import DmsService
from plugins.dms.validation import rollout_errors, volume_errors

ROLLOUT_SHEET = "Einführungen"
VOLUME_SHEET = "Dokumentenmengen"
PRODUCT_SHEET = "Produkte"
TYPE_SHEET = "Aktenarten"
PRODUCT_COLUMNS = (
    ("Produkt", "name"),
    ("Version", "product_version"),
    ("Hersteller", "vendor"),
    ("Betrieb", "operator"),
)
TYPE_COLUMNS = (("Aktenart", "name"), ("Beschreibung", "description"))

#: (header, RolloutInput field or special key)
ROLLOUT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Aktenart", "file_type"),
    ("Bezeichnung im Bericht", "designation"),
    ("Organisationseinheit", "org_unit"),
    ("Status", "status"),
    ("geplant ab", "planned_on"),
    ("Einführung begonnen", "introduction_on"),
    ("umgesetzt am", "live_on"),
    ("Anbindung", "integration"),
    ("Fachverfahren", "procedure_name"),
    ("Hersteller Fachverfahren", "procedure_vendor"),
    ("Schnittstelle", "procedure_interface"),
    ("DMS-Produkt", "product"),
    ("Posteingang", "inbox"),
    ("Freigabe-Workflow", "workflow_approval"),
    ("Kenntnisnahme-Workflow", "workflow_acknowledgement"),
    ("Mitzeichnungs-Workflow", "workflow_cosigning"),
    ("TR-RESISCAN", "scanning_resiscan"),
    ("Scannen", "scanning_mode"),
    ("revisionssicher archiviert", "archive_audit_proof"),
    ("Langzeitarchivierung", "archive_long_term"),
    ("geschulte Personen", "users_trained"),
    ("Maßnahme (Nr.)", "measure"),
    ("Bemerkung", "notes"),
)
VOLUME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Organisationseinheit", "org_unit"),
    ("Stichtag", "reporting_date"),
    ("Dokumente insgesamt", "total_count"),
    ("davon digital bearbeitet", "digital_count"),
    ("Anteil digital (%)", "share"),
)
BOOL_FIELDS = {
    "workflow_approval",
    "workflow_acknowledgement",
    "workflow_cosigning",
    "scanning_resiscan",
    "archive_audit_proof",
    "archive_long_term",
}


def _yes(value: bool) -> str:
    return "ja" if value else "nein"


def _sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for i, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[i - 1])) for r in rows if r[i - 1] is not None] + [8])
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
        for cell in ws[get_column_letter(i)][1:]:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD.MM.YYYY"
    ws.freeze_panes = "A2"


async def export_workbook(service: DmsService) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)  # type: ignore[arg-type]
    units = {u.id: u for u in await service.org_units()}
    measures = {m.id: m.number for m in await service.measures()}
    rows = []
    for r in await service.rollout_rows():
        unit = units.get(r.org_unit_id)
        values = {
            "file_type": r.file_type,
            "designation": r.designation,
            "org_unit": unit.code if unit else r.org_unit,
            "status": STATUS_LABELS[r.status],
            "planned_on": r.planned_on,
            "introduction_on": r.introduction_on,
            "live_on": r.live_on,
            "integration": "Fachverfahren" if r.integration == "fachverfahren" else "eigenständig",
            "procedure_name": r.procedure_name,
            "procedure_vendor": r.procedure_vendor,
            "procedure_interface": r.procedure_interface,
            "product": r.product,
            "inbox": INBOX_MODES.get(r.inbox or "", None),
            "scanning_mode": SCANNING_MODES.get(r.scanning_mode or ""),
            "users_trained": r.users_trained,
            "measure": measures.get(r.measure_id) if r.measure_id else None,
            "notes": r.notes,
        }
        for f in BOOL_FIELDS:
            values[f] = _yes(getattr(r, f))
        rows.append([values[key] for _, key in ROLLOUT_COLUMNS])
    _sheet(wb, ROLLOUT_SHEET, [h for h, _ in ROLLOUT_COLUMNS], rows)
    vrows = []
    for v in sorted(await service.volumes(), key=lambda v: (v.reporting_date, v.org_unit)):
        unit = units.get(v.org_unit_id)
        vrows.append(
            [
                unit.code if unit else v.org_unit,
                v.reporting_date,
                v.total_count,
                v.digital_count,
                v.digital_share,
            ]
        )
    _sheet(wb, VOLUME_SHEET, [h for h, _ in VOLUME_COLUMNS], vrows)
    _sheet(
        wb,
        PRODUCT_SHEET,
        [h for h, _ in PRODUCT_COLUMNS],
        [[p.name, p.product_version, p.vendor, p.operator] for p in await service.products()],
    )
    _sheet(
        wb,
        TYPE_SHEET,
        [h for h, _ in TYPE_COLUMNS],
        [[t.name, t.description] for t in await service.file_types()],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _read(ws: Any, columns: tuple[tuple[str, str], ...]) -> list[tuple[int, dict[str, Any]]]:
    rows = ws.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        return []
    index = {str(h).strip().lower(): i for i, h in enumerate(header) if h is not None}
    out = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        record = {}
        for head, key in columns:
            i = index.get(head.lower())
            record[key] = values[i] if i is not None and i < len(values) else None
        out.append((n, record))
    return out


def _status(text: str | None) -> str | None:
    if text is None:
        return "geplant"
    t = text.strip().lower()
    for key, label in STATUS_LABELS.items():
        if t in (key, label.lower(), STATUS_CODES[key].lower()):
            return key
    return None


def _integration(text: str | None) -> str | None:
    if text is None:
        return "fachverfahren"
    t = text.strip().lower()
    if t.startswith("fach"):
        return "fachverfahren"
    if t.startswith(("eigen", "ohne", "standalone", "workflow")):
        return "eigenstaendig"
    return None if t not in INTEGRATIONS else t


def _choice(text: str | None, options: dict[str, str]) -> str | bool | None:
    if text is None:
        return None
    t = text.strip().lower()
    for key, label in options.items():
        if t in (key, label.lower()):
            return key
    return False


async def import_workbook(service: DmsService, content: bytes, *, dry_run: bool = False) -> ImportResult:
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises several types for a broken file
        raise ValidationFailed(
            [FieldError("datei", "Die Datei ist keine lesbare Excel-Datei (.xlsx).")]
        ) from exc
    if ROLLOUT_SHEET not in wb.sheetnames and VOLUME_SHEET not in wb.sheetnames:
        raise ValidationFailed(
            [
                FieldError(
                    "datei",
                    f"Die Datei hat weder ein Blatt „{ROLLOUT_SHEET}“ noch ein Blatt „{VOLUME_SHEET}“.",
                )
            ]
        )
    await service.ensure_initialized()
    errors: list[FieldError] = []
    rollouts: list[tuple[int, RolloutInput]] = []
    volumes: list[tuple[int, VolumeInput]] = []
    # Products and e-file types: known ones by name, new ones from the sheets "Produkte" and
    # "Aktenarten" get a placeholder id until everything is checked (then they are created).
    product_ids: dict[str, uuid.UUID] = {p.name.lower(): p.id for p in await service.products()}
    type_ids: dict[str, uuid.UUID] = {t.name.lower(): t.id for t in await service.file_types()}
    new_products: list[tuple[uuid.UUID, ProductInput]] = []
    new_types: list[tuple[uuid.UUID, FileTypeInput]] = []
    if PRODUCT_SHEET in wb.sheetnames:
        for _n, rec in _read(wb[PRODUCT_SHEET], PRODUCT_COLUMNS):
            p = Parser(rec)
            name = p.text("name")
            if name and name.lower() not in product_ids:
                product_ids[name.lower()] = uuid.uuid4()
                new_products.append(
                    (
                        product_ids[name.lower()],
                        ProductInput(
                            name=name,
                            product_version=p.text("product_version"),
                            vendor=p.text("vendor"),
                            operator=p.text("operator"),
                        ),
                    )
                )
    if TYPE_SHEET in wb.sheetnames:
        for _n, rec in _read(wb[TYPE_SHEET], TYPE_COLUMNS):
            p = Parser(rec)
            name = p.text("name")
            if name and name.lower() not in type_ids:
                type_ids[name.lower()] = uuid.uuid4()
                new_types.append(
                    (
                        type_ids[name.lower()],
                        FileTypeInput(
                            name=name, description=p.text("description"), sort_order=100 + 10 * len(new_types)
                        ),
                    )
                )
    measures = {m.number.lower(): m for m in await service.measures()}
    seen: set[tuple[Any, Any]] = set()

    async def unit_id(text: Any, n: int, sheet: str) -> Any:
        if text is None or str(text).strip() == "":
            errors.append(
                FieldError("Organisationseinheit", f"{sheet}, Zeile {n}: Die Organisationseinheit fehlt.", n)
            )
            return None
        unit = await service.find_org_unit(str(text))
        if unit is None:
            errors.append(
                FieldError(
                    "Organisationseinheit",
                    f"{sheet}, Zeile {n}: Die Organisationseinheit "
                    f"„{text}“ ist unbekannt. Bitte legen Sie sie zuerst an oder prüfen Sie "
                    "Kürzel und Namen.",
                    n,
                )
            )
            return None
        return unit.id

    if ROLLOUT_SHEET in wb.sheetnames:
        for n, rec in _read(wb[ROLLOUT_SHEET], ROLLOUT_COLUMNS):
            p = Parser(rec, row=n)
            before = len(errors)
            file_type_id = None
            if not p.text("file_type"):
                errors.append(FieldError("Aktenart", f"{ROLLOUT_SHEET}, Zeile {n}: Die Aktenart fehlt.", n))
            else:
                file_type_id = type_ids.get((p.text("file_type") or "").lower())
                if file_type_id is None:
                    errors.append(
                        FieldError(
                            "Aktenart",
                            f"{ROLLOUT_SHEET}, Zeile {n}: Die Aktenart "
                            f"„{p.text('file_type')}“ ist unbekannt (siehe Aktenarten).",
                            n,
                        )
                    )
            org_unit_id = await unit_id(p.text("org_unit"), n, ROLLOUT_SHEET)
            status = _status(p.text("status"))
            if status is None:
                errors.append(
                    FieldError(
                        "Status",
                        f"{ROLLOUT_SHEET}, Zeile {n}: Status „{p.text('status')}“ ist "
                        "unbekannt (geplant, in Einführung, umgesetzt).",
                        n,
                    )
                )
            integration = _integration(p.text("integration"))
            if integration is None:
                errors.append(
                    FieldError(
                        "Anbindung",
                        f"{ROLLOUT_SHEET}, Zeile {n}: Anbindung "
                        f"„{p.text('integration')}“ ist unbekannt (Fachverfahren oder "
                        "eigenständig).",
                        n,
                    )
                )
            product_id = None
            if p.text("product"):
                product_id = product_ids.get((p.text("product") or "").lower())
                if product_id is None:
                    errors.append(
                        FieldError(
                            "DMS-Produkt",
                            f"{ROLLOUT_SHEET}, Zeile {n}: Das DMS-Produkt "
                            f"„{p.text('product')}“ ist unbekannt (siehe DMS-Produkte).",
                            n,
                        )
                    )
            measure_id = None
            if p.text("measure"):
                measure = measures.get((p.text("measure") or "").lower())
                if measure is None:
                    errors.append(
                        FieldError(
                            "Maßnahme",
                            f"{ROLLOUT_SHEET}, Zeile {n}: Die Maßnahme „{p.text('measure')}“ ist unbekannt.",
                            n,
                        )
                    )
                else:
                    measure_id = measure.id
            inbox = _choice(p.text("inbox"), INBOX_MODES)
            scanning = _choice(p.text("scanning_mode"), SCANNING_MODES)
            if inbox is False:
                errors.append(
                    FieldError(
                        "Posteingang", f"{ROLLOUT_SHEET}, Zeile {n}: Posteingang zentral oder dezentral.", n
                    )
                )
            if scanning is False:
                errors.append(
                    FieldError(
                        "Scannen", f"{ROLLOUT_SHEET}, Zeile {n}: Scannen: Scanstraße oder dezentral.", n
                    )
                )
            data = RolloutInput(
                file_type_id=file_type_id,
                org_unit_id=org_unit_id,
                product_id=product_id,
                designation=p.text("designation"),
                status=status or "geplant",
                planned_on=p.date("planned_on", "geplant ab"),
                introduction_on=p.date("introduction_on", "Einführung begonnen"),
                live_on=p.date("live_on", "umgesetzt am"),
                integration=integration or "fachverfahren",
                procedure_name=p.text("procedure_name"),
                procedure_vendor=p.text("procedure_vendor"),
                procedure_interface=p.text("procedure_interface"),
                inbox=inbox or None,
                scanning_mode=scanning or None,  # type: ignore[arg-type]
                users_trained=p.integer("users_trained", "geschulte Personen"),
                measure_id=measure_id,
                notes=p.text("notes"),
                **{f: p.flag(f) for f in BOOL_FIELDS},
            )
            errors.extend(_prefixed(p.errors, ROLLOUT_SHEET, n))
            if len(errors) == before:
                errors.extend(_prefixed(rollout_errors(data, row=n), ROLLOUT_SHEET, n))
            key = (data.file_type_id, data.org_unit_id)
            if len(errors) == before and key in seen:
                errors.append(
                    FieldError(
                        "Aktenart",
                        f"{ROLLOUT_SHEET}, Zeile {n}: Aktenart und Organisationseinheit kommen doppelt vor.",
                        n,
                    )
                )
            seen.add(key)
            rollouts.append((n, data))

    vseen: set[tuple[Any, Any]] = set()
    if VOLUME_SHEET in wb.sheetnames:
        for n, rec in _read(wb[VOLUME_SHEET], VOLUME_COLUMNS):
            p = Parser(rec, row=n)
            before = len(errors)
            org_unit_id = await unit_id(p.text("org_unit"), n, VOLUME_SHEET)
            vdata = VolumeInput(
                org_unit_id=org_unit_id,
                reporting_date=p.date("reporting_date", "Stichtag"),
                total_count=p.integer("total_count", "Dokumente insgesamt"),
                digital_count=p.integer("digital_count", "davon digital bearbeitet"),
            )
            share = p.number("share", "Anteil digital")
            if share is not None and (share < 0 or share > 100):
                errors.append(
                    FieldError(
                        "Anteil digital (%)",
                        f"{VOLUME_SHEET}, Zeile {n}: Ein Anteil muss "
                        f"zwischen 0 und 100 % liegen (eingetragen: {share:g} %).",
                        n,
                    )
                )
            errors.extend(_prefixed(p.errors, VOLUME_SHEET, n))
            if len(errors) == before:
                errors.extend(_prefixed(volume_errors(vdata, row=n), VOLUME_SHEET, n))
            key = (vdata.org_unit_id, vdata.reporting_date)
            if len(errors) == before and key in vseen:
                errors.append(
                    FieldError(
                        "Stichtag",
                        f"{VOLUME_SHEET}, Zeile {n}: Organisationseinheit und Stichtag kommen doppelt vor.",
                        n,
                    )
                )
            vseen.add(key)
            volumes.append((n, vdata))

    if errors:
        raise ValidationFailed(
            errors,
            message=f"Die Datei wurde nicht übernommen: {len(errors)} Problem(e). "
            "Es wurde nichts gespeichert.",
        )

    result = ImportResult(
        dry_run=dry_run, products_created=len(new_products), file_types_created=len(new_types)
    )
    if not dry_run:
        real: dict[uuid.UUID, uuid.UUID] = {}
        for placeholder, pdata in new_products:
            real[placeholder] = (await service.save_product(pdata)).id
        for placeholder, tdata in new_types:
            real[placeholder] = (await service.save_file_type(tdata)).id
        for _n, data in rollouts:
            data.file_type_id = real.get(data.file_type_id, data.file_type_id)  # type: ignore[arg-type]
            if data.product_id is not None:
                data.product_id = real.get(data.product_id, data.product_id)
    existing = {(r.file_type_id, r.org_unit_id): r for r in await service.rollout_rows()}
    existing_volumes = {(v.org_unit_id, v.reporting_date): v for v in await service.volumes()}
    for _n, data in rollouts:
        current = existing.get((data.file_type_id, data.org_unit_id))
        if current is None:
            result.rollouts_created += 1
            if not dry_run:
                await service.create_rollout(data)
        else:
            result.rollouts_updated += 1
            if not dry_run:
                data.version = current.version
                data.budget_line_ids = current.budget_line_ids  # the file does not carry budget links
                await service.update_rollout(current.id, data)
    for _n, vdata in volumes:
        vcurrent = existing_volumes.get((vdata.org_unit_id, vdata.reporting_date))
        if vcurrent is None:
            result.volumes_created += 1
            if not dry_run:
                await service.create_volume(vdata)
        else:
            result.volumes_updated += 1
            if not dry_run:
                vdata.version = vcurrent.version
                await service.update_volume(vcurrent.id, vdata)
    return result


def _prefixed(errors: list[FieldError], sheet: str, n: int) -> list[FieldError]:
    out = []
    for e in errors:
        message = e.message if e.message.startswith(sheet) else f"{sheet}, Zeile {n}: {e.message}"
        out.append(FieldError(e.field, message, n))
    return out
