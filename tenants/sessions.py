"""Server-side login sessions.

The cookie carries a random 256-bit token; the database stores only its SHA-256, so a
leaked database dump does not yield usable sessions. A login always creates a new session
id (no fixation); logout deletes the row, so an old cookie is worthless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from core.models import utcnow
from core.revisions import PLATFORM_SCOPE, Revisions
from core.revisions.models import DataRevision
from tenants.context import Identity
from tenants.models import Role, Tenant, User, UserSession

IDLE_TIMEOUT = dt.timedelta(hours=8)
TOUCH_INTERVAL = dt.timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RequestContext:
    """What every authenticated request needs (``resolve_request``: two statements)."""

    identity: Identity | None
    #: Data revisions of the active tenant and the platform, read before any data of the
    #: request: the key under which pages may cache (``web.page_cache``).
    revisions: Revisions
    #: The tenant's plugin switches (name → on/off) as stored; empty without a tenant.
    plugin_switches: dict[str, bool]


_TENANT_REV, _PLATFORM_REV = aliased(DataRevision), aliased(DataRevision)
#: Session, user, active tenant and both revisions in one row (platform tables only).
_LOAD_SESSION = (
    select(
        UserSession.user_id,
        UserSession.active_tenant_id,
        UserSession.acting_as,
        UserSession.last_seen_at,
        User.email,
        User.display_name,
        User.is_kaaw_admin,
        User.is_active,
        Tenant.slug,
        Tenant.name,
        Tenant.is_active.label("tenant_active"),
        _TENANT_REV.revision.label("tenant_revision"),
        _PLATFORM_REV.revision.label("platform_revision"),
    )
    .select_from(UserSession)
    .outerjoin(User, User.id == UserSession.user_id)
    .outerjoin(Tenant, Tenant.id == UserSession.active_tenant_id)
    .outerjoin(_TENANT_REV, _TENANT_REV.scope_id == UserSession.active_tenant_id)
    .outerjoin(_PLATFORM_REV, _PLATFORM_REV.scope_id == PLATFORM_SCOPE)
    .where(UserSession.id_hash == bindparam("token_hash"), UserSession.expires_at > bindparam("now"))
)
#: Role and plugin switches (both under RLS): the function binds user and tenant first, in
#: the statement's own transaction (see migration 0012_membership_context).
_MEMBERSHIP_CONTEXT = text("SELECT role, plugins_on, plugins_off FROM kommpass_membership_context(:u, :t)")
_TOUCH = (
    update(UserSession)
    .where(UserSession.id_hash == bindparam("token_hash"))
    .values(last_seen_at=bindparam("now"), expires_at=bindparam("expires"))
)


async def resolve_request(conn: AsyncConnection, token: str) -> RequestContext | None:
    """The identity behind a session cookie, the data revisions and the tenant's plugin
    switches; None if the session is unknown or expired. Extends an idle session's expiry
    at most every ``TOUCH_INTERVAL``.

    Run it on a connection in autocommit mode, with no tenant bound: two statements, each
    its own transaction. Memberships and plugin switches are under RLS: the user and tenant
    just read are bound (``set_config(..., true)``) for the statement that looks them up.
    """
    token_hash = hash_token(token)
    now = utcnow()
    row = (await conn.execute(_LOAD_SESSION, {"token_hash": token_hash, "now": now})).first()
    if row is None:
        return None
    revisions = Revisions(tenant=row.tenant_revision or 0, platform=row.platform_revision or 0)
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        await conn.execute(_TOUCH, {"token_hash": token_hash, "now": now, "expires": now + IDLE_TIMEOUT})
    if row.user_id is None or not row.is_active:
        return RequestContext(identity=None, revisions=revisions, plugin_switches={})
    role: str | None = None
    switches: dict[str, bool] = {}
    tenant_id = row.active_tenant_id if row.tenant_active is not None else None
    if tenant_id is not None:
        role, on, off = (await conn.execute(_MEMBERSHIP_CONTEXT, {"u": row.user_id, "t": tenant_id})).one()
        switches = {**dict.fromkeys(off or (), False), **dict.fromkeys(on or (), True)}
    tenant_ok = tenant_id is not None and bool(row.tenant_active) and (
        role is not None or (row.acting_as and row.is_kaaw_admin)
    )
    identity = Identity(
        user_id=row.user_id,
        email=row.email,
        display_name=row.display_name,
        is_kaaw_admin=row.is_kaaw_admin,
        tenant_id=tenant_id if tenant_ok else None,
        tenant_slug=row.slug if tenant_ok else None,
        tenant_name=row.name if tenant_ok else None,
        role=Role(role) if (tenant_ok and role) else None,
        acting_as=bool(row.acting_as and tenant_ok and row.is_kaaw_admin),
    )
    return RequestContext(
        identity=identity, revisions=revisions, plugin_switches=switches if tenant_ok else {}
    )


class SessionService:
    """Creates, switches and ends sessions (platform table ``user_sessions``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        user_id: uuid.UUID | None,
        tenant_id: uuid.UUID | None = None,
        data: dict[str, Any] | None = None,
    ) -> str:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        self.session.add(
            UserSession(
                id_hash=hash_token(token),
                user_id=user_id,
                active_tenant_id=tenant_id,
                data=data or {},
                created_at=now,
                last_seen_at=now,
                expires_at=now + IDLE_TIMEOUT,
            )
        )
        await self.session.flush()
        return token

    async def get(self, token: str) -> UserSession | None:
        row = await self.session.get(UserSession, hash_token(token))
        if row is None or row.expires_at <= utcnow():
            return None
        return row

    async def delete(self, token: str) -> None:
        await self.session.execute(delete(UserSession).where(UserSession.id_hash == hash_token(token)))

    async def delete_for_user(self, user_id: uuid.UUID) -> None:
        await self.session.execute(delete(UserSession).where(UserSession.user_id == user_id))

    async def purge_expired(self) -> int:
        result = await self.session.execute(delete(UserSession).where(UserSession.expires_at <= utcnow()))
        return int(getattr(result, "rowcount", 0) or 0)

    async def set_tenant(self, token: str, tenant_id: uuid.UUID | None, *, acting_as: bool = False,
                         reason: str | None = None) -> None:
        await self.session.execute(
            update(UserSession)
            .where(UserSession.id_hash == hash_token(token))
            .values(active_tenant_id=tenant_id, acting_as=acting_as, act_reason=reason)
        )
