"""JSON API of the strategy: ``/api/v1/strategies…`` (same services, guards and rules as the UI).

Parts have one set of routes per kind (``goals``, ``indicators``, ``values``,
``building-blocks``, ``recommendations``, ``maturity``, ``swot``, ``architecture``), generated
from the field declarations so that the OpenAPI schema names every field.
"""

import uuid
from typing import Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from core.errors import NotFound
from core.strategy import schemas, service
from core.strategy.diff import diff_strategies
from core.strategy.kinds import INDICATORS, KINDS, VALUES, Kind
from web.auth import requires_editor, requires_viewer
from web.controllers.auth import actor_of
from web.deps import CurrentIdentity, DbSession

PREFIX = "/api/v1/strategies"
TAGS = ["Strategie"]


def _detail(full: service.StrategyFull) -> schemas.StrategyDetail:
    goals = [
        schemas.GoalWithIndicators(
            goal=schemas.to_read(KINDS["goals"], gv.goal),
            indicators=[
                schemas.IndicatorWithValues(
                    indicator=schemas.to_read(INDICATORS, iv.indicator),
                    values=[schemas.to_read(VALUES, v) for v in iv.values],
                )
                for iv in gv.indicators
            ],
        )
        for gv in full.goals
    ]
    parts = {
        key: [schemas.to_read(KINDS[key], o) for o in full.parts[key]]
        for key in ("building_blocks", "recommendations", "maturity", "swot", "architecture")
    }
    return schemas.StrategyDetail(
        strategy=schemas.strategy_summary(full.strategy),
        read_only=service.is_read_only(full.strategy),
        goals=goals,
        **parts,
    )


@get(PREFIX, guards=[requires_viewer], tags=TAGS, operation_id="listStrategies")
async def list_strategies(
    db: DbSession, identity: CurrentIdentity
) -> list[schemas.StrategySummary]:  # type: ignore[valid-type]
    return [schemas.strategy_summary(s) for s in await service.list_strategies(db, identity.require_tenant())]


@post(
    PREFIX, guards=[requires_editor], tags=TAGS, operation_id="createStrategy", status_code=HTTP_201_CREATED
)
async def create_strategy(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[schemas.StrategyCreate],
) -> schemas.StrategySummary:  # type: ignore[valid-type]
    strategy = await service.create_strategy(
        db, identity.require_tenant(), schemas.write_data(data), actor=actor_of(request, identity)
    )
    return schemas.strategy_summary(strategy)


@get(f"{PREFIX}/current", guards=[requires_viewer], tags=TAGS, operation_id="getCurrentStrategy")
async def current(
    db: DbSession, identity: CurrentIdentity
) -> schemas.StrategyDetail:
    tenant_id = identity.require_tenant()
    strategy = await service.current_strategy(db, tenant_id)
    if strategy is None:
        raise NotFound("Es gibt noch keine Strategie.")
    return _detail(await service.load_full(db, tenant_id, strategy.id))


@get(f"{PREFIX}/goals-vs-targets", guards=[requires_viewer], tags=TAGS, operation_id="goalsVsTargets")
async def goals_vs_targets(
    db: DbSession, identity: CurrentIdentity
) -> list[schemas.GoalTargetOut]:
    rows = await service.goals_vs_targets(db, identity.require_tenant())
    return [
        schemas.GoalTargetOut(**{f: getattr(r, f) for f in schemas.GoalTargetOut.__struct_fields__})
        for r in rows
    ]


@get(f"{PREFIX}/{{strategy_id:uuid}}", guards=[requires_viewer], tags=TAGS, operation_id="getStrategy")
async def get_strategy(
    db: DbSession, identity: CurrentIdentity, strategy_id: FromPath[uuid.UUID]
) -> schemas.StrategyDetail:
    return _detail(await service.load_full(db, identity.require_tenant(), strategy_id))


@patch(f"{PREFIX}/{{strategy_id:uuid}}", guards=[requires_editor], tags=TAGS, operation_id="updateStrategy")
async def update_strategy(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    data: JSONBody[schemas.StrategyUpdate],
) -> schemas.StrategySummary:  # type: ignore[valid-type]
    strategy = await service.update_strategy(
        db,
        identity.require_tenant(),
        strategy_id,
        schemas.write_data(data),
        expected_version=data.version,
        actor=actor_of(request, identity),
    )
    return schemas.strategy_summary(strategy)


@delete(
    f"{PREFIX}/{{strategy_id:uuid}}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="deleteStrategyDraft",
    status_code=HTTP_204_NO_CONTENT,
)
async def delete_strategy(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    version: FromQuery[int],
) -> None:
    await service.delete_draft(
        db,
        identity.require_tenant(),
        strategy_id,
        expected_version=version,
        actor=actor_of(request, identity),
    )


@post(
    f"{PREFIX}/{{strategy_id:uuid}}/versions",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="newStrategyVersion",
    status_code=HTTP_201_CREATED,
)
async def new_version(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    data: JSONBody[schemas.NewVersion],
) -> schemas.StrategySummary:  # type: ignore[valid-type]
    copy = await service.new_version(
        db, identity.require_tenant(), strategy_id, label=data.label, actor=actor_of(request, identity)
    )
    return schemas.strategy_summary(copy)


@post(
    f"{PREFIX}/{{strategy_id:uuid}}/adopt",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="adoptStrategy",
    status_code=200,
)
async def adopt(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    data: JSONBody[schemas.Adopt],
) -> schemas.StrategySummary:  # type: ignore[valid-type]
    strategy = await service.adopt(
        db,
        identity.require_tenant(),
        strategy_id,
        adopted_on=data.adopted_on,
        expected_version=data.version,
        actor=actor_of(request, identity),
    )
    return schemas.strategy_summary(strategy)


@get(
    f"{PREFIX}/{{strategy_id:uuid}}/diff/{{other_id:uuid}}",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="diffStrategies",
)
async def diff(
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    other_id: FromPath[uuid.UUID],
) -> schemas.StrategyDiffOut:
    tenant_id = identity.require_tenant()
    result = diff_strategies(
        await service.load_full(db, tenant_id, strategy_id), await service.load_full(db, tenant_id, other_id)
    )
    return msgspec.convert(result.as_dict(), schemas.StrategyDiffOut)


def _kind_routes(kind: Kind) -> list[Any]:
    path = f"{PREFIX}/{{strategy_id:uuid}}/{kind.key.replace('_', '-')}"
    read_t, create_t, update_t = schemas.READ[kind.key], schemas.CREATE[kind.key], schemas.UPDATE[kind.key]
    camel = read_t.__name__
    tags = [f"Strategie: {kind.label_plural}"]

    async def create_item(request: Any, db: Any, identity: Any, strategy_id: Any, data: Any) -> Any:
        obj = await service.add_item(
            db,
            identity.require_tenant(),
            strategy_id,
            kind,
            schemas.write_data(data),
            parent_id=getattr(data, "parent_id", None),
            actor=actor_of(request, identity),
        )
        return schemas.to_read(kind, obj)

    async def get_item(db: Any, identity: Any, strategy_id: Any, item_id: Any) -> Any:
        obj = await service.get_item(db, identity.require_tenant(), strategy_id, kind, item_id)
        return schemas.to_read(kind, obj)

    async def update_item(
        request: Any, db: Any, identity: Any, strategy_id: Any, item_id: Any, data: Any
    ) -> Any:
        obj = await service.update_item(
            db,
            identity.require_tenant(),
            strategy_id,
            kind,
            item_id,
            schemas.write_data(data),
            expected_version=data.version,
            actor=actor_of(request, identity),
        )
        return schemas.to_read(kind, obj)

    async def delete_item(
        request: Any, db: Any, identity: Any, strategy_id: Any, item_id: Any, version: Any
    ) -> None:
        await service.delete_item(
            db,
            identity.require_tenant(),
            strategy_id,
            kind,
            item_id,
            expected_version=version,
            actor=actor_of(request, identity),
        )

    common = {
        "request": Request[Any, Any, Any],
        "db": DbSession,
        "identity": CurrentIdentity,
        "strategy_id": FromPath[uuid.UUID],
    }
    create_item.__annotations__ = common | {"data": JSONBody[create_t], "return": read_t}
    get_item.__annotations__ = {
        "db": DbSession,
        "identity": CurrentIdentity,
        "strategy_id": FromPath[uuid.UUID],
        "item_id": FromPath[uuid.UUID],
        "return": read_t,
    }
    update_item.__annotations__ = common | {
        "item_id": FromPath[uuid.UUID],
        "data": JSONBody[update_t],
        "return": read_t,
    }
    delete_item.__annotations__ = common | {
        "item_id": FromPath[uuid.UUID],
        "version": FromQuery[int],
        "return": None,
    }
    for fn, verb in (
        (create_item, "create"),
        (get_item, "get"),
        (update_item, "update"),
        (delete_item, "delete"),
    ):
        fn.__name__ = f"{verb}_{kind.key}"
        fn.__qualname__ = fn.__name__
    return [
        post(
            path,
            guards=[requires_editor],
            tags=tags,
            operation_id=f"create{camel}",
            status_code=HTTP_201_CREATED,
            name=f"api.strategy.{kind.key}.create",
        )(create_item),
        get(
            f"{path}/{{item_id:uuid}}",
            guards=[requires_viewer],
            tags=tags,
            operation_id=f"get{camel}",
            name=f"api.strategy.{kind.key}.get",
        )(get_item),
        patch(
            f"{path}/{{item_id:uuid}}",
            guards=[requires_editor],
            tags=tags,
            operation_id=f"update{camel}",
            name=f"api.strategy.{kind.key}.update",
        )(update_item),
        delete(
            f"{path}/{{item_id:uuid}}",
            guards=[requires_editor],
            tags=tags,
            operation_id=f"delete{camel}",
            status_code=HTTP_204_NO_CONTENT,
            name=f"api.strategy.{kind.key}.delete",
        )(delete_item),
    ]


API_ROUTES: list[Any] = [
    list_strategies,
    create_strategy,
    current,
    goals_vs_targets,
    get_strategy,
    update_strategy,
    delete_strategy,
    new_version,
    adopt,
    diff,
    *[route for kind in KINDS.values() for route in _kind_routes(kind)],
]
