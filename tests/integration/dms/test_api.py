"""The JSON API: same rules as the pages (422 with errors, 409 with the current state)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tenants.models import Role
from tests.factories import create_tenant, login
from tests.integration.dms.helpers import make_units


async def test_rollout_lifecycle_over_the_api(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    units = await make_units(sessionmaker, tenant.id, ["Ordnungsbehörde"])
    actor = await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await actor.csrf_headers()
    types = (await client.get("/api/v1/dms/file-types")).json()
    general = next(t for t in types if t["name"] == "Allgemeiner Schriftverkehr")
    product = await client.post(
        "/api/v1/dms/products", json={"name": "nscale egov", "operator": "GKD"}, headers=headers
    )
    assert product.status_code == 201, product.text
    body = {
        "file_type_id": general["id"],
        "org_unit_id": str(units["Ordnungsbehörde"]),
        "product_id": product.json()["id"],
        "integration": "eigenstaendig",
        "status": "in_einfuehrung",
        "introduction_on": "2023-08-01",
        "inbox": "dezentral",
        "workflow_approval": True,
    }
    created = await client.post("/api/v1/dms/rollouts", json=body, headers=headers)
    assert created.status_code == 201, created.text
    item = created.json()
    assert item["status_label"] == "in Einführung" and item["org_unit"] == "Ordnungsbehörde"

    # without the CSRF header writes are refused
    assert (await client.post("/api/v1/dms/rollouts", json=body)).status_code == 403

    bad = await client.put(
        f"/api/v1/dms/rollouts/{item['id']}",
        headers=headers,
        json={**body, "status": "umgesetzt", "live_on": "2023-01-01", "version": item["version"]},
    )
    assert bad.status_code == 422
    assert any(e["field"] == "live_on" and "liegt vor" in e["message"] for e in bad.json()["errors"])

    ok = await client.put(
        f"/api/v1/dms/rollouts/{item['id']}",
        headers=headers,
        json={**body, "status": "umgesetzt", "live_on": "2024-02-01", "version": item["version"]},
    )
    assert ok.status_code == 200 and ok.json()["version"] == item["version"] + 1
    stale = await client.put(
        f"/api/v1/dms/rollouts/{item['id']}",
        headers=headers,
        json={**body, "notes": "alt", "version": item["version"]},
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "umgesetzt"

    share = await client.post(
        "/api/v1/dms/volumes",
        headers=headers,
        json={
            "org_unit_id": str(units["Ordnungsbehörde"]),
            "reporting_date": "2024-03-31",
            "total_count": 10,
            "digital_count": 11,
        },
    )
    assert share.status_code == 422 and "über 100 %" in share.text
    indicator = (await client.get("/api/v1/dms/indicator")).json()
    assert indicator["goal"]["goal_share_percent"] == 30 and indicator["trend"] == []

    filtered = await client.get(
        f"/api/v1/dms/rollouts?org_unit_id={units['Ordnungsbehörde']}&status=umgesetzt"
    )
    assert [r["id"] for r in filtered.json()] == [item["id"]]
    goal = (await client.get("/api/v1/dms/goal")).json()
    changed = await client.put(
        "/api/v1/dms/goal",
        headers=headers,
        json={"goal_share_percent": 40, "goal_year": 2027, "version": goal["version"]},
    )
    assert changed.status_code == 200 and changed.json()["goal_share_percent"] == 40

    assert (await client.delete(f"/api/v1/dms/rollouts/{item['id']}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/v1/dms/rollouts/{item['id']}")).status_code == 404


async def test_viewers_read_but_do_not_write(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    actor = await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    assert (await client.get("/api/v1/dms/rollouts")).status_code == 200
    response = await client.post(
        "/api/v1/dms/products", json={"name": "enaio"}, headers=await actor.csrf_headers()
    )
    assert response.status_code == 403


async def test_nul_characters_and_unknown_filters_are_no_server_error(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    actor = await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await actor.csrf_headers()
    created = await client.post("/api/v1/dms/products", json={"name": "d.velop\x00"}, headers=headers)
    assert created.status_code == 201 and created.json()["name"] == "d.velop"
    renamed = await client.put(
        f"/api/v1/dms/products/{created.json()['id']}",
        headers=headers,
        json={"name": "\x00", "version": created.json()["version"]},
    )
    assert renamed.status_code == 422
    assert (await client.get("/api/v1/dms/rollouts?status=%00")).json() == []
