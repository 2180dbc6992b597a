"""The catalogue sync as a job: "sync now" for KAAW admins, the daily schedule, first start."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.catalog.models import CatalogVersion, OzgLeistung
from core.jobs import JobQueue, job_definitions
from plugins.manager import get_plugin_manager
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login


def test_catalog_sync_is_scheduled_daily() -> None:
    definition = job_definitions(get_plugin_manager())["catalog.sync"]
    assert definition.cron == "15 3 * * *"


async def test_sync_now_enqueues_the_job_and_a_worker_runs_it(
    synced_client: Any, synced_db: Any, synced_sessionmaker: Any
) -> None:
    await login(synced_client, synced_sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    page = await synced_client.get("/admin/plugins")
    assert "Katalogversion 1" in page.text and "Jetzt abgleichen" in page.text
    response = await synced_client.post(
        "/admin/plugins/katalog/abgleich", headers={**await csrf_headers(synced_client), "hx-request": "true"}
    )
    assert response.status_code == 200 and "Abgleich eingeplant" in response.text
    again = await synced_client.post(
        "/admin/plugins/katalog/abgleich", headers={**await csrf_headers(synced_client), "hx-request": "true"}
    )
    assert "bereits eingeplant" in again.text

    queue = JobQueue(synced_db.app, sessionmaker=synced_sessionmaker)
    try:
        await queue.run_worker(burst=True, concurrency=1)
        job = await queue.wait("catalog.sync:manual")
        assert job.result["version"] == 1 and job.result["created"] is False  # snapshot == shared files
    finally:
        await queue.close()


async def test_sync_now_is_for_kaaw_admins_only(synced_client: Any, synced_sessionmaker: Any) -> None:
    tenant = await create_tenant(synced_sessionmaker)
    await login(synced_client, synced_sessionmaker, tenant=tenant, role=Role.TENANT_ADMIN)
    r = await synced_client.post("/admin/plugins/katalog/abgleich", headers=await csrf_headers(synced_client))
    assert r.status_code == 403


async def test_first_start_loads_the_bundled_snapshot_once(
    catalog_sessionmaker: Any, test_settings: Any
) -> None:
    from plugins.ozg_catalog import plugin

    await plugin.kommpass_on_startup(sessionmaker=catalog_sessionmaker, settings=test_settings)
    await plugin.kommpass_on_startup(sessionmaker=catalog_sessionmaker, settings=test_settings)
    async with catalog_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(OzgLeistung)) == 557
        assert await s.scalar(select(func.count()).select_from(CatalogVersion)) == 1


async def test_network_view_shows_counts_only(synced_client: Any, synced_sessionmaker: Any) -> None:
    import uuid

    from core.db import tenant_session
    from core.online_services.models import OnlineService

    for name in ("Stadt Netz A", "Stadt Netz B"):
        tenant = await create_tenant(synced_sessionmaker, name=name)
        async with tenant_session(synced_sessionmaker, tenant.id) as s:
            s.add(
                OnlineService(
                    tenant_id=tenant.id,
                    id=uuid.uuid4(),
                    number="OD 1",
                    title="Geheimer Dienstname",
                    ozg_ids=["10110"],
                    leika_keys=[],
                )
            )
    await login(synced_client, synced_sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    page = await synced_client.get("/admin/plugins/katalog/netzwerk")
    assert page.status_code == 200
    assert "Geheimer Dienstname" not in page.text and "Stadt Netz A" not in page.text
    row = page.text.split("10110 ", 1)[1].split("</tr>", 1)[0]
    assert ">2</td>" in row


async def test_kaaw_admin_browses_versions_without_a_tenant(synced_client: Any, synced_sessionmaker: Any) -> None:
    await login(synced_client, synced_sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    listing = await synced_client.get("/admin/plugins/katalog/versionen")
    assert listing.status_code == 200 and 'href="/admin/plugins/katalog/versionen/1"' in listing.text
    diff = await synced_client.get("/admin/plugins/katalog/versionen/1", params={"art": "themenfeld"})
    assert diff.status_code == 200 and "14 Änderungen" in diff.text and "Familie &amp; Kind" in diff.text
