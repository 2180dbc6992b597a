"""Value types exchanged through the hooks (see ``plugins.hookspecs``).

Domain-specific protocols live with their domain: catalogue sources in
``core.catalog.sources``, embedding backends and answer generators in
``core.assistant.protocols``, payment providers in ``plugins.epayment.protocol``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from tenants.context import Identity


@dataclass(frozen=True)
class PluginInfo:
    """Describes a plugin. ``name`` is the key used for per-tenant switching."""

    name: str
    label: str
    version: str
    description: str = ""
    #: Whether a tenant that never touched the switch has the plugin on.
    default_enabled: bool = True
    #: Core plugins cannot be switched off per tenant.
    switchable: bool = True


@dataclass(frozen=True)
class NavItem:
    """A main-menu entry. ``plugin`` is filled in by the manager for plugin entries."""

    label: str
    href: str
    order: int = 100
    #: Minimum role to see the entry: "viewer", "editor", "tenant_admin" or "kaaw_admin".
    min_role: str = "viewer"
    plugin: str | None = None
    key: str = ""


@dataclass(frozen=True)
class RenderContext:
    """What a widget or report section gets to build its content."""

    session: AsyncSession
    tenant_id: uuid.UUID
    identity: Identity | None = None
    reporting_date: Any | None = None


@dataclass(frozen=True)
class Widget:
    """A dashboard widget: ``load`` returns the template context, rendered with ``template``."""

    key: str
    title: str
    template: str
    load: Callable[[RenderContext], Awaitable[dict[str, Any]]]
    order: int = 100
    plugin: str | None = None


@dataclass(frozen=True)
class ReportSection:
    """A section of the committee report (HTML via ``template``, PDF and XLSX via ``rows``).

    ``load`` returns ``{"paragraphs": [...], "tables": [{"title", "columns", "rows"}], ...}``;
    the committee report renders the tables the same way in every format.
    """

    key: str
    title: str
    load: Callable[[RenderContext], Awaitable[dict[str, Any]]]
    template: str | None = None
    order: int = 100
    plugin: str | None = None


@dataclass(frozen=True)
class AssistantDocument:
    """A passage for the assistant's index.

    ``key`` is unique within its ``kind`` and tenant; ``tenant_id`` None means shared.
    """

    kind: str
    key: str
    title: str
    text: str
    url: str
    tenant_id: uuid.UUID | None = None
    heading_path: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentSource:
    """Contributes assistant documents for one tenant (or shared ones for ``None``)."""

    kind: str
    documents: Callable[[AsyncSession, uuid.UUID | None], Awaitable[list[AssistantDocument]]]


@dataclass(frozen=True)
class JobDefinition:
    """A job-queue task a plugin contributes; ``cron`` makes it scheduled."""

    name: str
    function: Callable[..., Awaitable[Any]]
    cron: str | None = None
    timeout: int = 600
