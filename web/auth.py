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

from core.errors import Forbidden, NotFound
from plugins.settings import resolve_enabled
from tenants.context import Identity
from tenants.models import Role
from tenants.sessions import resolve_request

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
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            raise NotAuthorizedException("Bitte melden Sie sich an.")
        app = connection.app
        # A plain connection (not an ORM session) in autocommit mode: no tenant is bound, so
        # tenant tables read as empty except where ``resolve_request`` binds the session's own
        # user and tenant for one statement.
        async with app.state.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            loaded = await resolve_request(conn, token)
        if loaded is None or loaded.identity is None:
            raise NotAuthorizedException("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.")
        identity = loaded.identity
        enabled: set[str] = set()
        if identity.tenant_id is not None:
            enabled = resolve_enabled(app.state.plugin_infos, loaded.plugin_switches)
        connection.state.enabled_plugins = enabled
        connection.state.revisions = loaded.revisions if identity.tenant_id is not None else None
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
