"""The DMS section in the committee report (web page and XLSX), seed 004's wording, and
gone for a tenant that switched the plugin off."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.reporting.service import ReportingService
from plugins.dms.demo import seed_demo
from plugins.settings import set_plugin_enabled
from tenants.models import Role
from tests.factories import create_tenant, login


async def test_report_section_on_the_page_and_in_xlsx_and_hidden_when_off(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await ReportingService(s, tenant.id).open_round(dt.date(2023, 9, 30))
        await seed_demo(s, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    page = await client.get("/berichte/ausschuss")
    assert page.status_code == 200, page.text[:2000]
    html = page.text
    assert "Programm Dokumentenmanagementsystem (DMS)" in html
    assert "Elektronische Akte umgesetzt:" in html and "Elektronische Akte in Einführung:" in html
    for name in ("Finanzakte (elektr. Rg.)", "Sozialakte SGB XII", "Grundstücksakte", "Kommunalarchiv"):
        assert name in html
    assert (
        html.index("Finanzakte (elektr. Rg.)")
        < html.index("Elektronische Akte in Einführung:")
        < html.index("Grundstücksakte")
    )
    volumes = await client.get("/dms/dokumentenmengen")
    assert "Berichtstermine: 30.09.2023" in volumes.text  # the core's reporting dates are offered
    xlsx = await client.get("/berichte/ausschuss.xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "Vertragsakte" in cells and "Ordnungsbehörde" in cells

    async with tenant_session(sessionmaker, tenant.id) as s:
        await set_plugin_enabled(s, tenant.id, "dms", False)
    page = await client.get("/berichte/ausschuss")
    assert page.status_code == 200
    assert "Dokumentenmanagementsystem" not in page.text and "Vertragsakte" not in page.text


async def test_assistant_documents_follow_the_plugin_switch(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from plugins.dms.plugin import kommpass_register_document_sources

    tenant = await create_tenant(sessionmaker)
    source = kommpass_register_document_sources()[0]
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await source.documents(s, tenant.id) == []
        await seed_demo(s, tenant.id)
        docs = await source.documents(s, tenant.id)
        assert await source.documents(s, None) == []
    assert {d.kind for d in docs} == {"dms"} and all(d.tenant_id == tenant.id for d in docs)
    overview = next(d for d in docs if d.key == "overview")
    assert "Finanzakte (elektr. Rg.)" in overview.text and "Kommunalarchiv" in overview.text
    bau = next(d for d in docs if d.title == "E-Akte Bauakte")
    assert "Bauordnung: in Einführung" in bau.text and bau.url.startswith("/dms/einfuehrungen?aktenart=")
    async with tenant_session(sessionmaker, tenant.id) as s:
        await set_plugin_enabled(s, tenant.id, "dms", False)
        assert await source.documents(s, tenant.id) == []
