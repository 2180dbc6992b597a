"""The catalogue pages in headless Chromium: htmx search, gap analysis chart, plugin switches;
no serious or critical axe-core violations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page

from core.db import platform_session
from core.settings import DatabaseSettings
from tenants.models import Role
from tenants.sessions import SessionService
from tests.browser.conftest import ARTIFACTS, axe_violations, browser  # noqa: F401
from tests.factories import create_tenant, create_user
from tests.live import LiveServer
from web.auth import SESSION_COOKIE

pytestmark = [pytest.mark.browser, pytest.mark.slow]


async def screenshot(page: Page, name: str) -> None:
    """Viewport only: full-page shots of the long catalogue lists are slow on a busy machine."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.fixture
def catalog_server(synced_db: Any, test_settings: Any) -> Iterator[LiveServer]:
    settings = replace(
        test_settings,
        database=DatabaseSettings(url=synced_db.app, migration_url=synced_db.migration, pool_size=3),
    )
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def catalog_page(
    browser: Any, catalog_server: LiveServer
) -> AsyncIterator[tuple[BrowserContext, Page]]:  # noqa: F811
    ctx = await browser.new_context(
        base_url=catalog_server.url, locale="de-DE", bypass_csp=True, viewport={"width": 1280, "height": 900}
    )
    page = await ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield ctx, page
    await ctx.close()
    assert not errors, errors


async def _session(
    ctx: BrowserContext, server: LiveServer, sm: Any, *, tenant: Any = None, kaaw: bool = False
) -> None:
    from tests.factories import add_membership

    user = await create_user(sm, is_kaaw_admin=kaaw, display_name="Erika Mustermann")
    if tenant is not None:
        await add_membership(sm, tenant.id, user.id, Role.EDITOR)
    async with platform_session(sm) as session:
        token = await SessionService(session).create(user_id=user.id, tenant_id=tenant.id if tenant else None)
    await ctx.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "url": server.url, "httpOnly": True, "sameSite": "Lax"}]
    )


async def test_catalogue_search_and_gap_analysis(
    catalog_page: Any, catalog_server: LiveServer, synced_sessionmaker: Any
) -> None:
    ctx, page = catalog_page
    tenant = await create_tenant(synced_sessionmaker, name="Stadt Katalogheim")
    await _session(ctx, catalog_server, synced_sessionmaker, tenant=tenant)
    await page.goto("/katalog")
    assert "5.249 Leistungen" in await page.inner_text("#ergebnis-titel")
    await page.fill("#f-q", "Hundesteuer")
    await page.wait_for_function(
        "document.querySelector('#ergebnis-titel').textContent.includes('Leistungen') && "
        "!document.querySelector('#ergebnis-titel').textContent.includes('5.249')"
    )
    assert "Hundesteuer Festsetzung" in await page.inner_text("#katalog-ergebnisse")
    await screenshot(page, "katalog-suche")
    assert await axe_violations(page) == []

    await page.click("text=Hundesteuer Festsetzung")
    await page.wait_for_url("**/katalog/leistung/**")
    assert "Rechtsgrundlage" in await page.inner_text("main")
    assert await axe_violations(page) == []

    await page.goto("/katalog/lueckenanalyse")
    await page.wait_for_function("window.Chart && Chart.getChart('ozg-abdeckung') !== undefined")
    await page.select_option("#f-sortierung", "name")
    await page.wait_for_function("document.querySelector('#f-sortierung').value === 'name'")
    await screenshot(page, "katalog-lueckenanalyse")
    assert await axe_violations(page) == []
    # one click: the first gap becomes a planned online service; the message is announced
    await page.locator("button:has-text('Online-Dienst planen')").first.click()
    await page.wait_for_selector("#luecken-meldung .kern-alert")
    assert "als geplant angelegt" in await page.inner_text("#luecken-meldung")


async def test_admin_switches_a_plugin_with_htmx(
    catalog_page: Any, catalog_server: LiveServer, synced_sessionmaker: Any
) -> None:
    ctx, page = catalog_page
    tenant = await create_tenant(synced_sessionmaker, name="Stadt Schaltbar")
    await _session(ctx, catalog_server, synced_sessionmaker, kaaw=True)
    await page.goto("/admin/plugins")
    form = page.locator(f"#schalter-{tenant.id}-ozg_catalog")
    await form.locator("button").click()
    await page.wait_for_function(
        f"document.querySelector('#schalter-{tenant.id}-ozg_catalog').textContent.includes('gespeichert')"
    )
    assert "Einschalten" in await page.locator(f"#schalter-{tenant.id}-ozg_catalog").inner_text()
    await screenshot(page, "admin-plugins")
    assert await axe_violations(page) == []
