"""Catalogue sync: counts, idempotence, diffs, validation, atomicity."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.catalog.models import CatalogVersion, LeikaLeistung
from core.catalog.sync import SyncRefused, sync_catalog


async def test_full_sync_into_empty_database_gives_the_documented_counts(
    catalog_sessionmaker, catalog_files
) -> None:
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
        assert (
            await s.scalar(
                select(func.count()).select_from(LeikaLeistung).where(LeikaLeistung.leika_key.is_not(None))
            )
            == 4813
        )

    again = await sync_catalog(catalog_sessionmaker, catalog_files)
    assert (again.added, again.changed, again.removed) == (0, 0, 0)
    assert not again.created and again.version == 1
    assert again.unchanged == 557 + 5249 + 14 + 55
    async with catalog_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(CatalogVersion)) == 1


def _write_variant(
    src: Path, dst: Path, *, rename: tuple[str, str] | None = None, drop_key: str | None = None
) -> None:
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    out = []
    for line in lines:
        key = line.split(";", 1)[0]
        if drop_key and key == drop_key:
            continue
        if rename and key == rename[0]:
            parts = line.split(";")
            parts[1] = rename[1]
            line = ";".join(parts)
        out.append(line)
    dst.write_text("".join(out), encoding="utf-8")


async def test_one_changed_name_and_one_removed_row_is_reported_exactly_and_shown_on_the_diff_page(
    synced_sessionmaker, synced_client, catalog_files, tmp_path
) -> None:
    from tenants.models import Role
    from tests.factories import create_tenant, login

    ozg, leika = catalog_files
    variant = tmp_path / "leika.csv"
    _write_variant(
        leika, variant, rename=("99102013002000", "Hundesteuer Festsetzung (neu)"), drop_key="99001002004000"
    )
    result = await sync_catalog(synced_sessionmaker, [ozg, variant])
    assert (result.added, result.changed, result.removed) == (0, 1, 1)
    assert result.tables["leika_leistungen"] == {"added": 0, "changed": 1, "removed": 1}
    assert result.version == 2 and result.counts["leika_leistungen"] == 5248

    tenant = await create_tenant(synced_sessionmaker)
    await login(synced_client, synced_sessionmaker, tenant=tenant, role=Role.VIEWER)
    page = await synced_client.get("/katalog/versionen/2")
    assert page.status_code == 200
    assert "2 Änderungen" in page.text
    assert "Hundesteuer Festsetzung (neu)" in page.text and "<del>Hundesteuer Festsetzung</del>" in page.text
    assert "Altpapier Entsorgung" in page.text and "entfernt" in page.text
    only_removed = await synced_client.get(
        "/katalog/versionen/2",
        params={"aenderung": "removed"},
        headers={"hx-request": "true", "hx-target": "diff-ergebnisse"},
    )
    assert "Altpapier Entsorgung" in only_removed.text and "Hundesteuer" not in only_removed.text
    versions = await synced_client.get("/katalog/versionen")
    assert "Version 2" in versions.text and "Version 1" in versions.text
    assert (await synced_client.get("/katalog/versionen/99")).status_code == 404


async def test_invalid_rows_are_refused_with_line_numbers_unless_skipped(
    synced_sessionmaker, catalog_files, tmp_path
) -> None:
    ozg, leika = catalog_files
    bad = tmp_path / "leika.csv"
    text = leika.read_text(encoding="utf-8").rstrip("\r\n") + "\r\n"
    text += "1234;Test 124;5;10110;;;;0;0\r\n"  # line 5251: key not 14 digits
    text += "99999999999001;Test 4;9z;10110;;;;0;0\r\n"  # line 5252: unknown type
    text += "99001001000000;Doppelt;5;10110;;;;0;0\r\n"  # line 5253: duplicate key
    text += "99999999999002;Unbekannte OZG;5;77777;;;;0;0\r\n"  # line 5254: unknown OZG-ID
    text += "99999999999003;Ohne OZG;5;;;;;0;0\r\n"  # empty OZG-ID: fine
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SyncRefused) as info:
        await sync_catalog(synced_sessionmaker, [ozg, bad])
    lines = sorted(p.line for p in info.value.problems)
    assert lines == [5251, 5252, 5253, 5254]
    messages = " ".join(p.message for p in info.value.problems)
    assert (
        "14 Ziffern" in messages and "LeiKa-Typ" in messages and "doppelt" in messages and "77777" in messages
    )
    async with synced_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(CatalogVersion)) == 1  # nothing written

    result = await sync_catalog(synced_sessionmaker, [ozg, bad], skip_invalid=True)
    assert sorted(p.line for p in result.skipped) == [5251, 5252, 5253, 5254]
    assert (result.added, result.changed, result.removed) == (1, 0, 0)
    async with synced_sessionmaker() as s:
        version = await s.get(CatalogVersion, result.version)
        assert len(version.skipped) == 4


async def test_fim_download_layout_latin1_keeps_ozg_assignment(synced_sessionmaker) -> None:
    header = (
        "Schluessel;Leistungsgruppierung;Leistungskennung;Verrichtung;Verrichtungsdetail;Bezeichnung;"
        "Bezeichnung 2;Typ;Synonyme;Besondere Merkmale;Veröffentlichungsdatum\r\n"
    )
    row1 = "99102013002000;102;013;002;000;Hundesteuer Festsetzung;Steuer für Hunde;5;Hundeabgabe;;01.01.2020\r\n"
    row2 = "99102013000000;102;013;000;000;Hundesteuer;;5;;;01.01.2020\r\n"
    data = (header + row1 + row2).encode("iso-8859-1")
    from core.catalog.sources import parse_bytes

    blocks = parse_bytes(data, "fim.csv")
    assert blocks[0].kind == "leika" and blocks[0].rows[0].extra["Synonyme"] == "Hundeabgabe"
    assert blocks[0].rows[0].extra["Veröffentlichungsdatum"] == "01.01.2020"
    from core.catalog.sources import SourceData

    class Fim:
        name = "fim.csv"

        async def load(self, state):  # type: ignore[no-untyped-def]
            return parse_bytes(data, self.name)

    # Only these two rows: every other LeiKa entry is removed, but the OZG assignment of the
    # remaining ones (not in the FIM layout) is kept.
    result = await sync_catalog(synced_sessionmaker, [Fim()])
    assert result.counts["leika_leistungen"] == 2 and result.counts["ozg_leistungen"] == 557
    async with synced_sessionmaker() as s:
        entry = await s.get(LeikaLeistung, "99102013002000")
        assert entry.ozg_id is not None and entry.extra["Bezeichnung 2"] == "Steuer für Hunde"
        from core.catalog.service import CatalogFilter, search

        found = await search(s, CatalogFilter(q="Hundeabgabe"))
        assert [leika.key for leika, _ozg in found.items] == ["99102013002000"]  # found by synonym
    assert isinstance(blocks[0], SourceData)


async def test_ozg_catalogue_as_xlsx(catalog_sessionmaker, catalog_files, tmp_path) -> None:
    import csv

    from openpyxl import Workbook

    ozg, leika = catalog_files
    wb = Workbook()
    ws = wb.active
    ws.title = "OZG"
    with ozg.open(encoding="utf-8") as f:
        for row in csv.reader(f, delimiter=";"):
            ws.append(row)
    path = tmp_path / "ozg.xlsx"
    wb.save(path)
    result = await sync_catalog(catalog_sessionmaker, [path, leika])
    assert result.counts["ozg_leistungen"] == 557 and result.counts["leika_leistungen"] == 5249
    again = await sync_catalog(catalog_sessionmaker, [path, leika])
    assert (again.added, again.changed, again.removed) == (0, 0, 0)


async def test_source_from_a_plugin_hook(catalog_sessionmaker) -> None:
    from tests.example_plugin.plugin import ExampleCatalogSource

    result = await sync_catalog(catalog_sessionmaker, [ExampleCatalogSource()])
    assert result.counts == {**result.counts, "ozg_leistungen": 1, "leika_leistungen": 1, "themenfelder": 1}
    assert result.sources == ["plugin:beispiel"]


async def test_removing_an_ozg_leistung_still_referenced_is_refused(
    synced_sessionmaker, catalog_files, tmp_path
) -> None:
    ozg, _leika = catalog_files
    variant = tmp_path / "ozg.csv"
    _write_variant(ozg, variant, drop_key="10110")
    with pytest.raises(SyncRefused):
        await sync_catalog(synced_sessionmaker, [variant])
    with pytest.raises(SyncRefused):
        await sync_catalog(synced_sessionmaker, [variant], skip_invalid=True)


async def test_kommpass_on_catalog_synced_runs_for_a_new_version_only(synced_sessionmaker, catalog_files, tmp_path) -> None:
    from plugins.manager import new_plugin_manager
    from tests.example_plugin import plugin as example

    pm = new_plugin_manager(extra=[example])
    example.EVENTS.clear()
    await sync_catalog(synced_sessionmaker, catalog_files, pm=pm)
    assert example.EVENTS == []  # nothing changed: no version, no event
    ozg, leika = catalog_files
    variant = tmp_path / "leika.csv"
    _write_variant(leika, variant, drop_key="99001002004000")
    await sync_catalog(synced_sessionmaker, [ozg, variant], pm=pm)
    assert example.EVENTS == [("catalog_synced", (2, {"added": [], "changed": [], "removed": ["99001002004000"]}))]
