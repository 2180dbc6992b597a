"""DMS products and e-file types: two simple lists sharing their handlers."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, ValidationFailed
from plugins.dms.forms import parse_file_type, parse_product
from plugins.dms.pages.common import errors_of, form_values, see_other, service_for
from plugins.dms.schemas import FileTypeInput, ProductInput
from plugins.dms.service import DmsService
from tenants.context import Identity
from web.auth import requires_editor, requires_viewer
from web.deps import CurrentIdentity, DbSession
from web.rendering import page

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
                values=form_values(data),
                errors=errors_of(exc),  # type: ignore[return-value]
                message="Nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
                status_code=422,
            )
        return await _edit_page(
            request,
            kind,
            item_id,
            form_values(data),
            errors_of(exc),  # type: ignore[return-value]
            "Nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
            422,
        )
    except Conflict as exc:
        values = form_values(data)
        values["version"] = exc.current.get("version")
        return await _edit_page(request, kind, item_id, values, None, exc.message, 409)  # type: ignore[arg-type,return-value]
    return see_other(f"/dms/{kind}")  # type: ignore[return-value]


def _kind(request: Request[Any, Any, Any]) -> str:
    """ "produkte" or "aktenarten": the two simple lists share their handlers."""
    return request.url.path.split("/")[2]


@get(["/dms/produkte", "/dms/aktenarten"], name="dms:catalogue", guards=[requires_viewer])
async def catalogue(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    kind = _kind(request)
    return await _list_page(request, service_for(request, db, identity), kind)


@post(["/dms/produkte", "/dms/aktenarten"], name="dms:catalogue_create", guards=[requires_editor])
async def catalogue_create(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Response[Any]:
    return await _save(request, db, identity, _kind(request), None)


@get(
    ["/dms/produkte/{item_id:uuid}/bearbeiten", "/dms/aktenarten/{item_id:uuid}/bearbeiten"],
    name="dms:catalogue_edit",
    guards=[requires_editor],
)
async def catalogue_edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    item_id: FromPath[uuid.UUID],
) -> Template:
    kind = _kind(request)
    service = service_for(request, db, identity)
    dto: Any = (
        DmsService.product_dto(await service.product(item_id))
        if kind == "produkte"
        else DmsService.file_type_dto(await service.file_type(item_id))
    )
    return await _edit_page(request, kind, item_id, form_values(dto))


@post(
    ["/dms/produkte/{item_id:uuid}", "/dms/aktenarten/{item_id:uuid}"],
    name="dms:catalogue_update",
    guards=[requires_editor],
)
async def catalogue_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    item_id: FromPath[uuid.UUID],
) -> Response[Any]:
    return await _save(request, db, identity, _kind(request), item_id)


@post(
    ["/dms/produkte/{item_id:uuid}/loeschen", "/dms/aktenarten/{item_id:uuid}/loeschen"],
    name="dms:catalogue_delete",
    guards=[requires_editor],
)
async def catalogue_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    item_id: FromPath[uuid.UUID],
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
