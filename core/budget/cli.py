"""``kommpass budget import FILE --tenant SLUG [--dry-run] [--json]`` and ``kommpass budget export``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


class _Discard(Exception):
    def __init__(self, result: Any) -> None:
        super().__init__("discarded")
        self.result = result


@click.group(help="Rahmenfinanzplan / Ressourcenplan.")
def budget() -> None:
    pass


async def _tenant_id(sessionmaker: Any, slug: str) -> Any:
    from core.db import platform_session
    from tenants.service import TenantService

    async with platform_session(sessionmaker) as session:
        return (await TenantService(session).get_by_slug(slug)).id


@budget.command(
    "import",
    help="Importiert den Finanzplan aus einer Excel-Datei (Aufbau: docs/strategie-und-finanzplan.md).",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten, z. B. dorsten.")
@click.option("--dry-run", is_flag=True, help="Nur prüfen und anzeigen, was sich ändern würde.")
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt.")
def import_command(file: Path, slug: str, dry_run: bool, as_json: bool) -> None:
    from core.audit.service import Actor
    from core.budget.excel import import_budget
    from core.db import tenant_session
    from core.errors import ValidationFailed
    from core.excel.result import ImportResult
    from web.cli import run_with_db

    content = file.read_bytes()

    async def run(sessionmaker: Any) -> ImportResult:
        tenant_id = await _tenant_id(sessionmaker, slug)
        try:
            async with tenant_session(sessionmaker, tenant_id) as session:
                result = await import_budget(
                    session, tenant_id, content, dry_run=dry_run, actor=Actor(label="cli")
                )
                if result.errors or dry_run:
                    raise _Discard(result)  # roll the transaction back: nothing is written
                return result
        except _Discard as discarded:
            return discarded.result
        except ValidationFailed as exc:  # unreadable file: same result shape
            result = ImportResult(dry_run=dry_run)
            for e in exc.errors:
                result.add_error(e.row or 0, e.field, e.message)
            return result

    result = run_with_db(run)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        prefix = "Probelauf: " if dry_run else ""
        click.echo(
            f"{prefix}{result.created} neu, {result.updated} geändert, {result.unchanged} unverändert."
        )
        for e in result.errors:
            click.echo(f"Zeile {e.row}, Spalte „{e.column}“: {e.message}", err=True)
    if result.errors:
        if not as_json:
            click.echo(
                f"Fehler: Die Datei enthält {len(result.errors)} ungültige Angabe(n); es wurde nichts "
                "gespeichert.",
                err=True,
            )
        sys.exit(1)


@budget.command("export", help="Exportiert den Finanzplan als Excel-Datei (im Aufbau des Imports).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
def export_command(file: Path, slug: str) -> None:
    from core.budget.excel import export_budget
    from core.db import tenant_session
    from web.cli import run_with_db

    async def run(sessionmaker: Any) -> bytes:
        tenant_id = await _tenant_id(sessionmaker, slug)
        async with tenant_session(sessionmaker, tenant_id) as session:
            return await export_budget(session, tenant_id)

    file.write_bytes(run_with_db(run))
    click.echo(f"Finanzplan exportiert: {file}")
