"""CLI imports/exports and the demo content."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.db import tenant_session
from core.embedded import DatabaseUrls
from core.measures.hooks import seed_demo
from core.measures.service import MeasureService
from core.online_services.service import OnlineServiceService
from core.reporting.service import ReportingService
from tests.factories import create_tenant


def run_cli(database: DatabaseUrls, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "DATABASE_MIGRATION_URL": database.migration,
        "KOMMPASS_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "web.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.mark.process
async def test_cli_import_dry_run_json_and_errors(
    database, sessionmaker, shared_dir: Path, tmp_path: Path
) -> None:
    tenant = await create_tenant(sessionmaker)
    plan = str(shared_dir / "data" / "beispiele" / "massnahmenplan-beispiel.xlsx")
    dry = run_cli(database, "measures", "import", plan, "--tenant", tenant.slug, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == {"created": 8, "updated": 0, "unchanged": 0, "errors": []}
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert (await MeasureService(s, tenant.id).plan()).total == 0
    done = run_cli(database, "measures", "import", plan, "--tenant", tenant.slug, "--json")
    assert json.loads(done.stdout)["created"] == 8
    again = run_cli(database, "measures", "import", plan, "--tenant", tenant.slug, "--json")
    assert json.loads(again.stdout) == {"created": 0, "updated": 0, "unchanged": 8, "errors": []}
    services = str(shared_dir / "data" / "beispiele" / "online-dienste-beispiel.xlsx")
    result = run_cli(database, "online-services", "import", services, "--tenant", tenant.slug, "--json")
    assert json.loads(result.stdout)["created"] == 13, result.stderr
    # a broken file: non-zero exit, one JSON object naming the rows and columns
    wb = load_workbook(plan)
    wb.active["J2"] = 11
    wb.active["N3"] = "Q"
    wb.active["K4"] = "viel"
    broken = tmp_path / "kaputt.xlsx"
    wb.save(broken)
    bad = run_cli(database, "measures", "import", str(broken), "--tenant", tenant.slug, "--json")
    assert bad.returncode != 0
    body = json.loads(bad.stdout)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {
        (2, "Projektfortschritt (0-10, a, g) Stand 03.2022"),
        (3, "Status (P/E/U) Stand 09.2023"),
        (4, "Projektfortschritt (0-10, a, g) Stand 09.2022"),
    }
    text = run_cli(database, "measures", "import", str(broken), "--tenant", tenant.slug)
    assert text.returncode != 0 and "Zeile 2" in text.stderr
    # export
    out = tmp_path / "plan.xlsx"
    exp = run_cli(database, "measures", "export", str(out), "--tenant", tenant.slug)
    assert exp.returncode == 0, exp.stderr
    assert load_workbook(io.BytesIO(out.read_bytes())).active.max_row == 9
    exp = run_cli(database, "online-services", "export", str(tmp_path / "od.xlsx"), "--tenant", tenant.slug)
    assert exp.returncode == 0
    unknown = run_cli(database, "measures", "import", plan, "--tenant", "gibt-es-nicht", "--json")
    assert unknown.returncode != 0 and unknown.stderr.strip()


async def test_demo_seed_builds_realistic_content(sessionmaker) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_demo(s, tenant.id)
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert (await MeasureService(s, tenant.id).plan()).total == 8
        assert (await OnlineServiceService(s, tenant.id).list()).total == 13
        dates = await ReportingService(s, tenant.id).list()
        assert [d.state for d in dates] == ["closed"] * 4 + ["open"]
        assert dates[-1].date.isoformat() == "2024-03-31"
