"""JSON API of the measure plan: ``/api/v1/measures…`` (the org units' API is in ``orgunits``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT, HTTP_422_UNPROCESSABLE_ENTITY
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import FieldError, ValidationFailed
from core.measures.excel import MeasureImporter, export_plan
from core.measures.schemas import (
    MeasureCreate,
    MeasureRead,
    MeasureUpdate,
    ProgressRead,
    ProgressWrite,
)
from core.measures.service import MeasureFilter, MeasureService, to_read
from core.reporting.history import history
from web.auth import requires_editor, requires_viewer
from web.controllers.measures_common import actor_of, file_response
from web.deps import CurrentIdentity, DbSession

TAGS = ["Maßnahmenplan"]


@dataclass
class ImportUpload:
    """Multipart upload of a spreadsheet: the file in the field ``data``."""

    data: UploadFile


class ImportResultRead(msgspec.Struct):
    created: int
    updated: int
    unchanged: int
    errors: list[dict[str, Any]]
    dry_run: bool
    changes: list[dict[str, Any]]


class HistoryEntry(msgspec.Struct):
    occurred_at: str
    actor: str | None
    action: str
    changes: dict[str, Any]
    reason: str | None


def import_response(result: Any) -> Response[Any]:
    body = result.as_dict(with_changes=True)
    return Response(content=body, status_code=HTTP_422_UNPROCESSABLE_ENTITY if result.errors else 200)


async def api_import_response(
    db: AsyncSession, upload: ImportUpload, importer: Any, *, dry_run: bool
) -> Response[Any]:
    """Run ``importer`` (``run(content, dry_run=…)``) on an uploaded spreadsheet: the counts, or
    422 with row/column errors and nothing written."""
    if not hasattr(upload.data, "read"):
        raise ValidationFailed(errors=[FieldError("data", "Bitte eine Excel-Datei (.xlsx) hochladen.")])
    result = await importer.run(await upload.data.read(), dry_run=dry_run)
    if result.errors:
        await db.rollback()
    return import_response(result)


def history_entries(events: list[Any]) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            occurred_at=e.occurred_at.isoformat(),
            actor=e.actor_label,
            action=e.action,
            changes=e.changes,
            reason=e.reason,
        )
        for e in events
    ]


@get("/api/v1/measures", guards=[requires_viewer], tags=TAGS, operation_id="listMeasures")
async def list_measures(
    db: DbSession,
    identity: CurrentIdentity,
    q: FromQuery[str | None] = None,
    business_area_id: FromQuery[uuid.UUID | None] = None,
    department_id: FromQuery[uuid.UUID | None] = None,
    status: FromQuery[str | None] = None,
    reported_year: FromQuery[int | None] = None,
    reporting_date_id: FromQuery[uuid.UUID | None] = None,
    sort: FromQuery[str] = "number",
    descending: FromQuery[bool] = False,
) -> list[MeasureRead]:
    """The measure plan; ``status`` (P/E/U/none) refers to ``reporting_date_id`` (default: the latest)."""
    if reported_year is not None and not 1900 <= reported_year <= 2100:
        raise ValidationFailed(
            errors=[FieldError("reported_year", "Ein Jahr zwischen 1900 und 2100 angeben.")]
        )
    q = q.replace("\x00", "") if q else q
    svc = MeasureService(db, identity.require_tenant())
    plan = await svc.plan(
        MeasureFilter(
            q=q,
            business_area_id=business_area_id,
            department_id=department_id,
            status=status,
            reported_year=reported_year,
            reporting_date_id=reporting_date_id,
            sort=sort,
            descending=descending,
        )
    )
    return [to_read(r, plan.dates) for r in plan.rows]


@post(
    "/api/v1/measures",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="createMeasure",
    status_code=HTTP_201_CREATED,
)
async def create_measure(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[MeasureCreate],
) -> MeasureRead:
    svc = MeasureService(db, identity.require_tenant(), actor_of(request, identity))
    m = await svc.create(data)
    return await svc.read(m.id)


@get("/api/v1/measures/{measure_id:uuid}", guards=[requires_viewer], tags=TAGS, operation_id="getMeasure")
async def get_measure(
    db: DbSession, identity: CurrentIdentity, measure_id: FromPath[uuid.UUID]
) -> MeasureRead:
    return await MeasureService(db, identity.require_tenant()).read(measure_id)


@patch(
    "/api/v1/measures/{measure_id:uuid}", guards=[requires_editor], tags=TAGS, operation_id="updateMeasure"
)
async def update_measure(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    measure_id: FromPath[uuid.UUID],
    data: JSONBody[MeasureUpdate],
) -> MeasureRead:
    """Partial update; a stale ``version`` answers 409 with the current state and the other change."""
    svc = MeasureService(db, identity.require_tenant(), actor_of(request, identity))
    await svc.update(measure_id, data)
    return await svc.read(measure_id)


@delete(
    "/api/v1/measures/{measure_id:uuid}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="deleteMeasure",
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_measure(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    measure_id: FromPath[uuid.UUID],
    version: FromQuery[int],
) -> None:
    await MeasureService(db, identity.require_tenant(), actor_of(request, identity)).delete(
        measure_id, version
    )


@put(
    "/api/v1/measures/{measure_id:uuid}/progress/{reporting_date_id:uuid}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="setMeasureProgress",
)
async def set_progress(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    measure_id: FromPath[uuid.UUID],
    reporting_date_id: FromPath[uuid.UUID],
    data: JSONBody[ProgressWrite],
) -> MeasureRead:
    """Progress at an open reporting date: 0–10, "a", "g" or null (``version`` = the measure's)."""
    svc = MeasureService(db, identity.require_tenant(), actor_of(request, identity))
    await svc.set_progress(
        measure_id, reporting_date_id, version=data.version, value=data.value, status=data.status
    )
    return await svc.read(measure_id)


@get(
    "/api/v1/measures/{measure_id:uuid}/history",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="measureHistory",
)
async def measure_history(
    db: DbSession, identity: CurrentIdentity, measure_id: FromPath[uuid.UUID]
) -> list[HistoryEntry]:
    tenant_id = identity.require_tenant()
    await MeasureService(db, tenant_id).get(measure_id)
    return history_entries(await history(db, tenant_id, "measure", measure_id))


@post("/api/v1/measures/import", guards=[requires_editor], tags=TAGS, operation_id="importMeasures")
async def import_measures(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    dry_run: FromQuery[bool] = False,
) -> Response[Any]:
    """Import a measure plan (.xlsx, field ``data``); all-or-nothing, 422 with row/column errors."""
    importer = MeasureImporter(db, identity.require_tenant(), actor_of(request, identity))
    return await api_import_response(db, data, importer, dry_run=dry_run)


@get(
    "/api/v1/measures/export.xlsx",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="exportMeasures",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
async def export_measures(
    db: DbSession, identity: CurrentIdentity
) -> Response[bytes]:
    return file_response(await export_plan(db, identity.require_tenant()), "Massnahmenplan.xlsx")


ROUTES = [
    list_measures,
    create_measure,
    get_measure,
    update_measure,
    delete_measure,
    set_progress,
    measure_history,
    import_measures,
    export_measures,
]
__all__ = ["ROUTES", "ProgressRead"]
