"""Excel export and import: round trip, all-or-nothing, clear messages per row."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from plugins.dms.excel import ROLLOUT_COLUMNS, VOLUME_COLUMNS, export_workbook, import_workbook
from plugins.dms.models import DmsDocumentVolume, DmsRollout
from plugins.dms.schemas import ProductInput, RolloutInput, VolumeInput
from plugins.dms.service import DmsService
from tenants.models import Role
from tests.factories import create_tenant, login
from tests.integration.dms.helpers import make_units

UNITS = ["Organisation", "Ordnungsbehörde"]


def _workbook(rollouts: list[dict[str, Any]], volumes: list[dict[str, Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Einführungen"
    ws.append([h for h, _ in ROLLOUT_COLUMNS])
    for r in rollouts:
        ws.append([r.get(h) for h, _ in ROLLOUT_COLUMNS])
    vs = wb.create_sheet("Dokumentenmengen")
    vs.append([h for h, _ in VOLUME_COLUMNS])
    for v in volumes:
        vs.append([v.get(h) for h, _ in VOLUME_COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def _tenant(sessionmaker: async_sessionmaker[AsyncSession]) -> Any:
    tenant = await create_tenant(sessionmaker)
    await make_units(sessionmaker, tenant.id, UNITS)
    async with tenant_session(sessionmaker, tenant.id) as s:
        service = DmsService(s, tenant.id)
        await service.ensure_initialized()
        await service.save_product(ProductInput(name="nscale egov"))
    return tenant


async def test_export_and_import_round_trip(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    source, target = await _tenant(sessionmaker), await create_tenant(sessionmaker)
    await make_units(sessionmaker, target.id, UNITS)  # an empty tenant: products and file types come along
    async with tenant_session(sessionmaker, source.id) as s:
        service = DmsService(s, source.id)
        units = {u.name: u.id for u in await service.org_units()}
        general = await service.find_file_type("Allgemeiner Schriftverkehr")
        product = (await service.products())[0]
        await service.create_rollout(
            RolloutInput(
                file_type_id=general.id,
                org_unit_id=units["Organisation"],
                product_id=product.id,  # type: ignore[union-attr]
                status="umgesetzt",
                introduction_on=dt.date(2022, 1, 10),
                live_on=dt.date(2022, 11, 30),
                integration="eigenstaendig",
                inbox="zentral",
                workflow_approval=True,
                workflow_cosigning=True,
                scanning_resiscan=True,
                scanning_mode="dezentral",
                archive_long_term=True,
                users_trained=25,
            )
        )
        await service.create_volume(
            VolumeInput(
                org_unit_id=units["Organisation"],
                reporting_date=dt.date(2023, 9, 30),
                total_count=1300,
                digital_count=520,
            )
        )
        content = await export_workbook(service)
        before = [_comparable(r) for r in await service.rollout_rows()]
    async with tenant_session(sessionmaker, target.id) as s:
        dry = await import_workbook(DmsService(s, target.id), content, dry_run=True)
        assert (dry.products_created, dry.rollouts_created, dry.volumes_created) == (1, 1, 1)
        assert await DmsService(s, target.id).products() == []
    async with tenant_session(sessionmaker, target.id) as s:
        result = await import_workbook(DmsService(s, target.id), content)
        assert (result.rollouts_created, result.volumes_created) == (1, 1)
        assert result.products_created == 1 and result.file_types_created == 0  # default types exist
        after = [_comparable(r) for r in await DmsService(s, target.id).rollout_rows()]
        assert after == before
        assert (await DmsService(s, target.id).volumes())[0].digital_share == 40.0
    async with tenant_session(sessionmaker, target.id) as s:  # a second import updates instead of duplicating
        result = await import_workbook(DmsService(s, target.id), content)
        assert (result.rollouts_created, result.rollouts_updated, result.volumes_updated) == (0, 1, 1)


def _comparable(r: Any) -> dict[str, Any]:
    import msgspec

    data = msgspec.to_builtins(r)
    for key in ("id", "file_type_id", "org_unit_id", "product_id", "version"):
        data.pop(key)
    return data


async def test_unknown_unit_and_bad_rows_write_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await _tenant(sessionmaker)
    content = _workbook(
        [
            {
                "Aktenart": "Bauakte",
                "Organisationseinheit": "Organisation",
                "Status": "in Einführung",
                "Einführung begonnen": dt.date(2023, 1, 1),
                "Anbindung": "Fachverfahren",
                "Fachverfahren": "ProBauG",
            },
            {
                "Aktenart": "Gewerbeakte",
                "Organisationseinheit": "Gibt es nicht",
                "Status": "umgesetzt",
                "Einführung begonnen": dt.date(2023, 1, 1),
                "umgesetzt am": dt.date(2023, 6, 1),
                "Anbindung": "Fachverfahren",
                "Fachverfahren": "Gewerbe",
            },
            {
                "Aktenart": "Sozialakte",
                "Organisationseinheit": "D2",
                "Status": "umgesetzt",
                "Einführung begonnen": "01.06.2023",
                "umgesetzt am": "01.01.2023",
                "Anbindung": "Fachverfahren",
                "Fachverfahren": "SGB XII",
            },
        ],
        [
            {
                "Organisationseinheit": "Organisation",
                "Stichtag": dt.date(2024, 3, 31),
                "Dokumente insgesamt": 100,
                "davon digital bearbeitet": 130,
            }
        ],
    )
    async with tenant_session(sessionmaker, tenant.id) as s:
        try:
            await import_workbook(DmsService(s, tenant.id), content)
        except Exception as exc:
            errors = exc.errors  # type: ignore[attr-defined]
            message = exc.message  # type: ignore[attr-defined]
        else:
            raise AssertionError("import should fail")
    texts = [e.message for e in errors]
    assert "nichts gespeichert" in message
    assert any("Zeile 3" in t and "„Gibt es nicht“ ist unbekannt" in t for t in texts), texts
    assert any("Zeile 4" in t and "liegt vor dem Datum" in t for t in texts), texts
    assert any("Dokumentenmengen, Zeile 2" in t and "über 100 %" in t for t in texts), texts
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await s.scalar(select(func.count()).select_from(DmsRollout)) == 0
        assert await s.scalar(select(func.count()).select_from(DmsDocumentVolume)) == 0


async def test_upload_with_dry_run_and_error_page(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await _tenant(sessionmaker)
    actor = await login(client, sessionmaker, tenant=tenant, role=Role.EDITOR)
    headers = await actor.csrf_headers()
    good = _workbook(
        [
            {
                "Aktenart": "Allgemeiner Schriftverkehr",
                "Organisationseinheit": "D2",
                "Status": "E",
                "Einführung begonnen": dt.date(2023, 8, 1),
                "Anbindung": "eigenständig",
                "DMS-Produkt": "nscale egov",
                "Freigabe-Workflow": "ja",
            }
        ],
        [],
    )
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    dry = await client.post(
        "/dms/import", files={"datei": ("dms.xlsx", good, xlsx)}, data={"probelauf": "1"}, headers=headers
    )
    assert dry.status_code == 200 and "Probelauf" in dry.text and "1 neu" in dry.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await s.scalar(select(func.count()).select_from(DmsRollout)) == 0
    real = await client.post("/dms/import", files={"datei": ("dms.xlsx", good, xlsx)}, headers=headers)
    assert real.status_code == 200 and "Import abgeschlossen" in real.text
    rows = (await client.get("/api/v1/dms/rollouts")).json()
    assert [(r["org_unit"], r["status"], r["workflow_approval"]) for r in rows] == [
        ("Ordnungsbehörde", "in_einfuehrung", True)
    ]
    bad = _workbook([{"Aktenart": "Bauakte", "Organisationseinheit": "Nirgendwo"}], [])
    response = await client.post("/dms/import", files={"datei": ("dms.xlsx", bad, xlsx)}, headers=headers)
    assert response.status_code == 422
    assert "„Nirgendwo“ ist unbekannt" in response.text
    export = await client.get("/dms/export.xlsx")
    assert export.status_code == 200
    wb = load_workbook(io.BytesIO(export.content))
    assert wb.sheetnames == ["Einführungen", "Dokumentenmengen", "Produkte", "Aktenarten"]
