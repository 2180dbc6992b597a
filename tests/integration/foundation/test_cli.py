"""The ``kommpass`` CLI against the test database (DATABASE_URL set: no embedded server)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.embedded import DatabaseUrls
from tests.factories import unique_slug


def run_cli(database: DatabaseUrls, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database.app, "DATABASE_MIGRATION_URL": database.migration,
           "KOMMPASS_LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-m", "web.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def list_slugs(database: DatabaseUrls) -> list[str]:
    result = run_cli(database, "tenants", "list", "--json")
    assert result.returncode == 0, result.stderr
    return [t["slug"] for t in json.loads(result.stdout)]


@pytest.mark.process
def test_create_and_list_tenant_as_json(database: DatabaseUrls) -> None:
    slug = unique_slug("cli")
    result = run_cli(database, "tenants", "create", "--name", "Stadt Rheine", "--slug", slug,
                     "--ags", "05566076", "--ars", "055660076076", "--type", "mittlere_kreisangehoerige_stadt", "--json")
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert created["slug"] == slug and created["land"] == "05" and created["ars"] == "055660076076"
    assert slug in list_slugs(database)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ags", "0556607"], "AGS „0556607“ ist ungültig"),
        (["--ags", "99566076"], "Landesschlüssel 99"),
        (["--ags", "05566076", "--ars", "055660076999"], "passt nicht zum AGS"),
    ],
)
@pytest.mark.process
def test_invalid_key_exits_nonzero_with_one_line_and_writes_nothing(database: DatabaseUrls, args: list[str],
                                                                     message: str) -> None:
    slug = unique_slug("bad")
    result = run_cli(database, "tenants", "create", "--name", "X", "--slug", slug, "--type", "kreis", *args)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert slug not in list_slugs(database)


@pytest.mark.process
def test_duplicate_slug_exits_nonzero_and_keeps_the_first(database: DatabaseUrls) -> None:
    slug = unique_slug("dup")
    first = run_cli(database, "tenants", "create", "--name", "Erste", "--slug", slug, "--ags", "05566076",
                    "--type", "kreis", "--json")
    assert first.returncode == 0, first.stderr
    second = run_cli(database, "tenants", "create", "--name", "Zweite", "--slug", slug, "--ags", "05566076",
                     "--type", "kreis")
    assert second.returncode != 0
    lines = [line for line in second.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "existiert bereits" in lines[0], second.stderr
    tenants = json.loads(run_cli(database, "tenants", "list", "--json").stdout)
    assert [t["name"] for t in tenants if t["slug"] == slug] == ["Erste"]


@pytest.mark.process
def test_db_current_reports_up_to_date(database: DatabaseUrls) -> None:
    result = run_cli(database, "db", "current", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["up_to_date"] is True
