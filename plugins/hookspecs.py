"""Hook specifications of Kommpass (project name ``kommpass``).

Naming follows verb families: ``kommpass_register_*`` returns things to add,
``kommpass_on_*`` reacts to an event. Hooks are always called with keyword arguments.
Every hook is documented in ``docs/plugins.md`` and covered by a test; a test fails when
one is not.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from plugins.types import (
        DocumentSource,
        JobDefinition,
        NavItem,
        PluginInfo,
        ReportSection,
        Widget,
    )

PROJECT = "kommpass"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def kommpass_plugin_info() -> PluginInfo:  # type: ignore[empty-body]
    """Describe the plugin (name, label, version, default on/off per tenant)."""


@hookspec
def kommpass_register_routes() -> list[Any]:  # type: ignore[empty-body]
    """Return Litestar route handlers or controllers; they answer 404 where the plugin is off."""


@hookspec
def kommpass_register_navigation() -> list[NavItem]:  # type: ignore[empty-body]
    """Return main-menu entries; hidden for tenants where the plugin is off."""


@hookspec
def kommpass_register_dashboard_widgets() -> list[Widget]:  # type: ignore[empty-body]
    """Return dashboard widgets; hidden for tenants where the plugin is off."""


@hookspec
def kommpass_register_template_dirs() -> list[Path]:  # type: ignore[empty-body]
    """Return folders with the plugin's Jinja templates (names should start with the plugin name)."""


@hookspec
def kommpass_register_migrations() -> list[Path]:  # type: ignore[empty-body]
    """Return Alembic version folders holding the plugin's migrations (its own branch label)."""


@hookspec
def kommpass_register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the ``kommpass`` command-line tool."""


@hookspec
def kommpass_register_report_sections() -> list[ReportSection]:  # type: ignore[empty-body]
    """Return sections for the committee report (web, PDF, XLSX)."""


@hookspec
def kommpass_register_document_sources() -> list[DocumentSource]:  # type: ignore[empty-body]
    """Return sources of documents for the assistant's index."""


@hookspec
def kommpass_register_catalog_sources() -> list[Any]:  # type: ignore[empty-body]
    """Return catalogue sources (``core.catalog.sources.CatalogSource``) the sync can read."""


@hookspec
def kommpass_register_payment_providers() -> list[Any]:  # type: ignore[empty-body]
    """Return payment providers (``plugins.epayment.protocol.PaymentProvider``)."""


@hookspec
def kommpass_register_embedding_backends() -> list[Any]:  # type: ignore[empty-body]
    """Return embedding backends (``core.assistant.protocols.EmbeddingBackend``) for the assistant."""


@hookspec
def kommpass_register_answer_generators() -> list[Any]:  # type: ignore[empty-body]
    """Return answer generators (``core.assistant.protocols.AnswerGenerator``), e.g. a local LLM."""


@hookspec
def kommpass_register_jobs() -> list[JobDefinition]:  # type: ignore[empty-body]
    """Return job-queue tasks (optionally scheduled by cron)."""


@hookspec
async def kommpass_on_demo_seed(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Add demo content for the demo tenant (runs once, on first start, inside its transaction)."""


@hookspec
async def kommpass_on_startup(sessionmaker: Any, settings: Any) -> None:
    """Run once per ``kommpass serve`` after the migrations (e.g. load the catalogue snapshot if empty)."""


@hookspec
async def kommpass_on_catalog_synced(session: AsyncSession, version: int, changes: dict[str, Any]) -> None:
    """React to a catalogue sync that created ``version`` (inside its transaction; ``changes`` per table)."""
