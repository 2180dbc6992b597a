"""Budget plan: sums, IST–SOLL, plan vs actual, conflicts, audit, Excel import/export, CLI."""

from __future__ import annotations

import decimal
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.models import AuditEvent
from core.budget import excel, service
from core.budget.models import BudgetEntry, BudgetLine
from core.db import tenant_session
from core.embedded import DatabaseUrls
from core.errors import Conflict, NotFound, ValidationFailed
from core.strategy.hooks import seed_dorsten_strategy
from tests.factories import create_tenant

D = decimal.Decimal
EXAMPLE = Path(excel.__file__).parent / "data" / "finanzplan-beispiel.xlsx"


async def test_sums_per_column_and_year_ist_soll_and_plan_vs_actual(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        a = await service.create_line(s, tenant.id, {"number": "001", "title": "DMS"})
        b = await service.create_line(s, tenant.id, {"number": "002", "title": "OZG"})
        await service.set_entry(
            s,
            tenant.id,
            a.id,
            {
                "year": 2024,
                "development": "10.000",
                "licences": "2000",
                "staff_ist": "0,5",
                "staff_soll": "1,5",
                "actual_one_off": "8000",
                "actual_running": "2500",
            },
        )
        await service.set_entry(
            s, tenant.id, a.id, {"year": 2025, "development": "5000", "staff_ist": "1", "staff_soll": "2"}
        )
        await service.set_entry(
            s,
            tenant.id,
            b.id,
            {
                "year": 2024,
                "hardware_software": "3000",
                "training": "1000",
                "staff_soll": "0,5",
                "staff_decentral": "2",
            },
        )
    async with tenant_session(sessionmaker, tenant.id) as s:
        totals = await service.totals(s, tenant.id)
        lines = await service.list_lines(s, tenant.id)
    y24 = totals.year(2024)
    assert (y24["one_off"], y24["running"], y24["planned"]) == (D("13000"), D("3000"), D("16000"))
    assert y24["actual"] == D("10500") and y24["plan_minus_actual"] == D("5500")
    assert (y24["staff_ist"], y24["staff_soll"], y24["staff_gap"]) == (D("0.5"), D("2.0"), D("1.5"))
    overall = totals.overall
    assert overall["development"] == D("15000") and overall["planned"] == D("21000")
    # staff is a level: the latest year's plan, not a sum over years
    assert (overall["staff_ist"], overall["staff_soll"], overall["staff_gap"]) == (D("1"), D("2"), D("1"))
    assert service.compute_totals(lines).overall == overall
    assert lines[0].total("development") == D("15000") and lines[0].total("staff_soll") == D("2")


async def test_validation_conflict_audit_and_tenancy(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    tenant, other = await create_tenant(sessionmaker), await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        line = await service.create_line(s, tenant.id, {"number": "001", "title": "DMS"})
        entry = await service.set_entry(s, tenant.id, line.id, {"year": 2024, "consulting": "100"})
        with pytest.raises(ValidationFailed) as exc:
            await service.set_entry(s, tenant.id, line.id, {"year": 2024})
        assert "year" in exc.value.as_dict()
        with pytest.raises(ValidationFailed) as exc:
            await service.set_entry(
                s, tenant.id, line.id, {"year": 2026, "consulting": "-5", "training": "x"}
            )
        assert set(exc.value.as_dict()) == {"consulting", "training"}
        with pytest.raises(ValidationFailed):
            await service.create_line(s, tenant.id, {"number": "001", "title": "doppelt"})
    async with tenant_session(sessionmaker, tenant.id) as s:
        await service.update_entry(s, tenant.id, line.id, entry.id, {"consulting": "150"}, expected_version=1)
    async with tenant_session(sessionmaker, tenant.id) as s:
        with pytest.raises(Conflict) as conflict:
            await service.update_entry(
                s, tenant.id, line.id, entry.id, {"consulting": "120"}, expected_version=1
            )
        assert conflict.value.current["consulting"] == "150.00"
        events = list(
            await s.scalars(
                select(AuditEvent).where(
                    AuditEvent.tenant_id == tenant.id, AuditEvent.entity_id == str(entry.id)
                )
            )
        )
        update = next(e for e in events if e.action == "budget.entry.update")
        assert update.changes == {"consulting": ["100.00", "150.00"]}
    async with tenant_session(sessionmaker, other.id) as s:
        with pytest.raises(NotFound):
            await service.get_line(s, other.id, line.id)
        with pytest.raises(NotFound):
            await service.update_entry(
                s, other.id, line.id, entry.id, {"consulting": "1"}, expected_version=2
            )
        assert (await service.totals(s, other.id)).overall["planned"] == 0


def _workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = excel.SHEET
    ws.append(list(excel.HEADERS))
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _row(number: str, year: int | None, **values: object) -> list[object]:
    head = [number, values.pop("block", None), None, values.pop("title", f"Position {number}"), None, year]
    return head + [values.get(k) for k, _ in excel.VALUE_HEADERS] + [None]


async def _counts(sm: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID) -> tuple[int, int]:
    async with tenant_session(sm, tenant_id) as s:
        lines = await s.scalar(
            select(func.count()).select_from(BudgetLine).where(BudgetLine.tenant_id == tenant_id)
        )
        entries = await s.scalar(
            select(func.count()).select_from(BudgetEntry).where(BudgetEntry.tenant_id == tenant_id)
        )
    return int(lines or 0), int(entries or 0)


async def test_broken_rows_are_reported_by_row_and_column_and_nothing_is_written(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    content = _workbook(
        [
            _row("001", 2024, development="45.000 €"),
            _row("002", 2024, consulting="viel"),  # text in a number column
            _row("003", 1850),  # year out of range
            _row("004", 2024, block="LBS-999"),  # unknown building block
            _row("005", 2024, staff_ist="-1"),  # negative
        ]
    )
    async with tenant_session(sessionmaker, tenant.id) as s:
        result = await excel.import_budget(s, tenant.id, content)
    errors = {(e.row, e.column) for e in result.errors}
    consulting = next(h for k, h in excel.VALUE_HEADERS if k == "consulting")
    staff_ist = next(h for k, h in excel.VALUE_HEADERS if k == "staff_ist")
    assert errors == {(3, consulting), (4, "Jahr"), (5, "Lösungsbaustein"), (6, staff_ist)}
    assert await _counts(sessionmaker, tenant.id) == (0, 0)


async def test_example_file_imports_reimport_changes_nothing_and_export_round_trips(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_dorsten_strategy(s, tenant.id)
    content = EXAMPLE.read_bytes()
    async with tenant_session(sessionmaker, tenant.id) as s:
        dry = await excel.import_budget(s, tenant.id, content, dry_run=True)
    assert dry.ok and dry.created == 34 and await _counts(sessionmaker, tenant.id) == (0, 0)
    async with tenant_session(sessionmaker, tenant.id) as s:
        first = await excel.import_budget(s, tenant.id, content)
    assert first.as_dict() == {"created": 34, "updated": 0, "unchanged": 0, "errors": []}
    assert await _counts(sessionmaker, tenant.id) == (10, 32)
    async with tenant_session(sessionmaker, tenant.id) as s:
        totals = await service.totals(s, tenant.id)
        again = await excel.import_budget(s, tenant.id, content)
    assert (totals.overall["one_off"], totals.overall["running"]) == (D("588000"), D("650671"))
    assert (totals.overall["staff_ist"], totals.overall["staff_soll"], totals.overall["staff_gap"]) == (
        D("1.00"),
        D("3.00"),
        D("2.00"),
    )
    assert totals.overall["staff_decentral"] == D("23.08")
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 34, "errors": []}
    async with tenant_session(sessionmaker, tenant.id) as s:
        exported = await excel.export_budget(s, tenant.id)
    assert load_workbook(io.BytesIO(exported)).sheetnames == ["Finanzplan", "Summen (nur Export)"]
    # export → import into a fresh tenant gives the same plan; into the same tenant changes nothing
    async with tenant_session(sessionmaker, tenant.id) as s:
        same = await excel.import_budget(s, tenant.id, exported)
    assert same.as_dict() == {"created": 0, "updated": 0, "unchanged": 34, "errors": []}
    fresh = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, fresh.id) as s:
        await seed_dorsten_strategy(s, fresh.id)
        copied = await excel.import_budget(s, fresh.id, exported)
        assert copied.ok
        assert await excel.export_rows(s, fresh.id) == await _rows_of(sessionmaker, tenant.id)
    # a changed cell updates exactly one row
    wb = load_workbook(io.BytesIO(exported))
    ws = wb["Finanzplan"]
    ws.cell(row=2, column=excel.HEADERS.index("Jahr") + 2, value=46000)
    buf = io.BytesIO()
    wb.save(buf)
    async with tenant_session(sessionmaker, tenant.id) as s:
        changed = await excel.import_budget(s, tenant.id, buf.getvalue())
    assert (changed.updated, changed.unchanged) == (1, 33)


async def _rows_of(sm: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID) -> list[list[object]]:
    async with tenant_session(sm, tenant_id) as s:
        return await excel.export_rows(s, tenant_id)


def _cli(database: DatabaseUrls, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "DATABASE_MIGRATION_URL": database.migration,
        "KOMMPASS_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "web.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.process
async def test_cli_import_json_dry_run_errors_and_idempotency(
    database: DatabaseUrls,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_dorsten_strategy(s, tenant.id)
    dry = _cli(database, "budget", "import", str(EXAMPLE), "--tenant", tenant.slug, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == {"created": 34, "updated": 0, "unchanged": 0, "errors": []}
    assert await _counts(sessionmaker, tenant.id) == (0, 0)
    first = _cli(database, "budget", "import", str(EXAMPLE), "--tenant", tenant.slug, "--json")
    assert first.returncode == 0 and json.loads(first.stdout)["created"] == 34
    second = _cli(database, "budget", "import", str(EXAMPLE), "--tenant", tenant.slug, "--json")
    assert json.loads(second.stdout) == {"created": 0, "updated": 0, "unchanged": 34, "errors": []}
    broken = tmp_path / "kaputt.xlsx"
    broken.write_bytes(_workbook([_row("011", 2024, training="zehn")]))
    bad = _cli(database, "budget", "import", str(broken), "--tenant", tenant.slug, "--json")
    assert bad.returncode != 0
    out = json.loads(bad.stdout)
    assert out["created"] == 0 and out["errors"] == [
        {"row": 2, "column": "Schulungsmaßnahmen (€)", "message": "„zehn“ ist keine Zahl."}
    ]
    assert await _counts(sessionmaker, tenant.id) == (10, 32)
    text = _cli(database, "budget", "import", str(broken), "--tenant", tenant.slug)
    assert text.returncode != 0 and "Zeile 2" in text.stderr
    exported = tmp_path / "export.xlsx"
    assert _cli(database, "budget", "export", str(exported), "--tenant", tenant.slug).returncode == 0
    roundtrip = _cli(database, "budget", "import", str(exported), "--tenant", tenant.slug, "--json")
    assert json.loads(roundtrip.stdout) == {"created": 0, "updated": 0, "unchanged": 34, "errors": []}
    unknown = _cli(database, "budget", "import", str(EXAMPLE), "--tenant", "gibt-es-nicht")
    assert unknown.returncode != 0 and "nicht gefunden" in unknown.stderr


async def test_lines_link_to_own_measures_only_and_import_resolves_measure_numbers(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from core.measures.models import Measure

    tenant, other = await create_tenant(sessionmaker), await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        measure = Measure(
            tenant_id=tenant.id, id=uuid.uuid4(), number="MP 011", title="Online-Bürgerbeteiligung"
        )
        s.add(measure)
    async with tenant_session(sessionmaker, other.id) as s:
        with pytest.raises(ValidationFailed) as exc:
            await service.create_line(
                s, other.id, {"number": "001", "title": "x", "measure_id": str(measure.id)}
            )
        assert "measure_id" in exc.value.as_dict()
    async with tenant_session(sessionmaker, tenant.id) as s:
        result = await excel.import_budget(
            s,
            tenant.id,
            _workbook(
                [
                    [
                        *_row("001", 2024, consulting="1.000 €")[:2],
                        "MP 011",
                        *_row("001", 2024, consulting="1.000 €")[3:],
                    ],
                    [*_row("002", 2024)[:2], "MP 999", *_row("002", 2024)[3:]],
                ]
            ),
        )
    assert [(e.row, e.column) for e in result.errors] == [(3, "Maßnahme (Nr.)")]
    async with tenant_session(sessionmaker, tenant.id) as s:
        ok = await excel.import_budget(
            s,
            tenant.id,
            _workbook(
                [
                    [
                        *_row("001", 2024, consulting="1.000 €")[:2],
                        "mp 011",
                        *_row("001", 2024, consulting="1.000 €")[3:],
                    ],
                ]
            ),
        )
        assert ok.ok
        lines = await service.list_lines(s, tenant.id)
        assert lines[0].line.measure_id == measure.id
        rows = await excel.export_rows(s, tenant.id)
    assert rows[0][2] == "MP 011"


async def test_unlink_measure_before_it_is_deleted(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    from core.measures.models import Measure

    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        measure = Measure(tenant_id=tenant.id, id=uuid.uuid4(), number="MP 020", title="CRM")
        s.add(measure)
        await s.flush()
        line = await service.create_line(
            s, tenant.id, {"number": "001", "title": "CRM", "measure_id": measure.id}
        )
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await service.unlink_measure(s, tenant.id, measure.id) == 1
        await s.delete(
            await s.scalar(select(Measure).where(Measure.tenant_id == tenant.id, Measure.id == measure.id))
        )
    async with tenant_session(sessionmaker, tenant.id) as s:
        view = await service.get_line(s, tenant.id, line.id)
    assert view.line.measure_id is None
