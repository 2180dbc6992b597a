"""HTML pages of the DMS plugin under ``/dms`` (German UI, htmx, KERN).

Handlers stay thin: parse the form, call one service method, render or redirect. A failed
form comes back with the values and one message per field (422); a stale edit comes back
with the current state (409); success redirects (303).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import Actor
from core.errors import Conflict, FieldError, ValidationFailed
from plugins.dms import charts
from plugins.dms.forms import parse_file_type, parse_goal, parse_product, parse_rollout, parse_volume
from plugins.dms.models import (
    INBOX_MODES,
    INTEGRATIONS,
    SCANNING_MODES,
    STATUS_CODES,
    STATUS_LABELS,
    STATUSES,
)
from plugins.dms.schemas import FileTypeInput, ProductInput, RolloutInput
from plugins.dms.service import DmsService, unit_label
from tenants.context import Identity
from web.auth import requires_editor, requires_kaaw_admin, requires_viewer
from web.rendering import fragment, is_htmx, page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: German names of the fields in the change history.
FIELD_LABELS = {
    "file_type_id": "Aktenart",
    "org_unit_id": "Organisationseinheit",
    "product_id": "DMS-Produkt",
    "designation": "Bezeichnung im Bericht",
    "status": "Status",
    "planned_on": "geplant ab",
    "introduction_on": "Einführung begonnen",
    "live_on": "umgesetzt am",
    "integration": "Anbindung",
    "procedure_name": "Fachverfahren",
    "procedure_vendor": "Hersteller",
    "procedure_interface": "Schnittstelle",
    "inbox": "Posteingang",
    "workflow_approval": "Freigabe",
    "workflow_acknowledgement": "Kenntnisnahme",
    "workflow_cosigning": "Mitzeichnung",
    "scanning_resiscan": "TR-RESISCAN",
    "scanning_mode": "Scannen",
    "archive_audit_proof": "revisionssicher",
    "archive_long_term": "Langzeitarchivierung",
    "users_trained": "geschulte Personen",
    "measure_id": "Maßnahme",
    "budget_line_ids": "Finanzplan",
    "notes": "Bemerkung",
}
ACTION_LABELS = {
    "dms.rollout.create": "angelegt",
    "dms.rollout.update": "geändert",
    "dms.rollout.delete": "gelöscht",
}


def actor_of(request: Request[Any, Any, Any], identity: Identity) -> Actor:
    return Actor(
        user_id=identity.user_id,
        label=identity.email or identity.display_name,
        ip=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


def service_for(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> DmsService:
    return DmsService(db, identity.require_tenant(), actor_of(request, identity))


def see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def _errors(exc: ValidationFailed | list[FieldError]) -> dict[str, str]:
    items = exc.errors if isinstance(exc, ValidationFailed) else exc
    out: dict[str, str] = {}
    for e in items:
        out.setdefault(e.field, e.message)
    return out


async def _choices(service: DmsService) -> dict[str, Any]:
    return {
        "file_types": [(str(t.id), t.name) for t in await service.file_types()],
        "units": [
            (str(u.id), unit_label(u) if not u.code else f"{u.code} {u.name or ''}".strip())
            for u in await service.org_units()
        ],
        "products": [
            (str(p.id), p.name + (f" {p.product_version}" if p.product_version else ""))
            for p in await service.products()
        ],
        "measures": [(str(m.id), f"{m.number} {m.title}") for m in await service.measures()],
        "budget_lines": [(str(b.id), f"{b.number} {b.title}") for b in await service.budget_lines()],
        "statuses": [(s, STATUS_LABELS[s]) for s in STATUSES],
        "integrations": list(INTEGRATIONS.items()),
        "inbox_modes": list(INBOX_MODES.items()),
        "scanning_modes": list(SCANNING_MODES.items()),
    }


def _form_values(data: Any) -> dict[str, Any]:
    import msgspec

    values = msgspec.to_builtins(data)
    return {k: ("" if v is None else v) for k, v in values.items()}


# --- overview ----------------------------------------------------------------------------
@get("/dms", name="dms:index", guards=[requires_viewer])
async def index(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> Template:
    service = service_for(request, db, identity)
    await service.ensure_initialized()
    indicator = await service.indicator()
    rollouts = await service.rollout_rows()
    progress = await service.progress_by_unit()
    return page(
        request,
        "dms/index.html",
        {
            "indicator": indicator,
            "counts": await service.status_counts(),
            "labels": STATUS_LABELS,
            "codes": STATUS_CODES,
            "trend": charts.trend_chart(indicator),
            "progress": progress,
            "progress_chart": charts.progress_chart(progress),
            "timeline": charts.timeline_chart(rollouts),
            "rollout_count": len(rollouts),
            "active": "index",
        },
    )


# --- rollout items -----------------------------------------------------------------------
@get("/dms/einfuehrungen", name="dms:rollouts", guards=[requires_viewer])
async def rollouts(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    identity: Identity,
    status: str | None = None,
    einheit: str | None = None,
    aktenart: str | None = None,
) -> Template:
    service = service_for(request, db, identity)
    await service.ensure_initialized()

    def _uuid(v: str | None) -> uuid.UUID | None:
        try:
            return uuid.UUID(v) if v else None
        except ValueError:
            return None

    filters = {
        "status": status if status in STATUS_LABELS else None,
        "einheit": _uuid(einheit),
        "aktenart": _uuid(aktenart),
    }
    rows = await service.rollout_rows(
        status=filters["status"], org_unit_id=filters["einheit"], file_type_id=filters["aktenart"]
    )
    ctx = {
        "rows": rows,
        "filters": {k: (str(v) if v else "") for k, v in filters.items()},
        "codes": STATUS_CODES,
        "active": "rollouts",
        **await _choices(service),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "dms-rollout-table":
        return fragment(request, "dms/rollouts.html", "rollout_table", ctx)
    return page(request, "dms/rollouts.html", ctx)


async def _rollout_form(
    request: Request[Any, Any, Any],
    service: DmsService,
    values: dict[str, Any],
    *,
    rollout_id: uuid.UUID | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    current: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "dms/rollout_form.html",
        {
            "values": values,
            "errors": errors or {},
            "rollout_id": rollout_id,
            "message": message,
            "current": current,
            "active": "rollouts",
            **await _choices(service),
        },
        status_code=status_code,
    )


@get("/dms/einfuehrungen/neu", name="dms:rollout_new", guards=[requires_editor])
async def rollout_new(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> Template:
    service = service_for(request, db, identity)
    await service.ensure_initialized()
    return await _rollout_form(request, service, _form_values(RolloutInput()))


@post("/dms/einfuehrungen", name="dms:rollout_create", guards=[requires_editor])
async def rollout_create(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity
) -> Response[Any]:
    service = service_for(request, db, identity)
    data, parse_errors = parse_rollout(await request.form())
    try:
        if parse_errors:
            raise ValidationFailed(parse_errors)
        created = await service.create_rollout(data)
    except ValidationFailed as exc:
        return await _rollout_form(
            request,
            service,
            _form_values(data),
            errors=_errors(exc),  # type: ignore[return-value]
            message="Die Einführung wurde nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
            status_code=422,
        )
    return see_other(f"/dms/einfuehrungen/{created.id}")  # type: ignore[return-value]


@get("/dms/einfuehrungen/{rollout_id:uuid}", name="dms:rollout", guards=[requires_viewer])
async def rollout_detail(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, rollout_id: uuid.UUID
) -> Template:
    service = service_for(request, db, identity)
    item = await service.rollout(rollout_id)
    choices = await _choices(service)
    measure = dict(choices["measures"]).get(str(item.measure_id)) if item.measure_id else None
    lines = [label for key, label in choices["budget_lines"] if uuid.UUID(key) in item.budget_line_ids]
    costs = await service.budget_costs(item.budget_line_ids)
    history = await service.history("dms_rollout", rollout_id)
    return page(
        request,
        "dms/rollout_detail.html",
        {
            "r": item,
            "measure": measure,
            "budget_lines": lines,
            "costs": costs,
            "history": history,
            "field_labels": FIELD_LABELS,
            "action_labels": ACTION_LABELS,
            "status_labels": STATUS_LABELS,
            "codes": STATUS_CODES,
            "integrations": INTEGRATIONS,
            "inbox_modes": INBOX_MODES,
            "scanning_modes": SCANNING_MODES,
            "active": "rollouts",
        },
    )


@get("/dms/einfuehrungen/{rollout_id:uuid}/bearbeiten", name="dms:rollout_edit", guards=[requires_editor])
async def rollout_edit(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, rollout_id: uuid.UUID
) -> Template:
    service = service_for(request, db, identity)
    item = await service.rollout(rollout_id)
    return await _rollout_form(request, service, _form_values(item), rollout_id=rollout_id)


@post("/dms/einfuehrungen/{rollout_id:uuid}", name="dms:rollout_update", guards=[requires_editor])
async def rollout_update(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, rollout_id: uuid.UUID
) -> Response[Any]:
    service = service_for(request, db, identity)
    await service.rollout(rollout_id)  # 404 first for another tenant's id
    data, parse_errors = parse_rollout(await request.form())
    try:
        if parse_errors:
            raise ValidationFailed(parse_errors)
        await service.update_rollout(rollout_id, data)
    except ValidationFailed as exc:
        return await _rollout_form(
            request,
            service,
            _form_values(data),
            rollout_id=rollout_id,  # type: ignore[return-value]
            errors=_errors(exc),
            status_code=422,
            message="Die Änderung wurde nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
        )
    except Conflict as exc:
        values = _form_values(data)
        values["version"] = exc.current.get("version", values.get("version"))
        return await _rollout_form(
            request,
            service,
            values,
            rollout_id=rollout_id,  # type: ignore[return-value]
            message=exc.message,
            current=exc.current,
            status_code=409,
        )
    return see_other(f"/dms/einfuehrungen/{rollout_id}")  # type: ignore[return-value]


@post("/dms/einfuehrungen/{rollout_id:uuid}/loeschen", name="dms:rollout_delete", guards=[requires_editor])
async def rollout_delete(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, rollout_id: uuid.UUID
) -> Redirect:
    await service_for(request, db, identity).delete_rollout(rollout_id)
    return see_other("/dms/einfuehrungen")


# --- document volumes and goal -----------------------------------------------------------
async def _volumes_page(
    request: Request[Any, Any, Any],
    service: DmsService,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    goal_values: dict[str, Any] | None = None,
    goal_errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    indicator = await service.indicator()
    goal = indicator.goal
    stichtage = await service.reporting_dates()
    return page(
        request,
        "dms/volumes.html",
        {
            "volumes": await service.volumes(),
            "indicator": indicator,
            "trend": charts.trend_chart(indicator),
            "units": (await _choices(service))["units"],
            "values": values
            or {"reporting_date": "", "org_unit_id": "", "total_count": "", "digital_count": ""},
            "errors": errors or {},
            "message": message,
            "goal_values": goal_values
            or {
                "goal_share_percent": str(goal.goal_share_percent).replace(".", ","),
                "goal_year": goal.goal_year,
                "version": goal.version,
            },
            "stichtage": stichtage,
            "goal_errors": goal_errors or {},
            "active": "volumes",
        },
        status_code=status_code,
    )


@get("/dms/dokumentenmengen", name="dms:volumes", guards=[requires_viewer])
async def volumes(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> Template:
    return await _volumes_page(request, service_for(request, db, identity))


@post("/dms/dokumentenmengen", name="dms:volume_create", guards=[requires_editor])
async def volume_create(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity
) -> Response[Any]:
    service = service_for(request, db, identity)
    data, parse_errors = parse_volume(await request.form())
    try:
        if parse_errors:
            raise ValidationFailed(parse_errors)
        await service.create_volume(data)
    except ValidationFailed as exc:
        return await _volumes_page(
            request,
            service,
            values=_form_values(data),
            errors=_errors(exc),  # type: ignore[return-value]
            message="Die Dokumentenmengen wurden nicht gespeichert.",
            status_code=422,
        )
    return see_other("/dms/dokumentenmengen")  # type: ignore[return-value]


async def _volume_form(
    request: Request[Any, Any, Any],
    service: DmsService,
    volume_id: uuid.UUID,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    return page(
        request,
        "dms/volume_form.html",
        {
            "volume_id": volume_id,
            "values": values,
            "errors": errors or {},
            "message": message,
            "units": (await _choices(service))["units"],
            "active": "volumes",
        },
        status_code=status_code,
    )


@get("/dms/dokumentenmengen/{volume_id:uuid}/bearbeiten", name="dms:volume_edit", guards=[requires_editor])
async def volume_edit(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, volume_id: uuid.UUID
) -> Template:
    service = service_for(request, db, identity)
    v = await service.volume(volume_id)
    values = {
        "org_unit_id": str(v.org_unit_id),
        "reporting_date": v.reporting_date.isoformat(),
        "total_count": v.total_count,
        "digital_count": v.digital_count,
        "version": v.version,
    }
    return await _volume_form(request, service, volume_id, values)


@post("/dms/dokumentenmengen/{volume_id:uuid}", name="dms:volume_update", guards=[requires_editor])
async def volume_update(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, volume_id: uuid.UUID
) -> Response[Any]:
    service = service_for(request, db, identity)
    await service.volume(volume_id)
    data, parse_errors = parse_volume(await request.form())
    try:
        if parse_errors:
            raise ValidationFailed(parse_errors)
        await service.update_volume(volume_id, data)
    except ValidationFailed as exc:
        return await _volume_form(
            request,
            service,
            volume_id,
            _form_values(data),
            _errors(exc),  # type: ignore[return-value]
            "Die Änderung wurde nicht gespeichert.",
            422,
        )
    except Conflict as exc:
        values = _form_values(data)
        values["version"] = exc.current.get("version")
        return await _volume_form(request, service, volume_id, values, None, exc.message, 409)  # type: ignore[return-value]
    return see_other("/dms/dokumentenmengen")  # type: ignore[return-value]


@post("/dms/dokumentenmengen/{volume_id:uuid}/loeschen", name="dms:volume_delete", guards=[requires_editor])
async def volume_delete(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, volume_id: uuid.UUID
) -> Redirect:
    await service_for(request, db, identity).delete_volume(volume_id)
    return see_other("/dms/dokumentenmengen")


@post("/dms/ziel", name="dms:goal_update", guards=[requires_editor])
async def goal_update(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> Response[Any]:
    service = service_for(request, db, identity)
    data, parse_errors = parse_goal(await request.form())
    try:
        if parse_errors:
            raise ValidationFailed(parse_errors)
        await service.update_goal(data)
    except ValidationFailed as exc:
        return await _volumes_page(
            request,
            service,
            goal_values=_form_values(data),
            goal_errors=_errors(exc),  # type: ignore[return-value]
            message="Das Ziel wurde nicht gespeichert.",
            status_code=422,
        )
    except Conflict as exc:
        return await _volumes_page(request, service, message=exc.message, status_code=409)  # type: ignore[return-value]
    return see_other("/dms/dokumentenmengen")  # type: ignore[return-value]


# --- products and file types (simple lists with a form) ------------------------------------
PRODUCT_FIELDS = [
    ("name", "Produkt (z. B. nscale, d.velop, enaio)", True),
    ("product_version", "Version", False),
    ("vendor", "Hersteller", False),
    ("operator", "Betrieb (z. B. kommunales Rechenzentrum)", False),
    ("notes", "Bemerkung", False),
]
FILE_TYPE_FIELDS = [
    ("name", "Bezeichnung", True),
    ("description", "Beschreibung", False),
    ("sort_order", "Reihenfolge", False),
]


async def _list_page(
    request: Request[Any, Any, Any],
    service: DmsService,
    kind: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    if kind == "produkte":
        items = [DmsService.product_dto(p) for p in await service.products()]
        ctx = {
            "title": "DMS-Produkte",
            "fields": PRODUCT_FIELDS,
            "columns": ["name", "product_version", "vendor", "operator"],
        }
    else:
        await service.ensure_initialized()
        items = [DmsService.file_type_dto(t) for t in await service.file_types()]
        ctx = {
            "title": "Aktenarten",
            "fields": FILE_TYPE_FIELDS,
            "columns": ["name", "description", "sort_order"],
        }
    return page(
        request,
        "dms/catalogue.html",
        {
            **ctx,
            "kind": kind,
            "entries": items,
            "values": values or {},
            "errors": errors or {},
            "message": message,
            "active": kind,
        },
        status_code=status_code,
    )


async def _edit_page(
    request: Request[Any, Any, Any],
    kind: str,
    item_id: uuid.UUID,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Template:
    fields = PRODUCT_FIELDS if kind == "produkte" else FILE_TYPE_FIELDS
    title = "DMS-Produkt bearbeiten" if kind == "produkte" else "Aktenart bearbeiten"
    return page(
        request,
        "dms/catalogue_edit.html",
        {
            "kind": kind,
            "item_id": item_id,
            "fields": fields,
            "title": title,
            "values": values,
            "errors": errors or {},
            "message": message,
            "active": kind,
        },
        status_code=status_code,
    )


async def _save(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    identity: Identity,
    kind: str,
    item_id: uuid.UUID | None,
) -> Response[Any]:
    service = service_for(request, db, identity)
    form = await request.form()
    data: ProductInput | FileTypeInput
    if kind == "produkte":
        data, parse_errors = parse_product(form)
    else:
        data, parse_errors = parse_file_type(form)
    try:
        if item_id is not None:  # 404 first for another tenant's id
            await (service.product(item_id) if kind == "produkte" else service.file_type(item_id))
        if parse_errors:
            raise ValidationFailed(parse_errors)
        if isinstance(data, ProductInput):
            await service.save_product(data, item_id)
        else:
            await service.save_file_type(data, item_id)
    except ValidationFailed as exc:
        if item_id is None:
            return await _list_page(
                request,
                service,
                kind,
                values=_form_values(data),
                errors=_errors(exc),  # type: ignore[return-value]
                message="Nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
                status_code=422,
            )
        return await _edit_page(
            request,
            kind,
            item_id,
            _form_values(data),
            _errors(exc),  # type: ignore[return-value]
            "Nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
            422,
        )
    except Conflict as exc:
        values = _form_values(data)
        values["version"] = exc.current.get("version")
        return await _edit_page(request, kind, item_id, values, None, exc.message, 409)  # type: ignore[arg-type,return-value]
    return see_other(f"/dms/{kind}")  # type: ignore[return-value]


def _kind(request: Request[Any, Any, Any]) -> str:
    """ "produkte" or "aktenarten": the two simple lists share their handlers."""
    return request.url.path.split("/")[2]


@get(["/dms/produkte", "/dms/aktenarten"], name="dms:catalogue", guards=[requires_viewer])
async def catalogue(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> Template:
    kind = _kind(request)
    return await _list_page(request, service_for(request, db, identity), kind)


@post(["/dms/produkte", "/dms/aktenarten"], name="dms:catalogue_create", guards=[requires_editor])
async def catalogue_create(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity
) -> Response[Any]:
    return await _save(request, db, identity, _kind(request), None)


@get(
    ["/dms/produkte/{item_id:uuid}/bearbeiten", "/dms/aktenarten/{item_id:uuid}/bearbeiten"],
    name="dms:catalogue_edit",
    guards=[requires_editor],
)
async def catalogue_edit(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, item_id: uuid.UUID
) -> Template:
    kind = _kind(request)
    service = service_for(request, db, identity)
    dto: Any = (
        DmsService.product_dto(await service.product(item_id))
        if kind == "produkte"
        else DmsService.file_type_dto(await service.file_type(item_id))
    )
    return await _edit_page(request, kind, item_id, _form_values(dto))


@post(
    ["/dms/produkte/{item_id:uuid}", "/dms/aktenarten/{item_id:uuid}"],
    name="dms:catalogue_update",
    guards=[requires_editor],
)
async def catalogue_update(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, item_id: uuid.UUID
) -> Response[Any]:
    return await _save(request, db, identity, _kind(request), item_id)


@post(
    ["/dms/produkte/{item_id:uuid}/loeschen", "/dms/aktenarten/{item_id:uuid}/loeschen"],
    name="dms:catalogue_delete",
    guards=[requires_editor],
)
async def catalogue_delete(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, item_id: uuid.UUID
) -> Response[Any]:
    kind = _kind(request)
    service = service_for(request, db, identity)
    try:
        if kind == "produkte":
            await service.delete_product(item_id)
        else:
            await service.delete_file_type(item_id)
    except ValidationFailed as exc:
        return await _list_page(request, service, kind, message=exc.errors[0].message, status_code=422)  # type: ignore[return-value]
    return see_other(f"/dms/{kind}")  # type: ignore[return-value]


# --- Excel import / export -----------------------------------------------------------------
@get("/dms/export.xlsx", name="dms:export", guards=[requires_viewer])
async def export_xlsx(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity
) -> Response[bytes]:
    from plugins.dms.excel import export_workbook

    content = await export_workbook(service_for(request, db, identity))
    name = f"dms-einfuehrung-{identity.tenant_slug or 'mandant'}-{dt.date.today():%Y-%m-%d}.xlsx"
    return Response(
        content=content, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@get("/dms/import", name="dms:import_form", guards=[requires_editor])
async def import_form(request: Request[Any, Any, Any], identity: Identity) -> Template:
    return page(request, "dms/import.html", {"result": None, "active": "import"})


@post("/dms/import", name="dms:import", guards=[requires_editor])
async def import_upload(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> Template:
    from plugins.dms.excel import import_workbook

    form = await request.form()
    upload = form.get("datei")
    dry_run = str(form.get("probelauf") or "").lower() in ("1", "on", "true")
    if upload is None or not hasattr(upload, "read"):
        return page(
            request,
            "dms/import.html",
            {"result": None, "active": "import", "error": "Bitte wählen Sie eine Excel-Datei (.xlsx) aus."},
            status_code=422,
        )
    content = await upload.read()
    service = service_for(request, db, identity)
    try:
        result = await import_workbook(service, content, dry_run=dry_run)
    except ValidationFailed as exc:
        await db.rollback()
        return page(
            request,
            "dms/import.html",
            {"result": None, "errors": exc.errors, "active": "import", "error": exc.message},
            status_code=422,
        )
    return page(request, "dms/import.html", {"result": result, "active": "import"})


# --- KAAW network (aggregates across tenants) ------------------------------------------------
@get("/dms/netzwerk", name="dms:network", guards=[requires_kaaw_admin], opt={"platform_route": True})
async def network(request: Request[Any, Any, Any], identity: Identity) -> Template:
    from plugins.dms.network import network_overview

    overview = await network_overview(request.app.state.sessionmaker)
    return page(request, "dms/network.html", {"overview": overview, "active": "network"})


ROUTES: list[Any] = [
    index,
    rollouts,
    rollout_new,
    rollout_create,
    rollout_detail,
    rollout_edit,
    rollout_update,
    rollout_delete,
    volumes,
    volume_create,
    volume_edit,
    volume_update,
    volume_delete,
    goal_update,
    export_xlsx,
    import_form,
    import_upload,
    network,
    catalogue,
    catalogue_create,
    catalogue_edit,
    catalogue_update,
    catalogue_delete,
]
