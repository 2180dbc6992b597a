"""Catalogue browser, detail pages, diff page and gap analysis over HTTP."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from core.catalog.models import LeikaLeistung
from core.db import tenant_session
from tenants.models import Role
from tests.factories import create_tenant, login


async def _login(client: Any, sm: Any, role: Role = Role.VIEWER, **kw: Any) -> Any:
    tenant = await create_tenant(sm, **kw)
    await login(client, sm, tenant=tenant, role=role)
    return tenant


async def test_browser_search_and_filters(synced_client, synced_sessionmaker) -> None:
    await _login(synced_client, synced_sessionmaker)
    r = await synced_client.get("/katalog")
    assert r.status_code == 200
    assert "5.249 Leistungen" in r.text
    assert "Familie &amp; Kind" in r.text  # Themenfeld filter option
    r = await synced_client.get("/katalog", params={"q": "Hundesteuer"})
    assert "Hundesteuer Festsetzung" in r.text
    # htmx request for the results region gets only that block
    r = await synced_client.get(
        "/katalog",
        params={"q": "Hundesteuer"},
        headers={"hx-request": "true", "hx-target": "katalog-ergebnisse"},
    )
    assert r.text.lstrip().startswith('<section id="katalog-ergebnisse"') and "<html" not in r.text
    r = await synced_client.get("/katalog", params={"kommunal": "1"})
    municipal = int(re.search(r"([\d.]+) Leistungen", r.text).group(1).replace(".", ""))
    assert 3000 < municipal < 5249
    r = await synced_client.get("/katalog/fuer-uns")
    assert f"{municipal:,}".replace(",", ".") + " Leistungen" in r.text
    r = await synced_client.get("/katalog", params={"typ": "5"})
    assert "Abfallgebühr" in r.text
    r = await synced_client.get("/katalog", params={"sdg": "2", "themenfeld": "Familie & Kind"})
    assert r.status_code == 200
    r = await synced_client.get("/katalog", params={"lebenslage": "Geburt"})
    assert "Elterngeld" in r.text


async def test_leika_detail_shows_legal_basis_and_ozg_leistung(synced_client, synced_sessionmaker) -> None:
    await _login(synced_client, synced_sessionmaker)
    r = await synced_client.get("/katalog/leistung/99001002004000")
    assert r.status_code == 200
    assert "Altpapier Entsorgung" in r.text
    assert 'href="http://www.gesetze-im-internet.de/krwg/"' in r.text
    assert "10110" in r.text and "/katalog/ozg/10110" in r.text
    assert (await synced_client.get("/katalog/leistung/00000000000000")).status_code == 404
    r = await synced_client.get("/katalog/ozg/10110")
    assert r.status_code == 200 and "Abfallgebühr" in r.text


async def test_api_search(synced_client, synced_sessionmaker) -> None:
    await _login(synced_client, synced_sessionmaker)
    r = await synced_client.get("/api/v1/katalog/leistungen", params={"q": "Hundesteuer"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] >= 2
    assert any(i["leika_key"] == "99102013002000" for i in body["items"])


async def test_gap_analysis_counts_online_services_and_turns_a_gap_into_a_measure(
    synced_client, synced_sessionmaker
) -> None:
    from core.online_services.models import OnlineService

    tenant = await _login(synced_client, synced_sessionmaker, role=Role.EDITOR)
    r = await synced_client.get("/api/v1/katalog/lueckenanalyse")
    before = r.json()
    assert before["covered"] == 0 and before["total"] > 300
    assert "10110" in before["gaps"]
    async with tenant_session(synced_sessionmaker, tenant.id) as s:
        s.add(
            OnlineService(
                tenant_id=tenant.id,
                id=uuid.uuid4(),
                number="OD 001",
                title="Abfall online",
                ozg_ids=["10110"],
                leika_keys=[],
            )
        )
        # a service that names a LeiKa key counts for that key's OZG-Leistung
        key = await s.scalar(
            select(LeikaLeistung.leika_key)
            .where(LeikaLeistung.ozg_id == "10000", LeikaLeistung.leika_key.is_not(None))
            .limit(1)
        )
        s.add(
            OnlineService(
                tenant_id=tenant.id,
                id=uuid.uuid4(),
                number="OD 002",
                title="Elterngeld",
                ozg_ids=[],
                leika_keys=[key],
            )
        )
    after = (await synced_client.get("/api/v1/katalog/lueckenanalyse")).json()
    assert after["covered"] == 2 and "10110" not in after["gaps"] and "10000" not in after["gaps"]
    # status U at the latest reporting date = online; an older E does not count
    import datetime as dt

    from core.catalog.service import gap_analysis
    from core.online_services.models import OnlineServiceStatus
    from core.reporting.models import ReportingDate

    async with tenant_session(synced_sessionmaker, tenant.id) as s:
        abfall = await s.scalar(select(OnlineService).where(OnlineService.tenant_id == tenant.id,
                                                            OnlineService.number == "OD 001"))
        old, new = (ReportingDate(tenant_id=tenant.id, id=uuid.uuid4(), date=d, state="open")
                    for d in (dt.date(2024, 3, 31), dt.date(2024, 9, 30)))
        s.add_all([old, new])
        await s.flush()
        s.add_all([OnlineServiceStatus(tenant_id=tenant.id, id=uuid.uuid4(), online_service_id=abfall.id,
                                       reporting_date_id=old.id, status="E"),
                   OnlineServiceStatus(tenant_id=tenant.id, id=uuid.uuid4(), online_service_id=abfall.id,
                                       reporting_date_id=new.id, status="U")])
    async with tenant_session(synced_sessionmaker, tenant.id) as s:
        analysis = await gap_analysis(s, tenant.id)
    assert analysis.online == 1 and analysis.covered == 2
    assert [r.ozg_id for r in analysis.covered_rows if r.online] == ["10110"]
    page = await synced_client.get("/katalog/lueckenanalyse", params={"sortierung": "name"})
    assert page.status_code == 200
    assert 'data-chart-for="ozg-abdeckung"' in page.text
    assert "OD 001 Abfall online" in page.text
    # another tenant does not see these services
    other = await create_tenant(synced_sessionmaker)
    await login(synced_client, synced_sessionmaker, tenant=other, role=Role.VIEWER)
    assert (await synced_client.get("/api/v1/katalog/lueckenanalyse")).json()["covered"] == 0


async def test_gap_to_measure_creates_a_measure(synced_client, synced_sessionmaker) -> None:
    from core.measures.models import Measure
    from tests.factories import csrf_headers

    tenant = await _login(synced_client, synced_sessionmaker, role=Role.EDITOR)
    r = await synced_client.post(
        "/katalog/lueckenanalyse/10110/massnahme",
        headers=await csrf_headers(synced_client),
        follow_redirects=False,
    )
    assert r.status_code == 303
    async with tenant_session(synced_sessionmaker, tenant.id) as s:
        titles = (await s.scalars(select(Measure.title).where(Measure.tenant_id == tenant.id))).all()
    assert any("Abfall" in (t or "") for t in titles), titles


async def test_gap_to_planned_online_service_closes_the_gap(synced_client, synced_sessionmaker) -> None:
    from core.online_services.models import OnlineService
    from tests.factories import csrf_headers

    tenant = await _login(synced_client, synced_sessionmaker, role=Role.EDITOR)
    r = await synced_client.post("/katalog/lueckenanalyse/10110/online-dienst",
                                 headers={**await csrf_headers(synced_client), "hx-request": "true"})
    assert r.status_code == 200 and "als geplant angelegt" in r.text and "<html" not in r.text
    async with tenant_session(synced_sessionmaker, tenant.id) as s:
        services = (await s.scalars(select(OnlineService).where(OnlineService.tenant_id == tenant.id))).all()
    assert [o.ozg_ids for o in services] == [["10110"]]
    assert "10110" not in (await synced_client.get("/api/v1/katalog/lueckenanalyse")).json()["gaps"]
    # unknown OZG-ID: 404; viewers may not create
    h = await csrf_headers(synced_client)
    assert (await synced_client.post("/katalog/lueckenanalyse/00000/online-dienst", headers=h)).status_code == 404
    await _login(synced_client, synced_sessionmaker, role=Role.VIEWER)
    h = await csrf_headers(synced_client)
    assert (await synced_client.post("/katalog/lueckenanalyse/10110/massnahme", headers=h)).status_code == 403


async def test_report_section_and_widget_of_the_catalogue_plugin(synced_sessionmaker) -> None:
    from plugins.ozg_catalog import plugin
    from plugins.types import RenderContext

    tenant = await create_tenant(synced_sessionmaker)
    async with tenant_session(synced_sessionmaker, tenant.id) as s:
        ctx = RenderContext(session=s, tenant_id=tenant.id)
        [section] = plugin.kommpass_register_report_sections()
        data = await section.load(ctx)
        [widget] = plugin.kommpass_register_dashboard_widgets()
        w = await widget.load(ctx)
    assert "OZG-Leistungen mit kommunalem Vollzug" in data["paragraphs"][0]
    assert data["tables"][0]["columns"][0] == "Themenfeld" and len(data["tables"][0]["rows"]) == 14
    assert w["analysis"].covered == 0 and w["analysis"].total == sum(r[1] for r in data["tables"][0]["rows"])


async def test_gap_list_is_sortable_and_paged(synced_client, synced_sessionmaker) -> None:
    await _login(synced_client, synced_sessionmaker)
    by_id = await synced_client.get("/katalog/lueckenanalyse", params={"sortierung": "ozg_id"},
                                    headers={"hx-request": "true", "hx-target": "luecken-liste"})
    assert by_id.text.lstrip().startswith('<section id="luecken-liste"')
    ids = re.findall(r'href="/katalog/ozg/(\d+)"', by_id.text)
    assert len(ids) == 50 and ids == sorted(ids, key=int)
    page2 = await synced_client.get("/katalog/lueckenanalyse", params={"sortierung": "ozg_id", "seite": "2"})
    ids2 = re.findall(r'<td class="kern-table__cell">(\d+)</td>', page2.text)
    assert int(ids2[0]) > int(ids[-1]) and "Seite 2 von" in page2.text
