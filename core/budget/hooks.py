"""Hook implementations of the budget area: demo budget plan, ``kommpass budget import|export``."""

from __future__ import annotations

import uuid
from typing import Any

import click
from sqlalchemy.ext.asyncio import AsyncSession

from plugins.hookspecs import hookimpl


async def seed_dorsten_budget(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """The reconstructed Rahmenfinanzplan of the Dorsten strategy, spread over 2023–2026."""
    import decimal

    from sqlalchemy import select

    from core.audit.service import Actor
    from core.budget import service
    from core.strategy import dorsten
    from core.strategy.models import BuildingBlock

    actor = Actor(label="demo")
    blocks = {
        b.code: b.lineage_id
        for b in await session.scalars(select(BuildingBlock).where(BuildingBlock.tenant_id == tenant_id))
    }
    years = dorsten.BUDGET_YEARS
    cent = decimal.Decimal("0.01")
    for position, item in enumerate(dorsten.BUDGET, start=1):
        line = await service.create_line(
            session,
            tenant_id,
            {
                "number": item["number"],
                "title": item["title"],
                "remark": item["remark"],
                "position": position,
                "building_block_key": blocks.get(item["block"]),
            },
            actor=actor,
        )
        money = {**item["one_off"], **item["running"]}
        for index, year in enumerate(years):
            values: dict[str, Any] = {"year": year}
            for key, total in money.items():
                total_d = decimal.Decimal(total)
                share = (total_d / len(years)).quantize(cent)
                values[key] = total_d - share * (len(years) - 1) if index == len(years) - 1 else share
            values.update(item["staff"])
            planned = sum((decimal.Decimal(v) for k, v in values.items() if k in money), decimal.Decimal(0))
            if str(year) in map(str, dorsten.ACTUAL_SHARE):
                factor = decimal.Decimal(dorsten.ACTUAL_SHARE[year])
                one_off = sum((decimal.Decimal(values[k]) for k in item["one_off"]), decimal.Decimal(0))
                values["actual_one_off"] = (one_off * factor).quantize(cent)
                values["actual_running"] = ((planned - one_off) * factor).quantize(cent)
                values["note"] = dorsten.DEMO_NOTE + " (Ist-Ausgaben)"
            if money or item["staff"]:
                await service.set_entry(session, tenant_id, line.id, values, actor=actor)


@hookimpl(trylast=True)
async def kommpass_on_demo_seed(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    # Last: the building blocks (strategy) and measures exist by now.
    await seed_dorsten_budget(session, tenant_id)


@hookimpl
def kommpass_register_commands(cli: click.Group) -> None:
    from core.budget.cli import budget

    cli.add_command(budget)
