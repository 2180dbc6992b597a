"""Structured answers: which LeiKa services apply to the tenant, checked against the catalogue."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from core.assistant.documents import catalog_passages, read_catalog_csv
from core.assistant.structured import (
    answer_applicability,
    extract_topic,
    is_applicability_question,
    match_name,
)


@pytest.fixture(scope="module")
def catalog(shared_dir: Path) -> list:
    ozg, leika = read_catalog_csv(shared_dir / "data" / "ozg-katalog")
    return catalog_passages(ozg, leika)


def _expected(shared_dir: Path, themenfeld: str) -> set[str]:
    """Independent reading of the CSVs and of NOTICE.md's rule."""
    folder = shared_dir / "data" / "ozg-katalog"
    with (folder / "ozg-leistungen.csv").open(encoding="utf-8") as fh:
        in_field = {r["OZG-ID"] for r in csv.DictReader(fh, delimiter=";") if r["Themenfeld"] == themenfeld}
    municipal = {"2", "3", "2/3", "2b", "3b", "4", "4b", "5"}
    out = set()
    with (folder / "leika-leistungen.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            types = {t.strip().lower() for t in r["Typ"].replace(";", ",").split(",") if t.strip()}
            if r["OZG-ID"] in in_field and types & municipal:
                out.add(r["Bezeichnung"].strip() + "|" + r["Schluessel"])
    return out


def _no_search(topic, keep):  # type: ignore[no-untyped-def]
    raise AssertionError("no topic search expected")


def test_engagement_und_hobby_lists_all_and_only_municipal_services(catalog: list, shared_dir: Path) -> None:
    question = "Welche LeiKa-Leistungen im Themenfeld Engagement & Hobby betreffen uns?"
    assert is_applicability_question(question)
    answer = answer_applicability(question, catalog, "mittlere_kreisangehoerige_stadt", _no_search)
    assert answer.themenfeld == "Engagement & Hobby"
    got = {f"{r.name}|{r.leika_key or ''}" for r in answer.services}
    assert got == _expected(shared_dir, "Engagement & Hobby")
    assert all(r.themenfeld == "Engagement & Hobby" for r in answer.services)
    assert not any(r.leika_type.strip() == "1" for r in answer.services)
    assert str(len(answer.services)) in answer.text
    assert all(r.url.startswith("/katalog/leika/") for r in answer.services)


def test_themenfeld_written_with_und_is_recognised(catalog: list) -> None:
    answer = answer_applicability(
        "Welche Leistungen aus dem Themenfeld Engagement und Hobby müssen wir anbieten?",
        catalog,
        None,
        _no_search,
    )
    assert answer.themenfeld == "Engagement & Hobby" and answer.services


def test_lebenslage_narrows_when_no_themenfeld_is_named(catalog: list) -> None:
    lebenslagen = sorted(
        {p.meta["lebenslage"] for p in catalog if p.kind == "ozg" and p.meta.get("lebenslage")}
    )
    target = next(x for x in lebenslagen if " " not in x and len(x) > 5)
    answer = answer_applicability(
        f"Welche LeiKa-Leistungen zur Lebenslage {target} betreffen uns?", catalog, None, _no_search
    )
    assert answer.lebenslage == target
    assert answer.services and all(r.lebenslage == target for r in answer.services)


def test_topic_is_searched_among_municipal_services(catalog: list) -> None:
    seen = {}

    def search(topic, keep):  # type: ignore[no-untyped-def]
        seen["topic"] = topic
        return []

    answer = answer_applicability(
        "Welche LeiKa-Leistungen zum Thema Abfall betreffen uns?", catalog, None, search
    )
    assert seen["topic"] == "Abfall" and answer.topic == "Abfall"


def test_question_forms() -> None:
    assert is_applicability_question("Welche LeiKa-Leistungen betreffen uns?")
    assert is_applicability_question("Für welche Leistungen sind wir als Kommune zuständig?")
    assert not is_applicability_question("Wo melde ich einen Hund an?")
    assert not is_applicability_question("Reisepass für den Urlaub beantragen")
    assert extract_topic("Welche LeiKa-Leistungen zum Thema Gewerbe betreffen uns?") == "Gewerbe"
    assert match_name("Themenfeld Bauen und Wohnen", ["Bauen & Wohnen", "Umwelt"]) == "Bauen & Wohnen"
