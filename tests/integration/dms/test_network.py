"""The KAAW network view: aggregates across tenants, read tenant by tenant under RLS."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from plugins.dms.schemas import ProductInput, RolloutInput
from plugins.dms.service import DmsService
from plugins.settings import set_plugin_enabled
from tests.factories import create_tenant, login, unique_slug
from tests.integration.dms.helpers import make_units


async def _town(
    sessionmaker: async_sessionmaker[AsyncSession], name: str, product: str, rollouts: list[tuple[str, str]]
) -> Any:
    tenant = await create_tenant(sessionmaker, name=name)
    units = await make_units(sessionmaker, tenant.id, [u for u, _ in rollouts])
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        await service.ensure_initialized()
        p = await service.save_product(ProductInput(name=product))
        t = await service.find_file_type("Allgemeiner Schriftverkehr")
        for unit, status in rollouts:
            await service.create_rollout(
                RolloutInput(
                    file_type_id=t.id,
                    org_unit_id=units[unit],
                    product_id=p.id,
                    status=status,  # type: ignore[union-attr]
                    introduction_on=dt.date(2023, 1, 1),
                    live_on=dt.date(2023, 6, 1) if status == "umgesetzt" else None,
                    integration="eigenstaendig",
                )
            )
    return tenant


async def test_kaaw_admin_sees_which_products_and_e_files_are_live_where(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tag = unique_slug("n")
    product = f"DMS-{tag}"
    a = await _town(
        sessionmaker, f"Stadt A {tag}", product, [("Organisation", "umgesetzt"), ("Archiv", "in_einfuehrung")]
    )
    b = await _town(sessionmaker, f"Stadt B {tag}", product, [("Bauamt", "in_einfuehrung")])
    c = await _town(sessionmaker, f"Stadt C {tag}", product, [("Amt", "umgesetzt")])
    async with tenant_session(sessionmaker, c.id) as s:
        await set_plugin_enabled(s, c.id, "dms", False)  # switched off: left out of the network view

    await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    response = await client.get("/api/v1/dms/network")
    assert response.status_code == 200, response.text
    row = next(r for r in response.json()["products"] if r["name"] == product)
    assert row["tenants_live"] == [a.name]
    assert row["tenants_introducing"] == [b.name]
    assert (row["units_live"], row["units_introducing"]) == (1, 2)
    page = await client.get("/dms/netzwerk")
    assert page.status_code == 200 and product in page.text and a.name in page.text
    assert c.name not in page.text
    # aggregates only: no unit names of the towns
    assert "Organisation" not in page.text.split("<main", 1)[1] and "Bauamt" not in page.text
