"""The DMS pages: forms, validation messages, charts, role checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from plugins.dms.models import DmsDocumentVolume, DmsRollout
from plugins.dms.service import DmsService
from tenants.models import Role
from tests.factories import create_tenant, login
from tests.integration.dms.helpers import make_units


async def _setup(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession], role: Role = Role.EDITOR
) -> tuple[Any, dict[str, Any], Any]:
    tenant = await create_tenant(sessionmaker)
    units = await make_units(sessionmaker, tenant.id, ["Organisation", "Bauordnung"])
    actor = await login(client, sessionmaker, tenant=tenant, role=role)
    return tenant, units, actor


async def test_overview_and_lists_render_in_german(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _setup(client, sessionmaker, Role.VIEWER)
    for path, text in (
        ("/dms", "Anteil digital bearbeiteter Dokumente"),
        ("/dms/einfuehrungen", "E-Akten je"),
        ("/dms/dokumentenmengen", "Zielanteil" if False else "Dokumentenmengen"),
        ("/dms/produkte", "DMS-Produkte"),
        ("/dms/aktenarten", "Allgemeiner Schriftverkehr"),
    ):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert text in response.text
        assert 'href="/dms"' in response.text  # menu entry of the plugin
    # viewers do not get the forms
    assert "Neue Einführung erfassen" not in (await client.get("/dms/einfuehrungen")).text
    assert (await client.get("/dms/einfuehrungen/neu")).status_code == 403


async def test_create_rollout_through_the_form(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant, units, actor = await _setup(client, sessionmaker)
    form = await client.get("/dms/einfuehrungen/neu")
    assert form.status_code == 200 and "Aktenart" in form.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        bau = await DmsService(s, tenant.id).find_file_type("Bauakte")
    response = await client.post(
        "/dms/einfuehrungen",
        data={
            "file_type_id": str(bau.id),
            "org_unit_id": str(units["Bauordnung"]),
            "status": "in_einfuehrung",  # type: ignore[union-attr]
            "introduction_on": "2023-03-01",
            "integration": "fachverfahren",
            "procedure_name": "ProBauG",
            "scanning_resiscan": "1",
            "scanning_mode": "scanstrasse",
        },
        headers=await actor.csrf_headers(),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:1000]
    detail = await client.get(response.headers["location"])
    assert detail.status_code == 200
    assert "ProBauG" in detail.text and "in Einführung" in detail.text and "TR-RESISCAN: ja" in detail.text
    overview = await client.get("/dms")
    assert "dms-timeline-chart" in overview.text and "dms-progress-chart" in overview.text


async def test_dates_out_of_order_come_back_with_a_message_and_nothing_is_written(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant, units, actor = await _setup(client, sessionmaker)
    await client.get("/dms/aktenarten")  # creates the default e-file types
    async with tenant_session(sessionmaker, tenant.id) as s:
        bau = await DmsService(s, tenant.id).find_file_type("Bauakte")
    response = await client.post(
        "/dms/einfuehrungen",
        data={
            "file_type_id": str(bau.id),
            "org_unit_id": str(units["Bauordnung"]),
            "status": "umgesetzt",  # type: ignore[union-attr]
            "introduction_on": "2024-05-01",
            "live_on": "2024-01-15",
            "integration": "fachverfahren",
            "procedure_name": "ProBauG",
        },
        headers=await actor.csrf_headers(),
    )
    assert response.status_code == 422
    assert "liegt vor dem Datum" in response.text and "15.01.2024" in response.text
    assert 'value="ProBauG"' in response.text  # the values come back
    assert 'aria-invalid="true"' in response.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await s.scalar(select(func.count()).select_from(DmsRollout)) == 0


async def test_volume_above_100_percent_and_bad_goal_are_refused(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant, units, actor = await _setup(client, sessionmaker)
    headers = await actor.csrf_headers()
    response = await client.post(
        "/dms/dokumentenmengen",
        data={
            "org_unit_id": str(units["Organisation"]),
            "reporting_date": "31.03.2024",
            "total_count": "100",
            "digital_count": "150",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert "über 100 %" in response.text
    response = await client.post(
        "/dms/ziel", data={"goal_share_percent": "120", "goal_year": "2026", "version": "0"}, headers=headers
    )
    assert response.status_code == 422 and "zwischen 0 und 100" in response.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await s.scalar(select(func.count()).select_from(DmsDocumentVolume)) == 0
    ok = await client.post(
        "/dms/dokumentenmengen",
        data={
            "org_unit_id": str(units["Organisation"]),
            "reporting_date": "2024-03-31",
            "total_count": "1000",
            "digital_count": "250",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = await client.get("/dms/dokumentenmengen")
    assert "25,0 %" in page.text and "dms-volume-trend" in page.text


async def test_products_and_file_types_are_editable(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant, _units, actor = await _setup(client, sessionmaker)
    headers = await actor.csrf_headers()
    r = await client.post(
        "/dms/produkte",
        data={"name": "d.velop", "product_version": "2024", "operator": "Kommunales Rechenzentrum"},
        headers=headers,
        follow_redirects=False,
    )
    assert r.status_code == 303
    dup = await client.post("/dms/produkte", data={"name": "D.VELOP"}, headers=headers)
    assert dup.status_code == 422 and "schon erfasst" in dup.text
    r = await client.post(
        "/dms/aktenarten",
        data={"name": "Personalakte 2", "sort_order": "5"},
        headers=headers,
        follow_redirects=False,
    )
    assert r.status_code == 303
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        product = (await service.products())[0]
        file_type = await service.find_file_type("Personalakte 2")
    edit = await client.get(f"/dms/produkte/{product.id}/bearbeiten")
    assert edit.status_code == 200 and "d.velop" in edit.text
    stale = await client.post(
        f"/dms/produkte/{product.id}", data={"name": "enaio", "version": "99"}, headers=headers
    )
    assert stale.status_code == 409
    r = await client.post(
        f"/dms/aktenarten/{file_type.id}/loeschen",
        headers=headers,  # type: ignore[union-attr]
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "Personalakte 2" not in (await client.get("/dms/aktenarten")).text


async def test_filter_answers_htmx_with_the_table_only(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await _setup(client, sessionmaker, Role.VIEWER)
    response = await client.get(
        "/dms/einfuehrungen?status=umgesetzt",
        headers={"hx-request": "true", "hx-target": "dms-rollout-table"},
    )
    assert response.status_code == 200
    assert 'id="dms-rollout-table"' in response.text and "<html" not in response.text


_ = dt


async def test_link_to_measure_and_budget_lines_shows_planned_costs(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    import decimal

    from core.budget.models import BudgetEntry, BudgetLine
    from core.measures.models import Measure

    tenant, units, actor = await _setup(client, sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        measure = Measure(tenant_id=tenant.id, number="MP 078", title="Metastorm e-work")
        line = BudgetLine(tenant_id=tenant.id, number="001", title="Ausbau des Dokumenten-Management-Systems")
        s.add_all([measure, line])
        await s.flush()
        s.add_all(
            [
                BudgetEntry(
                    tenant_id=tenant.id,
                    line_id=line.id,
                    year=2024,
                    development=decimal.Decimal(45000),
                    hardware_software=decimal.Decimal(221000),
                    licences=decimal.Decimal(69200),
                ),
                BudgetEntry(tenant_id=tenant.id, line_id=line.id, year=2025, licences=decimal.Decimal(10000)),
            ]
        )
        service = DmsService(s, tenant.id)
        await service.ensure_initialized()
        fin = await service.find_file_type("Finanzakte")
    form = await client.get("/dms/einfuehrungen/neu")
    assert (
        "MP 078 Metastorm e-work" in form.text and "001 Ausbau des Dokumenten-Management-Systems" in form.text
    )
    response = await client.post(
        "/dms/einfuehrungen",
        data={
            "file_type_id": str(fin.id),
            "org_unit_id": str(units["Organisation"]),
            "status": "geplant",  # type: ignore[union-attr]
            "planned_on": "2025-01-01",
            "integration": "fachverfahren",
            "procedure_name": "e-work",
            "measure_id": str(measure.id),
            "budget_line_ids": [str(line.id)],
        },
        headers=await actor.csrf_headers(),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:2000]
    detail = await client.get(response.headers["location"])
    assert "MP 078 Metastorm e-work" in detail.text
    assert "266.000 €" in detail.text and "79.200 €" in detail.text  # investments, running costs


async def test_stale_form_edit_answers_409_with_the_current_state(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    from plugins.dms.schemas import RolloutInput

    tenant, units, actor = await _setup(client, sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        await service.ensure_initialized()
        t = await service.find_file_type("Allgemeiner Schriftverkehr")
        item = await service.create_rollout(
            RolloutInput(
                file_type_id=t.id,
                org_unit_id=units["Organisation"],  # type: ignore[union-attr]
                integration="eigenstaendig",
            )
        )
    edit = await client.get(f"/dms/einfuehrungen/{item.id}/bearbeiten")
    assert edit.status_code == 200 and 'name="version" value="1"' in edit.text
    data = {
        "file_type_id": str(item.file_type_id),
        "org_unit_id": str(item.org_unit_id),
        "status": "in_einfuehrung",
        "introduction_on": "2024-02-01",
        "integration": "eigenstaendig",
        "version": "1",
    }
    headers = await actor.csrf_headers()
    first = await client.post(
        f"/dms/einfuehrungen/{item.id}", data=data, headers=headers, follow_redirects=False
    )
    assert first.status_code == 303
    second = await client.post(
        f"/dms/einfuehrungen/{item.id}", data={**data, "notes": "veraltet"}, headers=headers
    )
    assert second.status_code == 409
    assert "inzwischen von jemand anderem geändert" in second.text and "veraltet" in second.text
    assert 'name="version" value="2"' in second.text  # saving again overwrites knowingly
    detail = await client.get(f"/dms/einfuehrungen/{item.id}")
    assert "Änderungsverlauf" in detail.text
    assert (
        "Status: geplant → in Einführung" in detail.text
        and "Einführung begonnen: – → 01.02.2024" in detail.text
        and actor.user.email in detail.text
    )
