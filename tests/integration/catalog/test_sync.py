"""Catalogue sync: counts, idempotence, diffs, validation, atomicity."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.catalog.models import CatalogChange, CatalogVersion, LeikaLeistung
from core.catalog.sync import SyncRefused, sync_catalog


async def test_full_sync_into_empty_database_gives_the_documented_counts(catalog_sessionmaker, catalog_files) -> None:
    result = await sync_catalog(catalog_sessionmaker, catalog_files)
    assert result.created and result.version == 1
    assert result.counts["ozg_leistungen"] == 557
    assert result.counts["leika_leistungen"] == 5249
    assert result.counts["leika_mit_schluessel"] == 4813
    assert result.counts["leika_ohne_ozg"] == 26
    assert result.counts["themenfelder"] == 14
    assert result.counts["lebenslagen"] == 55
    assert result.removed == 0 and result.changed == 0
    assert result.added == 557 + 5249 + 14 + 55
    async with catalog_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(LeikaLeistung)) == 5249
        assert await s.scalar(select(func.count()).select_from(LeikaLeistung).where(LeikaLeistung.leika_key.is_not(None))) == 4813

    again = await sync_catalog(catalog_sessionmaker, catalog_files)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert not again.created and again.version == 1
    assert again.unchanged == 557 + 5249 + 14 + 55
    async with catalog_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(CatalogVersion)) == 1
