"""Row-level security: the second layer that holds even when a query forgets the tenant."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.audit.models import AuditEvent
from core.db import create_engine, make_sessionmaker, tenant_session
from core.embedded import DatabaseUrls
from plugins.models import TenantPlugin
from tests.conftest import TEST_APP_ROLE
from tests.factories import create_tenant


async def test_every_tenant_table_has_forced_rls_with_using_and_check(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn:
        tables = (await conn.execute(text(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            ORDER BY 1
            """
        ))).all()
        policies = {
            row.tablename: row
            for row in (await conn.execute(text(
                "SELECT tablename, qual, with_check FROM pg_policies WHERE schemaname = 'public'"
            ))).all()
        }
    assert len(tables) >= 3, "expected tenant tables (memberships, audit_events, tenant_plugins …)"
    problems = []
    for name, enabled, forced in tables:
        policy = policies.get(name)
        if not enabled:
            problems.append(f"{name}: RLS not enabled")
        if not forced:
            problems.append(f"{name}: RLS not forced")
        if policy is None or not policy.qual or not policy.with_check:
            problems.append(f"{name}: no policy with USING and WITH CHECK")
        elif "app.tenant_id" not in policy.qual or "app.tenant_id" not in policy.with_check:
            problems.append(f"{name}: policy does not compare with app.tenant_id")
    assert not problems, "\n".join(problems)


async def test_app_role_owns_nothing_and_cannot_bypass_rls(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn:
        role = (await conn.execute(
            text("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r"),
            {"r": TEST_APP_ROLE},
        )).one()
        owned = (await conn.execute(text(
            """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = :r
            """), {"r": TEST_APP_ROLE})).scalars().all()
        migration_role = (await conn.execute(text("SELECT current_user"))).scalar_one()
    assert role == (False, False, False, False)
    assert owned == []
    assert migration_role != TEST_APP_ROLE


async def test_no_tenant_reads_empty_and_rejects_writes(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        s.add(AuditEvent(tenant_id=tenant.id, action="test.visible"))
    async with tenant_session(sessionmaker, None) as s:
        assert (await s.scalars(select(AuditEvent))).all() == []
    with pytest.raises(DBAPIError, match="row-level security"):
        async with tenant_session(sessionmaker, None) as s:
            s.add(AuditEvent(tenant_id=tenant.id, action="test.no_tenant"))


async def test_tenant_a_cannot_read_or_write_tenant_b(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    a = await create_tenant(sessionmaker)
    b = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, b.id) as s:
        s.add(AuditEvent(tenant_id=b.id, action="test.b_secret"))
        s.add(TenantPlugin(tenant_id=b.id, plugin_name="dms", enabled=True))
    async with tenant_session(sessionmaker, a.id) as s:
        s.add(AuditEvent(tenant_id=a.id, action="test.a_own"))
    async with tenant_session(sessionmaker, a.id) as s:
        # No tenant filter in the query: RLS alone must hide B's rows.
        actions = set((await s.scalars(select(AuditEvent.action))).all())
        assert "test.a_own" in actions and "test.b_secret" not in actions
        # Updating or deleting B's rows by an explicit filter touches nothing.
        result = await s.execute(text("UPDATE tenant_plugins SET enabled = false WHERE tenant_id = :b"), {"b": b.id})
        assert result.rowcount == 0
        result = await s.execute(text("DELETE FROM tenant_plugins WHERE tenant_id = :b"), {"b": b.id})
        assert result.rowcount == 0
    with pytest.raises(DBAPIError, match="row-level security"):
        async with tenant_session(sessionmaker, a.id) as s:
            s.add(AuditEvent(tenant_id=b.id, action="test.forged"))
    async with tenant_session(sessionmaker, b.id) as s:
        assert (await s.scalars(select(AuditEvent.action))).all() == ["test.b_secret"]
        assert (await s.scalars(select(TenantPlugin.enabled))).all() == [True]


async def test_tenant_does_not_leak_through_the_pool(database: DatabaseUrls,
                                                     sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    a = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, a.id) as s:
        s.add(AuditEvent(tenant_id=a.id, action="test.pool"))
    engine = create_engine(database.app, pool_size=1, max_overflow=0)
    try:
        sm = make_sessionmaker(engine)
        async with tenant_session(sm, a.id) as s:
            pid_a = await s.scalar(text("SELECT pg_backend_pid()"))
            assert await s.scalar(select(AuditEvent.action).where(AuditEvent.action == "test.pool")) == "test.pool"
        async with sm() as s:  # no tenant bound, same pooled connection
            pid = await s.scalar(text("SELECT pg_backend_pid()"))
            assert pid == pid_a, "pool of size 1 must reuse the connection"
            assert await s.scalar(text("SELECT current_setting('app.tenant_id', true)")) in ("", None)
            assert (await s.scalars(select(AuditEvent))).all() == []
    finally:
        await engine.dispose()


async def test_commit_inside_a_session_keeps_the_tenant(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Every transaction of a bound session gets the tenant again (after_begin event)."""
    a = await create_tenant(sessionmaker)
    async with sessionmaker() as s:
        s.info["tenant_id"] = a.id
        s.add(AuditEvent(tenant_id=a.id, action="test.first_tx"))
        await s.commit()
        s.add(AuditEvent(tenant_id=a.id, action="test.second_tx", id=uuid.uuid4()))
        await s.commit()
        assert len((await s.scalars(select(AuditEvent).where(AuditEvent.action.like("test.%_tx")))).all()) == 2


async def test_orm_selects_are_filtered_by_the_bound_tenant_before_rls(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The app-level filter adds the tenant to ORM selects (visible in the SQL sent)."""
    from sqlalchemy import event

    from core import tenancy

    a = await create_tenant(sessionmaker)
    statements: list[str] = []
    async with tenant_session(sessionmaker, a.id) as s:
        conn = await s.connection()

        def capture(conn_, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(statement)

        event.listen(conn.sync_connection, "before_cursor_execute", capture)
        await s.scalars(select(AuditEvent))
        event.remove(conn.sync_connection, "before_cursor_execute", capture)
    selects = [st for st in statements if "FROM audit_events" in st]
    assert selects
    if tenancy.APP_TENANT_FILTER:
        assert "audit_events.tenant_id = " in selects[0]
    else:  # the RLS-only pass: the query goes out unfiltered, RLS must hold alone
        assert "audit_events.tenant_id = " not in selects[0]
