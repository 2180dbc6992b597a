"""``/admin/plugins`` (KAAW admins): loaded plugins and versions, per-tenant switches (htmx),
and the shared catalogue: current version, "sync now" (through the job queue) and the
network view of how many towns have each OZG-Leistung online (aggregates only).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog import service as catalog
from core.errors import FieldError, ValidationFailed
from plugins.manager import plugin_infos
from plugins.settings import switch_plugin, switches_by_tenant
from web.auth import requires_kaaw_admin
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page


def _pm(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.plugin_manager


def _distribution(pm: Any) -> dict[str, str]:
    """Plugin name → distribution that provides it (from the entry points)."""
    from importlib.metadata import entry_points

    out: dict[str, str] = {}
    for ep in entry_points(group="kommpass"):
        dist = getattr(ep, "dist", None)
        out[ep.name] = f"{dist.name} {dist.version}" if dist else ep.value
    return out


@get("/admin/plugins", guards=[requires_kaaw_admin], name="plugins_admin.index")
async def index(request: Request[Any, Any, Any], db: DbSession) -> Template:
    pm = _pm(request)
    infos = plugin_infos(pm)
    switches = await switches_by_tenant(request.app.state.sessionmaker, pm)
    return page(
        request,
        "plugins_admin/index.html",
        {
            "infos": infos,
            "switchable": [i for i in infos if i.switchable],
            "switches": switches,
            "distributions": _distribution(pm),
            "version": await catalog.current_version(db),
            "job_message": request.query_params.get("abgleich"),
        },
    )


@post(
    "/admin/plugins/schalter/{tenant_id:uuid}/{plugin_name:str}",
    guards=[requires_kaaw_admin],
    name="plugins_admin.switch",
)
async def switch(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    plugin_name: FromPath[str],
) -> Any:
    from web.controllers.auth import actor_of

    form = await request.form()
    enabled = form.get("enabled") == "1"
    pm = _pm(request)
    await switch_plugin(
        request.app.state.sessionmaker,
        tenant_id,
        plugin_name,
        enabled,
        actor=actor_of(request, identity),
        pm=pm,
    )
    if is_htmx(request):
        info = next(i for i in plugin_infos(pm) if i.name == plugin_name)
        return fragment(
            request,
            "plugins_admin/index.html",
            "switch_cell",
            {"tenant_id": tenant_id, "info": info, "on": enabled, "changed": True},
        )
    return Redirect(path="/admin/plugins", status_code=303)


@post("/admin/plugins/katalog/abgleich", guards=[requires_kaaw_admin], name="plugins_admin.catalog_sync")
async def catalog_sync(request: Request[Any, Any, Any], identity: CurrentIdentity) -> Any:
    """Enqueue the catalogue sync now (the job ``catalog.sync`` of the OZG catalogue plugin)."""
    from core.jobs import get_default_queue

    try:
        key = await get_default_queue().enqueue(
            "catalog.sync",
            key="catalog.sync:manual",
            triggered_by=f"manuell ({identity.email or identity.display_name or 'KAAW'})",
        )
    except (KeyError, RuntimeError) as exc:
        raise ValidationFailed(
            [FieldError("abgleich", f"Abgleich nicht möglich: {exc}")],
            message="Der Abgleich kann nicht eingeplant werden.",
        ) from exc
    message = (
        "Abgleich eingeplant; das Ergebnis erscheint als neue Katalogversion, sobald er gelaufen ist."
        if key
        else "Ein Abgleich ist bereits eingeplant oder läuft."
    )
    if is_htmx(request):
        return fragment(request, "plugins_admin/index.html", "sync_message", {"job_message": message})
    return Redirect(path="/admin/plugins?abgleich=" + ("1" if key else "0"), status_code=303)


ENTITY_LABELS = {
    "ozg_leistung": "OZG-Leistung",
    "leika_leistung": "LeiKa-Leistung",
    "themenfeld": "Themenfeld",
    "lebenslage": "Lebenslage",
}
ACTION_LABELS = {"added": "neu", "changed": "geändert", "removed": "entfernt"}


async def render_versions(
    request: Request[Any, Any, Any], db: AsyncSession, *, base: str, back: tuple[str, str]
) -> Template:
    """The list of catalogue versions (also used by the catalogue plugin under ``/katalog``)."""
    return page(
        request,
        "plugins_admin/catalog_versions.html",
        {"versions": await catalog.versions(db), "base": base, "back_url": back[0], "back_label": back[1]},
    )


async def render_version_diff(
    request: Request[Any, Any, Any], db: AsyncSession, version_id: int, *, base: str
) -> Template:
    """The browsable diff of one catalogue version, filterable by kind and change (htmx)."""
    q = request.query_params
    entity = q.get("art") or ""
    action = q.get("aenderung") or ""
    entity = entity if entity in ENTITY_LABELS else ""
    action = action if action in ACTION_LABELS else ""
    try:
        page_no = int(q.get("seite", "1") or 1)
    except ValueError:
        page_no = 1
    version, changes = await catalog.version_diff(db, version_id, entity=entity, action=action, page=page_no)
    ctx = {
        "version": version,
        "changes": changes,
        "entity": entity,
        "action": action,
        "base": base,
        "entity_labels": ENTITY_LABELS,
        "action_labels": ACTION_LABELS,
    }
    if is_htmx(request) and request.headers.get("hx-target") == "diff-ergebnisse":
        return fragment(request, "plugins_admin/catalog_version.html", "changes", ctx)
    return page(request, "plugins_admin/catalog_version.html", ctx)


@get("/admin/plugins/katalog/versionen", guards=[requires_kaaw_admin], name="plugins_admin.catalog_versions")
async def admin_versions(request: Request[Any, Any, Any], db: DbSession) -> Template:
    return await render_versions(
        request, db, base="/admin/plugins/katalog/versionen", back=("/admin/plugins", "Zurück zu den Plugins")
    )


@get(
    "/admin/plugins/katalog/versionen/{version_id:int}",
    guards=[requires_kaaw_admin],
    name="plugins_admin.catalog_version",
)
async def admin_version(
    request: Request[Any, Any, Any], db: DbSession, version_id: FromPath[int]
) -> Template:
    return await render_version_diff(request, db, version_id, base="/admin/plugins/katalog/versionen")


@get("/admin/plugins/katalog/netzwerk", guards=[requires_kaaw_admin], name="plugins_admin.network")
async def network(request: Request[Any, Any, Any], db: DbSession) -> Template:
    towns, rows = await catalog.network_coverage(db)
    return page(request, "plugins_admin/network.html", {"towns": towns, "rows": rows})


ROUTES: list[Any] = [index, catalog_sync, network, admin_versions, admin_version, switch]
