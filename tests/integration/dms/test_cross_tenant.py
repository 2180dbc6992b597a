"""Every route of the plugin answers 404 for another tenant's ids, and lists never show them."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from plugins.dms.schemas import ProductInput, RolloutInput, VolumeInput
from plugins.dms.service import DmsService
from tenants.models import Role
from tests.factories import create_tenant, login
from tests.integration.dms.helpers import make_units


async def _tenant_with_data(sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    tenant = await create_tenant(sessionmaker, name="Stadt Geheimhausen")
    units = await make_units(sessionmaker, tenant.id, ["Geheimamt"])
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        await service.ensure_initialized()
        file_type = await service.save_file_type(
            __import__("plugins.dms.schemas", fromlist=["x"]).FileTypeInput(name="Geheimakte")
        )
        product = await service.save_product(ProductInput(name="Geheim-DMS"))
        rollout = await service.create_rollout(
            RolloutInput(
                file_type_id=file_type.id,
                org_unit_id=units["Geheimamt"],
                product_id=product.id,
                status="umgesetzt",
                introduction_on=dt.date(2022, 1, 1),
                live_on=dt.date(2022, 2, 1),
                procedure_name="Geheimverfahren",
            )
        )
        volume = await service.create_volume(
            VolumeInput(
                org_unit_id=units["Geheimamt"],
                reporting_date=dt.date(2024, 3, 31),
                total_count=10,
                digital_count=5,
            )
        )
    return {
        "tenant": tenant,
        "unit": units["Geheimamt"],
        "file_type": file_type.id,
        "product": product.id,
        "rollout": rollout.id,
        "volume": volume.id,
    }


async def test_every_route_is_404_for_another_tenants_ids(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    a = await _tenant_with_data(sessionmaker)
    b = await create_tenant(sessionmaker)
    actor = await login(client, sessionmaker, tenant=b, role=Role.TENANT_ADMIN)
    headers = await actor.csrf_headers()
    r, v, p, t = a["rollout"], a["volume"], a["product"], a["file_type"]
    gets = [
        f"/dms/einfuehrungen/{r}",
        f"/dms/einfuehrungen/{r}/bearbeiten",
        f"/dms/dokumentenmengen/{v}/bearbeiten",
        f"/dms/produkte/{p}/bearbeiten",
        f"/dms/aktenarten/{t}/bearbeiten",
        f"/api/v1/dms/rollouts/{r}",
        f"/api/v1/dms/volumes/{v}",
        f"/api/v1/dms/products/{p}",
        f"/api/v1/dms/file-types/{t}",
    ]
    for path in gets:
        assert (await client.get(path)).status_code == 404, path
    form_posts = [
        f"/dms/einfuehrungen/{r}",
        f"/dms/einfuehrungen/{r}/loeschen",
        f"/dms/dokumentenmengen/{v}",
        f"/dms/dokumentenmengen/{v}/loeschen",
        f"/dms/produkte/{p}",
        f"/dms/produkte/{p}/loeschen",
        f"/dms/aktenarten/{t}",
        f"/dms/aktenarten/{t}/loeschen",
    ]
    for path in form_posts:
        response = await client.post(
            path, data={"name": "x", "version": "1", "status": "geplant"}, headers=headers
        )
        assert response.status_code == 404, path
    puts = {
        f"/api/v1/dms/rollouts/{r}": {
            "file_type_id": str(t),
            "org_unit_id": str(a["unit"]),
            "version": 1,
            "procedure_name": "x",
        },
        f"/api/v1/dms/volumes/{v}": {
            "org_unit_id": str(a["unit"]),
            "reporting_date": "2024-03-31",
            "total_count": 1,
            "digital_count": 1,
            "version": 1,
        },
        f"/api/v1/dms/products/{p}": {"name": "x", "version": 1},
        f"/api/v1/dms/file-types/{t}": {"name": "x", "version": 1},
    }
    for path, body in puts.items():
        assert (await client.put(path, json=body, headers=headers)).status_code == 404, path
        assert (await client.delete(path, headers=headers)).status_code == 404, path
    # creating with the other tenant's references is refused without naming them
    response = await client.post(
        "/api/v1/dms/rollouts",
        json={"file_type_id": str(t), "org_unit_id": str(a["unit"]), "procedure_name": "x"},
        headers=headers,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"file_type_id", "org_unit_id"}
    response = await client.post(
        "/dms/dokumentenmengen",
        data={
            "org_unit_id": str(a["unit"]),
            "reporting_date": "2024-09-30",
            "total_count": "2",
            "digital_count": "1",
        },
        headers=headers,
    )
    assert response.status_code == 422
    # lists, overview, API lists and the export never show the other tenant's data
    for path in (
        "/dms",
        "/dms/einfuehrungen",
        "/dms/dokumentenmengen",
        "/dms/produkte",
        "/dms/aktenarten",
        "/api/v1/dms/rollouts",
        "/api/v1/dms/volumes",
        "/api/v1/dms/products",
        "/api/v1/dms/file-types",
        "/api/v1/dms/indicator",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "Geheim" not in response.text, path
    export = await client.get("/dms/export.xlsx")
    wb = load_workbook(io.BytesIO(export.content))
    assert all("Geheim" not in str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row)
    # tenant a's data is untouched
    async with tenant_session(sessionmaker, a["tenant"].id) as s:
        service = DmsService(s, a["tenant"].id)
        assert (await service.rollout(r)).procedure_name == "Geheimverfahren"
        assert (await service.volume(v)).digital_count == 5


async def test_network_is_for_kaaw_admins_only(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.TENANT_ADMIN)
    assert (await client.get("/dms/netzwerk")).status_code == 403
    assert (await client.get("/api/v1/dms/network")).status_code == 403
