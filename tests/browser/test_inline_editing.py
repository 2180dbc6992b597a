"""Inline editing by keyboard alone in headless Chromium: the org-unit tree
(/organisationseinheiten) and the online-service list (/online-dienste). The row becomes a
form, the focus goes into it, a server error is announced at its field, saving and cancelling
bring the focus back to the row's "Bearbeiten"; axe-core finds nothing serious in either state."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, Dialog, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.measures.hooks import seed_demo
from tenants.models import Role, Tenant
from tests.browser.conftest import LiveServer, axe_violations, browser_login, screenshot
from tests.factories import create_tenant

pytestmark = pytest.mark.browser


async def _tenant(sessionmaker: async_sessionmaker[AsyncSession], name: str) -> Tenant:
    tenant = await create_tenant(sessionmaker, name=name)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_demo(session=s, tenant_id=tenant.id)
    return tenant


async def active(page: Page) -> dict[str, str]:
    return dict(
        await page.evaluate(
            """() => { const e = document.activeElement;
                 return {id: e.id || '', name: e.getAttribute('name') || '',
                         label: e.getAttribute('aria-label') || '', text: (e.textContent || '').trim()}; }"""
        )
    )


async def press_on(page: Page, locator_name: re.Pattern[str], role: str = "link") -> None:
    """Focus a control by its accessible name and press Enter (as a keyboard user would after tabbing)."""
    await page.get_by_role(role, name=locator_name).focus()  # type: ignore[arg-type]
    await page.keyboard.press("Enter")


async def test_org_unit_tree_inline_edit_by_keyboard(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await _tenant(sessionmaker, "Stadt Organigramm")
    await browser_login(context, live_server, sessionmaker, tenant, role=Role.EDITOR)
    await page.goto("/organisationseinheiten")
    assert "Zentraler Steuerungsdienst" in await page.inner_text("main")
    await screenshot(page, "organisationseinheiten")
    assert await axe_violations(page) == []

    await press_on(page, re.compile(r"^Bearbeiten: 0\.1 Zentraler Steuerungsdienst"))
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'code'")
    assert await axe_violations(page) == []
    # a code another Dienststelle has: the server's error is at the field, which gets the focus
    await page.keyboard.press("Control+A")
    await page.keyboard.type("1.1")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "document.activeElement && document.activeElement.getAttribute('aria-invalid') === 'true'"
    )
    described = await page.evaluate(
        "document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent"
    )
    assert "bereits vergeben" in described
    await screenshot(page, "organisationseinheiten-fehler")
    assert await axe_violations(page) == []
    # corrected: the tree comes back, the save is announced, the focus is on the row again
    await page.keyboard.press("Control+A")
    await page.keyboard.type("0.10")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "document.activeElement && (document.activeElement.getAttribute('aria-label') || '')"
        ".startsWith('Bearbeiten: 0.10')"
    )
    assert "wurde gespeichert" in await page.inner_text("#meldungen")
    # cancel by keyboard: the row as it was, focus back on its button
    await page.keyboard.press("Enter")
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'code'")
    await press_on(page, re.compile(r"^Abbrechen$"))
    await page.wait_for_function(
        "document.activeElement && (document.activeElement.getAttribute('aria-label') || '')"
        ".startsWith('Bearbeiten: 0.10')"
    )
    # deleting a unit in use (confirmed in the browser's dialog) is refused with the reason, the
    # focus on the delete button it describes
    await page.keyboard.press("Enter")
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'code'")
    questions: list[str] = []

    async def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        await dialog.accept()

    page.once("dialog", accept)
    await press_on(page, re.compile(r"^Löschen: 0\.10"), role="button")
    await page.get_by_text("Löschen nicht möglich").wait_for()
    focus = await active(page)
    assert focus["label"].startswith("Löschen: 0.10")
    assert "kann nicht gelöscht werden" in await page.inner_text("main [role=alert]")
    assert questions == ["Organisationseinheit „0.10 Zentraler Steuerungsdienst“ löschen?"]
    await screenshot(page, "organisationseinheiten-loeschen-verweigert")
    assert await axe_violations(page) == []


async def test_online_service_inline_edit_by_keyboard(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await _tenant(sessionmaker, "Stadt Dienste")
    await browser_login(context, live_server, sessionmaker, tenant, role=Role.EDITOR)
    await page.goto("/online-dienste")
    await press_on(page, re.compile(r"^Bearbeiten: OD 013$"))
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'number'")
    await screenshot(page, "online-dienste-inline")
    assert await axe_violations(page) == []
    # Tab through the row's fields to the title, change it, save with Enter
    for _ in range(6):
        await page.keyboard.press("Tab")
        if (await active(page))["name"] == "title":
            break
    assert (await active(page))["name"] == "title"
    await page.keyboard.press("Control+A")
    await page.keyboard.type("Einbürgerung online beantragen")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "document.activeElement && document.activeElement.getAttribute('aria-label') === 'Bearbeiten: OD 013'"
    )
    assert "Einbürgerung online beantragen" in await page.inner_text("#dienste-tabelle")
    assert await page.get_by_text("OD 013 gespeichert.").count() == 1
    # a stale save elsewhere is not needed here: errors come back at the field
    await page.keyboard.press("Enter")
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'number'")
    await page.keyboard.press("Control+A")
    await page.keyboard.type("OD 014")
    await page.keyboard.press("Enter")
    await page.wait_for_function(
        "document.activeElement && document.activeElement.getAttribute('aria-invalid') === 'true'"
    )
    assert (await active(page))["name"] == "number"
    assert await axe_violations(page) == []
    await press_on(page, re.compile(r"^Abbrechen$"))
    await page.wait_for_function(
        "document.activeElement && document.activeElement.getAttribute('aria-label') === 'Bearbeiten: OD 013'"
    )
    assert "OD 014" not in await page.inner_text(
        "#od-"
        + (await page.get_attribute("a[aria-label='Bearbeiten: OD 013']", "href") or "").rsplit("/", 1)[-1]
    )
