"""Hook implementations of the OZG catalogue plugin.

The plugin brings the catalogue to life: it loads the bundled snapshot on first start,
syncs daily through the job queue (and on demand), offers ``kommpass catalog sync``, the
catalogue browser under ``/katalog`` and the gap analysis. The tables and the sync itself
are core (``core.catalog``), so other areas (the assistant, online services) can rely on them
even where a tenant switched this plugin off.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from plugins.hookspecs import hookimpl
from plugins.types import JobDefinition, NavItem, PluginInfo, RenderContext, ReportSection, Widget

NAME = "ozg_catalog"
VERSION = "0.2.0"
HERE = Path(__file__).parent
DATA_DIR = HERE / "data"
SNAPSHOT = (DATA_DIR / "ozg-leistungen.csv", DATA_DIR / "leika-leistungen.csv")
#: Cron of the scheduled sync (daily, 03:15 UTC by default).
DEFAULT_CRON = "15 3 * * *"


def configured_sources() -> list[Any]:
    """Sources of the scheduled sync: ``KOMMPASS_CATALOG_SOURCES`` (paths/URLs, space-separated)
    or the bundled snapshot, plus the sources other plugins register."""
    from plugins.manager import get_plugin_manager

    env = os.environ.get("KOMMPASS_CATALOG_SOURCES", "").split()
    sources: list[Any] = list(env) if env else [str(p) for p in SNAPSHOT]
    for result in get_plugin_manager().hook.kommpass_register_catalog_sources():
        sources.extend(result or [])
    return sources


async def sync_job(
    ctx: Any, sources: list[str] | None = None, skip_invalid: bool = False, triggered_by: str = "Zeitplan"
) -> dict[str, Any]:
    """Job ``catalog.sync``: sync from ``sources`` (default: the configured ones). Idempotent."""
    from core.catalog.sync import SyncRefused, sync_catalog

    try:
        result = await sync_catalog(
            ctx.sessionmaker,
            sources or configured_sources(),
            skip_invalid=skip_invalid,
            triggered_by=triggered_by,
        )
    except SyncRefused as exc:
        return {"refused": True, "errors": [p.as_dict() for p in exc.problems][:200]}
    return result.as_dict()


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(
        name=NAME,
        label="OZG-/LeiKa-Katalog",
        version=VERSION,
        description="Katalog-Synchronisation, Katalogbrowser und Lückenanalyse.",
    )


@hookimpl
def kommpass_register_routes() -> list[Any]:
    from plugins.ozg_catalog.controllers import ROUTES

    return list(ROUTES)


@hookimpl
def kommpass_register_navigation() -> list[NavItem]:
    return [
        NavItem("OZG-Katalog", "/katalog", order=45, key="catalog"),
        NavItem("Lückenanalyse", "/katalog/lueckenanalyse", order=46, key="catalog_gaps"),
    ]


@hookimpl
def kommpass_register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


async def _coverage_widget(ctx: RenderContext) -> dict[str, Any]:
    from core.catalog.service import gap_analysis
    from tenants.models import Tenant

    tenant = await ctx.session.get(Tenant, ctx.tenant_id)
    analysis = await gap_analysis(ctx.session, ctx.tenant_id, tenant.municipality_type if tenant else None)
    return {"analysis": analysis}


@hookimpl
def kommpass_register_dashboard_widgets() -> list[Widget]:
    return [
        Widget(
            key="ozg_coverage",
            title="OZG-Abdeckung",
            template="ozg_catalog/_widget.html",
            load=_coverage_widget,
            order=40,
        )
    ]


async def _report_section(ctx: RenderContext) -> dict[str, Any]:
    from core.catalog.service import gap_analysis
    from tenants.models import Tenant

    tenant = await ctx.session.get(Tenant, ctx.tenant_id)
    a = await gap_analysis(ctx.session, ctx.tenant_id, tenant.municipality_type if tenant else None)
    return {
        "paragraphs": [
            f"Von {a.total} OZG-Leistungen mit kommunalem Vollzug deckt die Kommune {a.covered} "
            f"mit Online-Diensten ab ({str(a.percent).replace('.', ',')} %), {a.online} davon sind "
            "bereits online (Status „umgesetzt“)."
        ],
        "tables": [
            {
                "title": "OZG-Abdeckung je Themenfeld",
                "columns": ["Themenfeld", "OZG-Leistungen", "abgedeckt", "davon online", "Anteil %"],
                "rows": [[c.themenfeld, c.total, c.covered, c.online, c.percent] for c in a.by_themenfeld],
            }
        ],
    }


@hookimpl
def kommpass_register_report_sections() -> list[ReportSection]:
    return [
        ReportSection(
            key="ozg_coverage",
            title="Abdeckung der OZG-Leistungen",
            load=_report_section,
            order=60,
        )
    ]


@hookimpl
def kommpass_register_jobs() -> list[JobDefinition]:
    cron = os.environ.get("KOMMPASS_CATALOG_SYNC_CRON", DEFAULT_CRON) or None
    return [JobDefinition(name="catalog.sync", function=sync_job, cron=cron, timeout=900)]


@hookimpl
def kommpass_register_commands(cli: Any) -> None:
    from plugins.ozg_catalog.cli import catalog

    cli.add_command(catalog)


@hookimpl
async def kommpass_on_startup(sessionmaker: Any, settings: Any) -> None:
    """Load the bundled snapshot when the catalogue is empty (first start)."""
    from core.catalog.service import is_empty
    from core.catalog.sync import sync_catalog

    async with sessionmaker() as session:
        empty = await is_empty(session)
    if empty:
        await sync_catalog(
            sessionmaker, [str(p) for p in SNAPSHOT], triggered_by="Erststart (Katalogstand im Paket)"
        )
