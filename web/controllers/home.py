"""The tenant dashboard (Übersicht): core figures plus widgets contributed by plugins."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from plugins.manager import results_by_plugin
from plugins.types import RenderContext
from tenants.context import Identity
from web.rendering import page


async def load_widgets(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> list[dict[str, Any]]:
    """Widgets of the plugins switched on for the tenant, each with its loaded context."""
    if identity.tenant_id is None:
        return []
    enabled = getattr(request.state, "enabled_plugins", set())
    pm = request.app.state.plugin_manager
    widgets = []
    for plugin_name, items in results_by_plugin(pm, "kommpass_register_dashboard_widgets"):
        if plugin_name is not None and plugin_name not in enabled:
            continue
        for widget in items or []:
            ctx = RenderContext(session=db, tenant_id=identity.tenant_id, identity=identity)
            widgets.append({"widget": widget, "context": await widget.load(ctx)})
    return sorted(widgets, key=lambda w: (w["widget"].order, w["widget"].title))


@get("/", name="dashboard")
async def dashboard(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> Template:
    if identity.tenant_id is None:
        return page(request, "home/no_tenant.html", {})
    widgets = await load_widgets(request, db, identity)
    return page(request, "home/dashboard.html", {"widgets": widgets})


ROUTES = [dashboard]
