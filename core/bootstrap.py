"""First start: the demo tenant with its content, and whatever plugins load at start-up."""

from __future__ import annotations

import uuid

import pluggy
import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import create_engine, make_sessionmaker, platform_session, tenant_session
from core.settings import Settings
from plugins.manager import call_async
from tenants.models import Tenant
from tenants.schemas import TenantCreate
from tenants.service import TenantService

log = structlog.get_logger(__name__)

DEMO_TENANT = TenantCreate(
    name="Stadt Dorsten (Demo)",
    slug="dorsten",
    ags="05562012",
    ars="055620012012",
    municipality_type="mittlere_kreisangehoerige_stadt",
    size_class=4,
    population=75000,
    email_domains=["dorsten.example"],
)


async def ensure_demo_tenant(
    sessionmaker: async_sessionmaker[AsyncSession], pm: pluggy.PluginManager
) -> uuid.UUID | None:
    """Create and fill the demo tenant if the database has no tenant yet; return its id."""
    async with platform_session(sessionmaker) as session:
        if await session.scalar(select(func.count()).select_from(Tenant)):
            return None
        tenant = await TenantService(session).create(DEMO_TENANT, is_demo=True)
        tenant_id = tenant.id
    async with tenant_session(sessionmaker, tenant_id) as session:
        await call_async(pm.hook.kommpass_on_demo_seed, session=session, tenant_id=tenant_id)
    log.info("demo.tenant_created", tenant_id=str(tenant_id))
    return tenant_id


async def on_start(app_url: str, settings: Settings, pm: pluggy.PluginManager, *, demo: bool) -> None:
    engine = create_engine(app_url, pool_size=2, max_overflow=2)
    try:
        sessionmaker = make_sessionmaker(engine)
        await call_async(pm.hook.kommpass_on_startup, sessionmaker=sessionmaker, settings=settings)
        if demo:
            await ensure_demo_tenant(sessionmaker, pm)
    finally:
        await engine.dispose()
