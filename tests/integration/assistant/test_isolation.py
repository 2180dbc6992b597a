"""Tenant isolation of the assistant and the reversible publication to the KAAW network."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.assistant.engine import Engine
from core.assistant.service import AssistantService
from core.db import tenant_session
from core.measures.models import Measure
from tests.factories import create_tenant

PRIVATE_MEASURE = "Zebrastreifen-Sensorik mit Quantenfunk im Stadtpark Nordwest"
PRIVATE_STRATEGY = (
    "# Strategie Zukunft\n\n## Vertrauliche Planung\n\n"
    "Wir planen die Einführung einer Drohnenstaffel für die Kanalinspektion im Jahr 2027 "
    "mit einem Budget von 4,2 Millionen Euro.\n"
)


async def _ask(
    sessionmaker: async_sessionmaker[AsyncSession], engine: Engine, tenant_id: uuid.UUID, question: str
) -> list[dict]:
    async with tenant_session(sessionmaker, tenant_id) as session:
        answer = await AssistantService(session, tenant_id, engine=engine).ask(question, limit=20)
    return answer.sources


def _texts(engine: Engine, sources: list[dict]) -> str:
    return " ".join(s["title"] for s in sources)


async def test_unpublished_content_of_one_tenant_never_reaches_another(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    a = await create_tenant(sessionmaker)
    b = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, b.id) as session:
        session.add(
            Measure(
                tenant_id=b.id,
                id=uuid.uuid4(),
                number="MP 900",
                title=PRIVATE_MEASURE,
                description="Pilotprojekt Quantenfunk",
            )
        )
        await AssistantService(session, b.id, engine=assistant_engine).import_document(
            title="Strategie Zukunft", data=PRIVATE_STRATEGY.encode(), filename="zukunft.md"
        )

    # B finds its own content (the change outbox brings it into B's index before answering) …
    own = await _ask(sessionmaker, assistant_engine, b.id, "Quantenfunk Zebrastreifen Sensorik")
    assert any(s["kind"] == "measure" and "Quantenfunk" in s["title"] for s in own)
    own = await _ask(sessionmaker, assistant_engine, b.id, "Drohnenstaffel Kanalinspektion")
    assert any(s["kind"] == "document" for s in own)

    # … A never does, whatever it asks.
    for question in (
        "Quantenfunk Zebrastreifen Sensorik",
        "Drohnenstaffel Kanalinspektion 2027",
        "Vertrauliche Planung Strategie Zukunft",
        "MP 900",
    ):
        sources = await _ask(sessionmaker, assistant_engine, a.id, question)
        assert all(s["kind"] not in ("measure", "document", "strategy") for s in sources), sources
        assert "Quantenfunk" not in _texts(assistant_engine, sources)
        assert "Drohnen" not in _texts(assistant_engine, sources)


async def test_publishing_shares_a_copy_and_withdrawing_removes_it_at_once(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    a = await create_tenant(sessionmaker)
    b = await create_tenant(sessionmaker, name="Stadt Beispielhausen")
    async with tenant_session(sessionmaker, b.id) as session:
        service = AssistantService(session, b.id, engine=assistant_engine)
        doc = await service.import_document(
            title="Strategie Zukunft",
            data=PRIVATE_STRATEGY.encode(),
            filename="zukunft.md",
            version_label="1.0",
        )
        pub = await service.publish("document", doc.id)
    question = "Drohnenstaffel für die Kanalinspektion"
    sources = await _ask(sessionmaker, assistant_engine, a.id, question)
    shared = [s for s in sources if s["kind"] == "network"]
    assert shared and "Stadt Beispielhausen" in shared[0]["title"]
    assert shared[0]["url"].startswith(f"/assistent/netzwerk/{pub.id}")

    async with tenant_session(sessionmaker, b.id) as session:
        await AssistantService(session, b.id, engine=assistant_engine).withdraw(pub.id)
    sources = await _ask(sessionmaker, assistant_engine, a.id, question)
    assert not [s for s in sources if s["kind"] == "network" and str(pub.id) in s["url"]]
    # and the passages have left the network index itself, not only the answers
    network = assistant_engine.get("network")
    assert network is None or not [
        p for p in network.passages.values() if p.meta.get("network_document_id") == str(pub.id)
    ]


async def test_withdrawing_another_tenants_publication_is_not_found(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    import pytest

    from core.errors import NotFound

    a = await create_tenant(sessionmaker)
    b = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, b.id) as session:
        service = AssistantService(session, b.id, engine=assistant_engine)
        doc = await service.import_document(title="S", data=PRIVATE_STRATEGY.encode(), filename="s.md")
        pub = await service.publish("document", doc.id)
    async with tenant_session(sessionmaker, a.id) as session:
        with pytest.raises(NotFound):
            await AssistantService(session, a.id, engine=assistant_engine).withdraw(pub.id)
        with pytest.raises(NotFound):
            await AssistantService(session, a.id, engine=assistant_engine).document(doc.id)
