"""Request-scoped dependencies: the identity and a tenant-bound database session."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, TypeAlias

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import bind_context
from tenants.context import Identity

#: Parameter types of handlers for the two request dependencies, injected by name:
#: ``async def page(db: DbSession, identity: CurrentIdentity) -> ...``.
DbSession: TypeAlias = NamedDependency[AsyncSession]
CurrentIdentity: TypeAlias = NamedDependency[Identity]


async def provide_identity(request: Request[Any, Any, Any]) -> Identity:
    from web.auth import identity_of

    return identity_of(request)


async def provide_db(request: Request[Any, Any, Any], state: State) -> AsyncGenerator[AsyncSession, None]:
    """One session per request, bound to the identity's tenant; committed on success.

    The tenant comes from the identity (the server-side session), never from the request.
    """
    user = request.scope.get("user")
    identity = user if isinstance(user, Identity) else None
    async with state.sessionmaker() as session:
        bind_context(
            session,
            tenant_id=identity.tenant_id if identity else None,
            user_id=identity.user_id if identity else None,
        )
        try:
            yield session
        except Exception:
            await session.rollback()
            raise
        else:
            await session.commit()


DEPENDENCIES: dict[str, Any] = {}


def dependencies() -> dict[str, Any]:
    from litestar.di import Provide

    return {
        "db": Provide(provide_db),
        "identity": Provide(provide_identity),
    }
