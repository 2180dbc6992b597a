"""Switching the plugin off for one tenant: pages 404, no menu entry, widget or report section;
the data stays and comes back when switched on; other tenants are unaffected."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.reports.committee import CommitteeReport, add_plugin_sections
from plugins.dms.schemas import RolloutInput
from plugins.dms.service import DmsService
from plugins.manager import get_plugin_manager, plugin_infos
from plugins.settings import enabled_plugins, set_plugin_enabled
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login
from tests.integration.dms.helpers import make_units

PAGES = (
    "/dms",
    "/dms/einfuehrungen",
    "/dms/dokumentenmengen",
    "/dms/produkte",
    "/dms/aktenarten",
    "/dms/import",
    "/dms/export.xlsx",
    "/api/v1/dms/rollouts",
    "/api/v1/dms/indicator",
)


async def _report_section_keys(sessionmaker: async_sessionmaker[AsyncSession], tenant_id: Any) -> list[str]:
    async with tenant_session(sessionmaker, tenant_id) as s:
        report = CommitteeReport(
            tenant_name="x",
            reporting_date=None,
            previous=None,
            dates=[],  # type: ignore[arg-type]
            sections=[],
        )
        await add_plugin_sections(
            report, s, tenant_id, get_plugin_manager(), await enabled_plugins(s, tenant_id)
        )
        return [section.key for section in report.sections]


async def _set(sessionmaker: async_sessionmaker[AsyncSession], tenant_id: Any, on: bool) -> None:
    async with tenant_session(sessionmaker, tenant_id) as s:
        await set_plugin_enabled(s, tenant_id, "dms", on)


async def _only_dms(sessionmaker: async_sessionmaker[AsyncSession], *tenant_ids: Any) -> None:
    """Other plugins off, so the dashboard shows what this plugin contributes and nothing else."""
    for tenant_id in tenant_ids:
        async with tenant_session(sessionmaker, tenant_id) as s:
            for info in plugin_infos():
                if info.switchable and info.name != "dms":
                    await set_plugin_enabled(s, tenant_id, info.name, False)


async def test_switching_off_hides_everything_for_that_tenant_only(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession], app: Any
) -> None:
    off, other = await create_tenant(sessionmaker), await create_tenant(sessionmaker)
    await _only_dms(sessionmaker, off.id, other.id)
    units = await make_units(sessionmaker, off.id, ["Organisation"])
    async with tenant_session(sessionmaker, off.id) as s:
        service = DmsService(s, off.id)
        await service.ensure_initialized()
        t = await service.find_file_type("Allgemeiner Schriftverkehr")
        created = await service.create_rollout(
            RolloutInput(
                file_type_id=t.id,
                org_unit_id=units["Organisation"],
                status="umgesetzt",  # type: ignore[union-attr]
                introduction_on=dt.date(2022, 1, 1),
                live_on=dt.date(2022, 6, 1),
                integration="eigenstaendig",
            )
        )
    await _set(sessionmaker, off.id, False)

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other_client:
        await login(other_client, sessionmaker, tenant=other, role=Role.EDITOR)
        assert (await other_client.get("/dms")).status_code == 200
        dashboard = await other_client.get("/")
        assert 'href="/dms"' in dashboard.text and "DMS-Einführung" in dashboard.text
    assert "dms" in await _report_section_keys(sessionmaker, other.id)

    await login(client, sessionmaker, tenant=off, role=Role.EDITOR)
    for path in (*PAGES, f"/dms/einfuehrungen/{created.id}", f"/api/v1/dms/rollouts/{created.id}"):
        assert (await client.get(path)).status_code == 404, path
    headers = await csrf_headers(client)
    assert (await client.post("/dms/produkte", data={"name": "nscale"}, headers=headers)).status_code == 404
    dashboard = await client.get("/")
    assert dashboard.status_code == 200
    assert 'href="/dms"' not in dashboard.text  # neither menu entry nor widget link
    assert "Anteil digital bearbeitet" not in dashboard.text
    assert "dms" not in await _report_section_keys(sessionmaker, off.id)

    await _set(sessionmaker, off.id, True)
    back = await client.get(f"/dms/einfuehrungen/{created.id}")
    assert back.status_code == 200 and "Allgemeiner Schriftverkehr" in back.text
    assert 'href="/dms"' in (await client.get("/")).text
    assert "dms" in await _report_section_keys(sessionmaker, off.id)
