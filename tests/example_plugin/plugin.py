"""Example plugin "beispiel": implements every Kommpass hook once.

A real plugin is a module like this one, registered in its package's ``pyproject.toml``:

    [project.entry-points.kommpass]
    beispiel = "beispiel_plugin.plugin"
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import click
from litestar import Request, get

from plugins.hookspecs import hookimpl
from plugins.types import (
    AssistantDocument,
    DocumentSource,
    JobDefinition,
    NavItem,
    PluginInfo,
    RenderContext,
    ReportSection,
    Widget,
)
from web.auth import requires_viewer
from web.rendering import page

HERE = Path(__file__).parent
#: Filled by hooks so tests can see they ran.
EVENTS: list[tuple[str, Any]] = []


@hookimpl
def kommpass_plugin_info() -> PluginInfo:
    return PluginInfo(
        name="beispiel",
        label="Beispiel-Plugin",
        version="1.2.3",
        description="Zeigt, wie ein Plugin aussieht.",
        default_enabled=True,
    )


@get("/beispiel", guards=[requires_viewer], name="beispiel.index")
async def beispiel_page(request: Request[Any, Any, Any]) -> Any:
    return page(request, "beispiel/index.html", {"message": "Hallo aus dem Beispiel-Plugin"})


@get("/api/v1/beispiel", guards=[requires_viewer], name="beispiel.api")
async def beispiel_api() -> dict[str, str]:
    return {"plugin": "beispiel"}


@hookimpl
def kommpass_register_routes() -> list[Any]:
    return [beispiel_page, beispiel_api]


@hookimpl
def kommpass_register_navigation() -> list[NavItem]:
    return [NavItem("Beispielseite", "/beispiel", order=99, key="beispiel")]


async def _widget(ctx: RenderContext) -> dict[str, Any]:
    return {"text": f"Beispiel-Widget für {ctx.tenant_id}"}


@hookimpl
def kommpass_register_dashboard_widgets() -> list[Widget]:
    return [Widget(key="beispiel", title="Beispiel-Widget", template="beispiel/_widget.html", load=_widget)]


@hookimpl
def kommpass_register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def kommpass_register_migrations() -> list[Path]:
    # A plugin with tables returns its Alembic folder (own branch label). The example has none.
    return []


@click.command("beispiel", help="Gibt einen Gruß aus.")
@click.option("--json", "as_json", is_flag=True)
def beispiel_command(as_json: bool) -> None:
    click.echo('{"gruss": "Hallo"}' if as_json else "Hallo")


@hookimpl
def kommpass_register_commands(cli: click.Group) -> None:
    cli.add_command(beispiel_command)


async def _section(ctx: RenderContext) -> dict[str, Any]:
    return {"paragraphs": ["Beispielabschnitt"], "tables": [{"title": "T", "columns": ["a"], "rows": [[1]]}]}


@hookimpl
def kommpass_register_report_sections() -> list[ReportSection]:
    return [ReportSection(key="beispiel", title="Beispielabschnitt", load=_section)]


async def _documents(session: Any, tenant_id: uuid.UUID | None) -> list[AssistantDocument]:
    return [
        AssistantDocument(
            kind="beispiel",
            key="1",
            title="Beispiel",
            text="Ein Beispieltext.",
            url="/beispiel",
            tenant_id=tenant_id,
        )
    ]


@hookimpl
def kommpass_register_document_sources() -> list[DocumentSource]:
    return [DocumentSource(kind="beispiel", documents=_documents)]


class ExampleCatalogSource:
    """A catalogue source from code: one OZG-Leistung with one LeiKa service."""

    name = "plugin:beispiel"

    async def load(self, state: Any) -> list[Any]:
        from core.catalog.sources import LeikaRow, OzgRow, SourceData

        return [
            SourceData(
                kind="ozg",
                source=self.name,
                rows=[
                    OzgRow(
                        line=1,
                        ozg_id="99999",
                        name="Beispielleistung",
                        themenfeld="Beispiele",
                        lebenslage="Beispielleben",
                    )
                ],
            ),
            SourceData(
                kind="leika",
                source=self.name,
                fields=frozenset({"name", "leika_type", "ozg_id", "extra"}),
                rows=[
                    LeikaRow(
                        line=1,
                        leika_key="99999999999000",
                        name="Beispiel beantragen",
                        leika_type="5",
                        ozg_id="99999",
                    )
                ],
            ),
        ]


@hookimpl
def kommpass_register_catalog_sources() -> list[Any]:
    return [ExampleCatalogSource()]


class ExamplePaymentProvider:
    key = "beispiel"
    label = "Beispiel-Bezahldienst"


@hookimpl
def kommpass_register_payment_providers() -> list[Any]:
    return [ExamplePaymentProvider()]


class ExampleEmbeddingBackend:
    name = "beispiel"
    dimension = 3

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[float(len(t)), 0.0, 1.0] for t in texts]


@hookimpl
def kommpass_register_embedding_backends() -> list[Any]:
    return [ExampleEmbeddingBackend()]


class ExampleAnswerGenerator:
    name = "beispiel"

    def generate(self, question: str, passages: list[str]) -> str:
        return f"Antwort auf: {question}"


@hookimpl
def kommpass_register_answer_generators() -> list[Any]:
    return [ExampleAnswerGenerator()]


async def count_job(ctx: Any = None, value: int = 1) -> int:
    EVENTS.append(("job", value))
    return value * 2


@hookimpl
def kommpass_register_jobs() -> list[JobDefinition]:
    return [JobDefinition(name="beispiel.verdoppeln", function=count_job, cron="0 4 * * *", timeout=30)]


@hookimpl
async def kommpass_on_demo_seed(session: Any, tenant_id: uuid.UUID) -> None:
    EVENTS.append(("demo_seed", tenant_id))


@hookimpl
async def kommpass_on_startup(sessionmaker: Any, settings: Any) -> None:
    EVENTS.append(("startup", settings))


@hookimpl
async def kommpass_on_catalog_synced(session: Any, version: int, changes: dict[str, Any]) -> None:
    EVENTS.append(("catalog_synced", (version, changes["leika_leistungen"])))
