"""Hook implementations of the e-payment plugin."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plugins.epayment.sandbox.provider import SandboxProvider
from plugins.hookspecs import hookimpl
from plugins.types import JobDefinition, NavItem, PluginInfo, ReportSection, Widget

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession

HERE = Path(__file__).parent
#: One adapter instance per process (it caches which merchants it registered at the sandbox).
SANDBOX = SandboxProvider()


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="epayment",
        label="E-Payment",
        version="0.1.0",
        description="Bezahlplattform-Anbindung, gebührenpflichtige Dienste, Zahlungen, Abgleich.",
    )


@hookimpl
def kommpass_register_routes() -> list[Any]:
    from plugins.epayment.controllers import routes

    return routes()


@hookimpl
def kommpass_register_navigation() -> list[NavItem]:
    return [NavItem("E-Payment", "/epayment", order=70, key="epayment")]


@hookimpl
def kommpass_register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def kommpass_register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def kommpass_register_payment_providers() -> list[Any]:
    return [SANDBOX]


@hookimpl
def kommpass_register_dashboard_widgets() -> list[Widget]:
    from plugins.epayment.integration import load_widget

    return [
        Widget(
            key="epayment", title="E-Payment", template="epayment/_widget.html", load=load_widget, order=70
        )
    ]


@hookimpl
def kommpass_register_report_sections() -> list[ReportSection]:
    from plugins.epayment.integration import load_report_section

    return [
        ReportSection(
            key="epayment",
            title="E-Payment",
            load=load_report_section,
            order=70,
        )
    ]


@hookimpl
def kommpass_register_jobs() -> list[JobDefinition]:
    from plugins.epayment.integration import expire_payments_job

    return [
        JobDefinition(
            name="epayment.expire_payments", function=expire_payments_job, cron="*/5 * * * *", timeout=300
        )
    ]


@hookimpl
def kommpass_register_commands(cli: click.Group) -> None:
    from plugins.epayment.cli import epayment

    cli.add_command(epayment)


@hookimpl(trylast=True)  # after the core's seeds: the fees need the demo's online services
async def kommpass_on_demo_seed(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    from plugins.epayment.demo import seed

    await seed(session, tenant_id)
