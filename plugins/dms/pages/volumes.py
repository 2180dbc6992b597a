"""Document volumes per unit and reporting date, and the goal of the digital share."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.errors import Conflict, ValidationFailed
from plugins.dms import charts
from plugins.dms.forms import parse_goal, parse_volume
from plugins.dms.pages.common import choices, errors_of, form_values, see_other, service_for
from plugins.dms.service import DmsService
from web.auth import requires_editor, requires_viewer
from web.deps import CurrentIdentity, DbSession
from web.rendering import page


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
            "units": (await choices(service))["units"],
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
async def volumes(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return await _volumes_page(request, service_for(request, db, identity))


@post("/dms/dokumentenmengen", name="dms:volume_create", guards=[requires_editor])
async def volume_create(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
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
            values=form_values(data),
            errors=errors_of(exc),  # type: ignore[return-value]
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
            "units": (await choices(service))["units"],
            "active": "volumes",
        },
        status_code=status_code,
    )


@get("/dms/dokumentenmengen/{volume_id:uuid}/bearbeiten", name="dms:volume_edit", guards=[requires_editor])
async def volume_edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    volume_id: FromPath[uuid.UUID],
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
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    volume_id: FromPath[uuid.UUID],
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
            form_values(data),
            errors_of(exc),  # type: ignore[return-value]
            "Die Änderung wurde nicht gespeichert.",
            422,
        )
    except Conflict as exc:
        values = form_values(data)
        values["version"] = exc.current.get("version")
        return await _volume_form(request, service, volume_id, values, None, exc.message, 409)  # type: ignore[return-value]
    return see_other("/dms/dokumentenmengen")  # type: ignore[return-value]


@post("/dms/dokumentenmengen/{volume_id:uuid}/loeschen", name="dms:volume_delete", guards=[requires_editor])
async def volume_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    volume_id: FromPath[uuid.UUID],
) -> Redirect:
    await service_for(request, db, identity).delete_volume(volume_id)
    return see_other("/dms/dokumentenmengen")


@post("/dms/ziel", name="dms:goal_update", guards=[requires_editor])
async def goal_update(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Response[Any]:
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
            goal_values=form_values(data),
            goal_errors=errors_of(exc),  # type: ignore[return-value]
            message="Das Ziel wurde nicht gespeichert.",
            status_code=422,
        )
    except Conflict as exc:
        return await _volumes_page(request, service, message=exc.message, status_code=409)  # type: ignore[return-value]
    return see_other("/dms/dokumentenmengen")  # type: ignore[return-value]
