"""``kommpass catalog …``: sync the catalogue from files or URLs, show its versions."""

from __future__ import annotations

import json
from typing import Any

import click


@click.group(help="OZG-/LeiKa-Katalog (gemeinsame Referenzdaten).")
def catalog() -> None:
    pass


@catalog.command(
    "sync", help="Gleicht den Katalog mit Dateien oder URLs ab (CSV oder XLSX; LeiKa und/oder OZG-Katalog)."
)
@click.argument("sources", nargs=-1, required=False)
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als ein JSON-Objekt.")
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Ungültige Zeilen überspringen (werden aufgelistet) statt abzubrechen.",
)
@click.option("--snapshot", is_flag=True, help="Den mitgelieferten Katalogstand verwenden.")
def sync(sources: tuple[str, ...], as_json: bool, skip_invalid: bool, snapshot: bool) -> None:
    from core.catalog.sources import SourceError
    from core.catalog.sync import SyncRefused, sync_catalog
    from plugins.ozg_catalog.plugin import SNAPSHOT
    from web.cli import fail, run_with_db

    chosen: list[Any] = list(sources) + ([str(p) for p in SNAPSHOT] if snapshot else [])
    if not chosen:
        fail("Bitte mindestens eine Quelle (Datei oder URL) angeben, oder --snapshot.")

    async def run(sessionmaker: Any) -> Any:
        return await sync_catalog(
            sessionmaker, chosen, skip_invalid=skip_invalid, triggered_by="Kommandozeile"
        )

    try:
        result = run_with_db(run)
    except SourceError as exc:
        fail(str(exc))
        return
    except SyncRefused as exc:  # pragma: no cover - run_with_db turns ValidationFailed into fail()
        fail(exc.message)
        return
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    if result.created:
        click.echo(
            f"Katalogversion {result.version} angelegt: {result.added} neu, {result.changed} geändert, "
            f"{result.removed} entfernt, {result.unchanged} unverändert."
        )
    else:
        click.echo(f"Keine Änderungen (Katalogversion {result.version or '–'} bleibt gültig).")
    c = result.counts
    click.echo(
        f"Bestand: {c['ozg_leistungen']} OZG-Leistungen, {c['leika_leistungen']} LeiKa-Leistungen "
        f"({c['leika_mit_schluessel']} mit LeiKa-Schlüssel, {c['leika_ohne_ozg']} ohne OZG-Leistung), "
        f"{c['themenfelder']} Themenfelder, {c['lebenslagen']} Lebenslagen."
    )
    if result.not_modified:
        click.echo("Nicht geändert laut Server (304): " + ", ".join(result.not_modified))
    if result.skipped:
        click.echo(f"Übersprungene Zeilen ({len(result.skipped)}):")
        for p in result.skipped:
            click.echo(f"  {p.text()}")


@catalog.command("versions", help="Listet die Katalogversionen.")
@click.option("--json", "as_json", is_flag=True)
def versions(as_json: bool) -> None:
    from core.catalog import service
    from web.cli import run_with_db

    async def run(sessionmaker: Any) -> Any:
        async with sessionmaker() as session:
            return [
                {
                    "version": v.id,
                    "created_at": v.created_at.isoformat(),
                    "added": v.added,
                    "changed": v.changed,
                    "removed": v.removed,
                    "sources": v.sources,
                    "triggered_by": v.triggered_by,
                }
                for v in await service.versions(session)
            ]

    rows = run_with_db(run)
    if as_json:
        click.echo(json.dumps({"versions": rows}, ensure_ascii=False))
        return
    for r in rows:
        counts = f"+{r['added']} ~{r['changed']} -{r['removed']}"
        click.echo(f"{r['version']:>4}  {r['created_at'][:19]}  {counts}  {r['triggered_by'] or ''}")
