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

    def hit(key: str, ozg: str) -> Hit:
        return Hit(Passage("leika", key, key, key, "/", meta={"ozg_id": ozg}), 1.0)

    hits = [hit("a1", "1"), hit("a2", "1"), hit("a3", "1"), hit("a4", "1"), hit("b1", "2"), hit("a5", "1")]
    assert [h.passage.key for h in diversify(hits, per_group=3)] == ["a1", "a2", "a3", "b1", "a4", "a5"]


def test_a_cancelled_build_leaves_the_index_unchanged() -> None:
    import threading

    import pytest

    from core.assistant.index import BuildCancelled

    backend = HashingBackend()
    index = HybridIndex("t", backend.name, backend.dim)
    index.sync(PASSAGES[:2], backend)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(BuildCancelled):
        index.sync(PASSAGES, backend, cancel=cancel)
    assert sorted(p.key for p in index.passages.values()) == ["1", "2"]
