"""Answers over the real catalogue index: retrieval quality, structured answers, refusal."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.assistant.cli import rank_of
from core.assistant.engine import Engine
from core.assistant.service import AssistantService
from core.db import tenant_session
from tests.factories import create_tenant


async def test_dev_questions_meet_the_quality_bar(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine, shared_dir: Path
) -> None:
    tenant = await create_tenant(sessionmaker)
    with (shared_dir / "eval" / "assistant-dev.tsv").open(encoding="utf-8") as fh:
        rows = [(r["query"], set(r["ozg_ids"].split(","))) for r in csv.DictReader(fh, delimiter="\t")]
    ranks = []
    async with tenant_session(sessionmaker, tenant.id) as session:
        service = AssistantService(session, tenant.id, engine=assistant_engine)
        for question, ids in rows:
            answer = await service.ask(question)
            assert len(answer.sources) >= 10
            assert [s["rank"] for s in answer.sources] == list(range(1, len(answer.sources) + 1))
            ranks.append(rank_of(answer.sources, ids))
    hit = sum(r is not None for r in ranks) / len(ranks)
    mrr = sum(1 / r for r in ranks if r) / len(ranks)
    assert hit >= 0.9 and mrr >= 0.75, (hit, mrr, ranks)


async def test_answer_cites_numbered_sources_with_links(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as session:
        answer = await AssistantService(session, tenant.id, engine=assistant_engine).ask(
            "Wo melde ich einen Hund an?"
        )
    assert answer.confident and "[1]" in answer.text
    assert answer.sources[0]["url"].startswith("/katalog/")
    assert any("Hund" in s["title"] for s in answer.sources[:3])


async def test_says_so_when_nothing_fits(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as session:
        answer = await AssistantService(session, tenant.id, engine=assistant_engine).ask(
            "Wie backe ich einen Marmorkuchen mit Schokoladenglasur?"
        )
    assert not answer.confident
    assert "nichts gefunden" in answer.text


async def test_engagement_und_hobby_structured_answer(
    sessionmaker: async_sessionmaker[AsyncSession], assistant_engine: Engine
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as session:
        answer = await AssistantService(session, tenant.id, engine=assistant_engine).ask(
            "Welche LeiKa-Leistungen im Themenfeld Engagement & Hobby betreffen uns?"
        )
    assert answer.structured is not None and answer.structured.themenfeld == "Engagement & Hobby"
    catalog = assistant_engine.get("catalog")
    assert catalog is not None
    expected = {
        p.key
        for p in catalog.passages.values()
        if p.kind == "leika" and p.meta.get("themenfeld") == "Engagement & Hobby" and p.meta.get("municipal")
    }
    assert {s["id"] for s in answer.sources} == expected
    assert all(s["kind"] == "leika" and s["url"] == f"/katalog/leika/{s['id']}" for s in answer.sources)
    assert f"{len(expected)} LeiKa-Leistungen" in answer.text
