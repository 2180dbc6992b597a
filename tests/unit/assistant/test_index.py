"""The hybrid index: incremental sync, removal, persistence, fusion."""

from __future__ import annotations

from pathlib import Path

from core.assistant.documents import Passage
from core.assistant.index import HybridIndex, set_base_vocabulary
from core.assistant.retrieval import Candidate, hybrid_search, rrf
from tests.unit.assistant.fakes import HashingBackend


def _p(key: str, text: str, kind: str = "measure") -> Passage:
    return Passage(kind=kind, key=key, title=text[:30], text=text, url=f"/x/{key}")


PASSAGES = [
    _p("1", "Einführung eines Dokumentenmanagementsystems in der Kämmerei"),
    _p("2", "Hundesteuer online anmelden und abmelden"),
    _p("3", "Breitbandausbau in den Gewerbegebieten"),
    _p("4", "Digitale Bauantragsverfahren mit dem Kreis"),
]


def _search(index: HybridIndex, backend: HashingBackend, q: str) -> list[str]:
    return [h.passage.key for h in hybrid_search([index], q, backend.embed_queries([q])[0], limit=5)]


def test_sync_embeds_only_new_or_changed_passages() -> None:
    backend = HashingBackend()
    index = HybridIndex("tenant:x", backend.name, backend.dim)
    assert index.sync(PASSAGES, backend) == {"added": 4, "changed": 0, "removed": 0, "kept": 0}
    backend.embedded.clear()
    changed = [*PASSAGES[:3], _p("4", "Digitale Bauanträge über das Landesportal")]
    counts = index.sync([*changed, _p("5", "Neue Maßnahme E-Akte")], backend)
    assert counts == {"added": 1, "changed": 1, "removed": 0, "kept": 3}
    assert backend.embedded == ["Digitale Bauanträge über das Landesportal", "Neue Maßnahme E-Akte"]
    counts = index.sync(changed[:2], backend)
    assert counts["removed"] == 3 and len(index) == 2


def test_compound_word_finds_its_parts() -> None:
    backend = HashingBackend()
    set_base_vocabulary({"hund": 3, "steuer": 5, "dokumente": 2, "management": 2})
    try:
        index = HybridIndex("t", backend.name, backend.dim)
        index.sync(PASSAGES, backend)
    finally:
        set_base_vocabulary({})
    assert _search(index, backend, "Wo melde ich meinen Hund an?")[0] == "2"
    assert _search(index, backend, "Steuer")[0] == "2"


def test_save_and_load_round_trip_without_embedding(tmp_path: Path) -> None:
    backend = HashingBackend()
    index = HybridIndex("t", backend.name, backend.dim)
    index.sync(PASSAGES, backend)
    index.save(tmp_path / "idx")
    loaded = HybridIndex.load(tmp_path / "idx")
    backend.embedded.clear()
    assert loaded.sync(PASSAGES, backend)["kept"] == 4
    assert backend.embedded == []
    assert _search(loaded, backend, "Hundesteuer") == _search(index, backend, "Hundesteuer")


def test_remove_takes_passages_out_at_once() -> None:
    backend = HashingBackend()
    index = HybridIndex("t", backend.name, backend.dim)
    index.sync(PASSAGES, backend)
    assert index.remove(["measure:2"]) == 1
    assert "2" not in _search(index, backend, "Hundesteuer anmelden")


def test_rrf_rewards_agreement() -> None:
    a, b, c = Candidate("s", 1), Candidate("s", 2), Candidate("s", 3)
    scores = rrf([[a, b, c], [b, a]])
    assert scores[a] == scores[b] > scores[c]


def test_diversify_moves_a_groups_surplus_behind_the_others() -> None:
    from core.assistant.documents import Hit
    from core.assistant.retrieval import diversify

    def hit(key: str, kind: str, **meta: str) -> Hit:
        return Hit(Passage(kind, key, key, key, "/", meta=meta), 1.0)

    # LeiKa variants of one OZG-Leistung: the best one stands for it, the others come after
    # the other candidates; a tenant's online service for it is a candidate of its own.
    hits = [
        hit("a1", "leika", ozg_id="1"),
        hit("a2", "leika", ozg_id="1"),
        hit("o1", "online_service", ozg_id="1"),
        hit("a3", "ozg", ozg_id="1"),
        hit("b1", "leika", ozg_id="2"),
    ]
    assert [h.passage.key for h in diversify(hits)] == ["a1", "o1", "b1", "a2", "a3"]
    assert [h.passage.key for h in diversify(hits, per_service=2)] == ["a1", "a2", "o1", "b1", "a3"]
    # sections of one document: three before the others
    docs = [hit(f"d{i}", "document", document_id="d") for i in range(1, 5)]
    docs.append(hit("e1", "document", document_id="e"))
    assert [h.passage.key for h in diversify(docs)] == ["d1", "d2", "d3", "e1", "d4"]


def test_passages_with_parts_embed_each_distinct_part_once() -> None:
    """A LeiKa service's vector is the normalised sum of its name's and its OZG-Leistung's
    vectors; a part shared by many passages goes through the model once per build."""
    import numpy as np

    backend = HashingBackend()
    ozg = "Hundehaltung | Tierhaltung | Engagement & Hobby"
    passages = [
        Passage("ozg", "10160", "Hundehaltung", ozg, "/o"),
        Passage("leika", "a", "Hundesteuer", f"Hundesteuer | {ozg}", "/a", embed_parts=("Hundesteuer", ozg)),
        Passage("leika", "b", "Hundemarke", f"Hundemarke | {ozg}", "/b", embed_parts=("Hundemarke", ozg)),
    ]
    index = HybridIndex("catalog", backend.name, backend.dim)
    index.sync(passages, backend)
    assert sorted(backend.embedded) == sorted([ozg, "Hundesteuer", "Hundemarke"])
    expected = backend.embed_passages(["Hundesteuer"])[0] + backend.embed_passages([ozg])[0]
    stored = index.dense.reconstruct(index.by_doc["leika:a"])
    assert np.allclose(stored, expected / np.linalg.norm(expected), atol=1e-6)
    # the parts belong to the digest: a changed OZG text re-embeds the service
    moved = Passage("leika", "a", "Hundesteuer", passages[1].text, "/a", embed_parts=("Hundesteuer", "X"))
    assert moved.digest != passages[1].digest
    assert Passage.from_json(passages[1].to_json()).embed_parts == passages[1].embed_parts
    assert "embed_parts" not in PASSAGES[0].to_json()  # passages without parts are stored as before


def test_keyword_coverage_counts_known_words_by_their_weight() -> None:
    backend = HashingBackend()
    index = HybridIndex("t", backend.name, backend.dim)
    index.sync(PASSAGES, backend)
    assert index.keyword_coverage("Hundesteuer anmelden") == 1.0
    assert index.keyword_coverage("Wie geht das?") == 0.0  # nothing but stop words
    partly = index.keyword_coverage("Zweitwohnungsteuer anmelden")
    assert 0.0 < partly < 0.5  # the rare word is unknown, only the common one is known
    assert index.keyword_coverage("Zweitwohnungsteuer anmelden", skip={"zweitwohnungsteuer"}) == 1.0


def test_keyword_noise_does_not_outvote_the_dense_side() -> None:
    """When the question's rare word is unknown to the keyword side, BM25 ranks passages by
    its common words alone; such a list must not push its noise ahead of the dense match."""
    backend = HashingBackend()
    passages = [
        _p("kita", "Kindertagesbetreuung Platz"),
        *(_p(f"f{i}", f"Platz für Ferienspiele {i}") for i in range(40)),  # dense: somewhat close
        *(_p(f"n{i}", f"Anmeldung Nummer {i} beantragen") for i in range(8)),  # keyword: "anmelden"
    ]
    index = HybridIndex("t", backend.name, backend.dim)
    index.sync(passages, backend)
    question = "Krippenplatz anmelden"
    vector = backend.embed_queries(["Kindertagesbetreuung Platz"])[0]  # a dense model that understood
    assert hybrid_search([index], question, vector, limit=3)[0].passage.key == "kita"
    equal = hybrid_search([index], question, vector, limit=3, keyword_weight=1.0)
    assert "kita" not in [h.passage.key for h in equal]  # what equal weights did


def test_catalogue_passages_embed_name_and_service_and_an_older_index_is_recognised() -> None:
    import dataclasses

    from core.assistant.documents import (
        LeikaRow,
        OzgRow,
        catalog_index_outdated,
        catalog_passages,
        search_terms,
    )

    ozg = [OzgRow("10160", "Hundehaltung", "Engagement & Hobby", "Tierhaltung")]
    leika = [
        LeikaRow("99102013000000", "99102013000000", "Hundesteuer", "4", "10160"),
        LeikaRow("ozg-x-1", None, "Ohne OZG-Zuordnung", "5", None),
    ]
    service = "Hundehaltung | Tierhaltung | Engagement & Hobby"
    # without search terms: the name and the OZG-Leistung's text, as before
    plain = {p.doc_id: p for p in catalog_passages(ozg, leika, terms={})}
    assert plain["ozg:10160"].text == service and not plain["ozg:10160"].embed_parts
    assert plain["leika:99102013000000"].embed_parts == ("Hundesteuer", service)
    assert plain["leika:99102013000000"].text == f"Hundesteuer | {service}"  # keyword side as before
    assert not plain["leika:ozg-x-1"].embed_parts
    # with the packaged search terms: one more embedded part, and the keywords
    terms = search_terms()["10160"]
    passages = {p.doc_id: p for p in catalog_passages(ozg, leika)}
    assert passages["leika:99102013000000"].embed_parts == ("Hundesteuer", service, terms)
    assert passages["ozg:10160"].embed_parts == (service, terms)
    assert passages["ozg:10160"].text == service  # what an answer shows is unchanged
    assert not passages["leika:ozg-x-1"].keywords
    assert not catalog_index_outdated(passages.values())
    old = [dataclasses.replace(p, embed_parts=()) for p in passages.values()]
    assert catalog_index_outdated(old)
    assert catalog_index_outdated(plain.values())  # built before the search terms


def test_a_leika_name_is_embedded_as_its_object_and_the_rest() -> None:
    from core.assistant.documents import LeikaRow, OzgRow, catalog_passages, leika_name_parts

    names = ["Führerschein", "Führerschein Ersatz wegen Verlust", "Führerscheinstelle Auskunft", "Hund"]
    assert leika_name_parts(names) == {
        "Führerschein": ("Führerschein",),
        "Führerschein Ersatz wegen Verlust": ("Führerschein", "Ersatz wegen Verlust"),
        "Führerscheinstelle Auskunft": ("Führerscheinstelle Auskunft",),  # a word prefix only
        "Hund": ("Hund",),
    }
    ozg = [OzgRow("10169", "Führerschein", "Mobilität & Reisen", "Führerschein")]
    leika = [LeikaRow(str(n), str(n), name, "4", "10169") for n, name in enumerate(names[:2])]
    passages = {p.key: p for p in catalog_passages(ozg, leika, terms={})}
    service = "Führerschein | Führerschein | Mobilität & Reisen"
    assert passages["1"].embed_parts == ("Führerschein", "Ersatz wegen Verlust", service)
    assert passages["1"].text == f"Führerschein Ersatz wegen Verlust | {service}"  # keyword side: whole name


def test_search_terms_are_loaded_and_reach_the_keyword_text_of_a_service() -> None:
    from core.assistant.documents import LeikaRow, OzgRow, catalog_passages, search_terms

    terms = search_terms()
    assert len(terms) >= 500  # nearly every OZG-Leistung of the catalogue has some
    assert "Flurkarte" in terms["10539"] and "Behindertenausweis" in terms["10214"]
    ozg = [
        OzgRow("10539", "Hoheitliche Vermessungen im Liegenschaftskataster", "Bauen & Wohnen", "Bauen"),
        OzgRow("10160", "Hundehaltung", "Engagement & Hobby", "Tierhaltung"),
    ]
    leika = [
        LeikaRow("99108012000000", "99108012000000", "Liegenschaftskarte Auszug", "4", "10539"),
        LeikaRow("99102013000000", "99102013000000", "Hundesteuer", "4", "10160"),
    ]
    passages = catalog_passages(ozg, leika)
    service = next(p for p in passages if p.key == "99108012000000")
    assert "Flurkarte" in service.keyword_text and "Flurkarte" not in service.text  # not shown

    backend = HashingBackend()
    index = HybridIndex("catalog", backend.name, backend.dim)
    index.sync(passages, backend)
    found = [index.passages[i].key for i, _ in index.search_keyword("Flurkarte bestellen", 5)]
    assert found[:2] and set(found[:2]) == {"99108012000000", "10539"}
    without = HybridIndex("catalog", backend.name, backend.dim)
    without.sync(catalog_passages(ozg, leika, terms={}), backend)
    assert not without.search_keyword("Flurkarte bestellen", 5)


def test_changed_keywords_rebuild_the_keyword_side_without_embedding(tmp_path: Path) -> None:
    import dataclasses

    backend = HashingBackend()
    index = HybridIndex("t", backend.name, backend.dim)
    index.sync(PASSAGES, backend)
    backend.embedded.clear()
    tagged = [dataclasses.replace(PASSAGES[2], keywords="Glasfaser, schnelles Internet"), *PASSAGES[:2]]
    counts = index.sync([*tagged, PASSAGES[3]], backend)
    assert counts == {"added": 0, "changed": 0, "removed": 0, "kept": 4, "keywords_changed": 1}
    assert backend.embedded == []
    assert [index.passages[i].key for i, _ in index.search_keyword("Glasfaser", 3)] == ["3"]
    index.save(tmp_path / "idx")
    loaded = HybridIndex.load(tmp_path / "idx")
    assert loaded.passages[loaded.by_doc["measure:3"]].keywords == "Glasfaser, schnelles Internet"
    assert [loaded.passages[i].key for i, _ in loaded.search_keyword("Glasfaser", 3)] == ["3"]


def test_keyword_lists_of_different_indexes_are_merged_by_the_share_of_the_question() -> None:
    """A tenant's page that matches the whole question must not lose to a catalogue passage
    that matches one word of it, only because the catalogue's larger corpus gives that word a
    higher raw BM25 score."""
    backend = HashingBackend()
    catalogue = HybridIndex("catalog", backend.name, backend.dim)
    catalogue.sync(
        [_p("pa", "Personalausweis im Bürgerbüro beantragen", "leika")]
        + [_p(f"x{i}", f"Leistung Nummer {i} beantragen", "leika") for i in range(60)],
        backend,
    )
    tenant = HybridIndex("tenant:x", backend.name, backend.dim)
    tenant.sync([_p("plan", "Die E-Akte wird im Bürgerbüro eingeführt", "document")], backend)
    question = "Wann kommt die E-Akte ins Bürgerbüro?"
    raw_catalogue = catalogue.search_keyword(question, 3)[0][1]
    raw_tenant = tenant.search_keyword(question, 3)[0][1]
    assert raw_catalogue > raw_tenant  # raw scores would rank the catalogue passage first
    share_catalogue = raw_catalogue / catalogue.keyword_bound(question)
    share_tenant = raw_tenant / tenant.keyword_bound(question)
    assert share_tenant > share_catalogue
    # in the fused list (dense side equal for both: a vector close to neither)
    vector = backend.embed_queries(["Nummer"])[0]
    hits = hybrid_search([catalogue, tenant], question, vector, keyword_weight=1.0)
    assert [h.passage.key for h in hits].index("plan") < [h.passage.key for h in hits].index("pa")
