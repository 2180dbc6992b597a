"""Reporting dates and rounds: ``/berichtstermine`` (HTML) and ``/api/v1/reporting-dates`` (JSON).

A round is opened for a Stichtag (31.03. / 30.09.), progress and status are entered (here
in one form for all measures and online services, or in the measure plan's rows), and the
round is closed: a closed round is a read-only snapshot.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED
from sqlalchemy.ext.asyncio import AsyncSession

from core import calendar
from core.errors import Conflict, DomainError, FieldError, ValidationFailed
from core.measures.service import MeasureService
from core.online_services.service import OnlineServiceService
from core.reporting.models import ROUND_STATE_LABELS, ReportingDate, RoundState
from core.reporting.service import ReportingService, next_stichtag
from core.reporting.status import STATUS_LABELS
from core.reports.stats import measure_figures, service_figures
from tenants.context import Identity
from web.auth import requires_editor, requires_viewer
from web.controllers.measures_common import actor_of, can_edit, parse_version
from web.deps import CurrentIdentity, DbSession
from web.rendering import page

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
TAGS = ["Berichtstermine"]


class ReportingDateRead(msgspec.Struct):
    id: uuid.UUID
    date: dt.date
    state: str
    version: int
    closed_at: dt.datetime | None


class ReportingDateCreate(msgspec.Struct, forbid_unknown_fields=True):
    date: dt.date


class CloseRound(msgspec.Struct, forbid_unknown_fields=True):
    version: int


def to_read(rd: ReportingDate) -> ReportingDateRead:
    return ReportingDateRead(
        id=rd.id, date=rd.date, state=rd.state, version=rd.version, closed_at=rd.closed_at
    )


# --- JSON API ------------------------------------------------------------------------------
@get("/api/v1/reporting-dates", guards=[requires_viewer], tags=TAGS, operation_id="listReportingDates")
async def api_list(
    db: DbSession, identity: CurrentIdentity
) -> list[ReportingDateRead]:
    return [to_read(rd) for rd in await ReportingService(db, identity.require_tenant()).list()]


@post(
    "/api/v1/reporting-dates",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="openReportingRound",
    status_code=HTTP_201_CREATED,
)
async def api_open(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[ReportingDateCreate],
) -> ReportingDateRead:
    """Open a reporting round for a Stichtag (31.03. or 30.09.)."""
    svc = ReportingService(db, identity.require_tenant(), actor_of(request, identity))
    return to_read(await svc.open_round(data.date))


@get(
    "/api/v1/reporting-dates/{reporting_date_id:uuid}",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="getReportingDate",
)
async def api_get(
    db: DbSession,
    identity: CurrentIdentity,
    reporting_date_id: FromPath[uuid.UUID],
) -> ReportingDateRead:
    return to_read(await ReportingService(db, identity.require_tenant()).get(reporting_date_id))


@post(
    "/api/v1/reporting-dates/{reporting_date_id:uuid}/close",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="closeReportingRound",
    status_code=200,
)
async def api_close(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    reporting_date_id: FromPath[uuid.UUID],
    data: JSONBody[CloseRound],
) -> ReportingDateRead:
    """Close the round: its values become a read-only snapshot."""
    svc = ReportingService(db, identity.require_tenant(), actor_of(request, identity))
    return to_read(await svc.close_round(reporting_date_id, data.version))


# --- HTML ------------------------------------------------------------------------------------
def suggestions(dates: list[ReportingDate]) -> list[dt.date]:
    taken = {rd.date for rd in dates}
    start = max(taken) if taken else calendar.today() - dt.timedelta(days=200)
    out: list[dt.date] = []
    d = start
    while len(out) < 3:
        d = next_stichtag(d)
        if d not in taken:
            out.append(d)
    return out


async def _list_context(db: AsyncSession, identity: Identity, **extra: Any) -> dict[str, Any]:
    tenant_id = identity.require_tenant()
    dates = await ReportingService(db, tenant_id).list()
    return {
        "dates": list(reversed(dates)),
        "mf": await measure_figures(db, tenant_id),
        "sf": await service_figures(db, tenant_id),
        "state_labels": ROUND_STATE_LABELS,
        "suggestions": suggestions(dates),
        "can_edit": can_edit(identity),
        "errors": {},
        **extra,
    }


@get("/berichtstermine", guards=[requires_viewer], name="reporting.list", include_in_schema=False)
async def list_page(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return page(request, "reporting/list.html", await _list_context(db, identity))


@post("/berichtstermine", guards=[requires_editor], name="reporting.open", include_in_schema=False)
async def open_round(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    svc = ReportingService(db, identity.require_tenant(), actor_of(request, identity))
    try:
        try:
            date = dt.date.fromisoformat(data.get("date", ""))
        except ValueError:
            raise ValidationFailed(errors=[FieldError("date", "Bitte einen Stichtag wählen.")]) from None
        rd = await svc.open_round(date)
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        errors = (
            {e.field: e.message for e in exc.errors}
            if isinstance(exc, ValidationFailed)
            else {"date": exc.message}
        )
        return page(
            request,
            "reporting/list.html",
            await _list_context(db, identity, errors=errors),
            status_code=422 if isinstance(exc, ValidationFailed) else 409,
        )
    return Redirect(f"/berichtstermine/{rd.id}", status_code=303)


async def _round_context(
    db: AsyncSession, identity: Identity, reporting_date_id: uuid.UUID, **extra: Any
) -> dict[str, Any]:
    tenant_id = identity.require_tenant()
    rd = await ReportingService(db, tenant_id).get(reporting_date_id)
    plan = await MeasureService(db, tenant_id).plan()
    services = await OnlineServiceService(db, tenant_id).list()
    idx = [d.id for d in plan.dates].index(rd.id)
    previous = plan.dates[idx - 1] if idx > 0 else None
    return {
        "rd": rd,
        "previous": previous,
        "plan": plan,
        "services": services,
        "status_labels": STATUS_LABELS,
        "can_edit": can_edit(identity) and not rd.is_closed,
        "state_labels": ROUND_STATE_LABELS,
        "messages": [],
        "row_errors": {},
        "values": {},
        **extra,
    }


@get(
    "/berichtstermine/{reporting_date_id:uuid}",
    guards=[requires_viewer],
    name="reporting.round",
    include_in_schema=False,
)
async def round_page(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    reporting_date_id: FromPath[uuid.UUID],
) -> Template:
    saved = request.query_params.get("gespeichert")
    ctx = await _round_context(db, identity, reporting_date_id)
    if saved is not None:
        ctx["messages"] = [f"{saved} Wert(e) gespeichert."]
    return page(request, "reporting/round.html", ctx)


@post(
    "/berichtstermine/{reporting_date_id:uuid}/werte",
    guards=[requires_editor],
    name="reporting.enter",
    include_in_schema=False,
)
async def enter_values(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    reporting_date_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    """Save every changed progress / status value of the round; rows that fail (invalid value,
    stale version) are reported and keep the entered value, the others are saved."""
    tenant_id = identity.require_tenant()
    actor = actor_of(request, identity)
    rd = await ReportingService(db, tenant_id).get(reporting_date_id)
    measures = MeasureService(db, tenant_id, actor)
    services = OnlineServiceService(db, tenant_id, actor)
    plan = await measures.plan()
    svc_list = await services.list()
    saved = 0
    row_errors: dict[str, str] = {}
    for r in plan.rows:
        key = f"p-{r.measure.id}"
        if key not in data:
            continue
        p = r.at(rd)
        current = "" if p is None else (str(p.progress) if p.progress is not None else p.code or "")
        if data[key].strip().lower() == current:
            continue
        try:
            async with db.begin_nested():
                await measures.set_progress(
                    r.measure.id, rd.id, version=parse_version(data.get(f"v-{r.measure.id}")), value=data[key]
                )
            saved += 1
        except DomainError as exc:
            msg = exc.errors[0].message if isinstance(exc, ValidationFailed) and exc.errors else exc.message
            row_errors[key] = f"{r.measure.number}: {msg}"
    for s in svc_list.rows:
        key = f"s-{s.service.id}"
        if key not in data:
            continue
        if (data[key] or None) == s.at(rd):
            continue
        try:
            async with db.begin_nested():
                await services.set_status(
                    s.service.id,
                    rd.id,
                    version=parse_version(data.get(f"v-{s.service.id}")),
                    status=data[key] or None,
                )
            saved += 1
        except DomainError as exc:
            msg = exc.errors[0].message if isinstance(exc, ValidationFailed) and exc.errors else exc.message
            row_errors[key] = f"{s.service.number}: {msg}"
    if row_errors:
        await db.commit()  # keep the rows that were fine
        ctx = await _round_context(
            db,
            identity,
            reporting_date_id,
            row_errors=row_errors,
            values=data,
            messages=[f"{saved} Wert(e) gespeichert."] if saved else [],
        )
        return page(request, "reporting/round.html", ctx, status_code=422)
    return Redirect(f"/berichtstermine/{reporting_date_id}?gespeichert={saved}", status_code=303)


@post(
    "/berichtstermine/{reporting_date_id:uuid}/abschliessen",
    guards=[requires_editor],
    name="reporting.close",
    include_in_schema=False,
)
async def close_round(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    reporting_date_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    svc = ReportingService(db, identity.require_tenant(), actor_of(request, identity))
    try:
        await svc.close_round(reporting_date_id, parse_version(data.get("version")))
    except Conflict as exc:
        await db.rollback()
        ctx = await _round_context(db, identity, reporting_date_id, messages=[exc.message])
        return page(request, "reporting/round.html", ctx, status_code=409)
    return Redirect("/berichtstermine", status_code=303)


ROUTES: list[Any] = [
    api_list,
    api_open,
    api_get,
    api_close,
    list_page,
    open_round,
    round_page,
    enter_values,
    close_round,
]
__all__ = ["ROUTES", "RoundState"]
