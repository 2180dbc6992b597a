"""Dashboard and committee report (web, PDF, XLSX, JSON), plugin sections per tenant."""

from __future__ import annotations

import io
import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from core.db import tenant_session
from plugins.hookspecs import hookimpl
from plugins.manager import new_plugin_manager
from plugins.settings import set_plugin_enabled
from plugins.types import PluginInfo, RenderContext, ReportSection
from tenants.models import Role
from tests.factories import create_tenant, login
from tests.integration.measures.helpers import editor, seeded_tenant


async def test_dashboard_shows_figures_per_reporting_date(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    resp = await client.get("/")
    assert resp.status_code == 200
    text = resp.text
    assert "Summe der Projektfortschritte" in text and 'data-chart-for="chart-massnahmen-anzahl"' in text
    assert "Sept. 2023" in text and "März 2022" in text
    assert "chart-online-dienste" in text


async def test_dashboard_of_an_empty_tenant(client: AsyncTestClient, sessionmaker) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    resp = await client.get("/")
    assert resp.status_code == 200 and "Noch keine Berichtstermine" in resp.text


async def test_committee_report_figures(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    data = (await client.get("/api/v1/reports/committee")).json()
    assert data["reporting_date"]["date"] == "2023-09-30" and data["previous"] == "2023-03-31"
    sections = {s["key"]: s for s in data["sections"]}
    sums, counts = sections["measures_progress"]["tables"]
    # 09.2023 (without MP 078 "2020-U(10)"): U MP 011 = 10; E MP 020 + MP 240 = 5 + 5; P MP 029 = 2
    assert sums["rows"][0][-1] == 2 and sums["rows"][1][-1] == 10 and sums["rows"][2][-1] == 10
    assert sums["rows"][3] == ["Gesamtergebnis", 8, 12, 14, 22]
    assert counts["rows"][3] == ["Gesamtergebnis", 1, 3, 3, 4]
    new = sections["measures_new"]
    year_table = new["tables"][0]["rows"]
    assert ["2020-U(10)", 1] in year_table and year_table[-1] == ["Gesamtergebnis", 8]
    assert new["lists"][0]["items"] == ["Ticket-System für die Informationstechnik (MP 240)"]
    services = sections["online_services"]
    assert services["tables"][0]["rows"][-1] == ["Gesamtergebnis", 12, 12]
    assert services["lists"][1]["items"] == ["Einbürgerung beantragen (OD 013)"]
    resp = await client.get("/berichte/ausschuss")
    assert resp.status_code == 200 and "Haupt- und Finanzausschuss" in resp.text
    resp = await client.get("/berichte/ausschuss.pdf")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    resp = await client.get("/berichte/ausschuss.xlsx")
    wb = load_workbook(io.BytesIO(resp.content))
    assert "Überblick" in wb.sheetnames and len(wb.sheetnames) >= 4


async def test_report_for_another_tenants_date_is_404(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    rd = (await client.get("/api/v1/reporting-dates")).json()[0]["id"]
    other = await seeded_tenant(sessionmaker, shared_dir)
    await login(client, sessionmaker, tenant=other, role=Role.VIEWER)
    for path in ("/berichte/ausschuss", "/berichte/ausschuss.pdf", "/berichte/ausschuss.xlsx"):
        assert (await client.get(path, params={"stichtag": rd})).status_code == 404, path
    assert (
        await client.get("/api/v1/reports/committee", params={"reporting_date_id": rd})
    ).status_code == 404
    assert (
        await client.get("/berichte/ausschuss", params={"stichtag": str(uuid.uuid4())})
    ).status_code == 404


class SectionPlugin:
    @hookimpl
    def kommpass_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="berichtstest", label="Berichtstest", version="1")

    @hookimpl
    def kommpass_register_report_sections(self) -> list[ReportSection]:
        async def load(ctx: RenderContext) -> dict[str, Any]:
            return {
                "paragraphs": [f"Abschnitt zum {ctx.reporting_date.label}"],
                "tables": [{"title": "Zahlen", "columns": ["A", "B"], "rows": [["x", 1]]}],
            }

        return [ReportSection(key="berichtstest", title="Testabschnitt aus Plugin", load=load)]


async def test_plugin_sections_only_when_enabled(test_settings, sessionmaker, shared_dir) -> None:
    from web.app import create_app

    pm = new_plugin_manager(load_entry_points=False, extra=[SectionPlugin()])
    app = create_app(test_settings, plugin_manager=pm)
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
        resp = await client.get("/berichte/ausschuss")
        assert "Testabschnitt aus Plugin" in resp.text and "Abschnitt zum 30.09.2023" in resp.text
        xlsx = load_workbook(io.BytesIO((await client.get("/berichte/ausschuss.xlsx")).content))
        assert any("Testabschnitt" in name for name in xlsx.sheetnames)
        async with tenant_session(sessionmaker, tenant.id) as s:
            await set_plugin_enabled(s, tenant.id, "berichtstest", False, pm)
        resp = await client.get("/berichte/ausschuss")
        assert "Testabschnitt aus Plugin" not in resp.text
        data = (await client.get("/api/v1/reports/committee")).json()
        assert all(s["key"] != "berichtstest" for s in data["sections"])


async def test_demo_tenant_dashboard_and_report_with_all_areas(client: AsyncTestClient, sessionmaker) -> None:
    from plugins.manager import call_async, get_plugin_manager

    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await call_async(get_plugin_manager().hook.kommpass_on_demo_seed, session=s, tenant_id=tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    resp = await client.get("/")
    assert resp.status_code == 200
    assert "Derzeit nicht verfügbar" not in resp.text
    assert "Noch keine Kennzahlen" not in resp.text and "Noch keine Angaben im" not in resp.text
    resp = await client.get("/berichte/ausschuss")
    assert resp.status_code == 200 and "Programm Online-Dienste" in resp.text
    pdf = await client.get("/berichte/ausschuss.pdf")
    assert pdf.status_code == 200
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Gesamtergebnis" in text and "Haupt- und Finanzausschuss" in text
    resp = await client.get("/massnahmen")
    assert resp.status_code == 200 and "MP 240" in resp.text
