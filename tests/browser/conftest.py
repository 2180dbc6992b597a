"""Browser tests: the real app served by uvicorn on loopback, driven in Debian's Chromium
(headless) through Playwright with the system browser — no browser download.

Screenshots of the pages visited are kept in ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session
from tenants.models import Role, Tenant
from tenants.sessions import SessionService
from tests.factories import add_membership, create_user
from tests.live import LiveServer
from web.auth import SESSION_COOKIE

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        await b.close()


@pytest.fixture
async def context(browser: Browser, live_server: LiveServer) -> AsyncIterator[BrowserContext]:
    # bypass_csp only so that the axe-core script can be injected; the app's pages run
    # under their real CSP in every other respect.
    ctx = await browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=True,
                                    viewport={"width": 1280, "height": 900})
    yield ctx
    await ctx.close()


@pytest.fixture
async def page(context: BrowserContext) -> AsyncIterator[Page]:
    pg = await context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    assert not errors, f"JavaScript errors on the page: {errors}"


async def browser_login(context: BrowserContext, live_server: LiveServer,
                        sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant,
                        role: Role = Role.TENANT_ADMIN) -> None:
    """Give the browser a real server-side session (the OIDC journey has its own test)."""
    user = await create_user(sessionmaker, display_name="Erika Mustermann")
    await add_membership(sessionmaker, tenant.id, user.id, role)
    async with platform_session(sessionmaker) as session:
        token = await SessionService(session).create(user_id=user.id, tenant_id=tenant.id)
    await context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live_server.url,
                                "httpOnly": True, "sameSite": "Lax"}])


async def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) and return violations of the given impacts."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]


__all__ = ["asyncio", "axe_violations", "browser_login", "screenshot"]
