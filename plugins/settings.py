"""Which plugins are switched on for a tenant.

A tenant that never touched a switch gets the plugin's ``default_enabled``. Switching off
hides routes (404), menu entries, widgets and report sections for that tenant only; the
plugin's data stays.
"""

from __future__ import annotations

import uuid

import pluggy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from plugins.manager import get_plugin_manager, plugin_infos
from plugins.models import TenantPlugin


async def enabled_plugins(
    session: AsyncSession, tenant_id: uuid.UUID, pm: pluggy.PluginManager | None = None
) -> set[str]:
    infos = plugin_infos(pm or get_plugin_manager())
    rows = dict(
        (await session.execute(
            select(TenantPlugin.plugin_name, TenantPlugin.enabled).where(TenantPlugin.tenant_id == tenant_id)
        )).tuples().all()
    )
    return {
        info.name for info in infos if (not info.switchable) or rows.get(info.name, info.default_enabled)
    }


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
