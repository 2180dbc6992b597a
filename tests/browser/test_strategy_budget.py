"""Strategy editor and budget plan in headless Chromium: accessible (axe-core), charts drawn,
inline editing with htmx by keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.budget.hooks import seed_dorsten_budget
from core.db import tenant_session
from core.strategy.hooks import seed_dorsten_strategy
from tenants.models import Role
from tests.browser.conftest import LiveServer, axe_violations, browser_login, screenshot
from tests.factories import create_tenant

pytestmark = pytest.mark.browser


async def _dorsten(sessionmaker: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
    tenant = await create_tenant(sessionmaker, name="Stadt Dorsten")
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_dorsten_strategy(s, tenant.id)
        await seed_dorsten_budget(s, tenant.id)
    return tenant


async def test_strategy_editor_is_accessible_and_edits_inline(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await _dorsten(sessionmaker)
    await browser_login(context, live_server, sessionmaker, tenant, role=Role.EDITOR)
    await page.goto("/strategie")
    assert "LBS-001" in await page.inner_text("main")
    # Chart.js drew the maturity chart (the canvas got a chart instance)
    await page.wait_for_function("window.Chart && Chart.getChart('chart-reifegrad') !== undefined")
    await screenshot(page, "strategie")
    assert await axe_violations(page) == []
    # inline edit of a SWOT entry with the keyboard
    edit = page.get_by_role(
        "link", name=re.compile(r"^Bearbeiten.*Technische Ausstattung und vorhandenes Fachwissen")
    )
    await edit.focus()
    await page.keyboard.press("Enter")
    field = page.locator("textarea[name='text']").first
    await field.wait_for()
    # focus moved into the form
    await page.wait_for_function(
        "document.activeElement && document.activeElement.closest('form[hx-post]') !== null"
    )
    await field.fill("Technische Ausstattung, Fachwissen und Motivation")
    save = page.locator("form[hx-post] button[type=submit]").first
    await save.focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("Gespeichert.").wait_for()
    # and back to the card's heading after saving
    await page.wait_for_function("document.activeElement && document.activeElement.id.endsWith('-title')")
    assert "Technische Ausstattung, Fachwissen und Motivation" in await page.inner_text("#swot")
    await screenshot(page, "strategie-gespeichert")


async def test_budget_plan_is_accessible_with_charts(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await _dorsten(sessionmaker)
    await browser_login(context, live_server, sessionmaker, tenant, role=Role.VIEWER)
    await page.goto("/finanzplan")
    assert "588.000 €" in await page.inner_text("main")
    await page.wait_for_function("window.Chart && Chart.getChart('chart-plan-ist') !== undefined")
    await screenshot(page, "finanzplan")
    assert await axe_violations(page) == []
    await page.goto("/strategie/versionen")
    assert await axe_violations(page) == []
