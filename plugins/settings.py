"""Which plugins are switched on for a tenant.

A tenant that never touched a switch gets the plugin's ``default_enabled``. Switching off
hides routes (404), menu entries, widgets and report sections for that tenant only; the
plugin's data stays.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import pluggy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from plugins.manager import get_plugin_manager, plugin_infos
from plugins.models import TenantPlugin
from plugins.types import PluginInfo


def resolve_enabled(infos: Iterable[PluginInfo], switches: Mapping[str, bool]) -> set[str]:
    """The plugins on for a tenant with these stored ``switches``: core plugins always, the
    others as switched, or as their ``default_enabled`` where the tenant never switched."""
    return {
        info.name for info in infos if (not info.switchable) or switches.get(info.name, info.default_enabled)
    }


async def enabled_plugins(
    session: AsyncSession, tenant_id: uuid.UUID, pm: pluggy.PluginManager | None = None
) -> set[str]:
    infos = plugin_infos(pm or get_plugin_manager())
    rows = dict(
        (await session.execute(
            select(TenantPlugin.plugin_name, TenantPlugin.enabled).where(TenantPlugin.tenant_id == tenant_id)
        )).tuples().all()
    )
    return resolve_enabled(infos, rows)


async def set_plugin_enabled(
    session: AsyncSession, tenant_id: uuid.UUID, plugin_name: str, enabled: bool,
    pm: pluggy.PluginManager | None = None,
) -> None:
    infos = {info.name: info for info in plugin_infos(pm or get_plugin_manager())}
    if plugin_name not in infos:
        raise NotFound(f"Plugin „{plugin_name}“ ist nicht geladen.")
    row = await session.scalar(
        select(TenantPlugin).where(TenantPlugin.tenant_id == tenant_id, TenantPlugin.plugin_name == plugin_name)
    )
    if row is None:
        session.add(TenantPlugin(tenant_id=tenant_id, plugin_name=plugin_name, enabled=enabled))
    else:
        row.enabled = enabled
    await session.flush()


async def switches_by_tenant(
    sessionmaker: Any, pm: pluggy.PluginManager | None = None
) -> list[tuple[Any, set[str]]]:
    """For the KAAW admin page: every tenant with the plugins switched on for it.

    ``tenant_plugins`` has row-level security, so each tenant's switches are read with that
    tenant bound (``set_config('app.tenant_id', …, true)``), one after the other inside one
    read-only transaction.
    """
    from sqlalchemy import text

    from core.db import platform_session
    from tenants.models import Tenant

    out: list[tuple[Any, set[str]]] = []
    async with platform_session(sessionmaker) as session:
        tenants = list((await session.scalars(select(Tenant).order_by(Tenant.name))).all())
        try:
            for tenant in tenants:
                await session.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant.id)})
                out.append((tenant, await enabled_plugins(session, tenant.id, pm)))
        finally:
            await session.execute(text("SELECT set_config('app.tenant_id', '', true)"))
    return out


async def switch_plugin(
    sessionmaker: Any, tenant_id: uuid.UUID, plugin_name: str, enabled: bool, *, actor: Any,
    pm: pluggy.PluginManager | None = None,
) -> None:
    """Switch ``plugin_name`` on or off for ``tenant_id`` (KAAW admin), with audit entries in the
    tenant's history and the platform's."""
    from core.audit.service import record, record_platform
    from core.db import platform_session, tenant_session

    infos = {info.name: info for info in plugin_infos(pm or get_plugin_manager())}
    info = infos.get(plugin_name)
    if info is None:
        raise NotFound(f"Plugin „{plugin_name}“ ist nicht geladen.")
    if not info.switchable:
        from core.errors import Forbidden

        raise Forbidden(f"„{info.label}“ gehört zum Kern und lässt sich nicht abschalten.")
    async with platform_session(sessionmaker) as session:
        from tenants.models import Tenant

        if await session.get(Tenant, tenant_id) is None:
            raise NotFound("Diesen Mandanten gibt es nicht.")
    async with tenant_session(sessionmaker, tenant_id) as session:
        before = plugin_name in await enabled_plugins(session, tenant_id, pm)
        await set_plugin_enabled(session, tenant_id, plugin_name, enabled, pm)
        await record(session, tenant_id=tenant_id, action="plugin.switch", actor=actor, entity_type="plugin",
                     entity_id=plugin_name, changes={"enabled": [before, enabled]})
    async with platform_session(sessionmaker) as session:
        await record_platform(session, action="plugin.switch", actor=actor, subject_tenant_id=tenant_id,
                              details={"plugin": plugin_name, "enabled": enabled})
