"""Measure plan over HTTP: pages, inline editing, API, conflicts, cross-tenant access."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login
from tests.integration.measures.helpers import editor, measure_id, seeded_tenant


async def test_plan_page_lists_measures_sorted_and_filtered(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    resp = await client.get("/massnahmen")
    assert resp.status_code == 200
    assert "MP 020" in resp.text and "CRM-System" in resp.text
    assert "Bearbeiten" not in resp.text  # viewers do not edit
    resp = await client.get("/massnahmen", params={"status": "E"})
    assert "MP 020" in resp.text and "MP 240" in resp.text and "MP 011" not in resp.text
    resp = await client.get(
        "/massnahmen",
        params={"sort": "title", "dir": "desc"},
        headers={"hx-request": "true", "hx-target": "massnahmen-tabelle"},
    )
    assert resp.status_code == 200 and "<html" not in resp.text
    assert resp.text.index("Ticket-System") < resp.text.index("An-/Abmeldung")
    assert 'aria-sort="descending"' in resp.text


async def test_api_lists_progress_history(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    resp = await client.get("/api/v1/measures")
    measures = {m["number"]: m for m in resp.json()}
    assert len(measures) == 8
    mp20 = measures["MP 020"]
    assert [p["progress"] for p in mp20["progress"]] == [2, 2, 5]
    assert mp20["status"] == "E"
    assert mp20["business_area"]["code"] == "I"


async def test_create_update_and_conflict_over_api(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    resp = await client.post(
        "/api/v1/measures",
        json={"number": "MP 300", "title": "Neues Projekt", "reported_year": "2024"},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    created = resp.json()
    resp = await client.post("/api/v1/measures", json={"number": "MP 300"}, headers=headers)
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "number"
    resp = await client.post(
        "/api/v1/measures", json={"number": "MP 301", "reported_year": "zwanzig"}, headers=headers
    )
    assert resp.status_code == 422
    # first editor saves
    resp = await client.patch(
        f"/api/v1/measures/{created['id']}",
        json={"version": created["version"], "title": "Erste Änderung"},
        headers=headers,
    )
    assert resp.status_code == 200 and resp.json()["version"] == created["version"] + 1
    # second editor still holds the old version
    resp = await client.patch(
        f"/api/v1/measures/{created['id']}",
        json={"version": created["version"], "title": "Zweite Änderung"},
        headers=headers,
    )
    assert resp.status_code == 409
    body = resp.json()
    assert body["current"]["title"] == "Erste Änderung"
    assert body["current"]["changes"]["title"] == ["Neues Projekt", "Erste Änderung"]
    assert body["current"]["changed_by"]
    resp = await client.get(f"/api/v1/measures/{created['id']}/history")
    assert [e["action"] for e in resp.json()] == ["measure.update", "measure.create"]


async def test_two_editors_inline_conflict_shows_other_change(
    client: AsyncTestClient, app, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    mid = await measure_id(client, "MP 029")
    edit = await client.get(f"/massnahmen/{mid}/bearbeiten", headers={"hx-request": "true"})
    assert edit.status_code == 200 and 'name="version" value="1"' in edit.text
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other:
        await login(other, sessionmaker, tenant=tenant, role=Role.EDITOR)
        resp = await other.post(
            f"/massnahmen/{mid}",
            data={"inline": "1", "version": "1", "title": "Einbürgerung online"},
            headers={**await csrf_headers(other), "hx-request": "true"},
        )
        assert resp.status_code == 200 and "Einbürgerung online" in resp.text
    resp = await client.post(
        f"/massnahmen/{mid}",
        data={"inline": "1", "version": "1", "title": "Mein Titel"},
        headers={**await csrf_headers(client), "hx-request": "true"},
    )
    assert resp.status_code == 409
    assert "Konflikt" in resp.text and "Einbürgerung online" in resp.text
    assert 'value="Mein Titel"' in resp.text  # the loser's input is kept
    assert 'name="version" value="2"' in resp.text


async def test_progress_only_in_open_round(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    dates = (await client.get("/api/v1/reporting-dates")).json()
    last = dates[-1]
    m = (await client.get(f"/api/v1/measures/{await measure_id(client, 'MP 029')}")).json()
    resp = await client.put(
        f"/api/v1/measures/{m['id']}/progress/{last['id']}",
        json={"version": m["version"], "value": 11},
        headers=headers,
    )
    assert resp.status_code == 422
    resp = await client.put(
        f"/api/v1/measures/{m['id']}/progress/{last['id']}",
        json={"version": m["version"], "value": "4"},
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "E"
    m = resp.json()
    resp = await client.post(
        f"/api/v1/reporting-dates/{last['id']}/close", json={"version": last["version"]}, headers=headers
    )
    assert resp.status_code == 200 and resp.json()["state"] == "closed"
    resp = await client.put(
        f"/api/v1/measures/{m['id']}/progress/{last['id']}",
        json={"version": m["version"], "value": "6"},
        headers=headers,
    )
    assert resp.status_code == 409 and "abgeschlossen" in resp.json()["detail"]


async def test_cross_tenant_ids_are_404(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    mid = await measure_id(client, "MP 011")
    version = (await client.get(f"/api/v1/measures/{mid}")).json()["version"]
    rd = (await client.get("/api/v1/reporting-dates")).json()[-1]["id"]
    unit = (await client.get("/api/v1/org-units")).json()[0]
    other = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=other, role=Role.EDITOR)
    headers = await csrf_headers(client)
    for path in (
        f"/api/v1/measures/{mid}",
        f"/api/v1/measures/{mid}/history",
        f"/massnahmen/{mid}",
        f"/massnahmen/{mid}/zeile",
        f"/massnahmen/{mid}/bearbeiten",
        f"/api/v1/org-units/{unit['id']}",
    ):
        assert (await client.get(path)).status_code == 404, path
    assert (
        await client.patch(
            f"/api/v1/measures/{mid}", json={"version": version, "title": "x"}, headers=headers
        )
    ).status_code == 404
    assert (
        await client.delete(f"/api/v1/measures/{mid}", params={"version": version}, headers=headers)
    ).status_code == 404
    assert (
        await client.put(
            f"/api/v1/measures/{mid}/progress/{rd}", json={"version": version, "value": 1}, headers=headers
        )
    ).status_code == 404
    assert (
        await client.post(f"/massnahmen/{mid}", data={"version": str(version), "title": "x"}, headers=headers)
    ).status_code == 404
    assert (
        await client.post(f"/massnahmen/{mid}/loeschen", data={"version": str(version)}, headers=headers)
    ).status_code == 404
    assert (
        await client.patch(
            f"/api/v1/org-units/{unit['id']}", json={"version": unit["version"], "name": "x"}, headers=headers
        )
    ).status_code == 404
    assert (await client.get("/api/v1/measures")).json() == []


async def test_viewer_cannot_write(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    resp = await client.post(
        "/api/v1/measures", json={"number": "MP 999"}, headers=await csrf_headers(client)
    )
    assert resp.status_code == 403


async def test_ui_import_preview_then_apply_and_broken_file(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    import io
    import re

    from openpyxl import load_workbook

    from tests.integration.measures.helpers import example

    tenant = await create_tenant(sessionmaker)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    data = example(shared_dir, "massnahmenplan-beispiel.xlsx")
    resp = await client.post(
        "/massnahmen/import",
        files={"datei": ("plan.xlsx", data, "application/octet-stream")},
        data={"aktion": "vorschau"},
        headers=headers,
    )
    assert resp.status_code == 200 and "Vorschau" in resp.text and "MP 020" in resp.text
    assert (await client.get("/api/v1/measures")).json() == []
    payload = re.search(r'name="inhalt" value="([^"]+)"', resp.text).group(1)
    resp = await client.post(
        "/massnahmen/import",
        files={"datei": ("", b"", "application/octet-stream")},
        data={"aktion": "uebernehmen", "inhalt": payload},
        headers=headers,
    )
    assert resp.status_code == 200 and "Import abgeschlossen: 8 neu" in resp.text
    assert len((await client.get("/api/v1/measures")).json()) == 8
    wb = load_workbook(io.BytesIO(data))
    wb.active["L5"] = "zehn"
    buf = io.BytesIO()
    wb.save(buf)
    resp = await client.post(
        "/massnahmen/import",
        files={"datei": ("x.xlsx", buf.getvalue(), "application/octet-stream")},
        data={"aktion": "uebernehmen"},
        headers=headers,
    )
    assert resp.status_code == 422 and "Es wurde nichts gespeichert" in resp.text
    assert "Projektfortschritt (0-10, a, g) Stand 03.2023" in resp.text and ">5<" in resp.text
    resp = await client.post(
        "/massnahmen/import",
        files={"datei": ("x.xlsx", b"kein excel", "application/octet-stream")},
        data={"aktion": "vorschau"},
        headers=headers,
    )
    assert resp.status_code == 422 and "keine lesbare Excel-Datei" in resp.text


async def test_api_import_rejects_what_is_not_a_spreadsheet(client: AsyncTestClient, sessionmaker) -> None:
    import io
    import zipfile

    tenant = await create_tenant(sessionmaker)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    not_xlsx = io.BytesIO()
    with zipfile.ZipFile(not_xlsx, "w") as z:
        z.writestr("hallo.txt", "kein Excel")
    for path in ("/api/v1/measures/import", "/api/v1/online-services/import"):
        for content in (b"", b"\x00\x01kaputt", not_xlsx.getvalue()):
            resp = await client.post(
                path, files={"data": ("x.xlsx", content, "application/octet-stream")}, headers=headers
            )
            assert resp.status_code in (400, 422), (path, content[:10], resp.status_code, resp.text[:300])
        resp = await client.post(path, data={"data": "nur Text"}, headers=headers)
        assert resp.status_code in (400, 422), (path, resp.status_code, resp.text[:300])
        resp = await client.post(path, files={"anderes": (None, "nur Text")}, headers=headers)
        assert resp.status_code in (400, 422), (path, resp.status_code, resp.text[:300])
