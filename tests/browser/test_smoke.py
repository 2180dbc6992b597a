"""Smoke journey in headless Chromium: the login page and the dashboard render, are
keyboard-reachable and pass axe-core without serious or critical violations."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.browser.conftest import LiveServer, axe_violations, browser_login, screenshot
from tests.factories import create_tenant

pytestmark = pytest.mark.browser


async def test_login_page_is_accessible(page: Page) -> None:
    await page.goto("/login")
    assert await page.title() == "Anmelden – Kommpass"
    await screenshot(page, "login")
    assert await axe_violations(page) == []


async def test_dashboard_after_login_with_skip_link(page: Page, context: BrowserContext, live_server: LiveServer,
                                                    sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Browserhausen")
    await browser_login(context, live_server, sessionmaker, tenant)
    await page.goto("/")
    assert "Stadt Browserhausen" in await page.inner_text("header")
    # The first Tab stop is the skip link; following it moves focus to the main content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Zum Inhalt springen"
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#inhalt"
    await screenshot(page, "dashboard")
    assert await axe_violations(page) == []


async def test_accessibility_statement_is_public_and_accessible(page: Page) -> None:
    response = await page.goto("/barrierefreiheit")
    assert response is not None and response.status == 200
    assert "Schlichtungsverfahren" in await page.inner_text("main")
    assert await axe_violations(page) == []
