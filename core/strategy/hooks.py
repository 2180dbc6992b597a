"""Hook implementations of the strategy area: demo content (the Dorsten strategy 1.0)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from plugins.hookspecs import hookimpl


async def seed_dorsten_strategy(session: AsyncSession, tenant_id: uuid.UUID) -> uuid.UUID:
    """Create the Dorsten strategy 1.0 (adopted) for ``tenant_id``; returns its id."""
    from core.audit.service import Actor
    from core.strategy import dorsten, service
    from core.strategy.kinds import KINDS

    actor = Actor(label="demo")
    strategy = await service.create_strategy(session, tenant_id, dorsten.STRATEGY, actor=actor)
    for goal_data in dorsten.GOALS:
        goal = await service.add_item(
            session,
            tenant_id,
            strategy.id,
            KINDS["goals"],
            {k: v for k, v in goal_data.items() if k != "indicators"},
            actor=actor,
        )
        for ind_data in goal_data["indicators"]:
            ind = await service.add_item(
                session,
                tenant_id,
                strategy.id,
                KINDS["indicators"],
                {k: v for k, v in ind_data.items() if k != "values"},
                parent_id=goal.id,
                actor=actor,
            )
            for measured_on, value in ind_data["values"]:
                await service.add_item(
                    session,
                    tenant_id,
                    strategy.id,
                    KINDS["values"],
                    {"measured_on": measured_on, "value": value, "note": dorsten.DEMO_NOTE},
                    parent_id=ind.id,
                    actor=actor,
                )
    for key, rows in (
        ("building_blocks", dorsten.BUILDING_BLOCKS),
        ("recommendations", dorsten.RECOMMENDATIONS),
        ("maturity", dorsten.MATURITY),
        ("architecture", dorsten.ARCHITECTURE),
    ):
        for data in rows:
            await service.add_item(session, tenant_id, strategy.id, KINDS[key], data, actor=actor)
    for category, text in dorsten.SWOT:
        await service.add_item(
            session, tenant_id, strategy.id, KINDS["swot"], {"category": category, "text": text}, actor=actor
        )
    await service.adopt(
        session,
        tenant_id,
        strategy.id,
        adopted_on=dt.date.fromisoformat(dorsten.ADOPTED_ON),
        expected_version=strategy.version,
        actor=actor,
    )
    return strategy.id


@hookimpl(tryfirst=True)
async def kommpass_on_demo_seed(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    # First, so that other areas (measures) can link to the building blocks' lineage ids.
    await seed_dorsten_strategy(session, tenant_id)
