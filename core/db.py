"""Async engine and sessions, with the tenant bound to every transaction.

Two layers keep tenants apart:

1. PostgreSQL row-level security on every tenant table (see ``migrations/rls.py``). The
   policy compares ``tenant_id`` with the transaction-local setting ``app.tenant_id``.
2. Repositories filter by tenant explicitly.

The setting is made with ``set_config('app.tenant_id', …, true)`` at the start of *every*
transaction of a session (SQLAlchemy ``after_begin`` event), never with a plain ``SET``,
which would survive the transaction and leak the tenant through the connection pool.
A session without a tenant sets the value to ``''``: tenant tables then read as empty and
reject writes (fail closed).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, with_loader_criteria

from core import tenancy

TENANT_SETTING = "app.tenant_id"
USER_SETTING = "app.user_id"

_SET_CONTEXT = text(
    "SELECT set_config('app.tenant_id', :tenant_id, true), set_config('app.user_id', :user_id, true)"
)


#: A pooled connection unused for longer than this is pinged before it is handed out.
PING_IF_IDLE_SECONDS = 2.0


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10, echo: bool = False) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_recycle=1800,
        echo=echo,
    )
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """Pessimistic disconnect handling for idle connections only.

    ``pool_pre_ping`` costs three round trips (BEGIN, ping, ROLLBACK with asyncpg) on every
    checkout – on a busy server more than the request's own queries. A connection that was
    in use a moment ago is alive with near certainty; one that sat in the pool may have been
    closed by a database restart or a firewall, so only those are pinged. A dead one is
    replaced transparently (``DisconnectionError`` makes the pool try another). Should a
    recently used connection have died anyway, its statement fails, SQLAlchemy invalidates
    the pool's older connections, and the request is answered with 503 (``web.errors``).
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _mark_idle(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since < PING_IF_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("connection lost while idle") from exc


@event.listens_for(Session, "after_begin")
def _bind_tenant_to_transaction(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    if transaction.nested:
        return  # a SAVEPOINT runs inside a transaction that is bound already (set_config is transaction-local)
    tenant_id = session.info.get("tenant_id")
    user_id = session.info.get("user_id")
    connection.execute(
        _SET_CONTEXT,
        {"tenant_id": str(tenant_id) if tenant_id else "", "user_id": str(user_id) if user_id else ""},
    )


@event.listens_for(Session, "do_orm_execute")
def _app_level_tenant_filter(state: ORMExecuteState) -> None:
    """Add ``tenant_id = <bound tenant>`` to ORM SELECTs of every tenant entity."""
    if not tenancy.APP_TENANT_FILTER or not state.is_select:
        return
    tenant_id = state.session.info.get("tenant_id")
    if tenant_id is None:
        return
    from core.models import TenantScoped

    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


def bind_context(session: AsyncSession, *, tenant_id: uuid.UUID | None, user_id: uuid.UUID | None = None) -> None:
    """Bind tenant and user to the session; takes effect from the next transaction on."""
    session.info["tenant_id"] = tenant_id
    session.info["user_id"] = user_id


@asynccontextmanager
async def tenant_session(
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID | None,
    *,
    user_id: uuid.UUID | None = None,
) -> AsyncIterator[AsyncSession]:
    """A session whose transactions all run as ``tenant_id``; committed on success."""
    async with sessionmaker() as session:
        bind_context(session, tenant_id=tenant_id, user_id=user_id)
        async with session.begin():
            yield session


@asynccontextmanager
async def platform_session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session with no tenant: sees platform tables only (tenant tables read as empty)."""
    async with tenant_session(sessionmaker, None) as session:
        yield session


async def current_tenant(session: AsyncSession) -> str | None:
    value: Any = await session.scalar(text("SELECT NULLIF(current_setting('app.tenant_id', true), '')"))
    return str(value) if value is not None else None
