"""Budget plan pages and API: sums on the page, conflicts, import via UI/API, 404 across tenants."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.budget import excel, service
from core.db import tenant_session
from core.strategy.hooks import seed_dorsten_strategy
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login

EXAMPLE = Path(excel.__file__).parent / "data" / "finanzplan-beispiel.xlsx"


async def _seed(sm: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID) -> dict[str, uuid.UUID]:
    async with tenant_session(sm, tenant_id) as s:
        line = await service.create_line(s, tenant_id, {"number": "001", "title": "Ausbau DMS"})
        entry = await service.set_entry(
            s,
            tenant_id,
            line.id,
            {
                "year": 2024,
                "development": "45000",
                "staff_ist": "0,3",
                "staff_soll": "1",
                "actual_one_off": "50000",
            },
        )
        return {"line": line.id, "entry": entry.id}


async def test_page_shows_sums_ist_soll_and_plan_vs_actual(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    await _seed(sessionmaker, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    response = await client.get("/finanzplan")
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Ausbau DMS" in html and "45.000 €" in html and "0,70" in html  # IST–SOLL gap
    assert "-5.000 €" in html and "(überschritten)" in html  # plan minus actual
    assert 'data-chart-for="chart-plan-ist"' in html and 'data-chart-for="chart-personal"' in html
    year = await client.get("/finanzplan?jahr=2025")
    assert year.status_code == 200 and "für 2025" in year.text


async def test_edit_conflict_in_ui_and_api(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await _seed(sessionmaker, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await csrf_headers(client)
    url = f"/finanzplan/{ids['line']}/jahre/{ids['entry']}"
    ok = await client.post(
        url,
        data={"version": "1", "year": "2024", "development": "46.000"},
        headers=headers,
        follow_redirects=False,
    )
    assert ok.status_code == 303
    stale = await client.post(
        url, data={"version": "1", "year": "2024", "development": "47000"}, headers=headers
    )
    assert stale.status_code == 409 and "inzwischen von jemand anderem geändert" in stale.text
    assert "46.000" in stale.text and "47000" in stale.text
    api = f"/api/v1/budget/lines/{ids['line']}/entries/{ids['entry']}"
    stale_api = await client.patch(api, json={"version": 1, "training": 5}, headers=headers)
    assert stale_api.status_code == 409 and stale_api.json()["current"]["development"] == "46000.00"
    fresh = await client.patch(api, json={"version": 2, "training": "1.500"}, headers=headers)
    assert fresh.status_code == 200 and fresh.json()["training"] == "1500.00"
    invalid = await client.post("/finanzplan", data={"number": "", "title": ""}, headers=headers)
    assert invalid.status_code == 422 and 'aria-invalid="true"' in invalid.text
    plan = (await client.get("/api/v1/budget")).json()
    assert plan["totals"]["overall"]["planned"] == "47500.00"
    assert plan["totals"]["overall"]["staff_gap"] == "0.70"
    assert (await client.get("/api/v1/budget/totals")).json()["years"][0]["year"] == 2024
    stale_delete = await client.delete(f"/api/v1/budget/lines/{ids['line']}?version=7", headers=headers)
    assert stale_delete.status_code == 409
    deleted = await client.delete(f"/api/v1/budget/lines/{ids['line']}?version=1", headers=headers)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/v1/budget/lines/{ids['line']}")).status_code == 404
    assert (await client.get("/api/v1/budget/totals")).json()["years"] == []


async def test_import_via_ui_and_api_then_export(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_dorsten_strategy(s, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await csrf_headers(client)
    content = EXAMPLE.read_bytes()
    dry = await client.post(
        "/finanzplan/import",
        files={"datei": ("plan.xlsx", content)},
        data={"probelauf": "1"},
        headers=headers,
    )
    assert dry.status_code == 200 and "Probelauf" in dry.text and "34 neu" in dry.text
    assert (await client.get("/api/v1/budget")).json()["lines"] == []
    done = await client.post("/api/v1/budget/import", files={"file": ("plan.xlsx", content)}, headers=headers)
    assert done.status_code == 200 and done.json()["created"] == 34
    again = await client.post(
        "/api/v1/budget/import", files={"file": ("plan.xlsx", content)}, headers=headers
    )
    assert again.json()["unchanged"] == 34
    broken = await client.post(
        "/api/v1/budget/import", files={"file": ("x.xlsx", b"kein excel")}, headers=headers
    )
    assert broken.status_code == 422 and broken.json()["errors"][0]["column"] == "Datei"
    exported = await client.get("/finanzplan/export.xlsx")
    assert exported.status_code == 200
    ws = load_workbook(io.BytesIO(exported.content))["Finanzplan"]
    assert [c.value for c in ws[1]] == list(excel.HEADERS)
    html = (await client.get("/finanzplan")).text
    assert "588.000 €" in html and "650.671 €" in html and "LBS-001" in html


async def test_every_route_answers_404_for_another_tenants_ids(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    owner, other = await create_tenant(sessionmaker), await create_tenant(sessionmaker)
    ids = await _seed(sessionmaker, owner.id)
    await _seed(sessionmaker, other.id)
    await login(client, sessionmaker, tenant=other, role=Role.EDITOR)
    headers = await csrf_headers(client)
    line, entry = ids["line"], ids["entry"]
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/finanzplan/{line}", {}),
        ("GET", f"/finanzplan/{line}/bearbeiten", {}),
        ("POST", f"/finanzplan/{line}", {"data": {"version": "1", "title": "x", "number": "9"}}),
        ("POST", f"/finanzplan/{line}/loeschen", {"data": {"version": "1"}}),
        ("POST", f"/finanzplan/{line}/jahre", {"data": {"year": "2030"}}),
        ("GET", f"/finanzplan/{line}/jahre/{entry}/bearbeiten", {}),
        ("POST", f"/finanzplan/{line}/jahre/{entry}", {"data": {"version": "1", "year": "2024"}}),
        ("POST", f"/finanzplan/{line}/jahre/{entry}/loeschen", {"data": {"version": "1"}}),
        ("GET", f"/api/v1/budget/lines/{line}", {}),
        ("PATCH", f"/api/v1/budget/lines/{line}", {"json": {"version": 1, "title": "x"}}),
        ("DELETE", f"/api/v1/budget/lines/{line}?version=1", {}),
        ("POST", f"/api/v1/budget/lines/{line}/entries", {"json": {"year": 2030}}),
        ("PATCH", f"/api/v1/budget/lines/{line}/entries/{entry}", {"json": {"version": 1, "training": 1}}),
        ("DELETE", f"/api/v1/budget/lines/{line}/entries/{entry}?version=1", {}),
    ]
    for method, url, kw in requests:
        response = await client.request(method, url, headers=headers, **kw)
        assert response.status_code == 404, (method, url, response.status_code, response.text[:300])
    # list routes only show the own tenant's data
    plan = (await client.get("/api/v1/budget")).json()
    assert [ln["id"] for ln in plan["lines"]] != [str(line)] and len(plan["lines"]) == 1
    async with tenant_session(sessionmaker, owner.id) as s:
        view = await service.get_line(s, owner.id, line)
    assert view.line.version == 1 and view.entries[0].version == 1
