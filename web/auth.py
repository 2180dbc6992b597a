"""Authentication middleware and guards.

The session cookie (``kommpass_session``) names a server-side session (see
``tenants.sessions``). The middleware resolves it to an ``Identity`` for every request
outside the public paths; without one, HTML requests are redirected to the login page and
API requests get 401.
"""

from __future__ import annotations

from typing import Any

import structlog

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import Forbidden, NotFound
from tenants.context import Identity
from tenants.models import Role
from tenants.sessions import SessionService

SESSION_COOKIE = "kommpass_session"
#: Paths reachable without a login (prefix match).
PUBLIC_PATHS = (
    "/health",
    "/live",
    "/ready",
    "/metrics",
    "/static",
    "/login",
    "/auth/",
    "/logout",
    "/favicon.ico",
    "/schema",
    "/barrierefreiheit",
)


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            raise NotAuthorizedException("Bitte melden Sie sich an.")
        sessionmaker: async_sessionmaker[AsyncSession] = connection.app.state.sessionmaker
        async with sessionmaker() as session, session.begin():
            service = SessionService(session)
            loaded = await service.load_identity(token)
            if loaded is None or loaded.identity is None:
                raise NotAuthorizedException("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.")
            await service.touch(loaded.session)
            identity = loaded.identity
            enabled: set[str] = set()
            if identity.tenant_id is not None:
                from plugins.settings import enabled_plugins

                # Memberships lookup bound the tenant for this transaction already.
                enabled = await enabled_plugins(session, identity.tenant_id, connection.app.state.plugin_manager)
        connection.state.enabled_plugins = enabled
        structlog.contextvars.bind_contextvars(
            tenant_id=str(identity.tenant_id) if identity.tenant_id else None, user_id=str(identity.user_id)
        )
        return AuthenticationResult(user=identity, auth=token)


def identity_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Identity:
    user = connection.scope.get("user")
    if not isinstance(user, Identity):
        raise NotAuthorizedException("Bitte melden Sie sich an.")
    return user


def requires_role(minimum: Role) -> Any:
    """Guard: the identity has at least ``minimum`` in its current tenant.

    No tenant chosen is a 404 (the tenant's pages do not exist for this identity).
    """

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        identity = identity_of(connection)
        if identity.tenant_id is None:
            raise NotFound("Kein Mandant gewählt.")
        if not identity.has_role(minimum):
            raise Forbidden("Dafür fehlt Ihnen die Berechtigung.")

    guard.__name__ = f"requires_{minimum.value}"
    return guard


requires_viewer = requires_role(Role.VIEWER)
requires_editor = requires_role(Role.EDITOR)
requires_tenant_admin = requires_role(Role.TENANT_ADMIN)


def requires_kaaw_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not identity_of(connection).is_kaaw_admin:
        raise Forbidden("Nur für die KAAW-Administration.")
