"""Hook implementations of the DMS rollout plugin."""

from __future__ import annotations

from pathlib import Path

from plugins.hookspecs import hookimpl
from plugins.types import PluginInfo, ReportSection

HERE = Path(__file__).parent


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(name="dms", label="DMS-Einführung", version="0.1.0",
                      description="E-Akten je Organisationseinheit, Workflows, digitaler Anteil, Kosten.")


@hookimpl
def kommpass_register_migrations() -> list[Path]:
    return [HERE / "migrations"]


@hookimpl
def kommpass_register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def kommpass_register_report_sections() -> list[ReportSection]:
    from plugins.dms.summary import REPORT_TITLE, load_report_section

    return [ReportSection(key="dms", title=REPORT_TITLE, load=load_report_section,
                          template="dms/_report_section.html", order=60)]
