"""Factories for test data and a login helper (creates a real server-side session).

Login *flows* are tested against a real OIDC provider in ``tests/integration/identity``;
other tests use ``login()`` to get a session for a given user, tenant and role.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session, tenant_session
from tenants.models import Membership, Role, Tenant, User
from tenants.schemas import TenantCreate
from tenants.service import TenantService
from tenants.sessions import SessionService
from web.auth import SESSION_COOKIE


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


async def create_tenant(sessionmaker: async_sessionmaker[AsyncSession], *, name: str | None = None,
                        slug: str | None = None, ags: str = "05562012",
                        municipality_type: str = "mittlere_kreisangehoerige_stadt", **kw: Any) -> Tenant:
    slug = slug or unique_slug()
    async with platform_session(sessionmaker) as session:
        return await TenantService(session).create(
            TenantCreate(name=name or f"Stadt {slug}", slug=slug, ags=ags,
                         municipality_type=municipality_type, **kw)
        )


async def create_user(sessionmaker: async_sessionmaker[AsyncSession], *, email: str | None = None,
                      issuer: str = "https://idp.test", is_kaaw_admin: bool = False,
                      display_name: str | None = None) -> User:
    async with platform_session(sessionmaker) as session:
        user = User(issuer=issuer, subject=uuid.uuid4().hex, email=email or f"{uuid.uuid4().hex[:8]}@test.example",
                    display_name=display_name or "Test Person", is_kaaw_admin=is_kaaw_admin)
        session.add(user)
        await session.flush()
        return user


async def add_membership(sessionmaker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID,
                         user_id: uuid.UUID, role: Role) -> None:
    async with tenant_session(sessionmaker, tenant_id) as session:
        session.add(Membership(tenant_id=tenant_id, user_id=user_id, role=role.value))


@dataclass
class Actor:
    """A logged-in user as tests use it: ids plus the client carrying the session cookie."""

    user: User
    tenant: Tenant | None
    role: Role | None
    client: AsyncTestClient[Any]

    async def csrf_headers(self) -> dict[str, str]:
        return await csrf_headers(self.client)


async def csrf_headers(client: AsyncTestClient[Any]) -> dict[str, str]:
    """Make sure the CSRF cookie is set and return the header that must accompany writes."""
    token = client.cookies.get("kommpass_csrf")
    if not token:
        await client.get("/login")
        token = client.cookies.get("kommpass_csrf")
    assert token, "CSRF cookie was not set"
    return {"x-csrftoken": token}


async def login(client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession], *,
                tenant: Tenant | None, role: Role | None = Role.EDITOR, is_kaaw_admin: bool = False,
                user: User | None = None, acting_as: bool = False) -> Actor:
    """Create (or reuse) a user with ``role`` in ``tenant`` and put a session cookie on ``client``."""
    if user is None:
        user = await create_user(sessionmaker, is_kaaw_admin=is_kaaw_admin)
    if tenant is not None and role is not None:
        await add_membership(sessionmaker, tenant.id, user.id, role)
    async with platform_session(sessionmaker) as session:
        service = SessionService(session)
        token = await service.create(user_id=user.id, tenant_id=tenant.id if tenant else None)
        if acting_as and tenant is not None:
            await service.set_tenant(token, tenant.id, acting_as=True, reason="Test")
    client.cookies.set(SESSION_COOKIE, token)
    return Actor(user=user, tenant=tenant, role=role, client=client)
