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

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import utcnow
from tenants.context import Identity
from tenants.models import Membership, Role, Tenant, User, UserSession

IDLE_TIMEOUT = dt.timedelta(hours=8)
TOUCH_INTERVAL = dt.timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LoadedSession:
    token_hash: str
    session: UserSession
    identity: Identity | None


class SessionService:
    """Works on platform tables; bind the session's user for the membership lookup."""

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

    async def touch(self, row: UserSession) -> None:
        now = utcnow()
        if now - row.last_seen_at >= TOUCH_INTERVAL:
            await self.session.execute(
                update(UserSession)
                .where(UserSession.id_hash == row.id_hash)
                .values(last_seen_at=now, expires_at=now + IDLE_TIMEOUT)
            )

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

    async def load_identity(self, token: str) -> LoadedSession | None:
        """Session, user, active tenant and role. None if unknown or expired.

        Memberships are under RLS: the user and tenant just read are bound to this
        transaction (``set_config(..., true)``) before the role is looked up.
        """
        token_hash = hash_token(token)
        stmt = (
            select(UserSession, User, Tenant)
            .outerjoin(User, User.id == UserSession.user_id)
            .outerjoin(Tenant, Tenant.id == UserSession.active_tenant_id)
            .where(UserSession.id_hash == token_hash, UserSession.expires_at > utcnow())
        )
        row = (await self.session.execute(stmt)).first()
        if row is None:
            return None
        sess, user, tenant = row
        identity = None
        if user is not None and user.is_active:
            role: str | None = None
            if tenant is not None:
                await self.session.execute(
                    text("SELECT set_config('app.user_id', :u, true), set_config('app.tenant_id', :t, true)"),
                    {"u": str(user.id), "t": str(tenant.id)},
                )
                role = await self.session.scalar(
                    select(Membership.role).where(
                        Membership.tenant_id == tenant.id, Membership.user_id == user.id
                    )
                )
            tenant_ok = tenant is not None and tenant.is_active and (
                role is not None or (sess.acting_as and user.is_kaaw_admin)
            )
            identity = Identity(
                user_id=user.id,
                email=user.email,
                display_name=user.display_name,
                is_kaaw_admin=user.is_kaaw_admin,
                tenant_id=tenant.id if tenant_ok else None,
                tenant_slug=tenant.slug if tenant_ok else None,
                tenant_name=tenant.name if tenant_ok else None,
                role=Role(role) if (tenant_ok and role) else None,
                acting_as=bool(sess.acting_as and tenant_ok and user.is_kaaw_admin),
            )
        return LoadedSession(token_hash=token_hash, session=sess, identity=identity)
