"""The assistant's hooks: document sources, embedding backends, answer generators."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.assistant.demo import seed_demo_tenant
from core.assistant.documents import Hit
from core.assistant.embeddings import available_backends
from core.assistant.engine import Engine
from core.assistant.protocols import AnswerGenerator, EmbeddingBackend, GeneratedAnswer
from core.assistant.service import AssistantService, answer_generators
from core.db import tenant_session
from plugins.hookspecs import hookimpl
from plugins.manager import get_plugin_manager
from plugins.settings import set_plugin_enabled
from plugins.types import AssistantDocument, DocumentSource, PluginInfo
from tests.factories import create_tenant


class DmsDocuments:
    """A plugin contributing one document per tenant and a generator that passes."""

    def __init__(self) -> None:
        self.calls: list[uuid.UUID | None] = []

    @hookimpl
    def kommpass_register_document_sources(self) -> list[DocumentSource]:
        async def documents(session: AsyncSession, tenant_id: uuid.UUID | None) -> list[AssistantDocument]:
            self.calls.append(tenant_id)
            return [
                AssistantDocument(
                    kind="dms_rollout",
                    key="plan",
                    title="E-Akte-Einführungsplan",
                    text="Die E-Akte wird im Bürgerbüro im Frühjahr 2027 eingeführt.",
                    url="/dms",
                    tenant_id=tenant_id,
                    heading_path=("DMS", "Plan"),
                )
            ]

        return [DocumentSource(kind="dms_rollout", documents=documents)]

    @hookimpl
    def kommpass_register_answer_generators(self) -> list[AnswerGenerator]:
        class Passing:
            name = "passing"

            def generate(self, question: str, hits: Sequence[Hit]) -> GeneratedAnswer | None:
                return None

        return [Passing()]


async def test_plugin_documents_are_indexed_per_tenant(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    plugin = DmsDocuments()
    pm = get_plugin_manager()
    pm.register(plugin, name="test-dms-documents")
    try:
        tenant = await create_tenant(sessionmaker)
        async with tenant_session(sessionmaker, tenant.id) as session:
            answer = await AssistantService(session, tenant.id, engine=assistant_engine).ask(
                "Wann kommt die E-Akte ins Bürgerbüro?"
            )
        assert tenant.id in plugin.calls
        assert answer.sources[0]["kind"] == "dms_rollout" and answer.sources[0]["url"] == "/dms"
        assert "[1]" in answer.text  # the passing generator left the answer to the built-in one
        assert [g.name for g in answer_generators()][-1] == "extraktiv"
    finally:
        pm.unregister(name="test-dms-documents")


class SwitchableArchive:
    """A switchable plugin (it declares ``PluginInfo``) contributing one document per tenant."""

    @hookimpl
    def kommpass_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="test-archiv", label="Test-Archiv", version="1.0", default_enabled=True)

    @hookimpl
    def kommpass_register_document_sources(self) -> list[DocumentSource]:
        async def documents(session: AsyncSession, tenant_id: uuid.UUID | None) -> list[AssistantDocument]:
            return [
                AssistantDocument(
                    kind="archiv_plan",
                    key="keller",
                    title="Digitalisierung des Kellerarchivs",
                    text="Das Papierarchiv im Rathauskeller wird bis Ende 2028 vollständig digitalisiert.",
                    url="/archiv",
                    tenant_id=tenant_id,
                )
            ]

        return [DocumentSource(kind="archiv_plan", documents=documents)]


async def test_plugin_documents_follow_the_tenants_plugin_switch(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    """A tenant that switched a plugin off gets none of its documents as sources: they are
    left out of the tenant's index, and dropped from answers at once, before the index has
    caught up with the switch."""
    from sqlalchemy import delete, func, select

    from core.assistant.models import IndexChange

    question = "Wann wird das Papierarchiv im Rathauskeller digitalisiert?"
    pm = get_plugin_manager()
    pm.register(SwitchableArchive(), name="test-archiv-documents")

    async def kinds(tenant_id: uuid.UUID) -> list[str]:
        async with tenant_session(sessionmaker, tenant_id) as session:
            answer = await AssistantService(session, tenant_id, engine=assistant_engine).ask(question)
        return [s["kind"] for s in answer.sources]

    def indexed(tenant_id: uuid.UUID) -> bool:
        index = assistant_engine.get(f"tenant:{tenant_id}")
        assert index is not None
        return any(p.meta.get("plugin") == "test-archiv" for p in index.passages.values())

    try:
        on = await create_tenant(sessionmaker)
        off = await create_tenant(sessionmaker)
        async with tenant_session(sessionmaker, off.id) as session:
            await set_plugin_enabled(session, off.id, "test-archiv", False)
        assert (await kinds(on.id))[0] == "archiv_plan" and indexed(on.id)
        assert "archiv_plan" not in await kinds(off.id) and not indexed(off.id)

        # Switched off later: the switch is recorded for the index …
        async with tenant_session(sessionmaker, on.id) as session:
            await set_plugin_enabled(session, on.id, "test-archiv", False)
            scope = f"tenant:{on.id}"
            assert await session.scalar(
                select(func.count()).select_from(IndexChange).where(IndexChange.scope == scope)
            )
            # … but even before the index is refreshed, answers leave the documents out.
            await session.execute(delete(IndexChange).where(IndexChange.scope == scope))
        assert indexed(on.id)
        assert "archiv_plan" not in await kinds(on.id)

        # Switched on again: the next question brings the index up to date.
        async with tenant_session(sessionmaker, off.id) as session:
            await set_plugin_enabled(session, off.id, "test-archiv", True)
        assert (await kinds(off.id))[0] == "archiv_plan" and indexed(off.id)
    finally:
        pm.unregister(name="test-archiv-documents")


def test_builtin_embedding_backends_are_registered() -> None:
    backends = available_backends()
    assert {"e5-small", "minilm"} <= set(backends)
    assert all(isinstance(b, EmbeddingBackend) for b in backends.values())
    vector = backends["e5-small"].embed_queries(["Hundesteuer"])
    assert vector.shape == (1, 384)


async def test_demo_content_publishes_the_seed_strategies(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    from sqlalchemy import func, select

    from core.assistant.models import NetworkDocument, NetworkSection, StrategyDocument
    from core.db import bind_context

    demo = await create_tenant(sessionmaker, name="Stadt Dorsten (Demo)")
    # Rolled back at the end: embedding the whole sample network is the job's work, not the tests'.
    async with sessionmaker() as session:
        bind_context(session, tenant_id=demo.id)
        async with session.begin() as transaction:
            await seed_demo_tenant(session, demo.id)
            docs = (await session.scalars(select(NetworkDocument))).all()
            own = [d for d in docs if d.publisher_tenant_id == demo.id]
            assert len(own) == 1 and own[0].version_label == "1.0"
            assert {d.publisher_name for d in docs if d.publisher_tenant_id is None} >= {
                "Stadt Rheine (Beispiel)",
                "Stadt Minden (Beispiel)",
            }
            sections = await session.scalar(
                select(func.count())
                .select_from(NetworkSection)
                .where(NetworkSection.document_id == own[0].id)
            )
            assert sections and sections > 30
            assert await session.scalar(select(func.count()).select_from(StrategyDocument)) == 1
            await transaction.rollback()


async def test_catalog_sync_records_changed_keys_for_the_catalogue_index(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """The catalogue sync's bulk writes reach the assistant's outbox through the hook."""
    from sqlalchemy import delete, select

    from core.assistant.hooks import kommpass_on_catalog_synced
    from core.assistant.models import IndexChange
    from core.db import platform_session

    async with platform_session(sessionmaker) as session:
        await session.execute(delete(IndexChange).where(IndexChange.scope == "catalog"))
        await kommpass_on_catalog_synced(
            session=session, version=7,
            changes={
                "leika_leistungen": {
                    "added": ["99001001000000"],
                    "changed": [],
                    "removed": ["99001001002000"],
                },
                "themenfelder": {"added": ["X"], "changed": [], "removed": []},
            },
        )
        rows = (await session.execute(select(IndexChange.kind, IndexChange.key)
                                      .where(IndexChange.scope == "catalog"))).all()
        await session.execute(delete(IndexChange).where(IndexChange.scope == "catalog"))
    assert sorted(rows) == [("catalog_leika_leistungen", "99001001000000"),
                            ("catalog_leika_leistungen", "99001001002000")]
