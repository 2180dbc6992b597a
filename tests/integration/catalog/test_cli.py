"""``kommpass catalog sync`` against a fresh database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.embedded import DatabaseUrls


def run_cli(database: DatabaseUrls, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "DATABASE_MIGRATION_URL": database.migration,
        "KOMMPASS_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        capture_output=True,
        text=True,  # noqa: S603
        env=env,
        timeout=180,
        check=False,
    )


@pytest.mark.process
def test_catalog_sync_json_then_no_changes(
    catalog_db: DatabaseUrls, catalog_files: tuple[Path, Path]
) -> None:
    ozg, leika = (str(p) for p in catalog_files)
    first = run_cli(catalog_db, "catalog", "sync", ozg, leika, "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert {
        "added",
        "changed",
        "removed",
        "unchanged",
        "version",
        "ozg_leistungen",
        "leika_leistungen",
        "themenfelder",
        "lebenslagen",
    } <= set(data)
    assert (data["ozg_leistungen"], data["leika_leistungen"], data["themenfelder"], data["lebenslagen"]) == (
        557,
        5249,
        14,
        55,
    )
    assert data["version"] == 1 and data["removed"] == 0

    second = run_cli(catalog_db, "catalog", "sync", ozg, leika)
    assert second.returncode == 0, second.stderr
    assert "Keine Änderungen" in second.stdout and "557 OZG-Leistungen" in second.stdout

    versions = run_cli(catalog_db, "catalog", "versions", "--json")
    assert [v["version"] for v in json.loads(versions.stdout)["versions"]] == [1]


@pytest.mark.process
def test_catalog_sync_errors_are_one_german_line(
    catalog_db: DatabaseUrls, tmp_path: Path, catalog_files: tuple[Path, Path]
) -> None:
    missing = run_cli(catalog_db, "catalog", "sync", str(tmp_path / "fehlt.csv"))
    assert missing.returncode != 0
    assert len(missing.stderr.strip().splitlines()) == 1 and "nicht lesbar" in missing.stderr

    bad = tmp_path / "leika.csv"
    bad.write_text("Schluessel;Bezeichnung;Typ;OZG-ID\n123;Test 124;5;\n", encoding="utf-8")
    refused = run_cli(catalog_db, "catalog", "sync", str(catalog_files[0]), str(bad))
    assert refused.returncode != 0 and "Zeile 2" in refused.stderr and "14 Ziffern" in refused.stderr
    skipped = run_cli(
        catalog_db, "catalog", "sync", str(catalog_files[0]), str(bad), "--skip-invalid", "--json"
    )
    assert skipped.returncode == 0, skipped.stderr
    assert json.loads(skipped.stdout)["skipped"][0]["line"] == 2


@pytest.mark.process
async def test_kommpass_worker_burst_runs_the_scheduled_sync(catalog_db: DatabaseUrls, catalog_files) -> None:
    import asyncio

    from core.jobs import JobQueue

    queue = JobQueue(catalog_db.app)
    try:
        await queue.enqueue("catalog.sync", key="t", sources=[str(p) for p in catalog_files], triggered_by="Test")
    finally:
        await queue.close()
    result = await asyncio.to_thread(run_cli, catalog_db, "worker", "--burst")
    assert result.returncode == 0, result.stderr
    versions = await asyncio.to_thread(run_cli, catalog_db, "catalog", "versions", "--json")
    [v] = json.loads(versions.stdout)["versions"]
    assert v["triggered_by"] == "Test" and v["added"] == 557 + 5249 + 14 + 55
