"""Online services over HTTP: list, detail, API, conflicts, imports, cross-tenant access."""

from __future__ import annotations

import io

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login
from tests.integration.measures.helpers import editor, example, seeded_tenant


async def service(client: AsyncTestClient, number: str) -> dict:
    resp = await client.get("/api/v1/online-services", params={"q": number})
    return next(s for s in resp.json() if s["number"] == number)


async def test_list_and_detail_pages(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    resp = await client.get("/online-dienste")
    assert resp.status_code == 200 and "Einbürgerung beantragen" in resp.text and "OD 009" in resp.text
    resp = await client.get("/online-dienste", params={"status": "E"})
    assert "Einbürgerung beantragen" in resp.text and "Geburt anzeigen" not in resp.text
    od13 = await service(client, "OD 013")
    assert od13["measure_number"] == "MP 029" and od13["measure_id"]
    assert [s["status"] for s in od13["statuses"]] == ["P", "E"]
    resp = await client.get(f"/online-dienste/{od13['id']}")
    assert resp.status_code == 200 and "MP 029" in resp.text


async def test_update_conflict_and_validation(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    od = await service(client, "OD 014")
    resp = await client.patch(
        f"/api/v1/online-services/{od['id']}",
        headers=headers,
        json={
            "version": od["version"],
            "ozg_maturity": 3,
            "epayment": True,
            "leika_keys": ["99018007000000"],
            "ozg_ids": ["10390"],
        },
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["ozg_maturity"] == 3 and resp.json()["leika_keys"] == ["99018007000000"]
    resp = await client.patch(
        f"/api/v1/online-services/{od['id']}",
        headers=headers,
        json={"version": od["version"], "ozg_maturity": 1},
    )
    assert resp.status_code == 409 and resp.json()["current"]["ozg_maturity"] == 3
    resp = await client.patch(
        f"/api/v1/online-services/{od['id']}",
        headers=headers,
        json={"version": od["version"] + 1, "ozg_maturity": 7},
    )
    assert resp.status_code == 422
    # the HTML form: stale version → 409 page with the other change and the kept input
    resp = await client.post(
        f"/online-dienste/{od['id']}",
        headers=headers,
        data={"version": str(od["version"]), "number": "OD 014", "title": "Mein Titel", "epayment": "nein"},
    )
    assert resp.status_code == 409 and "Konflikt" in resp.text and "Mein Titel" in resp.text
    # saving without a linked measure keeps the number the list names (OD 002 → MP 221)
    od2 = await service(client, "OD 002")
    resp = await client.post(
        f"/online-dienste/{od2['id']}",
        headers=headers,
        data={
            "version": str(od2["version"]),
            "number": "OD 002",
            "title": "Veranstaltungen buchen",
            "epayment": "nein",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert (await service(client, "OD 002"))["measure_number"] == "MP 221"


async def test_import_via_api_and_ui_preview(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await create_tenant(sessionmaker)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    data = example(shared_dir, "online-dienste-beispiel.xlsx")
    files = {"data": ("online-dienste.xlsx", data, "application/octet-stream")}
    resp = await client.post(
        "/api/v1/online-services/import", params={"dry_run": "true"}, files=files, headers=headers
    )
    assert resp.status_code == 200 and resp.json()["created"] == 13 and resp.json()["dry_run"] is True
    assert (await client.get("/api/v1/online-services")).json() == []
    resp = await client.post(
        "/online-dienste/import",
        files={"datei": ("od.xlsx", data, "application/octet-stream")},
        data={"aktion": "vorschau"},
        headers=headers,
    )
    assert resp.status_code == 200 and "Vorschau" in resp.text and "Änderungen übernehmen" in resp.text
    resp = await client.post("/api/v1/online-services/import", files=files, headers=headers)
    assert resp.json()["created"] == 13
    resp = await client.get("/online-dienste/export.xlsx")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws["E1"].value == "Nr. Online-Dienst" and ws.max_row == 14


async def test_cross_tenant_ids_are_404(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    od = await service(client, "OD 013")
    rd = (await client.get("/api/v1/reporting-dates")).json()[-1]
    other = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=other, role=Role.EDITOR)
    headers = await csrf_headers(client)
    for path in (
        f"/api/v1/online-services/{od['id']}",
        f"/api/v1/online-services/{od['id']}/history",
        f"/online-dienste/{od['id']}",
        f"/api/v1/reporting-dates/{rd['id']}",
        f"/berichtstermine/{rd['id']}",
    ):
        assert (await client.get(path)).status_code == 404, path
    v = od["version"]
    assert (
        await client.patch(
            f"/api/v1/online-services/{od['id']}", json={"version": v, "title": "x"}, headers=headers
        )
    ).status_code == 404
    assert (
        await client.put(
            f"/api/v1/online-services/{od['id']}/status/{rd['id']}",
            json={"version": v, "status": "U"},
            headers=headers,
        )
    ).status_code == 404
    assert (
        await client.delete(f"/api/v1/online-services/{od['id']}", params={"version": v}, headers=headers)
    ).status_code == 404
    assert (
        await client.post(
            f"/online-dienste/{od['id']}", data={"version": str(v), "number": "x"}, headers=headers
        )
    ).status_code == 404
    assert (
        await client.post(f"/online-dienste/{od['id']}/loeschen", data={"version": str(v)}, headers=headers)
    ).status_code == 404
    assert (
        await client.post(
            f"/api/v1/reporting-dates/{rd['id']}/close", json={"version": rd["version"]}, headers=headers
        )
    ).status_code == 404
    assert (
        await client.post(
            f"/berichtstermine/{rd['id']}/abschliessen", data={"version": str(rd["version"])}, headers=headers
        )
    ).status_code == 404
    assert (
        await client.post(f"/berichtstermine/{rd['id']}/werte", data={}, headers=headers)
    ).status_code == 404
    assert (await client.get("/api/v1/online-services")).json() == []
    assert (await client.get("/api/v1/reporting-dates")).json() == []


async def test_reporting_round_page_enter_and_close(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    resp = await client.get("/berichtstermine")
    assert resp.status_code == 200 and "30.09.2023" in resp.text
    resp = await client.post(
        "/berichtstermine", data={"date": "2024-03-31"}, headers=headers, follow_redirects=False
    )
    assert resp.status_code == 303
    rd_url = resp.headers["location"]
    resp = await client.post("/berichtstermine", data={"date": "2024-04-01"}, headers=headers)
    assert resp.status_code == 422 and "31.03." in resp.text
    resp = await client.get(rd_url)
    assert resp.status_code == 200 and "Berichtsrunde 31.03.2024" in resp.text
    mp29 = next(m for m in (await client.get("/api/v1/measures")).json() if m["number"] == "MP 029")
    od13 = await service(client, "OD 013")
    resp = await client.post(
        rd_url + "/werte",
        headers=headers,
        data={
            f"p-{mp29['id']}": "6",
            f"v-{mp29['id']}": str(mp29["version"]),
            f"s-{od13['id']}": "U",
            f"v-{od13['id']}": str(od13["version"]),
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    mp29 = (await client.get(f"/api/v1/measures/{mp29['id']}")).json()
    assert mp29["status"] == "E" and mp29["progress"][-1]["progress"] == 6
    # a stale version and an invalid value are reported per row
    resp = await client.post(
        rd_url + "/werte",
        headers=headers,
        data={f"p-{mp29['id']}": "12", f"v-{mp29['id']}": str(mp29["version"])},
    )
    assert resp.status_code == 422 and "MP 029" in resp.text
    rd = next(d for d in (await client.get("/api/v1/reporting-dates")).json() if d["date"] == "2024-03-31")
    resp = await client.post(
        rd_url + "/abschliessen",
        data={"version": str(rd["version"])},
        headers=headers,
        follow_redirects=False,
    )
    assert resp.status_code == 303
    resp = await client.get(rd_url)
    assert "abgeschlossen" in resp.text and "Werte speichern" not in resp.text
