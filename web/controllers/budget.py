"""Budget plan (``/finanzplan``): Rahmenfinanzplan / Ressourcenplan with sums, IST–SOLL, plan vs
actual; Excel import and export; the JSON API ``/api/v1/budget…``.

Reading needs the viewer role, writing the editor role; stale edits answer 409 (form with the
other person's state in the UI, ``current`` in the API).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import MediaType, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from core.budget import excel, schemas, service
from core.budget.models import ACTUAL_COLUMNS, ONE_OFF_COLUMNS, RUNNING_COLUMNS, STAFF_COLUMNS
from core.errors import Conflict, ValidationFailed
from core.excel.result import ImportResult
from core.strategy.kinds import FieldSpec, form_value
from tenants.context import Identity
from tenants.models import Role
from web.auth import requires_editor, requires_viewer
from web.controllers.auth import actor_of
from web.controllers.forms import failed_save, form_data, form_version
from web.deps import CurrentIdentity, DbSession
from web.rendering import page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
API = "/api/v1/budget"
TAGS = ["Finanzplan"]
LINK_SPECS = (
    FieldSpec("building_block_key", "Lösungsbaustein", "choice"),
    FieldSpec("measure_id", "Maßnahme", "choice"),
)


def _money_chart(totals: service.Totals) -> dict[str, Any] | None:
    if not totals.years:
        return None
    years = totals.years
    rows = [(y, totals.year(y)) for y in years]
    return {
        "id": "chart-plan-ist",
        "title": "Geplante Aufwände und Ist-Ausgaben je Jahr (€)",
        "spec": {
            "type": "bar",
            "data": {
                "labels": [str(y) for y in years],
                "datasets": [
                    {
                        "label": "Einmalaufwand (Plan)",
                        "data": [float(v["one_off"]) for _, v in rows],
                        "stack": "plan",
                    },
                    {
                        "label": "Laufende Aufwände (Plan)",
                        "data": [float(v["running"]) for _, v in rows],
                        "stack": "plan",
                    },
                    {"label": "Ist-Ausgaben", "data": [float(v["actual"]) for _, v in rows], "stack": "ist"},
                ],
            },
            "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}},
        },
        "columns": ["Jahr", "Einmalaufwand", "Laufende Aufwände", "Plan gesamt", "Ist-Ausgaben"],
        "rows": [
            [str(y), _eur(v["one_off"]), _eur(v["running"]), _eur(v["planned"]), _eur(v["actual"])]
            for y, v in rows
        ],
    }


def _staff_chart(totals: service.Totals) -> dict[str, Any] | None:
    if not totals.years:
        return None
    rows = [(y, totals.year(y)) for y in totals.years]
    return {
        "id": "chart-personal",
        "title": "Personal Digitale Transformation in VZÄ: IST und SOLL je Jahr",
        "spec": {
            "type": "bar",
            "data": {
                "labels": [str(y) for y, _ in rows],
                "datasets": [
                    {"label": "VZÄ IST", "data": [float(v["staff_ist"]) for _, v in rows]},
                    {"label": "VZÄ SOLL", "data": [float(v["staff_soll"]) for _, v in rows]},
                ],
            },
            "options": {"scales": {"y": {"beginAtZero": True}}},
        },
        "columns": ["Jahr", "VZÄ IST", "VZÄ SOLL", "Differenz IST – SOLL"],
        "rows": [
            [str(y), _num(v["staff_ist"]), _num(v["staff_soll"]), _num(v["staff_gap"])] for y, v in rows
        ],
    }


def _eur(v: Any) -> str:
    from web.templating import format_eur

    return format_eur(v)


def _num(v: Any) -> str:
    from web.templating import format_number

    return format_number(v, 2)


def _ctx(identity: Identity, **kw: Any) -> dict[str, Any]:
    return {
        "one_off": ONE_OFF_COLUMNS,
        "running": RUNNING_COLUMNS,
        "staff": STAFF_COLUMNS,
        "actual_cols": ACTUAL_COLUMNS,
        "can_write": identity.has_role(Role.EDITOR),
        "line_fields": service.LINE_FIELDS,
        "entry_fields": service.ENTRY_FIELDS,
    } | kw


# --- pages -----------------------------------------------------------------------------------
@get(media_type=MediaType.HTML, path="/finanzplan", guards=[requires_viewer], name="budget.index")
async def index(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    jahr: FromQuery[int | None] = None,
) -> Template:
    tenant_id = identity.require_tenant()
    lines = await service.list_lines(db, tenant_id)
    totals = service.compute_totals(lines)
    blocks, measures = await service.link_labels(db, tenant_id)
    rows = []
    for view in lines:
        entry = next((e for e in view.entries if e.year == jahr), None) if jahr else None
        values = (
            (
                {k: getattr(entry, k) for k in service.NUMBER_COLUMNS}
                if entry
                else dict.fromkeys(service.NUMBER_COLUMNS, service.ZERO)
            )
            if jahr
            else {k: view.total(k) for k in service.NUMBER_COLUMNS}
        )
        rows.append(
            {
                "view": view,
                "values": values,
                "derived": service.Totals.derived(values),
                "block": blocks.get(view.line.building_block_key),
                "measure": measures.get(view.line.measure_id),
            }
        )
    return page(
        request,
        "budget/index.html",
        _ctx(
            identity,
            rows=rows,
            totals=totals,
            year=jahr,
            sum=totals.year(jahr) if jahr else totals.overall,
            money_chart=_money_chart(totals),
            staff_chart=_staff_chart(totals),
        ),
    )


async def _line_form_ctx(db: AsyncSession, identity: Identity, **kw: Any) -> dict[str, Any]:
    blocks, measures = await service.link_choices(db, identity.require_tenant())
    specs = (
        FieldSpec("building_block_key", "Lösungsbaustein", "choice", choices=tuple(blocks)),
        FieldSpec("measure_id", "Maßnahme aus dem Maßnahmenplan", "choice", choices=tuple(measures)),
    )
    return _ctx(identity, link_fields=specs, **kw)


@get(media_type=MediaType.HTML, path="/finanzplan/neu", guards=[requires_editor], name="budget.line_new")
async def line_new(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return page(
        request, "budget/line_form.html", await _line_form_ctx(db, identity, line=None, values={}, errors={})
    )


@post(media_type=MediaType.HTML, path="/finanzplan", guards=[requires_editor], name="budget.line_create")
async def line_create(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Any:
    form = await form_data(request)
    try:
        line = await service.create_line(
            db, identity.require_tenant(), form, actor=actor_of(request, identity)
        )
    except ValidationFailed as exc:
        await db.rollback()
        return page(
            request,
            "budget/line_form.html",
            await _line_form_ctx(db, identity, line=None, values=form, errors=exc.as_dict()),
            status_code=422,
        )
    return Redirect(f"/finanzplan/{line.id}", status_code=303)


@get("/finanzplan/export.xlsx", guards=[requires_viewer], name="budget.export")
async def export(db: DbSession, identity: CurrentIdentity) -> Response[bytes]:
    return await _export_response(db, identity)


async def _export_response(db: AsyncSession, identity: Identity) -> Response[bytes]:
    content = await excel.export_budget(db, identity.require_tenant())
    return Response(
        content=content,
        media_type=XLSX,
        headers={"content-disposition": 'attachment; filename="finanzplan.xlsx"'},
    )


@get(
    media_type=MediaType.HTML, path="/finanzplan/import", guards=[requires_editor], name="budget.import_form"
)
async def import_form(request: Request[Any, Any, Any], identity: CurrentIdentity) -> Template:
    return page(request, "budget/import.html", _ctx(identity, result=None, headers=excel.HEADERS))


@post(media_type=MediaType.HTML, path="/finanzplan/import", guards=[requires_editor], name="budget.import")
async def import_upload(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> Template:
    upload = data.get("datei")
    dry_run = data.get("probelauf") in ("1", "on", "true")
    result = await _run_import(db, identity, request, upload, dry_run)
    return page(
        request,
        "budget/import.html",
        _ctx(identity, result=result, headers=excel.HEADERS, dry_run=dry_run),
        status_code=422 if result.errors else 200,
    )


async def _run_import(
    db: AsyncSession, identity: Identity, request: Request[Any, Any, Any], upload: Any, dry_run: bool
) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    if not isinstance(upload, UploadFile):
        result.add_error(0, "Datei", "Bitte eine Excel-Datei (.xlsx) auswählen.")
        return result
    content = await upload.read()
    try:
        result = await excel.import_budget(
            db, identity.require_tenant(), content, dry_run=dry_run, actor=actor_of(request, identity)
        )
    except ValidationFailed as exc:
        for e in exc.errors:
            result.add_error(e.row or 0, e.field, e.message)
    if result.errors or dry_run:
        await db.rollback()
    return result


async def _line_page(
    request: Request[Any, Any, Any],
    db: AsyncSession,
    identity: Identity,
    line_id: uuid.UUID,
    *,
    entry_values: dict[str, Any],
    entry_errors: dict[str, str],
    status_code: int = 200,
) -> Template:
    """A position with its years, sums and links, and the form for another year."""
    tenant_id = identity.require_tenant()
    view = await service.get_line(db, tenant_id, line_id)
    blocks, measures = await service.link_labels(db, tenant_id)
    return page(
        request,
        "budget/line.html",
        _ctx(
            identity,
            view=view,
            totals=service.compute_totals([view]),
            block=blocks.get(view.line.building_block_key),
            measure=measures.get(view.line.measure_id),
            entry_values=entry_values,
            entry_errors=entry_errors,
        ),
        status_code=status_code,
    )


@get(
    media_type=MediaType.HTML, path="/finanzplan/{line_id:uuid}", guards=[requires_viewer], name="budget.line"
)
async def line_detail(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
) -> Template:
    return await _line_page(request, db, identity, line_id, entry_values={}, entry_errors={})


@get(
    media_type=MediaType.HTML,
    path="/finanzplan/{line_id:uuid}/bearbeiten",
    guards=[requires_editor],
    name="budget.line_edit",
)
async def line_edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
) -> Template:
    view = await service.get_line(db, identity.require_tenant(), line_id)
    values = {f.name: form_value(f, getattr(view.line, f.name)) for f in service.LINE_FIELDS}
    values |= {k: str(getattr(view.line, k) or "") for k in service.LINK_FIELDS}
    return page(
        request,
        "budget/line_form.html",
        await _line_form_ctx(
            db, identity, line=view.line, values=values, errors={}, version=view.line.version
        ),
    )


@post(
    media_type=MediaType.HTML,
    path="/finanzplan/{line_id:uuid}",
    guards=[requires_editor],
    name="budget.line_update",
)
async def line_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
) -> Any:
    tenant_id = identity.require_tenant()
    form = await form_data(request)
    try:
        await service.update_line(
            db,
            tenant_id,
            line_id,
            form,
            expected_version=form_version(form),
            actor=actor_of(request, identity),
        )
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        view = await service.get_line(db, tenant_id, line_id)
        ctx, status = failed_save(exc, form, service.LINE_FIELDS, view.line)
        return page(
            request,
            "budget/line_form.html",
            await _line_form_ctx(db, identity, line=view.line, **ctx),
            status_code=status,
        )
    return Redirect(f"/finanzplan/{line_id}", status_code=303)


@post(
    media_type=MediaType.HTML,
    path="/finanzplan/{line_id:uuid}/loeschen",
    guards=[requires_editor],
    name="budget.line_delete",
)
async def line_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
) -> Redirect:
    form = await form_data(request)
    await service.delete_line(
        db,
        identity.require_tenant(),
        line_id,
        expected_version=form_version(form),
        actor=actor_of(request, identity),
    )
    return Redirect("/finanzplan", status_code=303)


@post(
    media_type=MediaType.HTML,
    path="/finanzplan/{line_id:uuid}/jahre",
    guards=[requires_editor],
    name="budget.entry_create",
)
async def entry_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
) -> Any:
    form = await form_data(request)
    try:
        await service.set_entry(
            db, identity.require_tenant(), line_id, form, actor=actor_of(request, identity)
        )
    except ValidationFailed as exc:
        await db.rollback()
        return await _line_page(
            request, db, identity, line_id, entry_values=form, entry_errors=exc.as_dict(), status_code=422
        )
    return Redirect(f"/finanzplan/{line_id}", status_code=303)


@get(
    media_type=MediaType.HTML,
    path="/finanzplan/{line_id:uuid}/jahre/{entry_id:uuid}/bearbeiten",
    guards=[requires_editor],
    name="budget.entry_edit",
)
async def entry_edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    entry_id: FromPath[uuid.UUID],
) -> Template:
    tenant_id = identity.require_tenant()
    view = await service.get_line(db, tenant_id, line_id)
    entry = await service.get_entry(db, tenant_id, line_id, entry_id)
    values = {f.name: form_value(f, getattr(entry, f.name)) for f in service.ENTRY_FIELDS}
    return page(
        request,
        "budget/entry_form.html",
        _ctx(identity, line=view.line, entry=entry, values=values, errors={}, version=entry.version),
    )


@post(
    media_type=MediaType.HTML,
    path="/finanzplan/{line_id:uuid}/jahre/{entry_id:uuid}",
    guards=[requires_editor],
    name="budget.entry_update",
)
async def entry_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    entry_id: FromPath[uuid.UUID],
) -> Any:
    tenant_id = identity.require_tenant()
    form = await form_data(request)
    try:
        await service.update_entry(
            db,
            tenant_id,
            line_id,
            entry_id,
            form,
            expected_version=form_version(form),
            actor=actor_of(request, identity),
        )
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        view = await service.get_line(db, tenant_id, line_id)
        entry = await service.get_entry(db, tenant_id, line_id, entry_id)
        ctx, status = failed_save(exc, form, service.ENTRY_FIELDS, entry)
        return page(
            request,
            "budget/entry_form.html",
            _ctx(identity, line=view.line, entry=entry, **ctx),
            status_code=status,
        )
    return Redirect(f"/finanzplan/{line_id}", status_code=303)


@post(
    media_type=MediaType.HTML,
    path="/finanzplan/{line_id:uuid}/jahre/{entry_id:uuid}/loeschen",
    guards=[requires_editor],
    name="budget.entry_delete",
)
async def entry_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    entry_id: FromPath[uuid.UUID],
) -> Redirect:
    form = await form_data(request)
    await service.delete_entry(
        db,
        identity.require_tenant(),
        line_id,
        entry_id,
        expected_version=form_version(form),
        actor=actor_of(request, identity),
    )
    return Redirect(f"/finanzplan/{line_id}", status_code=303)


# --- JSON API --------------------------------------------------------------------------------
@get(API, guards=[requires_viewer], tags=TAGS, operation_id="getBudgetPlan")
async def api_plan(
    db: DbSession, identity: CurrentIdentity
) -> schemas.BudgetPlan:
    lines = await service.list_lines(db, identity.require_tenant())
    return schemas.BudgetPlan(
        lines=[schemas.line_read(v) for v in lines], totals=schemas.totals_out(service.compute_totals(lines))
    )


@get(f"{API}/totals", guards=[requires_viewer], tags=TAGS, operation_id="getBudgetTotals")
async def api_totals(
    db: DbSession, identity: CurrentIdentity
) -> schemas.BudgetTotals:
    return schemas.totals_out(await service.totals(db, identity.require_tenant()))


@post(
    f"{API}/lines",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="createBudgetLine",
    status_code=HTTP_201_CREATED,
)
async def api_line_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[schemas.BudgetLineCreate],
) -> schemas.BudgetLineRead:
    line = await service.create_line(
        db, identity.require_tenant(), schemas.write_data(data), actor=actor_of(request, identity)
    )
    return schemas.line_read(service.LineView(line))


@get(f"{API}/lines/{{line_id:uuid}}", guards=[requires_viewer], tags=TAGS, operation_id="getBudgetLine")
async def api_line(
    db: DbSession, identity: CurrentIdentity, line_id: FromPath[uuid.UUID]
) -> schemas.BudgetLineRead:
    return schemas.line_read(await service.get_line(db, identity.require_tenant(), line_id))


@patch(f"{API}/lines/{{line_id:uuid}}", guards=[requires_editor], tags=TAGS, operation_id="updateBudgetLine")
async def api_line_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    data: JSONBody[schemas.BudgetLineUpdate],
) -> schemas.BudgetLineRead:
    tenant_id = identity.require_tenant()
    await service.update_line(
        db,
        tenant_id,
        line_id,
        schemas.write_data(data),
        expected_version=data.version,
        actor=actor_of(request, identity),
    )
    return schemas.line_read(await service.get_line(db, tenant_id, line_id))


@delete(
    f"{API}/lines/{{line_id:uuid}}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="deleteBudgetLine",
    status_code=HTTP_204_NO_CONTENT,
)
async def api_line_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    version: FromQuery[int],
) -> None:
    await service.delete_line(
        db, identity.require_tenant(), line_id, expected_version=version, actor=actor_of(request, identity)
    )


@post(
    f"{API}/lines/{{line_id:uuid}}/entries",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="createBudgetEntry",
    status_code=HTTP_201_CREATED,
)
async def api_entry_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    data: JSONBody[schemas.BudgetEntryCreate],
) -> schemas.BudgetEntryRead:  # type: ignore[valid-type]
    entry = await service.set_entry(
        db, identity.require_tenant(), line_id, schemas.write_data(data), actor=actor_of(request, identity)
    )
    return schemas.entry_read(entry)


@patch(
    f"{API}/lines/{{line_id:uuid}}/entries/{{entry_id:uuid}}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="updateBudgetEntry",
)
async def api_entry_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    entry_id: FromPath[uuid.UUID],
    data: JSONBody[schemas.BudgetEntryUpdate],
) -> schemas.BudgetEntryRead:  # type: ignore[valid-type]
    entry = await service.update_entry(
        db,
        identity.require_tenant(),
        line_id,
        entry_id,
        schemas.write_data(data),
        expected_version=data.version,
        actor=actor_of(request, identity),
    )
    return schemas.entry_read(entry)


@delete(
    f"{API}/lines/{{line_id:uuid}}/entries/{{entry_id:uuid}}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="deleteBudgetEntry",
    status_code=HTTP_204_NO_CONTENT,
)
async def api_entry_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    line_id: FromPath[uuid.UUID],
    entry_id: FromPath[uuid.UUID],
    version: FromQuery[int],
) -> None:
    await service.delete_entry(
        db,
        identity.require_tenant(),
        line_id,
        entry_id,
        expected_version=version,
        actor=actor_of(request, identity),
    )


@get(f"{API}/export.xlsx", guards=[requires_viewer], tags=TAGS, operation_id="exportBudget", media_type=XLSX)
async def api_export(
    db: DbSession, identity: CurrentIdentity
) -> Response[bytes]:
    return await _export_response(db, identity)


@post(f"{API}/import", guards=[requires_editor], tags=TAGS, operation_id="importBudget", status_code=200)
async def api_import(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    dry_run: FromQuery[bool] = False,
) -> Response[schemas.ImportResultOut]:
    upload = data.get("file") or data.get("datei")
    result = await _run_import(db, identity, request, upload, dry_run)
    out = schemas.ImportResultOut(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        errors=[schemas.ImportRowError(e.row, e.column, e.message) for e in result.errors],
        dry_run=dry_run,
    )
    return Response(content=out, status_code=422 if result.errors else 200)


ROUTES: list[Any] = [
    index,
    line_new,
    line_create,
    export,
    import_form,
    import_upload,
    line_detail,
    line_edit,
    line_update,
    line_delete,
    entry_create,
    entry_edit,
    entry_update,
    entry_delete,
    api_plan,
    api_totals,
    api_line_create,
    api_line,
    api_line_update,
    api_line_delete,
    api_entry_create,
    api_entry_update,
    api_entry_delete,
    api_export,
    api_import,
]
