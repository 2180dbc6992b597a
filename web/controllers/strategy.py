"""Strategy editor (``/strategie``): versions, parts, diff, PDF; the JSON API lives in ``strategy_api``.

Reading needs the viewer role, writing the editor role. Parts of a strategy version are
edited inline with htmx (the same URLs work as plain pages without JavaScript); a stale
edit comes back as the form with status 409, the other person's state and a German message.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core import calendar
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.strategy import service
from core.strategy.diff import diff_strategies
from core.strategy.kinds import (
    ARCHITECTURE_STATES_LABELS,
    KINDS,
    KINDS_BY_SLUG,
    STRATEGY_FIELDS,
    STRATEGY_PARTS,
    Kind,
    form_value,
)
from core.strategy.models import MATURITY_AREAS, STATUS_DRAFT, SWOT_CATEGORIES
from tenants.context import Identity
from tenants.models import Role
from web.auth import requires_editor, requires_viewer
from web.controllers.auth import actor_of
from web.controllers.forms import failed_save, form_data, form_version
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page


def kind_of(slug: str) -> Kind:
    kind = KINDS_BY_SLUG.get(slug)
    if kind is None:
        raise NotFound("Diesen Teil der Strategie gibt es nicht.")
    return kind


def _detail_url(strategy_id: uuid.UUID, anchor: str = "") -> str:
    return f"/strategie/{strategy_id}" + (f"#{anchor}" if anchor else "")


# --- charts ----------------------------------------------------------------------------------
def _num(value: Any) -> float | None:
    return float(value) if value is not None else None


def goal_charts(full: service.StrategyFull) -> list[dict[str, Any]]:
    """One line chart per indicator with measured values against the target."""
    charts = []
    for gv in full.goals:
        for iv in gv.indicators:
            ind = iv.indicator
            labels = [v.measured_on.strftime("%d.%m.%Y") for v in iv.values]
            if ind.due_date and (not iv.values or ind.due_date > iv.values[-1].measured_on):
                labels.append(ind.due_date.strftime("%d.%m.%Y"))
            values = [_num(v.value) for v in iv.values]
            target = _num(ind.target_value)
            datasets: list[dict[str, Any]] = [
                {
                    "label": "Messwert",
                    "data": values,
                    "borderWidth": 3,
                    "pointRadius": 5,
                    "pointStyle": "circle",
                }
            ]
            if target is not None:
                datasets.append(
                    {
                        "label": "Zielwert",
                        "data": [target] * len(labels),
                        "borderDash": [6, 4],
                        "pointStyle": "rect",
                        "pointRadius": 3,
                    }
                )
            unit = f" ({ind.unit})" if ind.unit else ""
            charts.append(
                {
                    "id": f"kennzahl-{ind.id}",
                    "title": f"{ind.name}{unit}: Messwerte und Zielwert",
                    "spec": {
                        "type": "line",
                        "data": {"labels": labels, "datasets": datasets},
                        "options": {"scales": {"y": {"beginAtZero": True}}},
                    },
                    "columns": ["Stichtag", "Messwert", "Zielwert"],
                    "rows": [
                        [v.measured_on.strftime("%d.%m.%Y"), _fmt(v.value), _fmt(ind.target_value)]
                        for v in iv.values
                    ],
                    "indicator_id": ind.id,
                }
            )
    return charts


def _fmt(value: Any) -> str:
    from web.templating import format_number

    if value is None:
        return "–"
    return format_number(value, 0 if float(value).is_integer() else 2)


def attainment_chart(full: service.StrategyFull) -> dict[str, Any] | None:
    rows = [
        (f"{iv.indicator.name}", iv.attainment)
        for gv in full.goals
        for iv in gv.indicators
        if iv.attainment is not None
    ]
    if not rows:
        return None
    return {
        "id": "chart-zielerreichung",
        "title": "Zielerreichung der Kennzahlen (Anteil des Wegs vom Ausgangs- zum Zielwert)",
        "spec": {
            "type": "bar",
            "data": {
                "labels": [r[0] for r in rows],
                "datasets": [{"label": "Zielerreichung in %", "data": [round(r[1] * 100, 1) for r in rows]}],
            },
            "options": {"indexAxis": "y", "scales": {"x": {"beginAtZero": True, "suggestedMax": 100}}},
        },
        "columns": ["Kennzahl", "Zielerreichung"],
        "rows": [[r[0], f"{round(r[1] * 100):d} %"] for r in rows],
    }


def maturity_chart(full: service.StrategyFull) -> dict[str, Any] | None:
    items = full.parts["maturity"]
    if not items:
        return None
    latest: dict[str, Any] = {}
    for m in items:
        if m.area not in latest or m.assessed_on >= latest[m.area].assessed_on:
            latest[m.area] = m
    areas = [(key, label) for key, label in MATURITY_AREAS if key in latest]
    return {
        "id": "chart-reifegrad",
        "title": "Reifegrad je Bereich (letzte Bewertung) und angestrebter Reifegrad",
        "spec": {
            "type": "bar",
            "data": {
                "labels": [label for _, label in areas],
                "datasets": [
                    {"label": "Reifegrad", "data": [latest[k].level for k, _ in areas]},
                    {"label": "Angestrebt", "data": [latest[k].target_level for k, _ in areas]},
                ],
            },
            "options": {"scales": {"y": {"beginAtZero": True, "max": 5, "ticks": {"stepSize": 1}}}},
        },
        "columns": ["Bereich", "Reifegrad", "Angestrebt", "Bewertet am"],
        "rows": [
            [
                label,
                str(latest[k].level),
                "–" if latest[k].target_level is None else str(latest[k].target_level),
                latest[k].assessed_on.strftime("%d.%m.%Y"),
            ]
            for k, label in areas
        ],
    }


def _can_edit(identity: Identity, strategy: Any) -> bool:
    return identity.has_role(Role.EDITOR) and not service.is_read_only(strategy)


def _base_ctx(identity: Identity) -> dict[str, Any]:
    return {
        "kinds": KINDS,
        "status_labels": service.STATUS_LABELS,
        "swot_categories": SWOT_CATEGORIES,
        "architecture_states": ARCHITECTURE_STATES_LABELS,
        "maturity_areas": dict(MATURITY_AREAS),
        "form_value": form_value,
        "can_write": identity.has_role(Role.EDITOR),
    }


# --- pages -----------------------------------------------------------------------------------
@get(media_type=MediaType.HTML, path="/strategie", guards=[requires_viewer], name="strategy.index")
async def index(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Any:
    tenant_id = identity.require_tenant()
    current = await service.current_strategy(db, tenant_id)
    if current is None:
        return page(
            request,
            "strategy/empty.html",
            _base_ctx(identity)
            | {
                "fields": STRATEGY_FIELDS[:2],
                "values": {"label": "1.0", "title": "Digitalisierungsstrategie"},
                "errors": {},
            },
        )
    return await _detail(request, db, identity, current.id)


@post(media_type=MediaType.HTML, path="/strategie", guards=[requires_editor], name="strategy.create")
async def create(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Any:
    tenant_id = identity.require_tenant()
    form = await form_data(request)
    try:
        strategy = await service.create_strategy(db, tenant_id, form, actor=actor_of(request, identity))
    except ValidationFailed as exc:
        return page(
            request,
            "strategy/empty.html",
            _base_ctx(identity) | {"fields": STRATEGY_FIELDS[:2], "values": form, "errors": exc.as_dict()},
            status_code=422,
        )
    return Redirect(_detail_url(strategy.id), status_code=303)


@get(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}",
    guards=[requires_viewer],
    name="strategy.detail",
)
async def detail(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
) -> Template:
    return await _detail(request, db, identity, strategy_id)


async def _detail(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, strategy_id: uuid.UUID
) -> Template:
    tenant_id = identity.require_tenant()
    full = await service.load_full(db, tenant_id, strategy_id)
    versions = await service.list_strategies(db, tenant_id)
    charts = {c["indicator_id"]: c for c in goal_charts(full)}
    return page(
        request,
        "strategy/detail.html",
        _base_ctx(identity)
        | {
            "full": full,
            "s": full.strategy,
            "versions": versions,
            "editable": _can_edit(identity, full.strategy),
            "read_only": service.is_read_only(full.strategy),
            "indicator_charts": charts,
            "attainment_chart": attainment_chart(full),
            "maturity_chart": maturity_chart(full),
            "has_draft": any(v.status == STATUS_DRAFT for v in versions),
            "block_links": await service.building_block_links(db, tenant_id),
            "today": calendar.today(),
        },
    )


@get(
    media_type=MediaType.HTML, path="/strategie/versionen", guards=[requires_viewer], name="strategy.versions"
)
async def versions(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    tenant_id = identity.require_tenant()
    items = await service.list_strategies(db, tenant_id)
    return page(request, "strategy/versions.html", _base_ctx(identity) | {"versions": items})


@get(
    media_type=MediaType.HTML, path="/strategie/vergleich", guards=[requires_viewer], name="strategy.compare"
)
async def compare(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    alt: FromQuery[uuid.UUID],
    neu: FromQuery[uuid.UUID],
) -> Template:
    tenant_id = identity.require_tenant()
    old_full = await service.load_full(db, tenant_id, alt)
    new_full = await service.load_full(db, tenant_id, neu)
    return page(
        request,
        "strategy/compare.html",
        _base_ctx(identity)
        | {
            "diff": diff_strategies(old_full, new_full),
            "old": old_full.strategy,
            "new": new_full.strategy,
            "versions": await service.list_strategies(db, tenant_id),
        },
    )


@get(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/bearbeiten",
    guards=[requires_editor],
    name="strategy.edit",
)
async def edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
) -> Template:
    strategy = await service.get_strategy(db, identity.require_tenant(), strategy_id)
    values = {f.name: form_value(f, getattr(strategy, f.name)) for f in STRATEGY_FIELDS}
    return page(
        request,
        "strategy/edit.html",
        _base_ctx(identity)
        | {
            "s": strategy,
            "fields": STRATEGY_FIELDS,
            "values": values,
            "errors": {},
            "version": strategy.version,
        },
    )


@post(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}",
    guards=[requires_editor],
    name="strategy.update",
)
async def update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
) -> Any:
    tenant_id = identity.require_tenant()
    form = await form_data(request)
    try:
        await service.update_strategy(
            db,
            tenant_id,
            strategy_id,
            form,
            expected_version=form_version(form),
            actor=actor_of(request, identity),
        )
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        strategy = await service.get_strategy(db, tenant_id, strategy_id)
        ctx, status = failed_save(exc, form, STRATEGY_FIELDS, strategy)
        return page(
            request,
            "strategy/edit.html",
            _base_ctx(identity) | {"s": strategy, "fields": STRATEGY_FIELDS} | ctx,
            status_code=status,
        )
    return Redirect(_detail_url(strategy_id), status_code=303)


@post(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/neue-version",
    guards=[requires_editor],
    name="strategy.new_version",
)
async def new_version(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
) -> Any:
    form = await form_data(request)
    copy = await service.new_version(
        db, identity.require_tenant(), strategy_id, label=form.get("label"), actor=actor_of(request, identity)
    )
    return Redirect(_detail_url(copy.id), status_code=303)


@post(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/beschliessen",
    guards=[requires_editor],
    name="strategy.adopt",
)
async def adopt(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
) -> Any:
    from core.strategy.kinds import FieldSpec, parse_value

    form = await form_data(request)
    try:
        adopted_on = parse_value(FieldSpec("adopted_on", "Beschlossen am", "date"), form.get("adopted_on"))
    except ValueError as exc:
        raise ValidationFailed([FieldError("adopted_on", str(exc))]) from None
    await service.adopt(
        db,
        identity.require_tenant(),
        strategy_id,
        adopted_on=adopted_on,
        expected_version=form_version(form),
        actor=actor_of(request, identity),
    )
    return Redirect(_detail_url(strategy_id), status_code=303)


@post(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/loeschen",
    guards=[requires_editor],
    name="strategy.delete",
)
async def delete_draft(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
) -> Any:
    form = await form_data(request)
    await service.delete_draft(
        db,
        identity.require_tenant(),
        strategy_id,
        expected_version=form_version(form),
        actor=actor_of(request, identity),
    )
    return Redirect("/strategie", status_code=303)


@get("/strategie/{strategy_id:uuid}/dokument.pdf", guards=[requires_viewer], name="strategy.pdf")
async def pdf(
    db: DbSession, identity: CurrentIdentity, strategy_id: FromPath[uuid.UUID]
) -> Response[bytes]:
    from core.strategy.document import render_pdf

    content, filename = await render_pdf(
        db, identity.require_tenant(), strategy_id, tenant_name=identity.tenant_name or ""
    )
    return Response(
        content=content,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="{filename}"'},
    )


# --- parts -----------------------------------------------------------------------------------
def _item_ctx(identity: Identity, strategy: Any, kind: Kind, **kw: Any) -> dict[str, Any]:
    return _base_ctx(identity) | {"s": strategy, "kind": kind, "editable": _can_edit(identity, strategy)} | kw


def _item_response(request: Request[Any, Any, Any], ctx: dict[str, Any], status_code: int = 200) -> Template:
    """An item as the htmx fragment that replaces it inline, or as a page without JavaScript."""
    if is_htmx(request):
        return fragment(request, "strategy/item.html", "item", ctx, status_code=status_code)
    return page(request, "strategy/item.html", ctx, status_code=status_code)


@get(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/{slug:str}/neu",
    guards=[requires_editor],
    name="strategy.item_new",
)
async def item_new(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    slug: FromPath[str],
    parent: FromQuery[uuid.UUID | None] = None,
) -> Template:
    kind = kind_of(slug)
    tenant_id = identity.require_tenant()
    strategy = await service.get_strategy(db, tenant_id, strategy_id)
    parent_title = await _parent_title(db, tenant_id, strategy_id, kind, parent)
    values: dict[str, Any] = {"measured_on": calendar.today().isoformat()} if kind.key == "values" else {}
    if kind.key == "recommendations":  # next free number
        full = await service.load_full(db, tenant_id, strategy_id)
        values["number"] = str(max((r.number for r in full.parts["recommendations"]), default=0) + 1)
    return page(
        request,
        "strategy/item.html",
        _item_ctx(
            identity,
            strategy,
            kind,
            mode="new",
            values=values,
            errors={},
            parent_id=parent,
            parent_title=parent_title,
        ),
    )


async def _parent_title(
    db: AsyncSession, tenant_id: uuid.UUID, strategy_id: uuid.UUID, kind: Kind, parent: Any
) -> str | None:
    if kind.parent == "strategy":
        return None
    if parent is None:
        raise NotFound("Bitte wählen Sie zuerst aus, wozu der Eintrag gehört.")
    parent_kind = KINDS["goals"] if kind.parent == "goal" else KINDS["indicators"]
    pid = parent if isinstance(parent, uuid.UUID) else uuid.UUID(str(parent))
    obj = await service.get_item(db, tenant_id, strategy_id, parent_kind, pid)
    return f"{parent_kind.label}: {parent_kind.title_of(obj)}"


@post(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/{slug:str}",
    guards=[requires_editor],
    name="strategy.item_create",
)
async def item_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    slug: FromPath[str],
) -> Any:
    kind = kind_of(slug)
    tenant_id = identity.require_tenant()
    form = await form_data(request)
    try:
        obj = await service.add_item(
            db,
            tenant_id,
            strategy_id,
            kind,
            form,
            parent_id=form.get("parent_id") or None,
            actor=actor_of(request, identity),
        )
    except ValidationFailed as exc:
        await db.rollback()
        strategy = await service.get_strategy(db, tenant_id, strategy_id)
        parent_title = await _parent_title(db, tenant_id, strategy_id, kind, form.get("parent_id") or None)
        return page(
            request,
            "strategy/item.html",
            _item_ctx(
                identity,
                strategy,
                kind,
                mode="new",
                values=form,
                errors=exc.as_dict(),
                parent_id=form.get("parent_id"),
                parent_title=parent_title,
            ),
            status_code=422,
        )
    return Redirect(_detail_url(strategy_id, f"item-{obj.id}"), status_code=303)


@get(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/{slug:str}/{item_id:uuid}",
    guards=[requires_viewer],
    name="strategy.item",
)
async def item_show(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    slug: FromPath[str],
    item_id: FromPath[uuid.UUID],
) -> Template:
    kind = kind_of(slug)
    tenant_id = identity.require_tenant()
    strategy = await service.get_strategy(db, tenant_id, strategy_id)
    obj = await service.get_item(db, tenant_id, strategy_id, kind, item_id)
    return _item_response(request, _item_ctx(identity, strategy, kind, mode="show", obj=obj))


@get(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/{slug:str}/{item_id:uuid}/bearbeiten",
    guards=[requires_editor],
    name="strategy.item_edit",
)
async def item_edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    slug: FromPath[str],
    item_id: FromPath[uuid.UUID],
) -> Template:
    kind = kind_of(slug)
    tenant_id = identity.require_tenant()
    strategy = await service.get_strategy(db, tenant_id, strategy_id)
    obj = await service.get_item(db, tenant_id, strategy_id, kind, item_id)
    values = {f.name: form_value(f, getattr(obj, f.name)) for f in kind.fields}
    return _item_response(
        request,
        _item_ctx(
            identity, strategy, kind, mode="edit", obj=obj, values=values, errors={}, version=obj.version
        ),
    )


@post(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/{slug:str}/{item_id:uuid}",
    guards=[requires_editor],
    name="strategy.item_update",
)
async def item_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    slug: FromPath[str],
    item_id: FromPath[uuid.UUID],
) -> Any:
    kind = kind_of(slug)
    tenant_id = identity.require_tenant()
    form = await form_data(request)
    try:
        obj = await service.update_item(
            db,
            tenant_id,
            strategy_id,
            kind,
            item_id,
            form,
            expected_version=form_version(form),
            actor=actor_of(request, identity),
        )
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        strategy = await service.get_strategy(db, tenant_id, strategy_id)
        obj = await service.get_item(db, tenant_id, strategy_id, kind, item_id)
        ctx, status = failed_save(exc, form, kind.fields, obj)
        return _item_response(
            request, _item_ctx(identity, strategy, kind, mode="edit", obj=obj, **ctx), status
        )
    if is_htmx(request) and kind.parent == "strategy":
        strategy = await service.get_strategy(db, tenant_id, strategy_id)
        return fragment(
            request,
            "strategy/item.html",
            "item",
            _item_ctx(identity, strategy, kind, mode="show", obj=obj, saved=True),
        )
    return Redirect(_detail_url(strategy_id, f"item-{obj.id}"), status_code=303)


@post(
    media_type=MediaType.HTML,
    path="/strategie/{strategy_id:uuid}/{slug:str}/{item_id:uuid}/loeschen",
    guards=[requires_editor],
    name="strategy.item_delete",
)
async def item_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    strategy_id: FromPath[uuid.UUID],
    slug: FromPath[str],
    item_id: FromPath[uuid.UUID],
) -> Any:
    kind = kind_of(slug)
    form = await form_data(request)
    await service.delete_item(
        db,
        identity.require_tenant(),
        strategy_id,
        kind,
        item_id,
        expected_version=form_version(form),
        actor=actor_of(request, identity),
    )
    return Redirect(_detail_url(strategy_id, kind.slug), status_code=303)


from web.controllers.strategy_api import API_ROUTES  # noqa: E402

ROUTES: list[Any] = [
    index,
    create,
    versions,
    compare,
    detail,
    edit,
    update,
    new_version,
    adopt,
    delete_draft,
    pdf,
    item_new,
    item_create,
    item_show,
    item_edit,
    item_update,
    item_delete,
    *API_ROUTES,
]
__all__ = ["ROUTES", "STRATEGY_PARTS"]
