"""Backup and restore per tenant: export, import as a new tenant and into a fresh database."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import migrate
from core.audit.service import Actor, record
from core.backup import export_tenant, import_tenant, read_export, tenant_tables, write_export
from core.db import create_engine, make_sessionmaker, tenant_session
from core.embedded import DatabaseUrls, asyncpg_url, provision
from plugins.manager import call_async, get_plugin_manager
from tenants.models import Role, Tenant
from tests.factories import add_membership, create_tenant, create_user, unique_slug


async def seeded_tenant(sessionmaker: async_sessionmaker[AsyncSession]) -> Tenant:
    """A tenant filled by every area's demo seed, plus memberships and audit rows."""
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as session:
        await call_async(get_plugin_manager().hook.kommpass_on_demo_seed, session=session, tenant_id=tenant.id)
        await record(session, tenant_id=tenant.id, action="test.backup", actor=Actor(label="test"),
                     changes={"x": [1, 2]})
    user = await create_user(sessionmaker)
    await add_membership(sessionmaker, tenant.id, user.id, Role.TENANT_ADMIN)
    return tenant


GLOBAL_KEY_TABLES = {t.name for t in tenant_tables() if t.info.get("global_keys")}


def comparable(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows per table without the tenant id (which changes for a restore as new tenant);
    tables with globally unique keys are not copied into a new tenant."""
    return {
        name: sorted(({k: v for k, v in row.items() if k != "tenant_id"} for row in rows), key=repr)
        for name, rows in data["tables"].items() if name not in GLOBAL_KEY_TABLES
    }


async def test_export_import_as_new_tenant_gives_identical_tables(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    tenant = await seeded_tenant(sessionmaker)
    original = await export_tenant(sessionmaker, tenant.slug)
    assert set(original["tables"]) == {t.name for t in tenant_tables()}, "every tenant table is exported"
    assert sum(map(len, original["tables"].values())) >= 3
    path = tmp_path / "backup.json.gz"
    write_export(original, path)

    new_slug = unique_slug("restored")
    new_id = await import_tenant(sessionmaker, read_export(path), new_slug=new_slug, new_name="Wiederhergestellt")
    assert new_id != tenant.id
    restored = await export_tenant(sessionmaker, new_slug)
    assert comparable(restored) == comparable(original)
    assert restored["tenant"]["name"] == "Wiederhergestellt"
    # the original is untouched
    assert comparable(await export_tenant(sessionmaker, tenant.slug)) == comparable(original)


async def test_import_into_a_fresh_database(sessionmaker: async_sessionmaker[AsyncSession], pg_admin_url: str,
                                            tmp_path: Path) -> None:
    tenant = await seeded_tenant(sessionmaker)
    original = await export_tenant(sessionmaker, tenant.slug)

    name = f"kommpass_restore_{secrets.token_hex(4)}"
    owner_pw, app_pw = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    import asyncio

    await asyncio.to_thread(provision, pg_admin_url, database=name, owner_role="kp_restore_owner",
                            owner_password=owner_pw, app_role="kp_restore_app", app_password=app_pw)
    host, port = pg_admin_url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)
    urls = DatabaseUrls(admin="", migration=asyncpg_url("kp_restore_owner", owner_pw, host, int(port), name),
                        app=asyncpg_url("kp_restore_app", app_pw, host, int(port), name))

    await asyncio.to_thread(migrate.upgrade, urls.migration, app_role="kp_restore_app")
    engine = create_engine(urls.app, pool_size=2, max_overflow=0)
    try:
        fresh = make_sessionmaker(engine)
        restored_id = await import_tenant(fresh, original)
        assert restored_id == tenant.id
        restored = await export_tenant(fresh, tenant.slug)
        assert restored["tables"] == original["tables"]
        assert sorted(u["subject"] for u in restored["users"]) == sorted(u["subject"] for u in original["users"])
    finally:
        await engine.dispose()


async def test_import_refuses_an_existing_slug_and_writes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await seeded_tenant(sessionmaker)
    data = await export_tenant(sessionmaker, tenant.slug)
    import pytest

    from core.errors import Conflict

    with pytest.raises(Conflict):
        await import_tenant(sessionmaker, data)
    async with tenant_session(sessionmaker, None) as session:
        assert (await session.scalars(select(Tenant).where(Tenant.slug == tenant.slug))).all()
