"""Demo content (seed 004's DMS state) and the ``kommpass dms`` commands."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.embedded import DatabaseUrls
from plugins.dms.demo import seed_demo
from plugins.dms.excel import ROLLOUT_COLUMNS
from plugins.dms.models import DmsRollout
from plugins.dms.summary import report_data
from tests.factories import create_tenant, unique_slug
from tests.integration.dms.helpers import make_units, seed_004_dms


async def test_demo_content_is_the_state_of_seed_004(
    sessionmaker: async_sessionmaker[AsyncSession], shared_dir: Path
) -> None:
    seed = seed_004_dms(shared_dir)
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_demo(s, tenant.id)
        await seed_demo(s, tenant.id)  # a second run adds nothing
        data = await report_data(s, tenant.id)
        assert await s.scalar(select(func.count()).select_from(DmsRollout)) == 12
    live, intro = data["columns"]
    assert live["procedure"] == seed["umgesetzt"]["procedure"]
    assert intro["procedure"] == seed["in_einfuehrung"]["procedure"]
    assert live["standalone"][0]["label"] == "nscale egov Allgemeiner Schriftverkehr"
    assert live["standalone"][0]["units"] == ["Organisation"]
    assert intro["standalone"][0]["units"] == ["Ordnungsbehörde", "Betriebshof", "Kommunalarchiv"]
    assert data["indicator"]["goal"] == 30 and data["indicator"]["latest_share"] is not None


def run_cli(database: DatabaseUrls, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "DATABASE_MIGRATION_URL": database.migration,
        "KOMMPASS_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(  # noqa: S603 - our own CLI with test arguments
        [sys.executable, "-m", "web.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.process
async def test_cli_import_dry_run_json_and_errors(
    database: DatabaseUrls, sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    slug = unique_slug("dms")
    tenant = await create_tenant(sessionmaker, slug=slug)
    await make_units(sessionmaker, tenant.id, ["Organisation"])

    def book(unit: str) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = "Einführungen"
        ws.append([h for h, _ in ROLLOUT_COLUMNS])
        values = {
            "Aktenart": "Vertragsakte",
            "Organisationseinheit": unit,
            "Status": "geplant",
            "Anbindung": "Fachverfahren",
            "Fachverfahren": "Vertragsmanagement",
        }
        ws.append([values.get(h) for h, _ in ROLLOUT_COLUMNS])
        path = tmp_path / f"{unit}.xlsx"
        buf = io.BytesIO()
        wb.save(buf)
        path.write_bytes(buf.getvalue())
        return path

    dry = run_cli(database, "dms", "import", str(book("D1")), "--tenant", slug, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout) == {
        "ok": True,
        "dry_run": True,
        "products_created": 0,
        "file_types_created": 0,
        "rollouts_created": 1,
        "rollouts_updated": 0,
        "volumes_created": 0,
        "volumes_updated": 0,
        "errors": [],
    }
    bad = run_cli(database, "dms", "import", str(book("Unbekannt")), "--tenant", slug)
    assert bad.returncode != 0
    lines = [line for line in bad.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "„Unbekannt“ ist unbekannt" in lines[0], bad.stderr
    real = run_cli(database, "dms", "import", str(book("Organisation")), "--tenant", slug)
    assert real.returncode == 0 and "1 Einführung(en) neu" in real.stdout
    out = tmp_path / "export.xlsx"
    exported = run_cli(database, "dms", "export", str(out), "--tenant", slug, "--json")
    assert exported.returncode == 0 and json.loads(exported.stdout)["ok"] and out.stat().st_size > 0
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await s.scalar(select(func.count()).select_from(DmsRollout)) == 1
    stand = run_cli(database, "dms", "stand", "--tenant", slug, "--json")
    assert stand.returncode == 0, stand.stderr
    assert json.loads(stand.stdout)["columns"][0]["title"] == "Elektronische Akte umgesetzt"
    unknown = run_cli(database, "dms", "stand", "--tenant", "gibt-es-nicht")
    assert unknown.returncode != 0 and "nicht gefunden" in unknown.stderr
