"""The strategy document (PDF) and the demo content built from the Dorsten strategy."""

from __future__ import annotations

import io
from typing import Any

from litestar.testing import AsyncTestClient
from pypdf import PdfReader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.budget import service as budget
from core.budget.hooks import seed_dorsten_budget
from core.db import tenant_session
from core.strategy import service
from core.strategy.hooks import seed_dorsten_strategy
from tenants.models import Role
from tests.factories import create_tenant, login


async def test_demo_seed_builds_the_dorsten_strategy_and_budget(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await seed_dorsten_strategy(s, tenant.id)
        await seed_dorsten_budget(s, tenant.id)
    async with tenant_session(sessionmaker, tenant.id) as s:
        current = await service.current_strategy(s, tenant.id)
        assert current is not None and current.label == "1.0" and current.status == "beschlossen"
        full = await service.load_full(s, tenant.id, current.id)
        totals = await budget.totals(s, tenant.id)
        lines = await budget.list_lines(s, tenant.id)
        targets = await service.goals_vs_targets(s, tenant.id)
    assert len(full.goals) == 3 and [b.code for b in full.parts["building_blocks"]] == [
        "LBS-001",
        "LBS-002",
        "LBS-003",
        "LBS-004",
    ]
    lbs1 = full.parts["building_blocks"][0]
    assert lbs1.responsible == "Stabsstelle Digitalisierung" and len(lbs1.benefits) == 5
    assert [r.number for r in full.parts["recommendations"]] == list(range(1, 10))
    assert {m.area for m in full.parts["maturity"]} == {
        "strategie",
        "prozesse",
        "architektur",
        "veraenderung",
    }
    assert {i.category for i in full.parts["swot"]} == {"S", "W", "O", "T"}
    assert {c.state for c in full.parts["architecture"]} == {"vorhanden", "ausbaufaehig", "nicht_vorhanden"}
    ozg = next(t for t in targets if "OZG-Reifegrad 3" in t.indicator)
    assert ozg.target == 20 and ozg.latest is not None
    assert (totals.overall["one_off"], totals.overall["running"]) == (588000, 650671)
    assert totals.overall["staff_gap"] == 2
    assert lines[0].line.building_block_key == lbs1.lineage_id
    async with tenant_session(sessionmaker, tenant.id) as s:
        links = await service.building_block_links(s, tenant.id)
    assert links[lbs1.lineage_id].budget_lines == 4 and links[lbs1.lineage_id].planned == 366000 + 485271


async def test_strategy_pdf_has_the_structure_of_the_document(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Dorsten")
    async with tenant_session(sessionmaker, tenant.id) as s:
        strategy_id = await seed_dorsten_strategy(s, tenant.id)
        await seed_dorsten_budget(s, tenant.id)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    response = await client.get(f"/strategie/{strategy_id}/dokument.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert 'filename="digitalisierungsstrategie-1.0.pdf"' in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for expected in (
        "DIGITALISIERUNGSSTRATEGIE 1.0",
        "Stadt Dorsten",
        "Inhalt",
        "3.5 Kernziele",
        "4 Lösungsbausteine",
        "Ausweitung der flächendeckenden elektronischen Aktenführung",
        "Anspruchsgruppe",
        "Akzeptanzkriterien",
        "Verantwortlich",
        "Empfehlung 9",
        "6.1 Operative Maßnahmenplanung",
        "6.2 Rahmenfinanzplan",
        "588.000 €",
        "650.671 €",
        "ambitionierte, digitale Praktikerin",
    ):
        assert expected in flat, expected
    assert len(reader.pages) >= 6
    editor = (await client.get("/strategie")).text
    assert "Rahmenfinanzplan: 4 Position(en), geplant 851.271 €" in editor
