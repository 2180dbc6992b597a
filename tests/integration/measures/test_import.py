"""Excel import of both example files, dry run, invalid files, round trip."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.db import tenant_session
from core.measures.excel import MeasureImporter, export_plan
from core.measures.service import MeasureService
from core.online_services.excel import OnlineServiceImporter, export_services
from core.online_services.service import OnlineServiceService
from core.reporting.service import ReportingService
from tests.factories import create_tenant


def example(shared_dir: Path, name: str) -> bytes:
    return (shared_dir / "data" / "beispiele" / name).read_bytes()


async def test_measure_plan_import_yields_eight_measures_with_history(sessionmaker, shared_dir) -> None:
    tenant = await create_tenant(sessionmaker)
    data = example(shared_dir, "massnahmenplan-beispiel.xlsx")
    async with tenant_session(sessionmaker, tenant.id) as s:
        result = await MeasureImporter(s, tenant.id).run(data)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (8, 0, 0)
    async with tenant_session(sessionmaker, tenant.id) as s:
        plan = await MeasureService(s, tenant.id).plan()
        assert [rd.date.isoformat() for rd in plan.dates] == [
            "2022-03-31",
            "2022-09-30",
            "2023-03-31",
            "2023-09-30",
        ]
        rows = {r.measure.number: r for r in plan.rows}
        assert len(rows) == 8
        mp20 = rows["MP 020"]
        assert [(mp20.at(rd).progress if mp20.at(rd) else None) for rd in plan.dates] == [None, 2, 2, 5]
        assert mp20.latest(plan.dates).status == "E"
        assert mp20.business_area.code == "I" and mp20.department.code == "0.1"  # carried down
        assert rows["MP 078"].measure.reported_year == "2020-U(10)"
        assert rows["MP 078"].measure.reported_year_number == 2020
        assert rows["MP 097"].business_area.code == "IV" and rows["MP 097"].department.code == "1.2"
        assert rows["MP 093"].progress == {}
        assert rows["MP 240"].latest(plan.dates).progress == 5


async def test_reimport_changes_nothing_and_dry_run_writes_nothing(sessionmaker, shared_dir) -> None:
    tenant = await create_tenant(sessionmaker)
    data = example(shared_dir, "massnahmenplan-beispiel.xlsx")
    async with tenant_session(sessionmaker, tenant.id) as s:
        dry = await MeasureImporter(s, tenant.id).run(data, dry_run=True)
    assert (dry.created, dry.errors) == (8, [])
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert (await MeasureService(s, tenant.id).plan()).total == 0
        assert await s.scalar(select(func.count()).select_from(AuditEvent)) == 0
    async with tenant_session(sessionmaker, tenant.id) as s:
        await MeasureImporter(s, tenant.id).run(data)
    async with tenant_session(sessionmaker, tenant.id) as s:
        events = await s.scalar(select(func.count()).select_from(AuditEvent))
        again = await MeasureImporter(s, tenant.id).run(data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await s.scalar(select(func.count()).select_from(AuditEvent)) == events


async def test_online_services_import_and_link_to_measures(sessionmaker, shared_dir) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        result = await OnlineServiceImporter(s, tenant.id).run(
            example(shared_dir, "online-dienste-beispiel.xlsx")
        )
    assert result.errors == [] and result.created == 13
    async with tenant_session(sessionmaker, tenant.id) as s:
        await MeasureImporter(s, tenant.id).run(example(shared_dir, "massnahmenplan-beispiel.xlsx"))
    async with tenant_session(sessionmaker, tenant.id) as s:
        lst = await OnlineServiceService(s, tenant.id).list()
        rows = {r.service.number: r for r in lst.rows}
        assert len(rows) == 13
        od9 = rows["OD 009"]
        assert od9.service.title is None and od9.business_area.code == "I"  # placeholder, carried down
        assert rows["OD 001"].service.measure_number is None  # "nein"
        assert rows["OD 007"].service.measure_number == "MP 011"
        assert rows["OD 007"].service.measure_id is not None  # linked once MP 011 exists
        assert rows["OD 002"].service.measure_id is None  # MP 221 is not in the plan
        dates = {rd.date.isoformat(): rd for rd in lst.dates}
        assert rows["OD 013"].at(dates["2023-03-31"]) == "P"
        assert rows["OD 013"].at(dates["2023-09-30"]) == "E"
        assert rows["OD 016"].business_area.code == "II"


async def test_export_and_reimport_changes_nothing(sessionmaker, shared_dir) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await MeasureImporter(s, tenant.id).run(example(shared_dir, "massnahmenplan-beispiel.xlsx"))
        await OnlineServiceImporter(s, tenant.id).run(example(shared_dir, "online-dienste-beispiel.xlsx"))
    async with tenant_session(sessionmaker, tenant.id) as s:
        plan_xlsx = await export_plan(s, tenant.id)
        services_xlsx = await export_services(s, tenant.id)
    ws = load_workbook(io.BytesIO(plan_xlsx)).active
    assert ws["E1"].value == "Nr. Maßnahme" and ws.max_row == 9
    async with tenant_session(sessionmaker, tenant.id) as s:
        m = await MeasureImporter(s, tenant.id).run(plan_xlsx)
        o = await OnlineServiceImporter(s, tenant.id).run(services_xlsx)
    assert (m.created, m.updated, m.unchanged, m.errors) == (0, 0, 8, [])
    assert (o.created, o.updated, o.unchanged, o.errors) == (0, 0, 13, [])
    # and into an empty tenant: the same content again
    other = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, other.id) as s:
        await MeasureImporter(s, other.id).run(plan_xlsx)
        await OnlineServiceImporter(s, other.id).run(services_xlsx)
    async with tenant_session(sessionmaker, other.id) as s:
        assert await export_plan(s, other.id) is not None
        m2 = await MeasureImporter(s, other.id).run(example(shared_dir, "massnahmenplan-beispiel.xlsx"))
        o2 = await OnlineServiceImporter(s, other.id).run(example(shared_dir, "online-dienste-beispiel.xlsx"))
    assert (m2.updated, m2.unchanged) == (0, 8)
    assert (o2.updated, o2.unchanged) == (0, 13)


def broken_plan(shared_dir: Path) -> bytes:
    wb = load_workbook(shared_dir / "data" / "beispiele" / "massnahmenplan-beispiel.xlsx")
    ws = wb.active
    ws["J2"] = 11  # progress out of range
    ws["N3"] = "X"  # unknown status letter
    ws["K4"] = "viel"  # text in a number column
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def test_broken_file_is_rejected_whole(sessionmaker, shared_dir) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        result = await MeasureImporter(s, tenant.id).run(broken_plan(shared_dir))
    errors = {(e.row, e.column) for e in result.errors}
    assert errors == {
        (2, "Projektfortschritt (0-10, a, g) Stand 03.2022"),
        (3, "Status (P/E/U) Stand 09.2023"),
        (4, "Projektfortschritt (0-10, a, g) Stand 09.2022"),
    }
    assert all(e.message for e in result.errors)
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert (await MeasureService(s, tenant.id).plan()).total == 0
        assert await ReportingService(s, tenant.id).list() == []


async def test_closed_round_rejects_changed_values(sessionmaker, shared_dir) -> None:
    tenant = await create_tenant(sessionmaker)
    data = example(shared_dir, "massnahmenplan-beispiel.xlsx")
    async with tenant_session(sessionmaker, tenant.id) as s:
        await MeasureImporter(s, tenant.id).run(data)
    async with tenant_session(sessionmaker, tenant.id) as s:
        svc = ReportingService(s, tenant.id)
        for rd in await svc.list():
            await svc.close_round(rd.id, rd.version)
    wb = load_workbook(io.BytesIO(data))
    wb.active["M3"] = 6
    buf = io.BytesIO()
    wb.save(buf)
    async with tenant_session(sessionmaker, tenant.id) as s:
        result = await MeasureImporter(s, tenant.id).run(buf.getvalue())
        same = await MeasureImporter(s, tenant.id).run(data)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Projektfortschritt (0-10, a, g) Stand 09.2023")
    ]
    assert "abgeschlossen" in result.errors[0].message
    assert same.errors == [] and same.unchanged == 8
