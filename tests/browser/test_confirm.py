"""Destructive actions ask first, in headless Chromium: a form with ``data-confirm`` opens the
browser's own confirmation dialog (announced by screen readers, answered by keyboard). Cancelled,
nothing is sent; confirmed, the action happens – for a plain form (measure) and for an htmx form
(org unit in the tree)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import BrowserContext, Dialog, Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.measures.hooks import seed_demo
from core.measures.service import MeasureService
from core.orgunits.models import OrgUnitKind
from core.orgunits.service import OrgUnitService
from tenants.models import Role
from tests.browser.conftest import LiveServer, browser_login
from tests.factories import create_tenant

pytestmark = pytest.mark.browser


class Answers:
    """Answers the next dialogs with the given choices and records their questions."""

    def __init__(self, page: Page, *choices: bool) -> None:
        self.choices = list(choices)
        self.questions: list[str] = []
        page.on("dialog", self.answer)

    async def answer(self, dialog: Dialog) -> None:
        self.questions.append(dialog.message)
        assert dialog.type == "confirm"
        await (dialog.accept() if self.choices.pop(0) else dialog.dismiss())


async def test_deleting_a_measure_asks_and_cancel_keeps_it(
    page: Page, context: BrowserContext, live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Rückfrage")
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_demo(session=s, tenant_id=tenant.id)
        measure = (await MeasureService(s, tenant.id).by_number())["MP 020"]
    await browser_login(context, live_server, sessionmaker, tenant, role=Role.EDITOR)
    answers = Answers(page, False, True)
    await page.goto(f"/massnahmen/{measure.id}")

    await page.get_by_role("button", name="Maßnahme löschen").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_timeout(300)  # a request, had one been sent, would have redirected by now
    assert len(answers.questions) == 1
    assert answers.questions[0].startswith("Maßnahme MP 020")
    assert "Fortschritt zu allen Berichtsterminen wird mit gelöscht" in answers.questions[0]
    assert page.url.endswith(f"/massnahmen/{measure.id}")
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert "MP 020" in await MeasureService(s, tenant.id).by_number()

    await page.get_by_role("button", name="Maßnahme löschen").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/massnahmen$"))
    assert len(answers.questions) == 2
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert "MP 020" not in await MeasureService(s, tenant.id).by_number()


async def test_deleting_an_org_unit_inline_asks_before_htmx_sends(
    page: Page, context: BrowserContext, live_server: LiveServer,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Rückfrage Einheiten")
    async with tenant_session(sessionmaker, tenant.id) as s:
        unit = await OrgUnitService(s, tenant.id).create(
            OrgUnitKind.BUSINESS_AREA, "9", "Unbenutzter Geschäftskreis"
        )
    await browser_login(context, live_server, sessionmaker, tenant, role=Role.EDITOR)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    answers = Answers(page, False, True)
    await page.goto("/organisationseinheiten")
    await page.get_by_role("link", name=re.compile(r"^Bearbeiten: 9 Unbenutzter")).focus()
    await page.keyboard.press("Enter")
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'code'")

    delete = page.get_by_role("button", name="Löschen: 9 Unbenutzter Geschäftskreis")
    await delete.focus()
    await page.keyboard.press("Enter")
    await page.wait_for_timeout(300)
    assert answers.questions == ["Organisationseinheit „9 Unbenutzter Geschäftskreis“ löschen?"]
    assert requests == []
    assert await delete.count() == 1  # the row's form is still open

    await delete.focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("„9 Unbenutzter Geschäftskreis“ wurde gelöscht").wait_for()
    assert [u.rsplit("/", 1)[-1] for u in requests] == ["loeschen"]
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert unit.id not in {u.id for u in await OrgUnitService(s, tenant.id).list()}
