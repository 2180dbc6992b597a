"""``kommpass budget import FILE --tenant SLUG [--dry-run] [--json]`` and ``kommpass budget export``."""

from __future__ import annotations

from pathlib import Path

import click

from core.excel.cli import export_options, import_options, run_export, run_import


@click.group(help="Rahmenfinanzplan / Ressourcenplan.")
def budget() -> None:
    pass


@budget.command(
    "import",
    help="Importiert den Finanzplan aus einer Excel-Datei (Aufbau: docs/strategie-und-finanzplan.md).",
)
@import_options
def import_command(file: Path, slug: str, dry_run: bool, as_json: bool) -> None:
    from core.budget.excel import BudgetImporter

    run_import(BudgetImporter, file, slug, dry_run, as_json, None)


@budget.command("export", help="Exportiert den Finanzplan als Excel-Datei (im Aufbau des Imports).")
@export_options
def export_command(file: Path, slug: str) -> None:
    from core.budget.excel import export_budget

    run_export(export_budget, file, slug, "Finanzplan")
