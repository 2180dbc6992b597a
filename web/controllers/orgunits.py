"""Organisational units: ``/organisationseinheiten`` – the tree of Geschäftskreise and their
Dienststellen with how many records use each, creating, inline editing (htmx: rename, re-code,
move a Dienststelle; the detail page without JavaScript), deleting unused units – and the JSON
API ``/api/v1/org-units``.

Reading is for every member, changes for editors: the same guards as the measure plan, whose
imports create units too.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, delete, get, patch, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, FieldError, ValidationFailed
from core.measures.schemas import OrgUnitRead
from core.measures.service import to_org_read
from core.orgunits.models import ORG_UNIT_KIND_LABELS, OrgUnit, OrgUnitKind
from core.orgunits.schemas import (
    OrgUnitCreate,
    OrgUnitEntry,
    OrgUnitUpdate,
    OrgUnitUsageRead,
    UsageGroupRead,
    UsageItemRead,
)
from core.orgunits.service import OrgTree, OrgUnitService, TreeNode
from core.orgunits.usage import Usage, count_label
from core.reporting.history import history
from tenants.context import Identity
from web.auth import requires_editor, requires_viewer
from web.controllers.measures import describe_conflict, unit_options
from web.controllers.measures_common import actor_of, can_edit, errors_by_field, parse_uuid, parse_version
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
TAGS = ["Organisationseinheiten"]
BASE = "/organisationseinheiten"
LIST = "orgunits/list.html"
ROWS = "orgunits/_row.html"
DETAIL = "orgunits/detail.html"
LABELS = {
    "kind": "Art",
    "code": "Kürzel",
    "name": "Bezeichnung",
    "parent_id": "Geschäftskreis",
    "business_area_id": "Geschäftskreis",
}
#: Where the records that use a unit are shown (table → URL prefix of a record).
RECORD_LINKS = {"measures": "/massnahmen/", "online_services": "/online-dienste/"}
MOVE_FIELD = "zuordnungen_mitnehmen"


def _kind(value: str | None) -> OrgUnitKind:
    if value not in {k.value for k in OrgUnitKind}:
        raise ValidationFailed(
            errors=[FieldError("kind", "Bitte wählen Sie: Geschäftskreis oder Dienststelle.")]
        )
    return OrgUnitKind(value)


# --- JSON API ------------------------------------------------------------------------------
def _entry(node: TreeNode) -> OrgUnitEntry:
    u = node.unit
    return OrgUnitEntry(
        id=u.id,
        kind=u.kind,
        code=u.code,
        name=u.name,
        parent_id=u.parent_id,
        version=u.version,
        measures=node.count("measures"),
        online_services=node.count("online_services"),
        departments=len(node.children),
        other_uses=node.other_uses,
        in_use=node.in_use,
    )


def _read(unit: OrgUnit) -> OrgUnitRead:
    result = to_org_read(unit)
    assert result is not None
    return result


@get("/api/v1/org-units", guards=[requires_viewer], tags=TAGS, operation_id="listOrgUnits")
async def api_list(
    db: DbSession, identity: CurrentIdentity, kind: FromQuery[str | None] = None
) -> list[OrgUnitEntry]:
    """Geschäftskreise, each followed by its Dienststellen, then Dienststellen without one;
    with how many measures / online services / other records use each unit. ``kind``
    ("geschaeftskreis", "dienststelle") narrows the list."""
    tree = await OrgUnitService(db, identity.require_tenant()).tree()
    known = kind in {k.value for k in OrgUnitKind}
    return [_entry(n) for n in tree.nodes() if not known or n.unit.kind == kind]


@post(
    "/api/v1/org-units",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="createOrgUnit",
    status_code=HTTP_201_CREATED,
)
async def api_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[OrgUnitCreate],
) -> OrgUnitRead:
    """A Geschäftskreis or a Dienststelle (``parent_id``: its Geschäftskreis); a code already
    given to a unit of the same kind is 422."""
    svc = OrgUnitService(db, identity.require_tenant(), actor_of(request, identity))
    return _read(await svc.create(_kind(data.kind), data.code, data.name, data.parent_id))


@get("/api/v1/org-units/{unit_id:uuid}", guards=[requires_viewer], tags=TAGS, operation_id="getOrgUnit")
async def api_get(
    db: DbSession, identity: CurrentIdentity, unit_id: FromPath[uuid.UUID]
) -> OrgUnitRead:
    return _read(await OrgUnitService(db, identity.require_tenant()).get(unit_id))


@patch("/api/v1/org-units/{unit_id:uuid}", guards=[requires_editor], tags=TAGS, operation_id="updateOrgUnit")
async def api_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    unit_id: FromPath[uuid.UUID],
    data: JSONBody[OrgUnitUpdate],
) -> OrgUnitRead:
    """Rename, re-code or move (``parent_id``) a unit; absent fields stay. A stale ``version``
    answers 409 with the current state and the other change."""
    svc = OrgUnitService(db, identity.require_tenant(), actor_of(request, identity))
    return _read(await svc.update(unit_id, data))


@delete(
    "/api/v1/org-units/{unit_id:uuid}",
    guards=[requires_editor],
    tags=TAGS,
    operation_id="deleteOrgUnit",
    status_code=HTTP_204_NO_CONTENT,
)
async def api_delete(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    unit_id: FromPath[uuid.UUID],
    version: FromQuery[int],
) -> None:
    """Delete an unused unit. Still in use (Dienststellen, measures, online services, …) or a
    stale ``version``: 409, ``detail`` names the uses, ``current.usage`` counts them."""
    await OrgUnitService(db, identity.require_tenant(), actor_of(request, identity)).delete(unit_id, version)


def _usage_read(use: Usage) -> OrgUnitUsageRead:
    return OrgUnitUsageRead(
        id=use.unit.id,
        in_use=use.in_use,
        summary=use.describe() if use.in_use else "",
        departments=[UsageItemRead(id=d.id, number=d.code, title=d.name) for d in use.departments],
        uses=[
            UsageGroupRead(
                table=g.table,
                label=g.label,
                count=g.count,
                items=[UsageItemRead(id=i.id, number=i.number, title=i.title) for i in g.items],
            )
            for g in use.groups
            if g.count
        ],
    )


@get(
    "/api/v1/org-units/{unit_id:uuid}/usage",
    guards=[requires_viewer],
    tags=TAGS,
    operation_id="orgUnitUsage",
)
async def api_usage(
    db: DbSession, identity: CurrentIdentity, unit_id: FromPath[uuid.UUID]
) -> OrgUnitUsageRead:
    """What uses the unit (what keeps it from being deleted)."""
    return _usage_read(await OrgUnitService(db, identity.require_tenant()).usage(unit_id))


# --- HTML ------------------------------------------------------------------------------------
async def _options(svc: OrgUnitService) -> list[tuple[str, str]]:
    return unit_options(await svc.by_id(), OrgUnitKind.BUSINESS_AREA)


def _counts_text(node: TreeNode) -> dict[str, str]:
    """Readable counts of other tables (plugins) for a unit: label → text."""
    return {t: count_label(t, n) for t, n in node.other_uses.items()}


async def _tree_context(db: AsyncSession, identity: Identity, **extra: Any) -> dict[str, Any]:
    svc = OrgUnitService(db, identity.require_tenant())
    tree = await svc.tree()
    return {
        "tree": tree,
        "node_of": {n.unit.id: n for n in tree.nodes()},
        "ba_options": [(str(a.unit.id), a.unit.label()) for a in tree.areas],
        "area_labels": {a.unit.id: a.unit.label() for a in tree.areas},
        "kind_options": [(k.value, ORG_UNIT_KIND_LABELS[k]) for k in OrgUnitKind],
        "kind_labels": {k.value: label for k, label in ORG_UNIT_KIND_LABELS.items()},
        "other_text": _counts_text,
        "can_edit": can_edit(identity),
        "values": {},
        "errors": {},
        "conflict": None,
        "focus_id": None,
        "message": None,
        "oob_message": None,
        **extra,
    }


async def _node(db: AsyncSession, identity: Identity, unit_id: uuid.UUID) -> tuple[TreeNode, OrgTree]:
    svc = OrgUnitService(db, identity.require_tenant())
    await svc.get(unit_id)  # 404 for another tenant's or a deleted unit
    tree = await svc.tree()
    node = next(n for n in tree.nodes() if n.unit.id == unit_id)
    return node, tree


async def _row_context(
    db: AsyncSession, identity: Identity, unit_id: uuid.UUID, **extra: Any
) -> dict[str, Any]:
    node, tree = await _node(db, identity, unit_id)
    return {
        "node": node,
        "ba_options": [(str(a.unit.id), a.unit.label()) for a in tree.areas],
        "area_labels": {a.unit.id: a.unit.label() for a in tree.areas},
        "kind_labels": {k.value: label for k, label in ORG_UNIT_KIND_LABELS.items()},
        "other_text": _counts_text,
        "can_edit": can_edit(identity),
        "values": {},
        "errors": {},
        "conflict": None,
        "delete_error": None,
        **extra,
    }


@get(BASE, guards=[requires_viewer], name="orgunits.list", include_in_schema=False)
async def list_page(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    params = request.query_params
    message = None
    created = parse_uuid_or_none(params.get("angelegt"))
    ctx = await _tree_context(db, identity)
    if created is not None and created in ctx["node_of"]:
        message = f"„{ctx['node_of'][created].unit.label()}“ wurde angelegt."
    elif params.get("geloescht") == "1":
        message = "Die Organisationseinheit wurde gelöscht."
    ctx.update(message=message, focus_id=created)
    return page(request, LIST, ctx)


def parse_uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return parse_uuid(value)
    except ValidationFailed:
        return None


@post(BASE, guards=[requires_editor], name="orgunits.create", include_in_schema=False)
async def create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    svc = OrgUnitService(db, identity.require_tenant(), actor_of(request, identity))
    try:
        kind = _kind(data.get("kind"))
        parent_id = parse_uuid(data.get("parent_id"), "parent_id") if kind == OrgUnitKind.DEPARTMENT else None
        unit = await svc.create(kind, data.get("code", ""), data.get("name") or None, parent_id)
    except ValidationFailed as exc:
        await db.rollback()
        ctx = await _tree_context(db, identity, values=data, errors=errors_by_field(exc))
        return page(request, LIST, ctx, status_code=422)
    return Redirect(f"{BASE}?angelegt={unit.id}#ou-{unit.id}", status_code=303)


@get(f"{BASE}/{{unit_id:uuid}}", guards=[requires_viewer], name="orgunits.detail", include_in_schema=False)
async def detail(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    unit_id: FromPath[uuid.UUID],
) -> Template:
    ctx = await _detail_context(db, identity, unit_id, saved=request.query_params.get("gespeichert") == "1")
    return page(request, DETAIL, ctx)


async def _detail_context(
    db: AsyncSession, identity: Identity, unit_id: uuid.UUID, **extra: Any
) -> dict[str, Any]:
    tenant_id = identity.require_tenant()
    svc = OrgUnitService(db, tenant_id)
    use = await svc.usage(unit_id)
    units = await svc.by_id()

    def show_value(key: str, value: Any) -> str:
        """A value of the change history, readable (units by their label)."""
        if value in (None, ""):
            return "leer"
        if key.endswith("_id"):
            other = units.get(parse_uuid_or_none(str(value)))  # type: ignore[arg-type]
            return other.label() if other else "(gelöschte Einheit)"
        if key == "kind" and value in {k.value for k in OrgUnitKind}:
            return ORG_UNIT_KIND_LABELS[OrgUnitKind(value)]
        return str(value)

    return {
        "unit": use.unit,
        "usage": use,
        "parent": units.get(use.unit.parent_id) if use.unit.parent_id else None,
        "ba_options": unit_options(units, OrgUnitKind.BUSINESS_AREA),
        "kind_labels": {k.value: label for k, label in ORG_UNIT_KIND_LABELS.items()},
        "record_links": RECORD_LINKS,
        "events": await history(db, tenant_id, "org_unit", unit_id),
        "show_value": show_value,
        "labels": LABELS,
        "can_edit": can_edit(identity),
        "values": {},
        "errors": {},
        "conflict": None,
        "delete_error": None,
        "saved": False,
        **extra,
    }


@get(f"{BASE}/{{unit_id:uuid}}/zeile", guards=[requires_viewer], name="orgunits.row", include_in_schema=False)
async def row_view(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    unit_id: FromPath[uuid.UUID],
) -> Template:
    """The display row (``Abbrechen`` of the inline form); the focus returns to its button."""
    return fragment(request, ROWS, "row", await _row_context(db, identity, unit_id, refocus=True))


@get(
    f"{BASE}/{{unit_id:uuid}}/bearbeiten",
    guards=[requires_editor],
    name="orgunits.edit_row",
    include_in_schema=False,
)
async def row_edit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    unit_id: FromPath[uuid.UUID],
) -> Template:
    if not is_htmx(request):  # opened as a page: the detail page with its form
        return page(request, DETAIL, await _detail_context(db, identity, unit_id))
    return fragment(request, ROWS, "edit_row", await _row_context(db, identity, unit_id))


def _update_from_form(unit: OrgUnit, data: dict[str, str]) -> OrgUnitUpdate:
    """Only the fields the form has; a Geschäftskreis's form has no ``parent_id``."""
    return OrgUnitUpdate(
        version=parse_version(data.get("version")),
        code=data["code"] if "code" in data else UNSET,
        name=data["name"] if "name" in data else UNSET,
        parent_id=(
            parse_uuid(data["parent_id"], "parent_id")
            if "parent_id" in data and unit.kind == OrgUnitKind.DEPARTMENT.value
            else UNSET
        ),
        move_assignments=data.get(MOVE_FIELD) == "1",
    )


@post(f"{BASE}/{{unit_id:uuid}}", guards=[requires_editor], name="orgunits.save", include_in_schema=False)
async def save(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    unit_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    """Save the inline form (htmx: answers with the whole tree, as a move or a new code changes
    the order) or the detail form (303)."""
    tenant_id = identity.require_tenant()
    svc = OrgUnitService(db, tenant_id, actor_of(request, identity))
    inline = data.get("inline") == "1" and is_htmx(request)
    try:
        unit = await svc.get(unit_id)
        await svc.update(unit_id, _update_from_form(unit, data))
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        extra: dict[str, Any] = {"values": data}
        status = 422
        if isinstance(exc, Conflict):
            status = 409
            units = await OrgUnitService(db, tenant_id).by_id()
            extra.update(conflict=describe_conflict(exc.current, units, LABELS), conflict_message=exc.message)
        else:
            extra["errors"] = errors_by_field(exc)
        if inline:
            ctx = await _row_context(db, identity, unit_id, **extra)
            return fragment(request, ROWS, "edit_row", ctx, status_code=status)
        ctx = await _detail_context(db, identity, unit_id, **extra)
        return page(request, DETAIL, ctx, status_code=status)
    if inline:
        ctx = await _tree_context(
            db, identity, focus_id=unit_id, oob_message=f"„{unit.label()}“ wurde gespeichert."
        )
        response = fragment(request, LIST, "tree", ctx)
        response.headers.update({"HX-Retarget": "#ou-baum", "HX-Reswap": "outerHTML"})
        return response
    return Redirect(f"{BASE}/{unit_id}?gespeichert=1", status_code=303)


@post(
    f"{BASE}/{{unit_id:uuid}}/loeschen",
    guards=[requires_editor],
    name="orgunits.delete",
    include_in_schema=False,
)
async def delete_unit(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    unit_id: FromPath[uuid.UUID],
    data: Annotated[dict[str, str], FormBody],
) -> Template | Redirect:
    """Delete an unused unit; one in use stays, with a message naming what uses it (409)."""
    tenant_id = identity.require_tenant()
    svc = OrgUnitService(db, tenant_id, actor_of(request, identity))
    inline = data.get("inline") == "1" and is_htmx(request)
    try:
        label = await svc.delete(unit_id, parse_version(data.get("version")))
    except (ValidationFailed, Conflict) as exc:
        await db.rollback()
        message = exc.message
        if isinstance(exc, ValidationFailed):
            message = "; ".join(e.message for e in exc.errors) or exc.message
        status = 409 if isinstance(exc, Conflict) else 422
        if inline:
            ctx = await _row_context(db, identity, unit_id, delete_error=message)
            return fragment(request, ROWS, "edit_row", ctx, status_code=status)
        ctx = await _detail_context(db, identity, unit_id, delete_error=message)
        return page(request, DETAIL, ctx, status_code=status)
    if inline:
        return fragment(request, ROWS, "deleted_row", {"unit_id": unit_id, "label": label})
    return Redirect(f"{BASE}?geloescht=1", status_code=303)


ROUTES: list[Any] = [
    api_list,
    api_create,
    api_get,
    api_update,
    api_delete,
    api_usage,
    list_page,
    create,
    detail,
    row_view,
    row_edit,
    save,
    delete_unit,
]
