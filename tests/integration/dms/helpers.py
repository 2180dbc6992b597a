"""Test helpers of the DMS plugin: org units (core table) and a ready service."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.orgunits.models import OrgUnitKind
from core.orgunits.service import OrgUnitService


async def make_units(
    sessionmaker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, names: list[str]
) -> dict[str, uuid.UUID]:
    """Dienststellen with codes D1, D2 … (the core's org-unit table)."""
    out: dict[str, uuid.UUID] = {}
    async with tenant_session(sessionmaker, tenant_id) as s:
        service = OrgUnitService(s, tenant_id)
        for i, name in enumerate(names, start=1):
            out[name] = (await service.create(OrgUnitKind.DEPARTMENT, f"D{i}", name)).id
    return out


def seed_004_dms(shared_dir: Path) -> dict[str, dict[str, object]]:
    """Section 6 of seed 004 as data: per column (umgesetzt / in Einführung) the e-files tied to
    a Fachverfahren, and the standalone e-file (product + name) with its units."""
    text = next((shared_dir / "seeds").glob("004_*.txt")).read_text(encoding="utf-8")
    section = text.split("6 Dokumentenmanagementsystem (DMS)", 1)[1]
    rows = [line for line in section.splitlines() if "\t" in line]
    procedure_row, standalone_row = rows[1], rows[2]
    out: dict[str, dict[str, object]] = {}
    for status, proc_cell, alone_cell in zip(
        ("umgesetzt", "in_einfuehrung"), procedure_row.split("\t"), standalone_row.split("\t"), strict=True
    ):
        label = re.search(r"<i>(.*?)</i>", alone_cell)
        assert label is not None
        out[status] = {
            "procedure": [i.strip() for i in re.findall(r"•\s*([^•<]+)", proc_cell)],
            "standalone_label": label.group(1).strip(),
            "units": [i.strip() for i in re.findall(r"•\s*([^•<]+)", alone_cell)],
        }
    return out
