"""Strategy service against PostgreSQL: versions, copy, diff, conflicts, audit, tenancy."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.models import AuditEvent
from core.db import tenant_session
from core.errors import Conflict, NotFound, ValidationFailed
from core.strategy import service
from core.strategy.diff import diff_strategies
from core.strategy.kinds import BUILDING_BLOCKS, GOALS, INDICATORS, VALUES
from tests.factories import create_tenant


async def _strategy_with_goal(sm: async_sessionmaker[AsyncSession], tenant_id):  # type: ignore[no-untyped-def]
    async with tenant_session(sm, tenant_id) as s:
        strategy = await service.create_strategy(
            s, tenant_id, {"title": "Digitalisierungsstrategie", "label": "1.0"}
        )
        goal = await service.add_item(s, tenant_id, strategy.id, GOALS, {"title": "Digitale Angebote"})
        ind = await service.add_item(
            s,
            tenant_id,
            strategy.id,
            INDICATORS,
            {
                "name": "Online-Dienste mit OZG-Reifegrad 3",
                "unit": "Dienste",
                "target_value": "20",
                "baseline_value": "0",
                "due_date": "31.12.2026",
            },
            parent_id=goal.id,
        )
        await service.add_item(
            s, tenant_id, strategy.id, VALUES, {"measured_on": "2024-12-31", "value": "5"}, parent_id=ind.id
        )
        block = await service.add_item(
            s,
            tenant_id,
            strategy.id,
            BUILDING_BLOCKS,
            {"code": "LBS-001", "title": "E-Akte", "risks": "Ressourcen\nRecht"},
        )
        return strategy, goal, ind, block


async def test_new_version_is_deep_copy_with_lineage_and_diff(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    strategy, goal, _ind, block = await _strategy_with_goal(sessionmaker, tenant.id)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await service.adopt(s, tenant.id, strategy.id, adopted_on=dt.date(2023, 6, 1), expected_version=1)
        copy = await service.new_version(s, tenant.id, strategy.id)
        assert copy.label == "2.0" and copy.status == "entwurf"
        full = await service.load_full(s, tenant.id, copy.id)
        assert [g.goal.lineage_id for g in full.goals] == [goal.lineage_id]
        assert full.goals[0].goal.id != goal.id
        assert full.goals[0].indicators[0].values[0].value == decimal.Decimal("5.00")
        assert full.parts["building_blocks"][0].lineage_id == block.lineage_id
        assert full.parts["building_blocks"][0].risks == ["Ressourcen", "Recht"]
        new_block = full.parts["building_blocks"][0]
        await service.update_item(
            s,
            tenant.id,
            copy.id,
            BUILDING_BLOCKS,
            new_block.id,
            {"title": "E-Akte flächendeckend"},
            expected_version=new_block.version,
        )
        await service.add_item(s, tenant.id, copy.id, GOALS, {"title": "Moderne Arbeitgeberin"})
        await service.delete_item(
            s, tenant.id, copy.id, INDICATORS, full.goals[0].indicators[0].indicator.id, expected_version=1
        )
        old_full = await service.load_full(s, tenant.id, strategy.id)
        new_full = await service.load_full(s, tenant.id, copy.id)
    d = diff_strategies(old_full, new_full)
    sections = {sec.key: sec for sec in d.sections}
    assert sections["goals"].added == ["Moderne Arbeitgeberin"]
    assert sections["indicators"].removed == ["Digitale Angebote – Online-Dienste mit OZG-Reifegrad 3"]
    change = sections["building_blocks"].changed[0]
    assert change.changes[0].label == "Titel"
    assert (change.changes[0].old, change.changes[0].new) == ("E-Akte", "E-Akte flächendeckend")


async def test_adopting_a_new_version_makes_the_old_read_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    strategy, goal, *_ = await _strategy_with_goal(sessionmaker, tenant.id)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await service.adopt(s, tenant.id, strategy.id, adopted_on=None, expected_version=1)
        copy = await service.new_version(s, tenant.id, strategy.id, label="2.0")
        with pytest.raises(Conflict):
            await service.new_version(s, tenant.id, strategy.id, label="3.0")
        await service.adopt(s, tenant.id, copy.id, adopted_on=None, expected_version=copy.version)
        old = await service.get_strategy(s, tenant.id, strategy.id)
        assert old.status == "abgeloest"
        assert (await service.current_strategy(s, tenant.id)).id == copy.id  # type: ignore[union-attr]
        with pytest.raises(Conflict):
            await service.update_item(
                s, tenant.id, strategy.id, GOALS, goal.id, {"title": "x"}, expected_version=goal.version
            )
        with pytest.raises(Conflict):
            await service.add_item(s, tenant.id, strategy.id, GOALS, {"title": "x"})


async def test_stale_version_conflicts_with_current_state_and_edits_are_audited(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    strategy, goal, *_ = await _strategy_with_goal(sessionmaker, tenant.id)
    async with tenant_session(sessionmaker, tenant.id) as s:
        await service.update_item(
            s, tenant.id, strategy.id, GOALS, goal.id, {"title": "Neu"}, expected_version=1
        )
    async with tenant_session(sessionmaker, tenant.id) as s:
        with pytest.raises(Conflict) as exc:
            await service.update_item(
                s, tenant.id, strategy.id, GOALS, goal.id, {"title": "Alt"}, expected_version=1
            )
        assert exc.value.current["title"] == "Neu"
        assert exc.value.current["version"] == 2
        events = list(
            await s.scalars(
                select(AuditEvent).where(
                    AuditEvent.tenant_id == tenant.id, AuditEvent.entity_id == str(goal.id)
                )
            )
        )
    actions = sorted(e.action for e in events)
    assert actions == ["strategy.goals.create", "strategy.goals.update"]
    update = next(e for e in events if e.action.endswith("update"))
    assert update.changes == {"title": ["Digitale Angebote", "Neu"]}


async def test_validation_names_fields(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    tenant = await create_tenant(sessionmaker)
    strategy, goal, *_ = await _strategy_with_goal(sessionmaker, tenant.id)
    async with tenant_session(sessionmaker, tenant.id) as s:
        with pytest.raises(ValidationFailed) as exc:
            await service.add_item(
                s,
                tenant.id,
                strategy.id,
                INDICATORS,
                {"name": "", "target_value": "viele", "due_date": "morgen"},
                parent_id=goal.id,
            )
    assert set(exc.value.as_dict()) == {"name", "target_value", "due_date"}


async def test_other_tenants_ids_are_not_found(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    a, b = await create_tenant(sessionmaker), await create_tenant(sessionmaker)
    strategy, goal, *_ = await _strategy_with_goal(sessionmaker, a.id)
    async with tenant_session(sessionmaker, b.id) as s:
        with pytest.raises(NotFound):
            await service.load_full(s, b.id, strategy.id)
        with pytest.raises(NotFound):
            await service.update_item(
                s, b.id, strategy.id, GOALS, goal.id, {"title": "x"}, expected_version=1
            )
        assert await service.goals_vs_targets(s, b.id) == []
    async with tenant_session(sessionmaker, a.id) as s:
        targets = await service.goals_vs_targets(s, a.id)
    assert targets[0].target == decimal.Decimal("20.00") and targets[0].attainment == pytest.approx(0.25)
