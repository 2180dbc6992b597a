"""``kommpass measures import|export`` and ``kommpass online-services import|export``.

``import FILE --tenant SLUG [--dry-run] [--json]``: with ``--json`` exactly one object
``{"created", "updated", "unchanged", "errors": [{"row", "column", "message"}]}``; a
non-zero exit when anything is invalid (and then nothing is written).
"""

from __future__ import annotations

from pathlib import Path

import click

from core.excel.cli import export_options, import_options, run_export, run_import


@click.group(help="Maßnahmenplan (Import und Export als Excel).")
def measures() -> None:
    pass


@measures.command("import", help="Importiert den Maßnahmenplan aus einer Excel-Datei (alles oder nichts).")
@import_options
def measures_import(file: Path, slug: str, dry_run: bool, as_json: bool) -> None:
    from core.measures.excel import MeasureImporter

    run_import(MeasureImporter, file, slug, dry_run, as_json, "Maßnahmen")


@measures.command("export", help="Exportiert den Maßnahmenplan als Excel-Datei (im Aufbau des Imports).")
@export_options
def measures_export(file: Path, slug: str) -> None:
    from core.measures.excel import export_plan

    run_export(export_plan, file, slug, "Maßnahmenplan")


@click.group("online-services", help="Online-Dienste (Import und Export als Excel).")
def online_services() -> None:
    pass


@online_services.command("import", help="Importiert die Liste der Online-Dienste aus einer Excel-Datei.")
@import_options
def services_import(file: Path, slug: str, dry_run: bool, as_json: bool) -> None:
    from core.online_services.excel import OnlineServiceImporter

    run_import(OnlineServiceImporter, file, slug, dry_run, as_json, "Online-Dienste")


@online_services.command(
    "export", help="Exportiert die Online-Dienste als Excel-Datei (im Aufbau des Imports)."
)
@export_options
def services_export(file: Path, slug: str) -> None:
    from core.online_services.excel import export_services

    run_export(export_services, file, slug, "Online-Dienste")
