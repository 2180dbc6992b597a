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
from plugins.types import AssistantDocument, DocumentSource
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
            changes={"leika_leistungen": {"added": ["99001001000000"], "changed": [], "removed": ["99001001002000"]},
                     "themenfelder": {"added": ["X"], "changed": [], "removed": []}},
        )
        rows = (await session.execute(select(IndexChange.kind, IndexChange.key)
                                      .where(IndexChange.scope == "catalog"))).all()
        await session.execute(delete(IndexChange).where(IndexChange.scope == "catalog"))
    assert sorted(rows) == [("catalog_leika_leistungen", "99001001000000"),
                            ("catalog_leika_leistungen", "99001001002000")]
