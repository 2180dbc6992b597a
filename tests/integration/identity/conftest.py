"""Real OIDC providers over HTTP on loopback for the login tests.

* ``idp_a`` / ``idp_b``: two ``oidc-provider-mock`` servers (two municipalities' providers).
* ``forging_idp``: Kommpass's own mini provider (``tenants.demo_idp``) with a ``tamper``
  hook, for ID tokens no honest provider would issue (wrong ``aud``, ``alg: none`` …). All
  of them are real HTTP servers the app talks to with real requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient
from oidc_provider_mock import run_server_in_thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.models import AuditEvent
from core.audit.service import Actor
from core.db import tenant_session
from core.settings import Settings
from tenants.demo_idp import DemoAccount, MiniProvider
from tenants.identity import MemberService, ProviderService
from tenants.models import Role, Tenant, UserSession
from tenants.schemas_identity import InvitationWrite, ProviderWrite
from tests.factories import create_tenant

CLIENT_SECRET = "s3cr3t-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def idp_a() -> Iterator[str]:
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="session")
def idp_b() -> Iterator[str]:
    with run_server_in_thread(require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@dataclass
class Forging:
    provider: MiniProvider
    issuer: str


@pytest.fixture(scope="session")
def forging_idp() -> Iterator[Forging]:
    provider = MiniProvider(
        client_id="forge-client",
        client_secret=CLIENT_SECRET,
        redirect_uris=[],
        accounts=(DemoAccount("forge-user", "forge@forge.example", "Fritz Forge", "Test"),),
        auto_login="forge-user",
    )
    with provider.running() as issuer:
        yield Forging(provider, issuer)


@pytest.fixture
def forging(forging_idp: Forging) -> Iterator[Forging]:
    forging_idp.provider.tamper = None
    forging_idp.provider.redirect_uris.clear()
    yield forging_idp
    forging_idp.provider.tamper = None


@dataclass
class TenantIdp:
    tenant: Tenant
    provider_id: uuid.UUID
    issuer: str
    client_id: str


async def tenant_with_provider(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    issuer: str,
    *,
    client_id: str | None = None,
    domain: str | None = None,
    invite: dict[str, Role] | None = None,
) -> TenantIdp:
    tenant = await create_tenant(sessionmaker, email_domains=[domain] if domain else [])
    client_id = client_id or f"kommpass-{tenant.slug}"
    assert settings.encryption_key
    async with tenant_session(sessionmaker, tenant.id) as s:
        provider = await ProviderService(s, settings.encryption_key).create(
            tenant.id,
            ProviderWrite(
                name=f"Anmeldung {tenant.name}",
                issuer=issuer,
                client_id=client_id,
                client_secret=CLIENT_SECRET,
            ),
            actor=Actor(label="test"),
        )
        for email, role in (invite or {}).items():
            await MemberService(s).invite(
                tenant.id, InvitationWrite(email=email, role=role.value), actor=Actor(label="test")
            )
        provider_id = provider.id
    return TenantIdp(tenant, provider_id, issuer, client_id)


async def set_mock_user(issuer: str, sub: str, claims: dict[str, Any]) -> None:
    async with httpx.AsyncClient() as http:
        r = await http.put(f"{issuer}/users/{sub}", json=claims)
        assert r.status_code == 204, r.text


async def start_login(client: AsyncTestClient[Any], tenant: Tenant) -> str:
    """Start at the app; return the provider's authorization URL."""
    r = await client.get(f"/login/{tenant.slug}", follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def authorize_at_mock(auth_url: str, sub: str) -> str:
    """Log in as ``sub`` at an oidc-provider-mock; return the redirect back to the app."""
    async with httpx.AsyncClient() as http:
        page = await http.get(auth_url)
        assert page.status_code == 200, page.text
        r = await http.post(auth_url, data={"sub": sub})
        assert r.status_code == 302, r.text
        return r.headers["location"]


async def authorize_at_forging(auth_url: str) -> str:
    async with httpx.AsyncClient() as http:
        r = await http.get(auth_url)
        assert r.status_code == 302, r.text
        return r.headers["location"]


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def audit_actions(
    sessionmaker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID
) -> list[AuditEvent]:
    async with tenant_session(sessionmaker, tenant_id) as s:
        return list(
            await s.scalars(
                select(AuditEvent).where(AuditEvent.tenant_id == tenant_id).order_by(AuditEvent.occurred_at)
            )
        )


async def user_session_count(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with tenant_session(sessionmaker, None) as s:
        return len(list(await s.scalars(select(UserSession.id_hash).where(UserSession.user_id.is_not(None)))))
