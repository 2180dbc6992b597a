"""Strategy editor pages and JSON API: roles, tenancy (404 across tenants), conflicts, diff."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.models import AuditEvent
from core.db import tenant_session
from core.strategy import service
from core.strategy.kinds import BUILDING_BLOCKS, GOALS, INDICATORS, VALUES
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login


async def _seed(sm: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID) -> dict[str, Any]:
    async with tenant_session(sm, tenant_id) as s:
        strategy = await service.create_strategy(
            s,
            tenant_id,
            {"title": "Digitalisierungsstrategie", "label": "1.0", "vision": "Digitale Praktikerin"},
        )
        goal = await service.add_item(s, tenant_id, strategy.id, GOALS, {"title": "Moderne Arbeitgeberin"})
        ind = await service.add_item(
            s,
            tenant_id,
            strategy.id,
            INDICATORS,
            {"name": "Digitale Dokumente", "unit": "%", "target_value": "30", "due_date": "2026-12-31"},
            parent_id=goal.id,
        )
        value = await service.add_item(
            s, tenant_id, strategy.id, VALUES, {"measured_on": "2024-03-31", "value": "12"}, parent_id=ind.id
        )
        block = await service.add_item(
            s,
            tenant_id,
            strategy.id,
            BUILDING_BLOCKS,
            {"code": "LBS-001", "title": "E-Akte", "benefits": ["Weniger Papier"]},
        )
        ids: dict[str, Any] = {
            "strategy": strategy.id,
            "goals": goal.id,
            "indicators": ind.id,
            "values": value.id,
            "building_blocks": block.id,
        }
        for key, data in {
            "recommendations": {"number": 1, "measures": ["Jährliche Überprüfung"]},
            "maturity": {"area": "strategie", "assessed_on": "2023-02-01", "level": 2, "target_level": 4},
            "swot": {"category": "S", "text": "Gute Organisationsstruktur"},
            "architecture": {"name": "DMS", "state": "ausbaufaehig"},
        }.items():
            from core.strategy.kinds import KINDS

            obj = await service.add_item(s, tenant_id, strategy.id, KINDS[key], data)
            ids[key] = obj.id
        return ids


async def test_editor_page_shows_every_section_with_charts(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    await _seed(sessionmaker, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    response = await client.get("/strategie")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    for text in (
        "Moderne Arbeitgeberin",
        "Digitale Dokumente",
        "LBS-001",
        "Empfehlung 1",
        "Gute Organisationsstruktur",
        "ausbaufähig",
        "Digitale Praktikerin",
        'data-chart-for="chart-reifegrad"',
        'data-chart-for="chart-zielerreichung"',
    ):
        assert text in html, text
    assert "Bearbeiten" not in html  # viewers do not get edit controls


async def test_empty_tenant_can_create_first_version(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    assert "Erste Version anlegen" in (await client.get("/strategie")).text
    headers = await csrf_headers(client)
    bad = await client.post("/strategie", data={"title": "", "label": "1.0"}, headers=headers)
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    ok = await client.post(
        "/strategie", data={"title": "Strategie", "label": "1.0"}, headers=headers, follow_redirects=False
    )
    assert ok.status_code == 303


async def test_inline_edit_and_conflict_in_ui(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await _seed(sessionmaker, tenant.id)
    actor = await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await csrf_headers(client)
    url = f"/strategie/{ids['strategy']}/bausteine/{ids['building_blocks']}"
    new_form = await client.get(f"/strategie/{ids['strategy']}/empfehlungen/neu")
    assert (
        new_form.status_code == 200
        and 'name="number" type="text" inputmode="decimal" value="2"' in new_form.text
    )
    form = await client.get(url + "/bearbeiten", headers={"hx-request": "true"})
    assert form.status_code == 200 and 'name="version" value="1"' in form.text and "<html" not in form.text
    saved = await client.post(
        url,
        data={"version": "1", "title": "E-Akte überall", "code": "LBS-001"},
        headers=headers | {"hx-request": "true"},
    )
    assert saved.status_code == 200 and "E-Akte überall" in saved.text and "Gespeichert" in saved.text
    stale = await client.post(
        url,
        data={"version": "1", "title": "Mein Titel", "code": "LBS-001"},
        headers=headers | {"hx-request": "true"},
    )
    assert stale.status_code == 409
    assert "inzwischen von jemand anderem geändert" in stale.text
    assert "E-Akte überall" in stale.text and "Mein Titel" in stale.text  # theirs and mine
    assert 'name="version" value="2"' in stale.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        events = list(
            await s.scalars(
                select(AuditEvent).where(
                    AuditEvent.tenant_id == tenant.id,
                    AuditEvent.entity_id == str(ids["building_blocks"]),
                    AuditEvent.action == "strategy.building_blocks.update",
                )
            )
        )
    assert len(events) == 1 and events[0].actor_user_id == actor.user.id
    assert events[0].changes == {"title": ["E-Akte", "E-Akte überall"]}


async def test_api_crud_conflict_and_diff(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await _seed(sessionmaker, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await csrf_headers(client)
    sid = ids["strategy"]
    detail = (await client.get(f"/api/v1/strategies/{sid}")).json()
    assert detail["goals"][0]["indicators"][0]["values"][0]["value"] == "12.00"
    created = await client.post(
        f"/api/v1/strategies/{sid}/goals", json={"title": "Digitale Angebote"}, headers=headers
    )
    assert created.status_code == 201
    goal = created.json()
    patched = await client.patch(
        f"/api/v1/strategies/{sid}/goals/{goal['id']}",
        json={"version": 1, "title": "Digitale Angebote 2026"},
        headers=headers,
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = await client.patch(
        f"/api/v1/strategies/{sid}/goals/{goal['id']}",
        json={"version": 1, "title": "Überschrieben?"},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["title"] == "Digitale Angebote 2026"
    invalid = await client.post(
        f"/api/v1/strategies/{sid}/indicators",
        json={"name": "x", "target_value": "viel", "parent_id": str(ids["goals"])},
        headers=headers,
    )
    assert invalid.status_code == 422
    assert any(e["field"] == "target_value" for e in invalid.json()["errors"])
    adopted = await client.post(f"/api/v1/strategies/{sid}/adopt", json={"version": 1}, headers=headers)
    assert adopted.status_code == 200 and adopted.json()["status"] == "beschlossen"
    copy = await client.post(f"/api/v1/strategies/{sid}/versions", json={}, headers=headers)
    assert copy.status_code == 201 and copy.json()["label"] == "2.0"
    new_id = copy.json()["id"]
    new_detail = (await client.get(f"/api/v1/strategies/{new_id}")).json()
    block = new_detail["building_blocks"][0]
    assert block["lineage_id"] == detail["building_blocks"][0]["lineage_id"]
    await client.patch(
        f"/api/v1/strategies/{new_id}/building-blocks/{block['id']}",
        json={"version": block["version"], "risks": ["Fachkräftemangel"]},
        headers=headers,
    )
    diff = (await client.get(f"/api/v1/strategies/{sid}/diff/{new_id}")).json()
    blocks = next(s for s in diff["sections"] if s["key"] == "building_blocks")
    assert blocks["changed"][0]["changes"] == [
        {"field": "risks", "label": "Risiken", "old": "–", "new": "Fachkräftemangel"}
    ]
    page = await client.get(f"/strategie/vergleich?alt={sid}&neu={new_id}")
    assert page.status_code == 200 and "Fachkräftemangel" in page.text and "<del>" in page.text
    assert (await client.get("/api/v1/strategies/goals-vs-targets")).json()[0]["target"] == "30.00"
    new_page = (await client.get(f"/strategie/{new_id}")).text
    assert f"/strategie/vergleich?alt={sid}&amp;neu={new_id}" in new_page
    # adopting 2.0 makes 1.0 read-only: no edit controls, writes answer 409
    version = (await client.get(f"/api/v1/strategies/{new_id}")).json()["strategy"]["version"]
    assert (
        await client.post(f"/api/v1/strategies/{new_id}/adopt", json={"version": version}, headers=headers)
    ).status_code == 200
    old_page = (await client.get(f"/strategie/{sid}")).text
    assert "abgelöst und nur noch lesbar" in old_page and "/bearbeiten" not in old_page
    old_goal = detail["goals"][0]["goal"]
    blocked = await client.patch(
        f"/api/v1/strategies/{sid}/goals/{old_goal['id']}",
        json={"version": old_goal["version"], "title": "x"},
        headers=headers,
    )
    assert blocked.status_code == 409 and "abgelöst" in blocked.json()["detail"]


async def test_viewer_cannot_write(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    ids = await _seed(sessionmaker, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    headers = await csrf_headers(client)
    response = await client.post(
        f"/api/v1/strategies/{ids['strategy']}/goals", json={"title": "x"}, headers=headers
    )
    assert response.status_code == 403


async def test_every_route_answers_404_for_another_tenants_ids(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    owner = await create_tenant(sessionmaker)
    ids = await _seed(sessionmaker, owner.id)
    other = await create_tenant(sessionmaker)
    await _seed(sessionmaker, other.id)  # the other tenant has data of its own
    await login(client, sessionmaker, tenant=other, role=Role.EDITOR)
    headers = await csrf_headers(client)
    sid = ids["strategy"]
    slugs = {
        "goals": "ziele",
        "indicators": "kennzahlen",
        "values": "messwerte",
        "building_blocks": "bausteine",
        "recommendations": "empfehlungen",
        "maturity": "reifegrad",
        "swot": "swot",
        "architecture": "architektur",
    }
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", f"/strategie/{sid}", {}),
        ("GET", f"/strategie/{sid}/bearbeiten", {}),
        ("POST", f"/strategie/{sid}", {"data": {"version": "1", "title": "x"}}),
        ("POST", f"/strategie/{sid}/neue-version", {"data": {}}),
        ("POST", f"/strategie/{sid}/beschliessen", {"data": {"version": "1"}}),
        ("POST", f"/strategie/{sid}/loeschen", {"data": {"version": "1"}}),
        ("GET", f"/strategie/{sid}/dokument.pdf", {}),
        ("GET", f"/strategie/vergleich?alt={sid}&neu={sid}", {}),
        ("GET", f"/api/v1/strategies/{sid}", {}),
        ("PATCH", f"/api/v1/strategies/{sid}", {"json": {"version": 1, "title": "x"}}),
        ("DELETE", f"/api/v1/strategies/{sid}?version=1", {}),
        ("POST", f"/api/v1/strategies/{sid}/versions", {"json": {}}),
        ("POST", f"/api/v1/strategies/{sid}/adopt", {"json": {"version": 1}}),
        ("GET", f"/api/v1/strategies/{sid}/diff/{sid}", {}),
    ]
    for key, slug in slugs.items():
        iid = ids[key]
        api = key.replace("_", "-")
        requests += [
            (
                "GET",
                f"/strategie/{sid}/{slug}/neu" + (f"?parent={ids['goals']}" if key == "indicators" else ""),
                {},
            ),
            ("POST", f"/strategie/{sid}/{slug}", {"data": {"title": "x"}}),
            ("GET", f"/strategie/{sid}/{slug}/{iid}", {}),
            ("GET", f"/strategie/{sid}/{slug}/{iid}/bearbeiten", {}),
            ("POST", f"/strategie/{sid}/{slug}/{iid}", {"data": {"version": "1"}}),
            ("POST", f"/strategie/{sid}/{slug}/{iid}/loeschen", {"data": {"version": "1"}}),
            ("POST", f"/api/v1/strategies/{sid}/{api}", {"json": {}}),
            ("GET", f"/api/v1/strategies/{sid}/{api}/{iid}", {}),
            ("PATCH", f"/api/v1/strategies/{sid}/{api}/{iid}", {"json": {"version": 1}}),
            ("DELETE", f"/api/v1/strategies/{sid}/{api}/{iid}?version=1", {}),
        ]
    for method, url, kw in requests:
        response = await client.request(method, url, headers=headers, **kw)
        assert response.status_code == 404, (method, url, response.status_code, response.text[:300])
    # list routes show the own tenant's data only
    own = (await client.get("/api/v1/strategies")).json()
    assert len(own) == 1 and own[0]["id"] != str(sid)
    assert (await client.get("/api/v1/strategies/current")).json()["strategy"]["id"] == own[0]["id"]
    assert str(sid) not in (await client.get("/strategie")).text
    assert str(sid) not in (await client.get("/strategie/versionen")).text
    # and nothing changed for the owner
    async with tenant_session(sessionmaker, owner.id) as s:
        full = await service.load_full(s, owner.id, sid)
    assert full.strategy.version == 1 and full.goals[0].goal.title == "Moderne Arbeitgeberin"


async def test_openapi_schema_documents_strategy_and_budget_routes(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert "/api/v1/strategies/{strategy_id}/building-blocks/{item_id}" in paths
    assert "/api/v1/budget/lines/{line_id}/entries/{entry_id}" in paths
    props = schema["components"]["schemas"]["BuildingBlockUpdate"]["properties"]
    assert {"version", "stakeholders", "benefits", "acceptance_criteria", "risks", "responsible"} <= set(
        props
    )
