"""The DMS pages in headless Chromium: charts draw without script errors (CSP intact), the
pages pass axe-core (WCAG 2.1 AA, no serious or critical violations), the filter works by
keyboard through htmx."""

from __future__ import annotations

import pytest
from playwright.async_api import BrowserContext, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from plugins.dms.demo import seed_demo
from tests.browser.conftest import (  # noqa: F401 - browser, context and page are fixtures
    axe_violations,
    browser,
    browser_login,
    context,
    page,
    screenshot,
)
from tests.factories import create_tenant
from tests.live import LiveServer

pytestmark = pytest.mark.browser


async def test_dms_pages_render_charts_and_are_accessible(
    page: Page,  # noqa: F811 - pytest fixture
    context: BrowserContext,  # noqa: F811
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Aktenhausen")
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_demo(s, tenant.id)
    await browser_login(context, live_server, sessionmaker, tenant)

    await page.goto("/dms")
    for chart in ("dms-trend-chart", "dms-progress-chart", "dms-timeline-chart"):
        await page.wait_for_function(f"() => window.Chart && Chart.getChart('{chart}') !== undefined")
    await screenshot(page, "dms-overview")
    assert await axe_violations(page) == []

    await page.goto("/dms/einfuehrungen")
    await page.select_option("#f-status", "in_einfuehrung")  # htmx swaps the table
    await page.wait_for_function(
        "() => document.querySelector('#dms-rollout-table caption').textContent.includes('5 Einführung')"
    )
    assert "Bauakte" in await page.inner_text("#dms-rollout-table")
    assert "Vertragsakte" not in await page.inner_text("#dms-rollout-table")
    await screenshot(page, "dms-rollouts")
    assert await axe_violations(page) == []

    for path in ("/dms/einfuehrungen/neu", "/dms/dokumentenmengen", "/dms/aktenarten"):
        await page.goto(path)
        assert await axe_violations(page) == [], path
        await screenshot(page, "dms-" + path.strip("/").replace("/", "-"))
