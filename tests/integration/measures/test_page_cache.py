"""The dashboard and the measure plan are served from the page cache (web.page_cache) until
the tenant's data change – whoever changes them – and never across roles or tenants."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import update

from core.db import tenant_session
from core.measures.models import Measure
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login
from tests.integration.measures.helpers import editor, measure_id, seeded_tenant
from web.auth import SESSION_COOKIE
from web.page_cache import LOOKUPS


def lookups(page: str, result: str) -> float:
    return LOOKUPS.labels(page, result)._value.get()


async def test_repeated_views_come_from_the_cache(
    client: AsyncTestClient, sessionmaker: Any, shared_dir: Any
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    for page, path in (("dashboard", "/"), ("measures.plan", "/massnahmen")):
        first = await client.get(path)
        hits = lookups(page, "hit")
        second = await client.get(path)
        assert first.status_code == second.status_code == 200
        assert lookups(page, "hit") == hits + 1, page
        assert first.text == second.text


async def test_an_edit_over_the_api_shows_at_once(
    client: AsyncTestClient, sessionmaker: Any, shared_dir: Any
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    assert "<strong>8</strong> Maßnahmen" in (await client.get("/")).text
    assert "CRM-System" in (await client.get("/massnahmen")).text
    headers = await csrf_headers(client)
    mid = await measure_id(client, "MP 020")
    version = (await client.get(f"/api/v1/measures/{mid}")).json()["version"]
    resp = await client.patch(
        f"/api/v1/measures/{mid}", json={"version": version, "title": "Kundenportal neu"}, headers=headers
    )
    assert resp.status_code == 200, resp.text
    resp = await client.post("/api/v1/measures", json={"number": "MP 900", "title": "Neu"}, headers=headers)
    assert resp.status_code == 201, resp.text
    plan = (await client.get("/massnahmen")).text
    assert "Kundenportal neu" in plan and "CRM-System" not in plan and "MP 900" in plan
    assert "<strong>9</strong> Maßnahmen" in (await client.get("/")).text


async def test_a_write_outside_the_app_is_seen(
    client: AsyncTestClient, sessionmaker: Any, shared_dir: Any
) -> None:
    """Another process (CLI import, job worker, second instance) writes directly: the
    revision trigger advances in that transaction, so the next view recomputes."""
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    assert "CRM-System" in (await client.get("/massnahmen")).text
    async with tenant_session(sessionmaker, tenant.id) as s:
        await s.execute(update(Measure).where(Measure.number == "MP 020").values(title="Von außen geändert"))
    plan = (await client.get("/massnahmen")).text
    assert "Von außen geändert" in plan and "CRM-System" not in plan


async def test_roles_and_tenants_get_their_own_pages(
    client: AsyncTestClient, sessionmaker: Any, shared_dir: Any
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    other = await create_tenant(sessionmaker)
    sessions = {}
    for name, who, role in (("editor", tenant, Role.EDITOR), ("viewer", tenant, Role.VIEWER),
                            ("other", other, Role.EDITOR)):
        await login(client, sessionmaker, tenant=who, role=role)
        sessions[name] = client.cookies.get(SESSION_COOKIE)

    async def get(name: str, path: str) -> str:
        client.cookies.set(SESSION_COOKIE, sessions[name])
        resp = await client.get(path)
        assert resp.status_code == 200
        return resp.text

    assert "Bearbeiten" in await get("editor", "/massnahmen")
    assert "Bearbeiten" not in await get("viewer", "/massnahmen")
    assert "Bearbeiten" in await get("editor", "/massnahmen")
    other_plan = await get("other", "/massnahmen")
    assert "MP 020" not in other_plan and "0 Maßnahmen" in other_plan
    assert tenant.name in await get("editor", "/")
    assert tenant.name not in await get("other", "/")


async def test_concurrent_first_views_render_once(
    live_server: Any, sessionmaker: Any, shared_dir: Any
) -> None:
    """After a change many views of a tenant arrive at once: one renders, the others wait for it."""
    import asyncio

    import httpx

    tenant = await seeded_tenant(sessionmaker, shared_dir)
    async with httpx.AsyncClient(base_url=live_server.url, timeout=60) as http:
        await login(http, sessionmaker, tenant=tenant, role=Role.EDITOR)
        before = {r: lookups("measures.plan", r) for r in ("miss", "shared", "hit")}
        pages = await asyncio.gather(*(http.get("/massnahmen") for _ in range(10)))
        after = {r: lookups("measures.plan", r) for r in ("miss", "shared", "hit")}
    assert all(p.status_code == 200 and "CRM-System" in p.text for p in pages)
    assert after["miss"] - before["miss"] == 1
    assert (after["shared"] - before["shared"]) + (after["hit"] - before["hit"]) == 9
