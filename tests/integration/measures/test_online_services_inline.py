"""Inline editing of the online-service list (htmx): the row becomes a form, saving checks the
version, conflicts show the other change, errors sit at their field, cancelling restores the
row; without htmx the links lead to the detail page."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login
from tests.integration.measures.helpers import editor, seeded_tenant
from tests.integration.measures.test_online_services_web import service

HX = {"hx-request": "true"}


async def test_list_rows_offer_inline_editing_to_editors_only(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    od = await service(client, "OD 013")
    html = (await client.get("/online-dienste")).text
    assert f'<tbody id="od-{od["id"]}"' in html and "/bearbeiten" not in html
    assert 'href="/organisationseinheiten"' in html
    await editor(client, sessionmaker, tenant)
    html = (await client.get("/online-dienste")).text
    # a link to the detail page (works without JavaScript) that htmx turns into the inline form
    assert re.search(
        rf'<a [^>]*href="/online-dienste/{od["id"]}" hx-get="/online-dienste/{od["id"]}/bearbeiten"'
        rf'[^>]*aria-label="Bearbeiten: OD 013"',
        html,
    )
    # the filtered table (htmx) still renders its rows
    resp = await client.get(
        "/online-dienste", params={"q": "OD 013"}, headers={**HX, "hx-target": "dienste-tabelle"}
    )
    assert resp.status_code == 200 and f'id="od-{od["id"]}"' in resp.text and "<h1" not in resp.text


async def test_inline_edit_save_cancel_and_errors(client: AsyncTestClient, sessionmaker, shared_dir) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    headers = {**await csrf_headers(client), **HX}
    od = await service(client, "OD 014")
    await client.patch(
        f"/api/v1/online-services/{od['id']}",
        json={"version": od["version"], "ozg_ids": ["10390"], "leika_keys": ["99018007000000"]},
        headers=headers,
    )
    od = await service(client, "OD 014")
    fid = f"odf-{od['id']}"

    edit = await client.get(f"/online-dienste/{od['id']}/bearbeiten", headers=HX)
    assert edit.status_code == 200 and "<html" not in edit.text
    assert f'<tbody id="od-{od["id"]}" class="kp-row kp-row--editing">' in edit.text
    assert f'name="version" value="{od["version"]}"' in edit.text
    for name in (
        "number",
        "title",
        "business_area_id",
        "department_id",
        "implementation_type",
        "measure_id",
        "ozg_maturity",
        "epayment",
    ):
        assert f'<label class="kern-label kern-label--small" for="{fid}-{name}">' in edit.text, name
        assert f'id="{fid}-{name}" form="{fid}" name="{name}"' in edit.text, name
    assert re.search(rf'id="{fid}-number"[^>]*autofocus', edit.text)

    # save: the display row comes back, announces the save and takes the focus
    resp = await client.post(
        f"/online-dienste/{od['id']}",
        data={
            "inline": "1",
            "version": str(od["version"]),
            "number": "OD 014",
            "title": "Hund anmelden online",
            "implementation_type": "Externe Portale",
            "ozg_maturity": "3",
            "epayment": "ja",
            "business_area_id": "",
            "department_id": "",
            "measure_id": "",
        },
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    assert "Hund anmelden online" in resp.text and "OD 014 gespeichert." in resp.text
    assert re.search(r'hx-get="/online-dienste/[^"]+/bearbeiten"[^>]*autofocus', resp.text)
    saved = await service(client, "OD 014")
    assert (
        saved["title"] == "Hund anmelden online" and saved["ozg_maturity"] == 3 and saved["epayment"] is True
    )
    assert saved["implementation_type"] == "Externe Portale" and saved["version"] == od["version"] + 1
    # fields the row does not show stay as they were
    assert saved["ozg_ids"] == ["10390"] and saved["leika_keys"] == ["99018007000000"]
    history = (await client.get(f"/api/v1/online-services/{od['id']}/history")).json()
    assert history[0]["action"] == "online_service.update" and "title" in history[0]["changes"]

    # a number another service has: 422, the input kept, the error tied to the field
    resp = await client.post(
        f"/online-dienste/{od['id']}",
        data={"inline": "1", "version": str(saved["version"]), "number": "OD 013", "title": "Doppelt"},
        headers=headers,
    )
    assert resp.status_code == 422
    assert f'aria-invalid="true" aria-describedby="{fid}-number-error"' in resp.text
    assert f'id="{fid}-number-error" role="alert"' in resp.text and "bereits vergeben" in resp.text
    assert 'value="Doppelt"' in resp.text and not re.search(rf'id="{fid}-number"[^>]*autofocus', resp.text)
    resp = await client.post(
        f"/online-dienste/{od['id']}",
        data={"inline": "1", "version": str(saved["version"]), "number": "OD 014", "ozg_maturity": "x"},
        headers=headers,
    )
    assert resp.status_code == 422 and f'aria-describedby="{fid}-ozg_maturity-error"' in resp.text
    assert (await service(client, "OD 014"))["version"] == saved["version"]

    # cancel: the display row with the current values, focus back on "Bearbeiten"
    resp = await client.get(f"/online-dienste/{od['id']}/zeile", headers=HX)
    assert resp.status_code == 200 and "Hund anmelden online" in resp.text and "Doppelt" not in resp.text
    assert re.search(r'hx-get="/online-dienste/[^"]+/bearbeiten"[^>]*autofocus', resp.text)
    # without htmx the edit address is the detail page with its form
    page = await client.get(f"/online-dienste/{od['id']}/bearbeiten")
    assert page.status_code == 200 and "<html" in page.text and 'id="f-leika_keys"' in page.text


async def test_two_editors_inline_conflict_shows_the_other_change(
    client: AsyncTestClient, app, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    od = await service(client, "OD 013")
    v = od["version"]
    edit = await client.get(f"/online-dienste/{od['id']}/bearbeiten", headers=HX)
    assert f'name="version" value="{v}"' in edit.text
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as other:
        await login(other, sessionmaker, tenant=tenant, role=Role.EDITOR)
        resp = await other.post(
            f"/online-dienste/{od['id']}",
            data={"inline": "1", "version": str(v), "number": "OD 013", "title": "Titel der Kollegin"},
            headers={**await csrf_headers(other), **HX},
        )
        assert resp.status_code == 200
    resp = await client.post(
        f"/online-dienste/{od['id']}",
        data={"inline": "1", "version": str(v), "number": "OD 013", "title": "Mein Titel"},
        headers={**await csrf_headers(client), **HX},
    )
    assert resp.status_code == 409
    assert "Konflikt" in resp.text and "Bezeichnung: " in resp.text and "Titel der Kollegin" in resp.text
    assert 'value="Mein Titel"' in resp.text  # the loser's input is kept
    assert f'name="version" value="{v + 1}"' in resp.text
    assert (await service(client, "OD 013"))["title"] == "Titel der Kollegin"


async def test_inline_rows_of_another_tenant_are_404(
    client: AsyncTestClient, sessionmaker, shared_dir
) -> None:
    tenant = await seeded_tenant(sessionmaker, shared_dir)
    await editor(client, sessionmaker, tenant)
    od = await service(client, "OD 013")
    await login(client, sessionmaker, tenant=await create_tenant(sessionmaker), role=Role.EDITOR)
    headers = {**await csrf_headers(client), **HX}
    for path in (f"/online-dienste/{od['id']}/zeile", f"/online-dienste/{od['id']}/bearbeiten"):
        assert (await client.get(path, headers=HX)).status_code == 404, path
        assert (await client.get(path)).status_code == 404, path
    resp = await client.post(
        f"/online-dienste/{od['id']}",
        data={"inline": "1", "version": str(od["version"]), "number": "x"},
        headers=headers,
    )
    assert resp.status_code == 404
