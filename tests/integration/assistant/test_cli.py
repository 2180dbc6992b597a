"""``kommpass assistant ask|eval|reindex`` against the test database and the test data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.assistant.engine import Engine
from core.embedded import DatabaseUrls
from core.settings import Settings
from tests.factories import create_tenant


def run_cli(database: DatabaseUrls, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "DATABASE_MIGRATION_URL": database.migration,
        "KOMMPASS_LOG_LEVEL": "WARNING",
        "KOMMPASS_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(  # noqa: S603 - fixed argv, test only
        [sys.executable, "-m", "web.cli", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.mark.process
async def test_ask_json_eval_and_reindex(
    database: DatabaseUrls,
    test_settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    assistant_engine: Engine,
    shared_dir: Path,
    tmp_path: Path,
) -> None:
    tenant = await create_tenant(sessionmaker)
    result = run_cli(database, test_settings, "ask", "Wohngeld beantragen", "--tenant", tenant.slug, "--json")
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert set(body) == {"answer", "sources"} and len(body["sources"]) >= 10
    first = body["sources"][0]
    assert first["rank"] == 1 and first["kind"] in ("ozg", "leika") and first["url"].startswith("/katalog/")
    assert any(s["ozg_id"] == "10092" for s in body["sources"][:10])

    tsv = tmp_path / "fragen.tsv"
    tsv.write_text(
        "query\tozg_ids\nWohngeld beantragen\t10092\nKindergeld beantragen\t10005\n", encoding="utf-8"
    )
    result = run_cli(database, test_settings, "eval", str(tsv), "--tenant", tenant.slug)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("hit@10=1.000 MRR@10=")

    result = run_cli(database, test_settings, "reindex", "--tenant", tenant.slug)
    assert result.returncode == 0, result.stderr
    assert f"tenant:{tenant.id}" in result.stdout


@pytest.mark.process
def test_unknown_tenant_is_one_german_line(database: DatabaseUrls, test_settings: Settings) -> None:
    result = run_cli(database, test_settings, "ask", "Hund", "--tenant", "gibt-es-nicht", "--json")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "gibt-es-nicht" in lines[0]
