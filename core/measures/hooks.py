"""Hook implementations of the measures area: CLI commands and demo content."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import click
from sqlalchemy.ext.asyncio import AsyncSession

from core.tenancy import owned_by
from plugins.hookspecs import hookimpl

DATA = Path(__file__).parent / "data"
#: Demo links from the example measures to the Dorsten building blocks (by code).
DEMO_BLOCKS = {
    "MP 011": "LBS-002",
    "MP 020": "LBS-004",
    "MP 029": "LBS-002",
    "MP 078": "LBS-001",
    "MP 093": "LBS-002",
    "MP 097": "LBS-004",
    "MP 184": "LBS-002",
    "MP 240": "LBS-004",
}


async def seed_demo(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """The two example spreadsheets (a public committee report's annexes), the rounds up to
    30.09.2023 closed and the next round (31.03.2024) open."""
    from sqlalchemy import select

    from core.audit.service import Actor
    from core.measures.excel import MeasureImporter
    from core.measures.models import Measure
    from core.online_services.excel import OnlineServiceImporter
    from core.reporting.service import ReportingService

    actor = Actor(label="demo")
    for importer, name in (
        (MeasureImporter, "massnahmenplan-beispiel.xlsx"),
        (OnlineServiceImporter, "online-dienste-beispiel.xlsx"),
    ):
        result = await importer(session, tenant_id, actor).run((DATA / name).read_bytes())
        if result.errors:  # pragma: no cover - the packaged files are valid
            raise RuntimeError(f"Demo-Import {name}: {result.errors}")
    try:
        from core.strategy.models import BuildingBlock

        blocks = {
            b.code: b.lineage_id
            for b in await session.scalars(select(BuildingBlock).where(owned_by(BuildingBlock, tenant_id)))
        }
    except Exception:
        blocks = {}
    if blocks:
        for m in await session.scalars(select(Measure).where(owned_by(Measure, tenant_id))):
            key = blocks.get(DEMO_BLOCKS.get(m.number, ""))
            if key is not None:
                m.building_block_key = key
    reporting = ReportingService(session, tenant_id, actor)
    for rd in await reporting.list():
        await reporting.close_round(rd.id, rd.version)
    await reporting.open_round(dt.date(2024, 3, 31))
    await session.flush()


@hookimpl
async def kommpass_on_demo_seed(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    # After the strategy (tryfirst) so that measures link to its building blocks; before
    # the plugins (trylast) that reuse the org units and measures.
    await seed_demo(session, tenant_id)


@hookimpl
def kommpass_register_commands(cli: click.Group) -> None:
    from core.measures.cli import measures, online_services

    cli.add_command(measures)
    cli.add_command(online_services)
