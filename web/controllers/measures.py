"""The measure plan in the browser: ``/massnahmen`` – a sortable, filterable table with
inline editing (htmx, one form per row), the detail page with progress and history,
Excel import (with a dry-run preview) and export. The JSON API lives in ``measures_api``."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, FieldError, ValidationFailed
from core.measures.excel import MeasureImporter, export_plan
from core.measures.schemas import MeasureCreate, MeasureUpdate
from core.measures.service import MeasureFilter, MeasureRow, MeasureService
from core.orgunits.models import OrgUnit, OrgUnitKind
from core.reporting.history import history
from core.reporting.models import ReportingDate
from core.reporting.status import CODES, STATUS_LABELS
from core.reports.adapters import building_block_choices
from tenants.context import Identity
from web.auth import requires_editor, requires_viewer
from web.controllers import measures_api
from web.controllers.measures_common import (
    actor_of,
    can_edit,
    errors_by_field,
    file_response,
    parse_uuid,
    parse_version,
)
from web.deps import CurrentIdentity, DbSession
from web.page_cache import cached_page
from web.rendering import fragment, page

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
MultipartBody = Body(media_type=RequestEncodingType.MULTI_PART)
TEMPLATE = "measures/plan.html"
ROW = "measures/_row.html"
#: Progress columns shown in the table (the latest ones); the detail page shows all.
VISIBLE_DATES = 4

LABELS = {
    "number": "Nr. Maßnahme",
    "title": "Digitalisierungsprojekt /-Thema",
    "business_area_id": "Geschäftskreis",
    "department_id": "Dienststelle",
    "reported_year": "Jahr der Meldung",
    "description": "Erläuterung/Beschreibung",
    "introduction": "Termin/Zeitraum Einführung",
    "building_block_key": "Lösungsbaustein",
    "progress": "Projektfortschritt",
    "version": "Bearbeitungsstand",
}
SORTS = {
    "number": "Nr.",
    "business_area": "Geschäftskreis",
    "title": "Thema",
    "reported_year": "Jahr der Meldung",
    "introduction": "Einführung",
    "progress": "Fortschritt",
    "status": "Status",
}


def unit_options(units: dict[uuid.UUID, OrgUnit], kind: OrgUnitKind) -> list[tuple[str, str]]:
    from core.measures.service import natural_key

    chosen = sorted((u for u in units.values() if u.kind == kind.value), key=lambda u: natural_key(u.code))
    return [(str(u.id), u.label()) for u in chosen]


def describe_conflict(
    current: dict[str, Any], units: dict[uuid.UUID, OrgUnit], labels: dict[str, str] | None = None
) -> dict[str, Any]:
    """The other editor's change, readable: who, when, field: old → new (field names from
    ``labels``, the measure plan's by default; ids of org units as their labels)."""
    labels = LABELS if labels is None else labels

    def show(key: str, value: Any) -> str:
        if value in (None, "", []):
            return "leer"
        if key.endswith("_id"):
            try:
                unit = units.get(uuid.UUID(str(value)))
            except ValueError:
                unit = None
            return unit.label() if unit else str(value)
        return str(value)

    changes = []
    for key, pair in (current.get("changes") or {}).items():
        if key == "version" or not isinstance(pair, list) or len(pair) != 2:
            continue
        changes.append((labels.get(key, key), show(key, pair[0]), show(key, pair[1])))
    at = current.get("changed_at")
    return {
        "by": current.get("changed_by") or "unbekannt",
        "at": at[:16].replace("T", " ") if at else None,
        "changes": changes,
    }


async def _row_context(
    db: AsyncSession, identity: Identity, row: MeasureRow, dates: list[ReportingDate], **extra: Any
) -> dict[str, Any]:
    units = await MeasureService(db, identity.require_tenant())._org_units()
    open_round = next((rd for rd in reversed(dates) if not rd.is_closed), None)
    focus = dates[-1] if dates else None
    return {
        "r": row,
        "dates": dates[-VISIBLE_DATES:],
        "focus": focus,
        "open_round": open_round,
        "can_edit": can_edit(identity),
        "ba_options": unit_options(units, OrgUnitKind.BUSINESS_AREA),
        "ds_options": unit_options(units, OrgUnitKind.DEPARTMENT),
        "status_labels": STATUS_LABELS,
        "errors": {},
        "values": {},
        "conflict": None,
        **extra,
    }


PAGE_SIZES = (50, 100, 250)


def paginate(params: dict[str, Any], total: int) -> dict[str, Any]:
    """Page of a long table: ``seite`` (1-based) and ``pro_seite`` (50, 100, 250 or "alle")."""
    raw = params.get("pro_seite") or str(PAGE_SIZES[0])
    if raw == "alle":
        size = max(total, 1)
    else:
        size = int(raw) if raw.isdigit() and int(raw) in PAGE_SIZES else PAGE_SIZES[0]
    pages = max(1, -(-total // size))
    try:
        number = min(max(1, int(params.get("seite") or 1)), pages)
    except ValueError:
        number = 1
    start = (number - 1) * size
    return {
        "number": number,
        "pages": pages,
        "size": raw if raw == "alle" else size,
        "start": start,
        "end": min(total, start + size),
        "total": total,
        "sizes": [*map(str, PAGE_SIZES), "alle"],
    }


def _filter_from(params: dict[str, Any]) -> MeasureFilter:
    def as_uuid(key: str) -> uuid.UUID | None:
        try:
            return parse_uuid(params.get(key), key)
        except ValidationFailed:
            return None

    year = params.get("jahr")
    sort = params.get("sort") or "number"
    return MeasureFilter(
        q=(params.get("q") or "").strip() or None,
        business_area_id=as_uuid("gk"),
        department_id=as_uuid("ds"),
        status=params.get("status") if params.get("status") in ("P", "E", "U", "none") else None,
        reported_year=int(year) if year and str(year).isdigit() else None,
        reporting_date_id=as_uuid("stichtag"),
        sort=sort if sort in SORTS else "number",
        descending=params.get("dir") == "desc",
    )


@get("/massnahmen", guards=[requires_viewer], name="measures.plan", include_in_schema=False)
async def plan_page(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Response[Any]:
    tenant_id = identity.require_tenant()
    params = dict(request.query_params)

    async def load() -> dict[str, Any]:
        flt = _filter_from(params)
        plan = await MeasureService(db, tenant_id).plan(flt, latest_dates=VISIBLE_DATES)
        open_round = next((rd for rd in reversed(plan.dates) if not rd.is_closed), None)
        years = sorted({r.measure.reported_year_number for r in plan.rows if r.measure.reported_year_number})
        paging = paginate(params, plan.total)
        return {
            "plan": plan,
            "rows": plan.rows[paging["start"] : paging["end"]],
            "paging": paging,
            "flt": flt,
            "params": params,
            "dates": plan.dates[-VISIBLE_DATES:],
            "focus": plan.focus,
            "open_round": open_round,
            "can_edit": can_edit(identity),
            "sorts": SORTS,
            "ba_options": unit_options(plan.org_units, OrgUnitKind.BUSINESS_AREA),
            "ds_options": unit_options(plan.org_units, OrgUnitKind.DEPARTMENT),
            "years": years,
            "status_labels": STATUS_LABELS,
            "errors": {},
            "values": {},
            "conflict": None,
        }

    table_only = request.headers.get("hx-target") == "massnahmen-tabelle"
    return await cached_page(
        request, page="measures.plan", template=TEMPLATE, context=load,
        block="plan_table" if table_only else None,
        variant=(can_edit(identity), tuple(sorted(params.items()))),
    )


@get(
    "/massnahmen/{measure_id:uuid}/zeile",
    guards=[requires_viewer],
    name="measures.row",
    include_in_schema=False,
)
async def row_view(
    db: DbSession,
    identity: CurrentIdentity,
    request: Request[Any, Any, Any],
    measure_id: FromPath[uuid.UUID],
) -> Template:
    row, dates = await MeasureService(db, identity.require_tenant()).get_row(measure_id)
    return fragment(request, ROW, "row", await _row_context(db, identity, row, dates, refocus=True))


@get(
    "/massnahmen/{measure_id:uuid}/bearbeiten",
    guards=[requires_editor],
    name="measures.edit_row",
    include_in_schema=False,
)
async def row_edit(
    db: DbSession,
    identity: CurrentIdentity,
    request: Request[Any, Any, Any],
    measure_id: FromPath[uuid.UUID],
) -> Template:
    row, dates = await MeasureService(db, identity.require_tenant()).get_row(measure_id)
    return fragment(request, ROW, "edit_row", await _row_context(db, identity, row, dates))


def _update_from_form(data: dict[str, str], version: int) -> MeasureUpdate:
    fields: dict[str, Any] = {"version": version}
    for key in ("number", "title", "reported_year", "description", "introduction"):
        if key in data:
            fields[key] = data[key]
    for key in ("business_area_id", "department_id", "building_block_key"):
        if key in data:
            fields[key] = parse_uuid(data[key], key)
    return MeasureUpdate(**fields)


async def _save(svc: MeasureService, measure_id: uuid.UUID, data: dict[str, str]) -> None:
    version = parse_version(data.get("version"))
    m = await svc.update(measure_id, _update_from_form(data, version))
    rd_id = parse_uuid(data.get("reporting_date_id"), "progress")
    if "progress" in data and rd_id is not None:
        await svc.set_progress(
            measure_id,
            rd_id,
            version=m.version,
            value=data.get("progress"),
            status=data.get("progress_status") or None,
        )


@post(
    "/massnahmen/{measure_id:uuid}", guards=[requires_editor], name="measures.save", include_in_schema=False
)
async def save(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    measure_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    """Save the inline row form (htmx: answers with the row) or the detail form (303)."""
    tenant_id = identity.require_tenant()
    svc = MeasureService(db, tenant_id, actor_of(request, identity))
    inline = data.get("inline") == "1"
    try:
        await _save(svc, measure_id, data)
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        svc = MeasureService(db, tenant_id)
        row, dates = await svc.get_row(measure_id)
        units = await svc._org_units()
        extra: dict[str, Any] = {"values": data}
        status = 422
        if isinstance(exc, Conflict):
            status = 409
            extra["conflict"] = describe_conflict(exc.current, units)
            extra["conflict_message"] = exc.message
        else:
            extra["errors"] = errors_by_field(exc)
        if inline:
            ctx = await _row_context(db, identity, row, dates, **extra)
            return fragment(request, ROW, "edit_row", ctx, status_code=status)
        ctx = await _detail_context(db, identity, measure_id, **extra)
        return page(request, "measures/detail.html", ctx, status_code=status)
    if inline:
        row, dates = await svc.get_row(measure_id)
        return fragment(request, ROW, "row", await _row_context(db, identity, row, dates, saved=True))
    return Redirect(f"/massnahmen/{measure_id}?gespeichert=1", status_code=303)


async def _detail_context(
    db: AsyncSession, identity: Identity, measure_id: uuid.UUID, **extra: Any
) -> dict[str, Any]:
    tenant_id = identity.require_tenant()
    svc = MeasureService(db, tenant_id)
    row, dates = await svc.get_row(measure_id)
    units = await svc._org_units()
    events = await history(db, tenant_id, "measure", measure_id)
    open_round = next((rd for rd in reversed(dates) if not rd.is_closed), None)
    return {
        "r": row,
        "m": row.measure,
        "dates": dates,
        "open_round": open_round,
        "can_edit": can_edit(identity),
        "ba_options": unit_options(units, OrgUnitKind.BUSINESS_AREA),
        "ds_options": unit_options(units, OrgUnitKind.DEPARTMENT),
        "bb_options": await building_block_choices(db, tenant_id),
        "events": events,
        "labels": LABELS,
        "status_labels": STATUS_LABELS,
        "codes": CODES,
        "errors": {},
        "values": {},
        "conflict": None,
        **extra,
    }


@get(
    "/massnahmen/{measure_id:uuid}", guards=[requires_viewer], name="measures.detail", include_in_schema=False
)
async def detail(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    measure_id: FromPath[uuid.UUID],
) -> Template:
    ctx = await _detail_context(
        db, identity, measure_id, saved=request.query_params.get("gespeichert") == "1"
    )
    return page(request, "measures/detail.html", ctx)


@get("/massnahmen/neu", guards=[requires_editor], name="measures.new", include_in_schema=False)
async def new_form(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    units = await MeasureService(db, identity.require_tenant())._org_units()
    return page(
        request,
        "measures/new.html",
        {
            "values": {},
            "errors": {},
            "ba_options": unit_options(units, OrgUnitKind.BUSINESS_AREA),
            "ds_options": unit_options(units, OrgUnitKind.DEPARTMENT),
        },
    )


@post("/massnahmen", guards=[requires_editor], name="measures.create", include_in_schema=False)
async def create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    tenant_id = identity.require_tenant()
    svc = MeasureService(db, tenant_id, actor_of(request, identity))
    try:
        m = await svc.create(
            MeasureCreate(
                number=data.get("number", ""),
                title=data.get("title") or None,
                business_area_id=parse_uuid(data.get("business_area_id"), "business_area_id"),
                department_id=parse_uuid(data.get("department_id"), "department_id"),
                reported_year=data.get("reported_year") or None,
                description=data.get("description") or None,
                introduction=data.get("introduction") or None,
            )
        )
    except ValidationFailed as exc:
        await db.rollback()
        units = await MeasureService(db, tenant_id)._org_units()
        return page(
            request,
            "measures/new.html",
            {
                "values": data,
                "errors": errors_by_field(exc),
                "ba_options": unit_options(units, OrgUnitKind.BUSINESS_AREA),
                "ds_options": unit_options(units, OrgUnitKind.DEPARTMENT),
            },
            status_code=422,
        )
    return Redirect(f"/massnahmen/{m.id}?gespeichert=1", status_code=303)


@post(
    "/massnahmen/{measure_id:uuid}/loeschen",
    guards=[requires_editor],
    name="measures.delete",
    include_in_schema=False,
)
async def delete_measure(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    measure_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Redirect:
    await MeasureService(db, identity.require_tenant(), actor_of(request, identity)).delete(
        measure_id, parse_version(data.get("version"))
    )
    return Redirect("/massnahmen", status_code=303)


# --- import / export -------------------------------------------------------------------------
@get("/massnahmen/import", guards=[requires_editor], name="measures.import_form", include_in_schema=False)
async def import_form(request: Request[Any, Any, Any]) -> Template:
    return page(
        request,
        "measures/import.html",
        {
            "kind": "measures",
            "action": "/massnahmen/import",
            "title": "Maßnahmenplan importieren",
            "back": "/massnahmen",
        },
    )


async def read_upload(data: dict[str, Any]) -> bytes | None:
    """The uploaded file, or the one carried over from the preview (base64)."""
    upload = data.get("datei")
    if upload is not None and hasattr(upload, "read"):
        content = await upload.read()
        if content:
            return bytes(content)
    carried = data.get("inhalt")
    if isinstance(carried, str) and carried:
        try:
            return base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


async def run_import_form(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    data: dict[str, Any],
    importer: Any,
    ctx: dict[str, Any],
) -> Template:
    content = await read_upload(data)
    if not content:
        return page(
            request,
            "measures/import.html",
            {**ctx, "error": "Bitte wählen Sie eine Excel-Datei (.xlsx)."},
            status_code=422,
        )
    apply = data.get("aktion") == "uebernehmen"
    try:
        result = await importer.run(content, dry_run=not apply)
    except ValidationFailed as exc:
        await db.rollback()
        return page(request, "measures/import.html", {**ctx, "error": exc.message}, status_code=422)
    if result.errors:
        await db.rollback()
    status = 422 if result.errors else 200
    return page(
        request,
        "measures/import.html",
        {
            **ctx,
            "result": result,
            "applied": apply and not result.errors,
            "payload": base64.b64encode(content).decode() if not apply and not result.errors else None,
            "filename": getattr(data.get("datei"), "filename", None) or data.get("dateiname") or "Datei",
        },
        status_code=status,
    )


@post("/massnahmen/import", guards=[requires_editor], name="measures.import", include_in_schema=False)
async def import_upload(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], MultipartBody],
) -> Template:
    importer = MeasureImporter(db, identity.require_tenant(), actor_of(request, identity))
    return await run_import_form(
        request,
        db,
        data,
        importer,
        {
            "kind": "measures",
            "action": "/massnahmen/import",
            "title": "Maßnahmenplan importieren",
            "back": "/massnahmen",
        },
    )


@get("/massnahmen/export.xlsx", guards=[requires_viewer], name="measures.export", include_in_schema=False)
async def export(db: DbSession, identity: CurrentIdentity) -> Response[bytes]:
    return file_response(await export_plan(db, identity.require_tenant()), "Massnahmenplan.xlsx")


ROUTES: list[Any] = [
    plan_page,
    row_view,
    row_edit,
    save,
    detail,
    new_form,
    create,
    delete_measure,
    import_form,
    import_upload,
    export,
    *measures_api.ROUTES,
]
__all__ = ["ROUTES", "FieldError"]
