"""JSON API of the DMS plugin under ``/api/v1/dms`` (same services and guards as the pages).

Stale ``version`` → 409 with the current state, invalid input → 422 with the errors, another
tenant's id → 404. Writes need the CSRF header like the UI.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from plugins.dms.network import NetworkOverview, network_overview
from plugins.dms.pages.common import service_for
from plugins.dms.schemas import (
    FileType,
    FileTypeInput,
    Goal,
    GoalInput,
    ImportResult,
    Indicator,
    Product,
    ProductInput,
    Rollout,
    RolloutInput,
    Volume,
    VolumeInput,
)
from plugins.dms.service import DmsService
from web.auth import requires_editor, requires_kaaw_admin, requires_viewer
from web.deps import CurrentIdentity, DbSession

P = "/api/v1/dms"


@get(f"{P}/rollouts", guards=[requires_viewer], tags=["DMS"], summary="E-Akten-Einführungen")
async def api_rollouts(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    status: FromQuery[str | None] = None,
    org_unit_id: FromQuery[uuid.UUID | None] = None,
    file_type_id: FromQuery[uuid.UUID | None] = None,
) -> list[Rollout]:
    return await service_for(request, db, identity).rollout_rows(
        status=status, org_unit_id=org_unit_id, file_type_id=file_type_id
    )


@post(f"{P}/rollouts", guards=[requires_editor], tags=["DMS"])
async def api_rollout_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[RolloutInput],
) -> Rollout:
    return await service_for(request, db, identity).create_rollout(data)


@get(f"{P}/rollouts/{{rollout_id:uuid}}", guards=[requires_viewer], tags=["DMS"])
async def api_rollout(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    rollout_id: FromPath[uuid.UUID],
) -> Rollout:
    return await service_for(request, db, identity).rollout(rollout_id)


@put(f"{P}/rollouts/{{rollout_id:uuid}}", guards=[requires_editor], tags=["DMS"])
async def api_rollout_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    rollout_id: FromPath[uuid.UUID],
    data: JSONBody[RolloutInput],
) -> Rollout:
    return await service_for(request, db, identity).update_rollout(rollout_id, data)


@delete(
    f"{P}/rollouts/{{rollout_id:uuid}}",
    guards=[requires_editor],
    tags=["DMS"],
    status_code=HTTP_204_NO_CONTENT,
)
async def api_rollout_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    rollout_id: FromPath[uuid.UUID],
) -> None:
    await service_for(request, db, identity).delete_rollout(rollout_id)


@get(f"{P}/volumes", guards=[requires_viewer], tags=["DMS"], summary="Dokumentenmengen")
async def api_volumes(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> list[Volume]:
    return await service_for(request, db, identity).volumes()


@post(f"{P}/volumes", guards=[requires_editor], tags=["DMS"])
async def api_volume_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[VolumeInput],
) -> Volume:
    return await service_for(request, db, identity).create_volume(data)


@get(f"{P}/volumes/{{volume_id:uuid}}", guards=[requires_viewer], tags=["DMS"])
async def api_volume(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    volume_id: FromPath[uuid.UUID],
) -> Volume:
    return await service_for(request, db, identity).volume(volume_id)


@put(f"{P}/volumes/{{volume_id:uuid}}", guards=[requires_editor], tags=["DMS"])
async def api_volume_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    volume_id: FromPath[uuid.UUID],
    data: JSONBody[VolumeInput],
) -> Volume:
    return await service_for(request, db, identity).update_volume(volume_id, data)


@delete(
    f"{P}/volumes/{{volume_id:uuid}}", guards=[requires_editor], tags=["DMS"], status_code=HTTP_204_NO_CONTENT
)
async def api_volume_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    volume_id: FromPath[uuid.UUID],
) -> None:
    await service_for(request, db, identity).delete_volume(volume_id)


@get(
    f"{P}/indicator", guards=[requires_viewer], tags=["DMS"], summary="Anteil digital bearbeiteter Dokumente"
)
async def api_indicator(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Indicator:
    return await service_for(request, db, identity).indicator()


@get(
    f"{P}/goal", guards=[requires_viewer], tags=["DMS"], summary="Ziel: Anteil digital bearbeiteter Dokumente"
)
async def api_goal(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Goal:
    return await service_for(request, db, identity).goal()


@put(f"{P}/goal", guards=[requires_editor], tags=["DMS"])
async def api_goal_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[GoalInput],
) -> Goal:
    return await service_for(request, db, identity).update_goal(data)


@get(f"{P}/products", guards=[requires_viewer], tags=["DMS"])
async def api_products(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> list[Product]:
    return [DmsService.product_dto(p) for p in await service_for(request, db, identity).products()]


@post(f"{P}/products", guards=[requires_editor], tags=["DMS"])
async def api_product_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[ProductInput],
) -> Product:
    return DmsService.product_dto(await service_for(request, db, identity).save_product(data))


@get(f"{P}/products/{{product_id:uuid}}", guards=[requires_viewer], tags=["DMS"])
async def api_product(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    product_id: FromPath[uuid.UUID],
) -> Product:
    return DmsService.product_dto(await service_for(request, db, identity).product(product_id))


@put(f"{P}/products/{{product_id:uuid}}", guards=[requires_editor], tags=["DMS"])
async def api_product_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    product_id: FromPath[uuid.UUID],
    data: JSONBody[ProductInput],
) -> Product:
    return DmsService.product_dto(await service_for(request, db, identity).save_product(data, product_id))


@delete(
    f"{P}/products/{{product_id:uuid}}",
    guards=[requires_editor],
    tags=["DMS"],
    status_code=HTTP_204_NO_CONTENT,
)
async def api_product_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    product_id: FromPath[uuid.UUID],
) -> None:
    await service_for(request, db, identity).delete_product(product_id)


@get(f"{P}/file-types", guards=[requires_viewer], tags=["DMS"])
async def api_file_types(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> list[FileType]:
    service = service_for(request, db, identity)
    await service.ensure_initialized()
    return [DmsService.file_type_dto(t) for t in await service.file_types()]


@post(f"{P}/file-types", guards=[requires_editor], tags=["DMS"])
async def api_file_type_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[FileTypeInput],
) -> FileType:
    return DmsService.file_type_dto(await service_for(request, db, identity).save_file_type(data))


@get(f"{P}/file-types/{{type_id:uuid}}", guards=[requires_viewer], tags=["DMS"])
async def api_file_type(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    type_id: FromPath[uuid.UUID],
) -> FileType:
    return DmsService.file_type_dto(await service_for(request, db, identity).file_type(type_id))


@put(f"{P}/file-types/{{type_id:uuid}}", guards=[requires_editor], tags=["DMS"])
async def api_file_type_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    type_id: FromPath[uuid.UUID],
    data: JSONBody[FileTypeInput],
) -> FileType:
    return DmsService.file_type_dto(await service_for(request, db, identity).save_file_type(data, type_id))


@delete(
    f"{P}/file-types/{{type_id:uuid}}",
    guards=[requires_editor],
    tags=["DMS"],
    status_code=HTTP_204_NO_CONTENT,
)
async def api_file_type_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    type_id: FromPath[uuid.UUID],
) -> None:
    await service_for(request, db, identity).delete_file_type(type_id)


@get(
    f"{P}/network",
    guards=[requires_kaaw_admin],
    tags=["DMS"],
    opt={"platform_route": True},
    summary="KAAW: DMS-Produkte und E-Akten im Verbund (nur Summen)",
)
async def api_network(request: Request[Any, Any, Any]) -> NetworkOverview:
    return await network_overview(request.app.state.sessionmaker)


ROUTES: list[Any] = [
    api_rollouts,
    api_rollout_create,
    api_rollout,
    api_rollout_update,
    api_rollout_delete,
    api_volumes,
    api_volume_create,
    api_volume,
    api_volume_update,
    api_volume_delete,
    api_indicator,
    api_goal,
    api_goal_update,
    api_products,
    api_product_create,
    api_product,
    api_product_update,
    api_product_delete,
    api_file_types,
    api_file_type_create,
    api_file_type,
    api_file_type_update,
    api_file_type_delete,
    api_network,
]

__all__ = ["ROUTES", "ImportResult"]
