"""The demo login of the embedded default: a local OIDC provider process for the demo tenant.

``kommpass serve`` (development, demo login on) calls ``start_demo_login``: it picks a free
loopback port, registers the provider as the demo tenant's (``slug dorsten``) identity
provider with a fresh client secret (encrypted at rest like any other), creates the demo
accounts' users and memberships, and starts ``python -m tenants.demo_idp`` as a child
process. In production mode none of this runs (``DemoLoginForbidden``), and the login
refuses demo providers anyway.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.service import Actor
from core.db import create_engine, make_sessionmaker, platform_session, tenant_session
from core.settings import Settings
from tenants.demo_idp import DEMO_ACCOUNTS
from tenants.identity import MemberService, ProviderService, UserAdminService, redirect_uri
from tenants.models import IdentityProvider, Role, Tenant
from tenants.schemas_identity import ProviderWrite

log = structlog.get_logger(__name__)

DEMO_SLUG = "dorsten"
DEMO_CLIENT_ID = "kommpass-demo"
DEMO_ROLES: dict[str, Role | None] = {
    "demo-admin": Role.TENANT_ADMIN,
    "demo-editor": Role.EDITOR,
    "demo-viewer": Role.VIEWER,
    "demo-kaaw": None,  # KAAW admin: platform flag, no membership
}
DEMO_ACTOR = Actor(label="demo")


class DemoLoginForbidden(RuntimeError):
    """The demo login was requested where it must not exist (production)."""


def ensure_demo_allowed(settings: Settings) -> None:
    if settings.web.production or not settings.web.demo_login:
        raise DemoLoginForbidden("Die Demo-Anmeldung ist im Produktivbetrieb nicht verfügbar.")


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("no free port")


async def register_demo_login(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, issuer: str, client_secret: str
) -> uuid.UUID | None:
    """Make the demo provider the demo tenant's provider and create the demo accounts."""
    ensure_demo_allowed(settings)
    assert settings.encryption_key
    async with platform_session(sessionmaker) as s:
        tenant = await s.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG, Tenant.is_demo.is_(True)))
        if tenant is None:
            return None
        tenant_id = tenant.id
    async with tenant_session(sessionmaker, tenant_id) as s:
        providers = ProviderService(s, settings.encryption_key)
        existing = await s.scalar(
            select(IdentityProvider).where(
                IdentityProvider.tenant_id == tenant_id, IdentityProvider.is_demo.is_(True)
            )
        )
        data = ProviderWrite(
            name="Demo-Anmeldung (lokal)",
            issuer=issuer,
            client_id=DEMO_CLIENT_ID,
            client_secret=client_secret,
        )
        if existing is None:
            provider = await providers.create(tenant_id, data, actor=DEMO_ACTOR, is_demo=True)
        else:
            provider = await providers.update(tenant_id, existing.id, data, actor=DEMO_ACTOR)
        provider_id = provider.id
        users = UserAdminService(s)
        members = MemberService(s)
        for account in DEMO_ACCOUNTS:
            user = await users.upsert(
                issuer=issuer, subject=account.sub, email=account.email, display_name=account.name
            )
            role = DEMO_ROLES.get(account.sub)
            if role is None:
                await users.set_kaaw_admin(user.id, True, actor=DEMO_ACTOR)
            else:
                await members.add(tenant_id, user.id, role, actor=DEMO_ACTOR)
    return provider_id


@dataclass
class DemoLogin:
    process: subprocess.Popen[bytes]
    issuer: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_demo_login(app_url: str, settings: Settings) -> DemoLogin | None:
    """Register and start the local demo provider; None if there is no demo tenant."""
    ensure_demo_allowed(settings)
    port = free_port(settings.web.port + 1)
    issuer = f"http://127.0.0.1:{port}"
    secret = secrets.token_urlsafe(32)

    async def register() -> uuid.UUID | None:
        engine = create_engine(app_url, pool_size=1, max_overflow=1)
        try:
            return await register_demo_login(
                make_sessionmaker(engine), settings, issuer=issuer, client_secret=secret
            )
        finally:
            await engine.dispose()

    provider_id = asyncio.run(register())
    if provider_id is None:
        return None
    env = {**os.environ, "KOMMPASS_DEMO_IDP_SECRET": secret}
    process = subprocess.Popen(  # noqa: S603 - fixed argv, our own module
        [
            sys.executable,
            "-m",
            "tenants.demo_idp",
            "--port",
            str(port),
            "--client-id",
            DEMO_CLIENT_ID,
            "--redirect-uri",
            redirect_uri(settings.web.base_url, provider_id),
        ],
        env=env,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                log.info("demo_login.started", issuer=issuer)
                return DemoLogin(process, issuer)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("Der Demo-Identitätsanbieter ist nicht gestartet.")
