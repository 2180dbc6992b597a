"""The shared catalogue as the assistant reads it: from the catalogue tables (``core.catalog``),
or, where the database holds no catalogue yet, from CSV files of the extract's format.

The "executed by municipalities" rule is the catalogue's own (``core.catalog.rules``).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.assistant.documents import LeikaRow, OzgRow
from core.catalog.rules import is_municipal, is_relevant_for

CATALOG_DIR_ENV = "KOMMPASS_CATALOG_DIR"

__all__ = ["csv_folder", "is_municipal", "is_relevant_for", "load_catalog"]


def csv_folder() -> Path | None:
    """A folder with the catalogue CSVs, if configured or found next to the repository."""
    configured = os.environ.get(CATALOG_DIR_ENV)
    candidates = [Path(configured)] if configured else []
    here = Path(__file__).resolve()
    candidates += [
        here.parents[1] / "catalog" / "data",
        here.parents[2] / "plugins" / "ozg_catalog" / "data",
        here.parents[3] / "shared" / "data" / "ozg-katalog",
    ]
    for folder in candidates:
        if (folder / "ozg-leistungen.csv").exists() and (folder / "leika-leistungen.csv").exists():
            return folder
    return None


async def load_catalog(session: AsyncSession | None) -> tuple[list[OzgRow], list[LeikaRow]]:
    """OZG and LeiKa rows: the catalogue tables when filled, else the CSV extract."""
    if session is not None:
        from core.catalog.models import LeikaLeistung, OzgLeistung

        ozg = [
            OzgRow(o.ozg_id, o.name, o.themenfeld or "", o.lebenslage or "")
            for o in (await session.scalars(select(OzgLeistung))).all()
        ]
        if ozg:
            leika = [
                LeikaRow(
                    key=r.key,
                    leika_key=r.leika_key,
                    name=r.name,
                    leika_type=r.leika_type or "",
                    ozg_id=r.ozg_id,
                    legal_basis=r.legal_basis or "",
                    law_abbreviations=r.law_abbreviations or "",
                )
                for r in (await session.scalars(select(LeikaLeistung).order_by(LeikaLeistung.key))).all()
            ]
            return ozg, leika
    folder = csv_folder()
    if folder is None:
        return [], []
    from core.assistant.documents import read_catalog_csv

    return read_catalog_csv(folder)
