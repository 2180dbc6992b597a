"""Browser tests: the real app served by uvicorn on loopback, driven in Debian's Chromium
(headless) through Playwright with the system browser — no browser download.

Screenshots of the pages visited are kept in ``test-artifacts/screenshots``.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session
from core.settings import Settings
from tenants.models import Role, Tenant
from tenants.sessions import SessionService
from tests.factories import add_membership, create_user
from web.auth import SESSION_COOKIE

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, settings: Settings) -> None:
        from web.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(replace(settings, web=replace(settings.web, base_url=self.url)))
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("live server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(test_settings: Settings) -> Iterator[LiveServer]:
    server = LiveServer(test_settings)
    server.start()
    yield server
    server.stop()


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
