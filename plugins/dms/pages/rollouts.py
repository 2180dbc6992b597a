"""Pages of the rollout items (e-file type × org unit): list with htmx filter, form, detail."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.errors import Conflict, ValidationFailed
from plugins.dms.forms import parse_rollout
from plugins.dms.models import INBOX_MODES, INTEGRATIONS, SCANNING_MODES, STATUS_CODES, STATUS_LABELS
from plugins.dms.pages.common import (
    ACTION_LABELS,
    FIELD_LABELS,
    choices,
    errors_of,
    form_values,
    see_other,
    service_for,
)
from plugins.dms.schemas import RolloutInput
from plugins.dms.service import DmsService
from web.auth import requires_editor, requires_viewer
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page


# --- rollout items -----------------------------------------------------------------------
@get("/dms/einfuehrungen", name="dms:rollouts", guards=[requires_viewer])
async def rollouts(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    status: FromQuery[str | None] = None,
    einheit: FromQuery[str | None] = None,
    aktenart: FromQuery[str | None] = None,
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
        **await choices(service),
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
            **await choices(service),
        },
        status_code=status_code,
    )


@get("/dms/einfuehrungen/neu", name="dms:rollout_new", guards=[requires_editor])
async def rollout_new(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    service = service_for(request, db, identity)
    await service.ensure_initialized()
    return await _rollout_form(request, service, form_values(RolloutInput()))


@post("/dms/einfuehrungen", name="dms:rollout_create", guards=[requires_editor])
async def rollout_create(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
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
            form_values(data),
            errors=errors_of(exc),  # type: ignore[return-value]
            message="Die Einführung wurde nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
            status_code=422,
        )
    return see_other(f"/dms/einfuehrungen/{created.id}")  # type: ignore[return-value]


@get("/dms/einfuehrungen/{rollout_id:uuid}", name="dms:rollout", guards=[requires_viewer])
async def rollout_detail(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    rollout_id: FromPath[uuid.UUID],
) -> Template:
    service = service_for(request, db, identity)
    item = await service.rollout(rollout_id)
    options = await choices(service)
    measure = dict(options["measures"]).get(str(item.measure_id)) if item.measure_id else None
    lines = [label for key, label in options["budget_lines"] if uuid.UUID(key) in item.budget_line_ids]
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
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    rollout_id: FromPath[uuid.UUID],
) -> Template:
    service = service_for(request, db, identity)
    item = await service.rollout(rollout_id)
    return await _rollout_form(request, service, form_values(item), rollout_id=rollout_id)


@post("/dms/einfuehrungen/{rollout_id:uuid}", name="dms:rollout_update", guards=[requires_editor])
async def rollout_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    rollout_id: FromPath[uuid.UUID],
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
            form_values(data),
            rollout_id=rollout_id,  # type: ignore[return-value]
            errors=errors_of(exc),
            status_code=422,
            message="Die Änderung wurde nicht gespeichert. Bitte prüfen Sie die markierten Angaben.",
        )
    except Conflict as exc:
        values = form_values(data)
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
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    rollout_id: FromPath[uuid.UUID],
) -> Redirect:
    await service_for(request, db, identity).delete_rollout(rollout_id)
    return see_other("/dms/einfuehrungen")
