"""``kommpass measures import|export`` and ``kommpass online-services import|export``.

``import FILE --tenant SLUG [--dry-run] [--json]``: with ``--json`` exactly one object
``{"created", "updated", "unchanged", "errors": [{"row", "column", "message"}]}``; a
non-zero exit when anything is invalid (and then nothing is written).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


class _Discard(Exception):
    """Raised inside the transaction to roll it back (dry run, invalid file)."""

    def __init__(self, result: Any) -> None:
        super().__init__("discarded")
        self.result = result


async def tenant_id_of(sessionmaker: Any, slug: str) -> Any:
    from core.db import platform_session
    from tenants.service import TenantService

    async with platform_session(sessionmaker) as session:
        return (await TenantService(session).get_by_slug(slug)).id


def run_import(
    importer: Callable[..., Any], file: Path, slug: str, dry_run: bool, as_json: bool, what: str
) -> None:
    """Run ``importer(session, tenant_id, actor).run(content, dry_run=…)`` for the CLI."""
    from core.audit.service import Actor
    from core.db import tenant_session
    from core.errors import ValidationFailed
    from core.excel.result import ImportResult
    from web.cli import run_with_db

    content = file.read_bytes()

    async def run(sessionmaker: Any) -> ImportResult:
        tenant_id = await tenant_id_of(sessionmaker, slug)
        try:
            async with tenant_session(sessionmaker, tenant_id) as session:
                result: ImportResult = await importer(session, tenant_id, Actor(label="cli")).run(
                    content, dry_run=dry_run
                )
                if result.errors or dry_run:
                    raise _Discard(result)
                return result
        except _Discard as discarded:
            return discarded.result  # type: ignore[no-any-return]
        except ValidationFailed as exc:  # unreadable file: the same result shape
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
            f"{prefix}{what}: {result.created} neu, {result.updated} geändert, "
            f"{result.unchanged} unverändert."
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


def run_export(exporter: Callable[..., Any], file: Path, slug: str, what: str) -> None:
    from core.db import tenant_session
    from web.cli import run_with_db

    async def run(sessionmaker: Any) -> bytes:
        tenant_id = await tenant_id_of(sessionmaker, slug)
        async with tenant_session(sessionmaker, tenant_id) as session:
            return await exporter(session, tenant_id)  # type: ignore[no-any-return]

    file.write_bytes(run_with_db(run))
    click.echo(f"{what} exportiert: {file}")


def _import_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt.")(fn)
    fn = click.option("--dry-run", is_flag=True, help="Nur prüfen und anzeigen, was sich ändern würde.")(fn)
    fn = click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten, z. B. dorsten.")(fn)
    return click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))(fn)


@click.group(help="Maßnahmenplan (Import und Export als Excel).")
def measures() -> None:
    pass


@measures.command("import", help="Importiert den Maßnahmenplan aus einer Excel-Datei (alles oder nichts).")
@_import_options
def measures_import(file: Path, slug: str, dry_run: bool, as_json: bool) -> None:
    from core.measures.excel import MeasureImporter

    run_import(MeasureImporter, file, slug, dry_run, as_json, "Maßnahmen")


@measures.command("export", help="Exportiert den Maßnahmenplan als Excel-Datei (im Aufbau des Imports).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
def measures_export(file: Path, slug: str) -> None:
    from core.measures.excel import export_plan

    run_export(export_plan, file, slug, "Maßnahmenplan")


@click.group("online-services", help="Online-Dienste (Import und Export als Excel).")
def online_services() -> None:
    pass


@online_services.command("import", help="Importiert die Liste der Online-Dienste aus einer Excel-Datei.")
@_import_options
def services_import(file: Path, slug: str, dry_run: bool, as_json: bool) -> None:
    from core.online_services.excel import OnlineServiceImporter

    run_import(OnlineServiceImporter, file, slug, dry_run, as_json, "Online-Dienste")


@online_services.command(
    "export", help="Exportiert die Online-Dienste als Excel-Datei (im Aufbau des Imports)."
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
def services_export(file: Path, slug: str) -> None:
    from core.online_services.excel import export_services

    run_export(export_services, file, slug, "Online-Dienste")
