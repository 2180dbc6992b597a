"""Hook implementations of the DMS rollout plugin (entry point ``kommpass`` → ``plugins.dms.plugin``)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plugins.hookspecs import hookimpl
from plugins.types import DocumentSource, NavItem, PluginInfo, ReportSection, Widget

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession

HERE = Path(__file__).parent


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="dms",
        label="DMS-Einführung",
        version="0.1.0",
        description="E-Akten je Organisationseinheit, Workflows, digitaler Anteil, Kosten.",
    )


@hookimpl
def kommpass_register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def kommpass_register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def kommpass_register_routes() -> list[Any]:
    from plugins.dms.api import ROUTES as API_ROUTES
    from plugins.dms.pages import ROUTES as PAGE_ROUTES

    return [*PAGE_ROUTES, *API_ROUTES]


@hookimpl
def kommpass_register_navigation() -> list[NavItem]:
    return [NavItem("DMS-Einführung", "/dms", order=55, key="dms")]


@hookimpl
def kommpass_register_dashboard_widgets() -> list[Widget]:
    from plugins.dms.summary import load_widget

    return [
        Widget(key="dms", title="DMS-Einführung", template="dms/_widget.html", load=load_widget, order=60)
    ]


@hookimpl
def kommpass_register_report_sections() -> list[ReportSection]:
    from plugins.dms.summary import REPORT_TITLE, load_report_section

    return [
        ReportSection(
            key="dms",
            title=REPORT_TITLE,
            load=load_report_section,
            template="dms/_report_section.html",
            order=60,
        )
    ]


@hookimpl
def kommpass_register_document_sources() -> list[DocumentSource]:
    from plugins.dms.summary import assistant_documents

    return [DocumentSource(kind="dms", documents=assistant_documents)]


@hookimpl
def kommpass_register_commands(cli: click.Group) -> None:
    from plugins.dms.cli import dms

    cli.add_command(dms)


@hookimpl(trylast=True)  # after the core's demo content: reuses its org units and measures
async def kommpass_on_demo_seed(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    from plugins.dms.demo import seed_demo

    await seed_demo(session, tenant_id)
