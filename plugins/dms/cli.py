"""``kommpass dms …``: import and export of the DMS rollout as Excel, per tenant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import msgspec

from web.cli import fail, run_with_db


async def _tenant_id(sessionmaker: Any, slug: str) -> Any:
    from core.db import platform_session
    from tenants.service import TenantService

    async with platform_session(sessionmaker) as session:
        return (await TenantService(session).get_by_slug(slug)).id


@click.group(help="DMS-Einführung: E-Akten je Organisationseinheit (Plugin „dms“).")
def dms() -> None:
    pass


@dms.command(
    "import", help="Liest Einführungen und Dokumentenmengen aus einer Excel-Datei (alles oder nichts)."
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten, z. B. „dorsten“.")
@click.option("--dry-run", is_flag=True, help="Nur prüfen, nichts speichern.")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als JSON.")
def import_command(file: Path, slug: str, dry_run: bool, as_json: bool) -> None:
    from core.audit.service import Actor
    from core.db import tenant_session
    from core.errors import ValidationFailed
    from plugins.dms.excel import import_workbook
    from plugins.dms.service import DmsService

    content = file.read_bytes()

    async def run(sessionmaker: Any) -> Any:
        tenant_id = await _tenant_id(sessionmaker, slug)
        async with tenant_session(sessionmaker, tenant_id) as session:
            return await import_workbook(
                DmsService(session, tenant_id, Actor(label="cli")), content, dry_run=dry_run
            )

    try:
        result = run_with_db(run) if not as_json else _json_run(run)
    except ValidationFailed as exc:  # only reached in --json mode
        click.echo(
            json.dumps(
                {
                    "ok": False,
                    "message": exc.message,
                    "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in exc.errors],
                },
                ensure_ascii=False,
            )
        )
        raise SystemExit(1) from exc
    if as_json:
        click.echo(json.dumps({"ok": True, **msgspec.to_builtins(result)}, ensure_ascii=False))
        return
    prefix = "Probelauf – nichts gespeichert: " if dry_run else ""
    if result.products_created or result.file_types_created:
        prefix += (
            f"{result.products_created} DMS-Produkt(e) und {result.file_types_created} Aktenart(en) neu; "
        )
    click.echo(
        f"{prefix}{result.rollouts_created} Einführung(en) neu, {result.rollouts_updated} aktualisiert; "
        f"{result.volumes_created} Dokumentenmenge(n) neu, {result.volumes_updated} aktualisiert."
    )


def _json_run(fn: Any) -> Any:
    """Like ``run_with_db`` but lets validation errors through, so ``--json`` can print them."""
    import asyncio

    from core.db import create_engine, make_sessionmaker
    from core.errors import DomainError, ValidationFailed
    from core.runtime import runtime
    from core.settings import get_settings

    with runtime(get_settings()) as rt:

        async def main() -> Any:
            engine = create_engine(rt.app_url, pool_size=2, max_overflow=2)
            try:
                return await fn(make_sessionmaker(engine))
            finally:
                await engine.dispose()

        try:
            return asyncio.run(main())
        except ValidationFailed:
            raise
        except DomainError as exc:
            fail(exc.message)


@dms.command(
    "export", help="Schreibt Einführungen, Dokumentenmengen, Produkte und Aktenarten in eine Excel-Datei."
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als JSON.")
def export_command(file: Path, slug: str, as_json: bool) -> None:
    from core.db import tenant_session
    from plugins.dms.excel import export_workbook
    from plugins.dms.service import DmsService

    async def run(sessionmaker: Any) -> bytes:
        tenant_id = await _tenant_id(sessionmaker, slug)
        async with tenant_session(sessionmaker, tenant_id) as session:
            return await export_workbook(DmsService(session, tenant_id))

    content = run_with_db(run)
    file.write_bytes(content)
    if as_json:
        click.echo(json.dumps({"ok": True, "file": str(file), "bytes": len(content)}))
    else:
        click.echo(f"Export geschrieben: {file}")


@dms.command("stand", help="Zeigt den Stand der E-Akten wie im Ausschussbericht (umgesetzt / in Einführung).")
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als JSON.")
def status_command(slug: str, as_json: bool) -> None:
    from core.db import tenant_session
    from plugins.dms.summary import report_data, report_text

    async def run(sessionmaker: Any) -> dict[str, Any]:
        tenant_id = await _tenant_id(sessionmaker, slug)
        async with tenant_session(sessionmaker, tenant_id) as session:
            return await report_data(session, tenant_id)

    data = run_with_db(run)
    if as_json:
        click.echo(
            json.dumps({"columns": data["columns"], "indicator": data["indicator"]}, ensure_ascii=False)
        )
    else:
        click.echo(report_text(data))
