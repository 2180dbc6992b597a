"""Spreadsheet import and export from the command line (``kommpass <area> import|export``),
the same for every area: measure plan, online services, budget plan.

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
    importer: Callable[..., Any], file: Path, slug: str, dry_run: bool, as_json: bool, what: str | None
) -> None:
    """Run ``importer(session, tenant_id, actor).run(content, dry_run=…)`` for the CLI; the
    summary line starts with ``what`` when given."""
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
        if what:
            prefix += f"{what}: "
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


def run_export(exporter: Callable[..., Any], file: Path, slug: str, what: str) -> None:
    """Write ``exporter(session, tenant_id)`` (the file's bytes) to ``file``."""
    from core.db import tenant_session
    from web.cli import run_with_db

    async def run(sessionmaker: Any) -> bytes:
        tenant_id = await tenant_id_of(sessionmaker, slug)
        async with tenant_session(sessionmaker, tenant_id) as session:
            return await exporter(session, tenant_id)  # type: ignore[no-any-return]

    file.write_bytes(run_with_db(run))
    click.echo(f"{what} exportiert: {file}")


def import_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``FILE --tenant SLUG [--dry-run] [--json]`` of an import command."""
    fn = click.option("--json", "as_json", is_flag=True, help="Ergebnis als ein JSON-Objekt.")(fn)
    fn = click.option("--dry-run", is_flag=True, help="Nur prüfen und anzeigen, was sich ändern würde.")(fn)
    fn = click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten, z. B. dorsten.")(fn)
    return click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))(fn)


def export_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``FILE --tenant SLUG`` of an export command."""
    fn = click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")(fn)
    return click.argument("file", type=click.Path(dir_okay=False, path_type=Path))(fn)
