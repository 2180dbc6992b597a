"""The demo login of the embedded default, and that production mode cannot have it."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from html import unescape

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session
from core.settings import Settings
from tenants.demo import (
    DEMO_CLIENT_ID,
    DemoLoginForbidden,
    ensure_demo_allowed,
    register_demo_login,
    start_demo_login,
)
from tenants.demo_idp import MiniProvider
from tenants.login import LoginService
from tenants.models import Tenant
from tenants.oidc import LoginFailed
from tenants.schemas import TenantCreate
from tenants.service import TenantService

SECRET = "demo-" + uuid.uuid4().hex


def _with_web(settings: Settings, **web: object) -> Settings:
    return dataclasses.replace(settings, web=dataclasses.replace(settings.web, **web))


@pytest.fixture(scope="module")
def demo_settings(test_settings: Settings) -> Settings:
    return _with_web(test_settings, demo_login=True)


@pytest.fixture(scope="module")
def demo_provider() -> Iterator[MiniProvider]:
    provider = MiniProvider(client_id=DEMO_CLIENT_ID, client_secret=SECRET, redirect_uris=[])
    with provider.running():
        yield provider


@pytest.fixture(scope="module")
async def demo_tenant_provider(
    sessionmaker: async_sessionmaker[AsyncSession], demo_settings: Settings, demo_provider: MiniProvider
) -> tuple[Tenant, uuid.UUID]:
    async with platform_session(sessionmaker) as s:
        tenant = await s.scalar(select(Tenant).where(Tenant.slug == "dorsten"))
        if tenant is None:
            tenant = await TenantService(s).create(
                TenantCreate(
                    name="Stadt Dorsten (Demo)",
                    slug="dorsten",
                    ags="05562012",
                    municipality_type="mittlere_kreisangehoerige_stadt",
                ),
                is_demo=True,
            )
    provider_id = await register_demo_login(
        sessionmaker, demo_settings, issuer=demo_provider.issuer, client_secret=SECRET
    )
    assert provider_id is not None
    demo_provider.redirect_uris.append(f"http://testserver.local/auth/callback/{provider_id}")
    return tenant, provider_id


@pytest.fixture
async def demo_client(demo_settings: Settings) -> AsyncIterator[AsyncTestClient[Litestar]]:
    from web.app import create_app

    async with AsyncTestClient(app=create_app(demo_settings), base_url="http://testserver.local") as c:
        yield c


async def _choose_account(auth_url: str, account: str) -> str:
    async with httpx.AsyncClient() as http:
        chooser = await http.get(auth_url)
        assert chooser.status_code == 200
        for name in ("Anna Admin", "Erik Emsig", "Vera Vogt", "Karl KAAW"):
            assert name in chooser.text
        form = re.search(r'<form method="post" action="/authorize">(.*?)<button', chooser.text, re.S)
        assert form
        fields = {
            unescape(k): unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1))
        }
        r = await http.post(auth_url.split("?")[0], data={**fields, "account": account})
        assert r.status_code == 302, r.text
        return r.headers["location"]


async def test_newcomer_logs_in_with_the_demo_accounts(
    demo_client: AsyncTestClient[Litestar],
    demo_tenant_provider: tuple[Tenant, uuid.UUID],
) -> None:
    login_page = await demo_client.get("/login")
    assert "Demo-Anmeldung öffnen" in login_page.text and 'href="/login/dorsten' in login_page.text
    for account, path, expected in (
        ("demo-admin", "/verwaltung", 200),
        ("demo-viewer", "/verwaltung", 403),
        ("demo-kaaw", "/admin", 200),
    ):
        demo_client.cookies.clear()
        start = await demo_client.get("/login/dorsten", follow_redirects=False)
        assert start.status_code == 303
        back = await _choose_account(start.headers["location"], account)
        done = await demo_client.get(back.replace("http://testserver.local", ""), follow_redirects=False)
        assert done.status_code == 303, done.text
        assert (await demo_client.get(path)).status_code == expected, account


@pytest.mark.process
async def test_demo_login_cannot_be_switched_on_in_production(
    monkeypatch: pytest.MonkeyPatch,
    test_settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    demo_tenant_provider: tuple[Tenant, uuid.UUID],
) -> None:
    monkeypatch.setenv("KOMMPASS_ENV", "production")
    monkeypatch.setenv("KOMMPASS_DEMO_LOGIN", "1")
    assert Settings.from_env().web.demo_login is False

    production = _with_web(test_settings, environment="production", demo_login=True)
    with pytest.raises(DemoLoginForbidden):
        ensure_demo_allowed(production)
    with pytest.raises(DemoLoginForbidden):
        start_demo_login("postgresql+asyncpg://unused/unused", production)
    with pytest.raises(DemoLoginForbidden):
        await register_demo_login(sessionmaker, production, issuer="http://127.0.0.1:1", client_secret="x")  # noqa: S106

    # A demo provider left in the database is refused by a production app.
    tenant, provider_id = demo_tenant_provider
    with pytest.raises(LoginFailed) as failed:
        await LoginService(sessionmaker, production).start(tenant.id, provider_id, next_url="/")
    assert failed.value.reason == "demo_login_disabled"
    from web.app import create_app

    async with AsyncTestClient(app=create_app(production), base_url="http://testserver.local") as c:
        page = await c.get("/login")
        assert "Demo-Anmeldung" not in page.text
        assert (await c.get("/login/dorsten", follow_redirects=False)).status_code == 409
        assert (
            await c.get(f"/login/dorsten?anbieter={provider_id}", follow_redirects=False)
        ).status_code == 404

    # The provider process itself refuses to start in production mode.
    proc = subprocess.run(  # noqa: ASYNC221 - a short, bounded check
        [
            sys.executable,
            "-m",
            "tenants.demo_idp",
            "--port",
            "0",
            "--client-id",
            "x",
            "--redirect-uri",
            "http://a/",
        ],
        env={"KOMMPASS_ENV": "production", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(__import__("pathlib").Path(__file__).resolve().parents[3]),
    )
    assert proc.returncode != 0 and "Produktivbetrieb" in proc.stderr


async def test_cookies_are_secure_outside_plain_http_development(test_settings: Settings) -> None:
    from web.app import create_app

    production = _with_web(
        test_settings, environment="production", demo_login=False, base_url="https://kommpass.example"
    )
    async with AsyncTestClient(app=create_app(production), base_url="https://testserver.local") as c:
        await c.get("/login")
        csrf = c.cookies.get("kommpass_csrf")
        assert csrf
        r = await c.post("/logout", headers={"x-csrftoken": csrf}, follow_redirects=False)
        assert r.status_code == 303
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("kommpass_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
