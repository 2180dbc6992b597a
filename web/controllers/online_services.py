"""Online services: ``/online-dienste`` (list with filters and sorting, detail with edit form,
status history and change history, Excel import/export) and ``/api/v1/online-services``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, Response, delete, get, patch, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, FieldError, ValidationFailed
from core.measures.service import MeasureService
from core.online_services.excel import OnlineServiceImporter, export_services
from core.online_services.schemas import (
    IMPLEMENTATION_TYPES,
    OnlineServiceCreate,
    OnlineServiceRead,
    OnlineServiceUpdate,
    StatusWrite,
)
from core.online_services.service import OnlineServiceService, ServiceFilter, to_read
from core.orgunits.models import OrgUnitKind
from core.reporting.history import history
from core.reporting.status import STATUS_LABELS
from tenants.context import Identity
from web.auth import requires_editor, requires_viewer
from web.controllers.measures import describe_conflict, run_import_form, unit_options
from web.controllers.measures_api import HistoryEntry, ImportUpload, api_import_response, history_entries
from web.controllers.measures_common import (
    actor_of,
    can_edit,
    errors_by_field,
    file_response,
    parse_int,
    parse_uuid,
    parse_version,
)
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
MultipartBody = Body(media_type=RequestEncodingType.MULTI_PART)
TAGS = ["Online-Dienste"]
ROW = "online_services/_row.html"
SORTS = {
    "number": "Nr.",
    "business_area": "Geschäftskreis",
    "title": "Bezeichnung",
    "implementation_type": "Umsetzungsart",
    "status": "Status",
    "measure": "Maßnahme",
    "ozg_maturity": "OZG-Reifegrad",
}
LABELS = {
    "number": "Nr. Online-Dienst",
    "title": "Bezeichnung",
    "business_area_id": "Geschäftskreis",
    "department_id": "Dienststelle",
    "implementation_type": "Umsetzungsart",
    "measure_number": "Nr. Maßnahme",
    "measure_id": "Maßnahme",
    "ozg_ids": "OZG-Leistungen",
    "leika_keys": "LeiKa-Schlüssel",
    "ozg_maturity": "OZG-Reifegrad",
    "epayment": "E-Payment",
}


# --- JSON API ------------------------------------------------------------------------------
@get("/api/v1/online-services", guards=[requires_viewer], tags=TAGS, operation_id="listOnlineServices")
async def api_list(
    db: DbSession,
    identity: CurrentIdentity,
    q: FromQuery[str | None] = None,
    business_area_id: FromQuery[uuid.UUID | None] = None,
    status: FromQuery[str | None] = None,
    implementation_type: FromQuery[str | None] = None,
    reporting_date_id: FromQuery[uuid.UUID | None] = None,
    sort: FromQuery[str] = "number",
    descending: FromQuery[bool] = False,
) -> list[OnlineServiceRead]:
    lst = await OnlineServiceService(db, identity.require_tenant()).list(
        ServiceFilter(
            q=q.replace("\x00", "") if q else q,
            business_area_id=business_area_id,
            status=status,
            implementation_type=implementation_type.replace("\x00", "") if implementation_type else None,
            reporting_date_id=reporting_date_id,
            sort=sort,
            descending=descending,
        )
    )
    return [to_read(r, lst.dates) for r in lst.rows]


@post(
    "/api/v1/online-services",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="createOnlineService",
    status_code=HTTP_201_CREATED,
)
async def api_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[OnlineServiceCreate],
) -> OnlineServiceRead:
    svc = OnlineServiceService(db, identity.require_tenant(), actor_of(request, identity))
    return await svc.read((await svc.create(data)).id)


@get(
    "/api/v1/online-services/{service_id:uuid}",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="getOnlineService",
)
async def api_get(
    db: DbSession, identity: CurrentIdentity, service_id: FromPath[uuid.UUID]
) -> OnlineServiceRead:
    return await OnlineServiceService(db, identity.require_tenant()).read(service_id)


@patch(
    "/api/v1/online-services/{service_id:uuid}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="updateOnlineService",
)
async def api_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
    data: JSONBody[OnlineServiceUpdate],
) -> OnlineServiceRead:
    svc = OnlineServiceService(db, identity.require_tenant(), actor_of(request, identity))
    await svc.update(service_id, data)
    return await svc.read(service_id)


@delete(
    "/api/v1/online-services/{service_id:uuid}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="deleteOnlineService",
    status_code=HTTP_204_NO_CONTENT,
)
async def api_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
    version: FromQuery[int],
) -> None:
    await OnlineServiceService(db, identity.require_tenant(), actor_of(request, identity)).delete(
        service_id, version
    )


@put(
    "/api/v1/online-services/{service_id:uuid}/status/{reporting_date_id:uuid}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="setOnlineServiceStatus",
)
async def api_status(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
    reporting_date_id: FromPath[uuid.UUID],
    data: JSONBody[StatusWrite],
) -> OnlineServiceRead:
    svc = OnlineServiceService(db, identity.require_tenant(), actor_of(request, identity))
    await svc.set_status(service_id, reporting_date_id, version=data.version, status=data.status)
    return await svc.read(service_id)


@get(
    "/api/v1/online-services/{service_id:uuid}/history",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="onlineServiceHistory",
)
async def api_history(
    db: DbSession, identity: CurrentIdentity, service_id: FromPath[uuid.UUID]
) -> list[HistoryEntry]:
    tenant_id = identity.require_tenant()
    await OnlineServiceService(db, tenant_id).get(service_id)
    return history_entries(await history(db, tenant_id, "online_service", service_id))


@post(
    "/api/v1/online-services/import", guards=[requires_editor], tags=TAGS, operation_id="importOnlineServices"
)
async def api_import(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    dry_run: FromQuery[bool] = False,
) -> Response[Any]:
    importer = OnlineServiceImporter(db, identity.require_tenant(), actor_of(request, identity))
    return await api_import_response(db, data, importer, dry_run=dry_run)


@get(
    "/api/v1/online-services/export.xlsx",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="exportOnlineServices",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
async def api_export(
    db: DbSession, identity: CurrentIdentity
) -> Response[bytes]:
    return file_response(await export_services(db, identity.require_tenant()), "Online-Dienste.xlsx")


# --- HTML ------------------------------------------------------------------------------------
def _filter(params: dict[str, Any]) -> ServiceFilter:
    def as_uuid(key: str) -> uuid.UUID | None:
        try:
            return parse_uuid(params.get(key), key)
        except ValidationFailed:
            return None

    sort = params.get("sort") or "number"
    return ServiceFilter(
        q=(params.get("q") or "").strip() or None,
        business_area_id=as_uuid("gk"),
        status=params.get("status") if params.get("status") in ("P", "E", "U", "none") else None,
        implementation_type=params.get("art") or None,
        reporting_date_id=as_uuid("stichtag"),
        sort=sort if sort in SORTS else "number",
        descending=params.get("dir") == "desc",
    )


@get("/online-dienste", guards=[requires_viewer], name="online_services.list", include_in_schema=False)
async def list_page(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    params = dict(request.query_params)
    flt = _filter(params)
    lst = await OnlineServiceService(db, identity.require_tenant()).list(flt)
    types = sorted(
        set(IMPLEMENTATION_TYPES)
        | {r.service.implementation_type for r in lst.rows if r.service.implementation_type}
    )
    ctx = {
        "lst": lst,
        "flt": flt,
        "params": params,
        "sorts": SORTS,
        "dates": lst.dates[-4:],
        "focus": lst.focus,
        "ba_options": unit_options(lst.org_units, OrgUnitKind.BUSINESS_AREA),
        "type_options": [(t, t) for t in types],
        "status_labels": STATUS_LABELS,
        "can_edit": can_edit(identity),
        "saved": False,
    }
    if request.headers.get("hx-target") == "dienste-tabelle":
        return fragment(request, "online_services/list.html", "service_table", ctx)
    return page(request, "online_services/list.html", ctx)


async def _form_context(
    db: AsyncSession, identity: Identity, service_id: uuid.UUID | None, **extra: Any
) -> dict[str, Any]:
    tenant_id = identity.require_tenant()
    svc = OnlineServiceService(db, tenant_id)
    units = await svc._org_units()
    plan = await MeasureService(db, tenant_id).plan()
    ctx: dict[str, Any] = {
        "ba_options": unit_options(units, OrgUnitKind.BUSINESS_AREA),
        "ds_options": unit_options(units, OrgUnitKind.DEPARTMENT),
        "measure_options": [
            (str(r.measure.id), f"{r.measure.number} {r.measure.title or ''}".strip()) for r in plan.rows
        ],
        "type_options": [(t, t) for t in IMPLEMENTATION_TYPES],
        "status_labels": STATUS_LABELS,
        "labels": LABELS,
        "can_edit": can_edit(identity),
        "errors": {},
        "values": {},
        "conflict": None,
    }
    if service_id is not None:
        row, dates = await svc.get_row(service_id)
        ctx.update(
            {
                "r": row,
                "o": row.service,
                "dates": dates,
                "events": await history(db, tenant_id, "online_service", service_id),
            }
        )
    ctx.update(extra)
    return ctx


def _keys(text: str | None) -> list[str]:
    import re

    return [k for k in re.split(r"[\s,;]+", text or "") if k]


def _fields_from_form(data: dict[str, str], *, only_present: bool = False) -> dict[str, Any]:
    """The record's fields from a form; ``only_present``: just those the form has (the inline
    row has no OZG/LeiKa keys, which then stay as they are)."""
    fields = {
        "number": data.get("number", ""),
        "title": data.get("title") or None,
        "business_area_id": parse_uuid(data.get("business_area_id"), "business_area_id"),
        "department_id": parse_uuid(data.get("department_id"), "department_id"),
        "implementation_type": data.get("implementation_type") or None,
        "measure_id": parse_uuid(data.get("measure_id"), "measure_id"),
        "ozg_ids": _keys(data.get("ozg_ids")),
        "leika_keys": _keys(data.get("leika_keys")),
        "ozg_maturity": parse_int(
            data.get("ozg_maturity"), "ozg_maturity", "Der OZG-Reifegrad ist eine Zahl von 0 bis 4."
        ),
        "epayment": data.get("epayment") == "ja",
    }
    if only_present:
        fields = {k: v for k, v in fields.items() if k in data}
    return fields


async def _row_context(
    db: AsyncSession, identity: Identity, service_id: uuid.UUID, *, editing: bool = False, **extra: Any
) -> dict[str, Any]:
    """What one row of the list needs (``editing``: also the options of the inline form)."""
    tenant_id = identity.require_tenant()
    svc = OnlineServiceService(db, tenant_id)
    row, dates = await svc.get_row(service_id)
    ctx: dict[str, Any] = {
        "r": row,
        "dates": dates[-4:],
        "status_labels": STATUS_LABELS,
        "can_edit": can_edit(identity),
        "errors": {},
        "values": {},
        "conflict": None,
        "saved": False,
        "refocus": False,
    }
    if editing:
        units = await svc._org_units()
        plan = await MeasureService(db, tenant_id).plan()
        current = row.service.implementation_type
        types = list(IMPLEMENTATION_TYPES)
        if current and current not in types:  # a type from an import keeps its value
            types.append(current)
        ctx.update(
            ba_options=unit_options(units, OrgUnitKind.BUSINESS_AREA),
            ds_options=unit_options(units, OrgUnitKind.DEPARTMENT),
            measure_options=[
                (str(r.measure.id), f"{r.measure.number} {r.measure.title or ''}".strip()) for r in plan.rows
            ],
            type_options=[(t, t) for t in types],
            maturity_options=[(str(n), str(n)) for n in range(5)],
        )
    ctx.update(extra)
    return ctx


@get(
    "/online-dienste/{service_id:uuid}/zeile",
    guards=[requires_viewer],
    name="online_services.row",
    include_in_schema=False,
)
async def row_view(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
) -> Template:
    """The display row (``Abbrechen`` of the inline form); the focus returns to its button."""
    return fragment(request, ROW, "row", await _row_context(db, identity, service_id, refocus=True))


@get(
    "/online-dienste/{service_id:uuid}/bearbeiten",
    guards=[requires_editor],
    name="online_services.edit_row",
    include_in_schema=False,
)
async def row_edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
) -> Template:
    """The row as an inline form (htmx); opened as a page, the detail page with its form."""
    if not is_htmx(request):
        return page(request, "online_services/detail.html", await _form_context(db, identity, service_id))
    return fragment(request, ROW, "edit_row", await _row_context(db, identity, service_id, editing=True))


@get(
    "/online-dienste/{service_id:uuid}",
    guards=[requires_viewer],
    name="online_services.detail",
    include_in_schema=False,
)
async def detail(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
) -> Template:
    ctx = await _form_context(db, identity, service_id, saved=request.query_params.get("gespeichert") == "1")
    return page(request, "online_services/detail.html", ctx)


@post(
    "/online-dienste/{service_id:uuid}",
    guards=[requires_editor],
    name="online_services.save",
    include_in_schema=False,
)
async def save(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    """Save the inline row (htmx: answers with the row, or the form again with 409/422) or the
    detail form (303, or the page again with 409/422)."""
    tenant_id = identity.require_tenant()
    svc = OnlineServiceService(db, tenant_id, actor_of(request, identity))
    inline = data.get("inline") == "1" and is_htmx(request)
    try:
        fields = _fields_from_form(data, only_present=inline)
        if "measure_id" in fields and not fields["measure_id"]:
            current = await svc.get(service_id)
            if current.measure_id is None:
                # keep a number the list names but the plan does not have (yet)
                del fields["measure_id"]
            else:
                fields["measure_number"] = None
        await svc.update(
            service_id, OnlineServiceUpdate(version=parse_version(data.get("version")), **fields)
        )
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        extra: dict[str, Any] = {"values": data}
        if isinstance(exc, Conflict):
            units = await OnlineServiceService(db, tenant_id)._org_units()
            extra.update(conflict=describe_conflict(exc.current, units, LABELS), conflict_message=exc.message)
        else:
            extra["errors"] = errors_by_field(exc)
        status = 409 if isinstance(exc, Conflict) else 422
        if inline:
            ctx = await _row_context(db, identity, service_id, editing=True, **extra)
            return fragment(request, ROW, "edit_row", ctx, status_code=status)
        ctx = await _form_context(db, identity, service_id, **extra)
        return page(request, "online_services/detail.html", ctx, status_code=status)
    if inline:
        return fragment(request, ROW, "row", await _row_context(db, identity, service_id, saved=True))
    return Redirect(f"/online-dienste/{service_id}?gespeichert=1", status_code=303)


@get("/online-dienste/neu", guards=[requires_editor], name="online_services.new", include_in_schema=False)
async def new_form(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return page(request, "online_services/detail.html", await _form_context(db, identity, None))


@post("/online-dienste", guards=[requires_editor], name="online_services.create", include_in_schema=False)
async def create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    svc = OnlineServiceService(db, identity.require_tenant(), actor_of(request, identity))
    try:
        o = await svc.create(OnlineServiceCreate(**_fields_from_form(data)))
    except ValidationFailed as exc:
        await db.rollback()
        ctx = await _form_context(db, identity, None, values=data, errors=errors_by_field(exc))
        return page(request, "online_services/detail.html", ctx, status_code=422)
    return Redirect(f"/online-dienste/{o.id}?gespeichert=1", status_code=303)


@post(
    "/online-dienste/{service_id:uuid}/loeschen",
    guards=[requires_editor],
    name="online_services.delete",
    include_in_schema=False,
)
async def delete_service(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Redirect:
    await OnlineServiceService(db, identity.require_tenant(), actor_of(request, identity)).delete(
        service_id, parse_version(data.get("version"))
    )
    return Redirect("/online-dienste", status_code=303)


IMPORT_CTX = {
    "kind": "online_services",
    "action": "/online-dienste/import",
    "title": "Online-Dienste importieren",
    "back": "/online-dienste",
}


@get(
    "/online-dienste/import",
    guards=[requires_editor],
    name="online_services.import_form",
    include_in_schema=False,
)
async def import_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "measures/import.html", IMPORT_CTX)


@post(
    "/online-dienste/import", guards=[requires_editor], name="online_services.import", include_in_schema=False
)
async def import_upload(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], MultipartBody],
) -> Template:
    importer = OnlineServiceImporter(db, identity.require_tenant(), actor_of(request, identity))
    return await run_import_form(request, db, data, importer, dict(IMPORT_CTX))


@get(
    "/online-dienste/export.xlsx",
    guards=[requires_viewer],
    name="online_services.export",
    include_in_schema=False,
)
async def export(db: DbSession, identity: CurrentIdentity) -> Response[bytes]:
    return file_response(await export_services(db, identity.require_tenant()), "Online-Dienste.xlsx")


ROUTES: list[Any] = [
    api_list,
    api_create,
    api_get,
    api_update,
    api_delete,
    api_status,
    api_history,
    api_import,
    api_export,
    list_page,
    row_view,
    row_edit,
    detail,
    save,
    new_form,
    create,
    delete_service,
    import_form,
    import_upload,
    export,
]
__all__ = ["ROUTES", "FieldError"]
