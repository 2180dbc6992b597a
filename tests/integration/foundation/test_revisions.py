"""Data revisions: every committed write to a tracked table advances its tenant's counter
once per transaction, in that transaction; the app role can read but not write them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import platform_session, tenant_session
from core.orgunits.models import OrgUnit
from core.revisions import PLATFORM_SCOPE, read_revisions
from migrations.rls import UNTRACKED_TENANT_TABLES
from tests.factories import create_tenant

#: Reference tables shared by all tenants whose writes advance the platform revision.
PLATFORM_TRACKED = {
    "catalog_versions",
    "catalog_themenfelder",
    "catalog_lebenslagen",
    "catalog_ozg_leistungen",
    "catalog_leika_leistungen",
    "network_documents",
    "network_sections",
}


async def test_every_tenant_table_is_tracked(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn:
        tenant_tables = set(
            (
                await conn.execute(
                    text(
                        """
                        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
                        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT a.attisdropped
                        """
                    )
                )
            ).scalars()
        )
        triggers = {
            name: (deferred, args)
            for name, deferred, args in (
                await conn.execute(
                    text(
                        """
                        SELECT c.relname, t.tgdeferrable AND t.tginitdeferred,
                               encode(t.tgargs, 'escape')
                        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                        WHERE t.tgname = 'kommpass_revision'
                        """
                    )
                )
            ).all()
        }
    assert len(tenant_tables) > 30
    missing = sorted(tenant_tables - UNTRACKED_TENANT_TABLES - set(triggers))
    assert missing == [], f"tenant tables without revision trigger: {missing}"
    assert not (UNTRACKED_TENANT_TABLES & set(triggers))
    assert triggers["tenants"][1].startswith("id")
    for table in PLATFORM_TRACKED:
        assert triggers[table][1].startswith("platform"), table
    for table in tenant_tables - UNTRACKED_TENANT_TABLES:
        assert triggers[table][1].startswith("tenant_id"), table
    assert all(deferred for deferred, _ in triggers.values()), "triggers must fire at commit"


async def _units(session: AsyncSession, tenant_id: uuid.UUID, n: int) -> None:
    await session.execute(
        insert(OrgUnit),
        [
            {
                "tenant_id": tenant_id,
                "id": uuid.uuid4(),
                "kind": "geschaeftskreis",
                "code": f"X{i}-{uuid.uuid4().hex[:6]}",
                "name": "Test",
                "parent_id": None,
            }
            for i in range(n)
        ],
    )


async def test_a_commit_advances_its_tenant_once_a_rollback_not_at_all(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a = await create_tenant(sessionmaker)
    b = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, a.id) as s:
        before_a = await read_revisions(s, a.id)
        before_b = await read_revisions(s, b.id)
    async with tenant_session(sessionmaker, a.id) as s:
        await _units(s, a.id, 3)
        await _units(s, a.id, 2)  # two statements, five rows: one step
    async with tenant_session(sessionmaker, a.id) as s:
        after = await read_revisions(s, a.id)
        assert after.tenant == before_a.tenant + 1
        assert (await read_revisions(s, b.id)).tenant == before_b.tenant
    with pytest.raises(RuntimeError):
        async with tenant_session(sessionmaker, a.id) as s:
            await _units(s, a.id, 1)
            raise RuntimeError("roll back")
    async with tenant_session(sessionmaker, a.id) as s:
        assert (await read_revisions(s, a.id)).tenant == after.tenant


async def test_app_role_reads_but_cannot_write_revisions(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with platform_session(sessionmaker) as s:
        revisions = await read_revisions(s, tenant.id)
        assert revisions.tenant >= 1  # creating the tenant was a write
    for statement in (
        "UPDATE data_revisions SET revision = 0",
        f"DELETE FROM data_revisions WHERE scope_id = '{PLATFORM_SCOPE}'",
        f"INSERT INTO data_revisions (scope_id, revision) VALUES ('{uuid.uuid4()}', 1)",
    ):
        with pytest.raises(DBAPIError, match="permission denied"):
            async with platform_session(sessionmaker) as s:
                await s.execute(text(statement))
