"""Organisational units over HTTP: the tree page with use counts, create / rename / re-code /
move / delete (HTML forms, htmx inline rows and the JSON API), conflicts, refused deletes,
audit entries, roles and cross-tenant access."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.audit.models import AuditEvent
from core.db import tenant_session
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login
from tests.integration.measures.helpers import editor, seeded_tenant

HX = {"hx-request": "true"}


async def units(client: AsyncTestClient) -> list[dict[str, Any]]:
    resp = await client.get("/api/v1/org-units")
    assert resp.status_code == 200, resp.text
    return resp.json()


async def unit(client: AsyncTestClient, code: str, kind: str = "dienststelle") -> dict[str, Any]:
    return next(u for u in await units(client) if u["code"] == code and u["kind"] == kind)


async def used_department(client: AsyncTestClient) -> dict[str, Any]:
    """A Dienststelle with a Geschäftskreis that measures use."""
    return next(
        u for u in await units(client) if u["kind"] == "dienststelle" and u["measures"] and u["parent_id"]
    )


async def audit_actions(sessionmaker: Any, tenant_id: uuid.UUID, entity_id: str) -> list[str]:
    async with tenant_session(sessionmaker, tenant_id) as s:
        rows = await s.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        return list(rows)


async def test_tree_page_and_list_count_what_uses_each_unit(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    listed = await units(client)
    measures = (await client.get("/api/v1/measures")).json()
    services = (await client.get("/api/v1/online-services")).json()
    assert listed and {u["kind"] for u in listed} == {"geschaeftskreis", "dienststelle"}
    for u in listed:
        key = "business_area" if u["kind"] == "geschaeftskreis" else "department"
        assert u["measures"] == sum(1 for m in measures if (m[key] or {}).get("id") == u["id"]), u
        assert u["online_services"] == sum(1 for o in services if (o[key] or {}).get("id") == u["id"]), u
        assert u["in_use"] == bool(u["measures"] or u["online_services"] or u["departments"])
    # tree order: each Geschäftskreis is followed by its Dienststellen
    area = None
    for u in listed:
        if u["kind"] == "geschaeftskreis":
            area = u["id"]
        elif u["parent_id"] is not None:
            assert u["parent_id"] == area, u
    assert {
        u["kind"] for u in (await client.get("/api/v1/org-units", params={"kind": "dienststelle"})).json()
    } == {"dienststelle"}

    resp = await client.get("/organisationseinheiten")
    assert resp.status_code == 200
    html = resp.text
    ds = await used_department(client)
    row = re.search(rf'<tbody id="ou-{ds["id"]}".*?</tbody>', html, re.S)
    assert row and f'href="/massnahmen?ds={ds["id"]}">{ds["measures"]}<' in row.group(0)
    assert (
        'aria-label="Hauptnavigation"' in html
        and 'href="/organisationseinheiten" aria-current="page"' in html
    )
    # a viewer reads, but has neither the create form nor edit buttons
    assert "Neue Organisationseinheit" not in html and "/bearbeiten" not in html
    assert (await client.get(f"/organisationseinheiten/{ds['id']}")).status_code == 200


async def test_create_edit_inline_and_delete_through_the_page(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await create_tenant(sessionmaker)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    resp = await client.get("/organisationseinheiten")
    assert resp.status_code == 200 and "Noch keine Organisationseinheiten" in resp.text
    assert "Neue Organisationseinheit" in resp.text

    resp = await client.post(
        "/organisationseinheiten",
        data={"kind": "geschaeftskreis", "code": "Z", "name": "Zentrale Dienste"},
        headers=headers,
        follow_redirects=False,
    )
    assert resp.status_code == 303
    area_id = re.search(r"angelegt=([0-9a-f-]+)", resp.headers["location"]).group(1)  # type: ignore[union-attr]
    page = await client.get(resp.headers["location"])
    assert "„Z Zentrale Dienste“ wurde angelegt." in page.text
    resp = await client.post(
        "/organisationseinheiten",
        data={"kind": "dienststelle", "code": "Z.1", "name": "Personal", "parent_id": area_id},
        headers=headers,
        follow_redirects=False,
    )
    assert resp.status_code == 303
    dep = await unit(client, "Z.1")
    assert dep["parent_id"] == area_id

    # a duplicate code: 422, the form keeps the input, the error is tied to the field
    resp = await client.post(
        "/organisationseinheiten",
        data={"kind": "dienststelle", "code": "Z.1", "name": "Doppelt"},
        headers=headers,
    )
    assert resp.status_code == 422
    assert "bereits vergeben" in resp.text and 'value="Doppelt"' in resp.text
    assert re.search(
        r'id="f-code"[^>]*aria-invalid="true"[^>]*aria-describedby="f-code-hint f-code-error"', resp.text
    )

    # inline: the row becomes a form, saving answers with the whole tree (focus on the row)
    edit = await client.get(f"/organisationseinheiten/{dep['id']}/bearbeiten", headers=HX)
    assert edit.status_code == 200
    assert 'name="version" value="1"' in edit.text and 'name="code"' in edit.text and "autofocus" in edit.text
    assert 'for="ouf-' in edit.text  # visible labels for the inline fields
    resp = await client.post(
        f"/organisationseinheiten/{dep['id']}",
        data={
            "inline": "1",
            "version": "1",
            "code": "Z.10",
            "name": "Personal und Organisation",
            "parent_id": area_id,
            "zuordnungen_mitnehmen": "1",
        },
        headers={**headers, **HX},
    )
    assert resp.status_code == 200, resp.text
    assert resp.headers["hx-retarget"] == "#ou-baum"
    assert "Personal und Organisation" in resp.text and 'hx-swap-oob="innerHTML"' in resp.text
    assert re.search(rf'hx-get="/organisationseinheiten/{dep["id"]}/bearbeiten"[^>]*autofocus', resp.text)
    # an invalid value comes back at the field (422), the focus goes there
    resp = await client.post(
        f"/organisationseinheiten/{dep['id']}",
        data={"inline": "1", "version": "2", "code": "  ", "name": "x"},
        headers={**headers, **HX},
    )
    assert resp.status_code == 422
    fid = f"ouf-{dep['id']}"
    assert f'aria-invalid="true" aria-describedby="{fid}-code-error"' in resp.text
    assert f'id="{fid}-code-error" role="alert"' in resp.text and "Bitte ein Kürzel angeben." in resp.text
    # cancel: the display row again, the focus back on its button
    resp = await client.get(f"/organisationseinheiten/{dep['id']}/zeile", headers=HX)
    assert resp.status_code == 200 and "Z.10" in resp.text and "autofocus" in resp.text

    # the Geschäftskreis still has its Dienststelle: deleting is refused and says why
    area = await unit(client, "Z", "geschaeftskreis")
    resp = await client.post(
        f"/organisationseinheiten/{area_id}/loeschen",
        data={"inline": "1", "version": str(area["version"])},
        headers={**headers, **HX},
    )
    assert resp.status_code == 409
    assert "kann nicht gelöscht werden" in resp.text and "1 Dienststelle (Z.10)" in resp.text
    resp = await client.post(
        f"/organisationseinheiten/{dep['id']}/loeschen",
        data={"inline": "1", "version": "2"},
        headers={**headers, **HX},
    )
    assert resp.status_code == 200 and "wurde gelöscht" in resp.text
    # now unused: deleted from the detail page (no JavaScript)
    resp = await client.post(
        f"/organisationseinheiten/{area_id}/loeschen",
        data={"version": str(area["version"])},
        headers=headers,
        follow_redirects=False,
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/organisationseinheiten?geloescht=1"
    assert await units(client) == []

    # every change is in the audit trail
    assert await audit_actions(sessionmaker, tenant.id, dep["id"]) == [
        "org_unit.create",
        "org_unit.update",
        "org_unit.delete",
    ]
    assert await audit_actions(sessionmaker, tenant.id, area_id) == ["org_unit.create", "org_unit.delete"]


async def test_detail_page_edits_without_javascript(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    ds = await used_department(client)
    # the "Bearbeiten" link without htmx is the detail page with the form and the uses
    page = await client.get(f"/organisationseinheiten/{ds['id']}/bearbeiten")
    assert page.status_code == 200 and 'action="/organisationseinheiten/' in page.text
    assert f"{ds['measures']} Maßnahme" in page.text
    resp = await client.post(
        f"/organisationseinheiten/{ds['id']}",
        data={
            "version": str(ds["version"]),
            "code": ds["code"],
            "name": "Neuer Name",
            "parent_id": ds["parent_id"],
            "zuordnungen_mitnehmen": "1",
        },
        headers=headers,
        follow_redirects=False,
    )
    assert resp.status_code == 303
    page = await client.get(resp.headers["location"])
    assert "Gespeichert." in page.text and "Neuer Name" in page.text
    assert "Änderungsverlauf" in page.text and "Bezeichnung:" in page.text
    # deleting it from the page is refused with the measures' numbers
    resp = await client.post(
        f"/organisationseinheiten/{ds['id']}/loeschen",
        data={"version": str(ds["version"] + 1)},
        headers=headers,
    )
    assert resp.status_code == 409
    assert "Löschen nicht möglich" in resp.text and re.search(r"\d+ Maßnahmen? \(MP \d+", resp.text)


async def test_api_create_update_delete_usage_and_conflicts(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    area = next(u for u in await units(client) if u["kind"] == "geschaeftskreis")
    resp = await client.post(
        "/api/v1/org-units",
        json={"kind": "dienststelle", "code": "NEU.1", "name": "Neu", "parent_id": area["id"]},
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    created = resp.json()
    assert created["version"] == 1 and created["parent_id"] == area["id"]
    for body, field in (
        ({"kind": "dienststelle", "code": "NEU.1"}, "code"),
        ({"kind": "amt", "code": "X"}, "kind"),
        ({"kind": "geschaeftskreis", "code": "X", "parent_id": area["id"]}, "parent_id"),
        ({"kind": "dienststelle", "code": "X", "parent_id": created["id"]}, "parent_id"),
        ({"kind": "dienststelle", "code": "x" * 41}, "code"),
    ):
        resp = await client.post("/api/v1/org-units", json=body, headers=headers)
        assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == field, (body, resp.text)

    # PATCH: absent fields stay; re-code and rename
    resp = await client.patch(
        f"/api/v1/org-units/{created['id']}", json={"version": 1, "code": "NEU.2"}, headers=headers
    )
    assert resp.status_code == 200 and resp.json()["name"] == "Neu" and resp.json()["parent_id"] == area["id"]
    assert resp.json()["version"] == 2
    # stale version: 409 with the current state and the other change
    resp = await client.patch(
        f"/api/v1/org-units/{created['id']}", json={"version": 1, "name": "Alt"}, headers=headers
    )
    assert resp.status_code == 409
    current = resp.json()["current"]
    assert (
        current["code"] == "NEU.2"
        and current["version"] == 2
        and current["changes"]["code"] == ["NEU.1", "NEU.2"]
    )
    assert current["changed_by"]
    resp = await client.delete(f"/api/v1/org-units/{created['id']}", params={"version": 1}, headers=headers)
    assert resp.status_code == 409

    # usage and a refused delete of a used unit
    ds = await used_department(client)
    usage = (await client.get(f"/api/v1/org-units/{ds['id']}/usage")).json()
    assert usage["in_use"] is True and usage["uses"][0]["table"] == "measures"
    numbers = [i["number"] for i in usage["uses"][0]["items"]]
    assert len(numbers) == ds["measures"] and numbers[0] in usage["summary"]
    resp = await client.delete(
        f"/api/v1/org-units/{ds['id']}", params={"version": ds["version"]}, headers=headers
    )
    assert resp.status_code == 409
    assert "kann nicht gelöscht werden" in resp.json()["detail"] and numbers[0] in resp.json()["detail"]
    assert resp.json()["current"]["usage"]["measures"] == ds["measures"]
    assert (await client.get(f"/api/v1/org-units/{ds['id']}")).status_code == 200

    # an unused one goes, audited
    unused = (await client.get(f"/api/v1/org-units/{created['id']}/usage")).json()
    assert unused == {"id": created["id"], "in_use": False, "summary": "", "departments": [], "uses": []}
    resp = await client.delete(f"/api/v1/org-units/{created['id']}", params={"version": 2}, headers=headers)
    assert resp.status_code == 204
    assert (await client.get(f"/api/v1/org-units/{created['id']}")).status_code == 404
    assert await audit_actions(sessionmaker, tenant.id, created["id"]) == [
        "org_unit.create",
        "org_unit.update",
        "org_unit.delete",
    ]


async def test_moving_a_department_takes_its_records_along(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = await csrf_headers(client)
    ds = await used_department(client)
    target = next(
        u for u in await units(client) if u["kind"] == "geschaeftskreis" and u["id"] != ds["parent_id"]
    )
    before = (await client.get("/api/v1/measures", params={"department_id": ds["id"]})).json()
    moving = [m for m in before if (m["business_area"] or {}).get("id") in (ds["parent_id"], None)]
    assert moving

    resp = await client.patch(
        f"/api/v1/org-units/{ds['id']}",
        json={"version": ds["version"], "parent_id": target["id"]},
        headers=headers,
    )
    assert resp.status_code == 200 and resp.json()["parent_id"] == target["id"]
    after = {
        m["id"]: m for m in (await client.get("/api/v1/measures", params={"department_id": ds["id"]})).json()
    }
    for m in moving:
        assert after[m["id"]]["business_area"]["id"] == target["id"]
        assert after[m["id"]]["version"] == m["version"] + 1  # open edits of the measure see a conflict
        history = (await client.get(f"/api/v1/measures/{m['id']}/history")).json()
        assert history[0]["changes"]["business_area_id"][1] == target["id"]
        assert "verschoben" in history[0]["reason"]
    # moving back without the records: they stay
    resp = await client.patch(
        f"/api/v1/org-units/{ds['id']}",
        json={"version": ds["version"] + 1, "parent_id": ds["parent_id"], "move_assignments": False},
        headers=headers,
    )
    assert resp.status_code == 200
    again = {
        m["id"]: m for m in (await client.get("/api/v1/measures", params={"department_id": ds["id"]})).json()
    }
    assert all(again[m["id"]]["business_area"]["id"] == target["id"] for m in moving)
    assert (await unit(client, ds["code"]))["parent_id"] == ds["parent_id"]


async def test_two_editors_inline_conflict_shows_the_other_change(
    client: AsyncTestClient, app, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    ds = await used_department(client)
    edit = await client.get(f"/organisationseinheiten/{ds['id']}/bearbeiten", headers=HX)
    assert f'name="version" value="{ds["version"]}"' in edit.text
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other:
        await login(other, sessionmaker, tenant=tenant, role=Role.EDITOR)
        resp = await other.post(
            f"/organisationseinheiten/{ds['id']}",
            data={
                "inline": "1",
                "version": str(ds["version"]),
                "code": ds["code"],
                "name": "Name von Anderen",
            },
            headers={**await csrf_headers(other), **HX},
        )
        assert resp.status_code == 200
    resp = await client.post(
        f"/organisationseinheiten/{ds['id']}",
        data={"inline": "1", "version": str(ds["version"]), "code": ds["code"], "name": "Mein Name"},
        headers={**await csrf_headers(client), **HX},
    )
    assert resp.status_code == 409
    assert "Konflikt" in resp.text and "Bezeichnung:" in resp.text and "Name von Anderen" in resp.text
    assert 'value="Mein Name"' in resp.text  # the loser's input is kept
    assert f'name="version" value="{ds["version"] + 1}"' in resp.text


async def test_viewer_cannot_change_units(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    headers = await csrf_headers(client)
    ds = await used_department(client)
    assert (await client.get(f"/organisationseinheiten/{ds['id']}/bearbeiten", headers=HX)).status_code == 403
    for url, data in (
        ("/organisationseinheiten", {"kind": "geschaeftskreis", "code": "Q"}),
        (f"/organisationseinheiten/{ds['id']}", {"version": "1", "code": "Q"}),
        (f"/organisationseinheiten/{ds['id']}/loeschen", {"version": "1"}),
    ):
        assert (await client.post(url, data=data, headers=headers)).status_code == 403, url
    assert (
        await client.delete(f"/api/v1/org-units/{ds['id']}", params={"version": 1}, headers=headers)
    ).status_code == 403


async def test_another_tenants_unit_is_404(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    ds = await used_department(client)
    area_id = ds["parent_id"]
    other = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=other, role=Role.TENANT_ADMIN)
    headers = await csrf_headers(client)
    for path in (
        f"/organisationseinheiten/{ds['id']}",
        f"/organisationseinheiten/{ds['id']}/zeile",
        f"/organisationseinheiten/{ds['id']}/bearbeiten",
        f"/api/v1/org-units/{ds['id']}",
        f"/api/v1/org-units/{ds['id']}/usage",
    ):
        assert (await client.get(path)).status_code == 404, path
        assert (await client.get(path, headers=HX)).status_code == 404, path
    for url, data in (
        (f"/organisationseinheiten/{ds['id']}", {"version": str(ds["version"]), "code": "fremd"}),
        (f"/organisationseinheiten/{ds['id']}", {"inline": "1", "version": str(ds["version"]), "code": "f"}),
        (f"/organisationseinheiten/{ds['id']}/loeschen", {"version": str(ds["version"])}),
        (f"/organisationseinheiten/{ds['id']}/loeschen", {"inline": "1", "version": "x"}),
    ):
        assert (await client.post(url, data=data, headers={**headers, **HX})).status_code == 404, url
    assert (
        await client.patch(
            f"/api/v1/org-units/{ds['id']}", json={"version": ds["version"], "name": "x"}, headers=headers
        )
    ).status_code == 404
    assert (
        await client.delete(
            f"/api/v1/org-units/{ds['id']}", params={"version": ds["version"]}, headers=headers
        )
    ).status_code == 404
    # another tenant's Geschäftskreis as parent is unknown here (422 at the field, not a link)
    resp = await client.post(
        "/api/v1/org-units", json={"kind": "dienststelle", "code": "D", "parent_id": area_id}, headers=headers
    )
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "parent_id"
    assert await units(client) == []
    assert "Noch keine Organisationseinheiten" in (await client.get("/organisationseinheiten")).text
    # and the first tenant's unit is unchanged
    await editor(client, sessionmaker, tenant)
    assert (await unit(client, ds["code"]))["version"] == ds["version"]


async def test_openapi_describes_the_org_unit_api(client: AsyncTestClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert set(paths["/api/v1/org-units"]) >= {"get", "post"}
    assert set(paths["/api/v1/org-units/{unit_id}"]) >= {"get", "patch", "delete"}
    assert "get" in paths["/api/v1/org-units/{unit_id}/usage"]
