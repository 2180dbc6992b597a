"""The built-in answer: cited statements from the best passages, or an honest "nothing found"."""

from __future__ import annotations

from core.assistant.answer import NOTHING_FOUND, ExtractiveGenerator, body
from core.assistant.documents import Hit, Passage


def _leika(key: str, ozg: str, dense: float, score: float = 1.0) -> Hit:
    p = Passage(
        "leika",
        key,
        f"Leistung {key}",
        f"Leistung {key} | OZG {ozg}",
        f"/katalog/leika/{key}",
        meta={"ozg_id": ozg, "leika_type": "5", "municipal": True, "themenfeld": "Umwelt"},
    )
    return Hit(p, score, dense=dense, keyword=5.0)


def test_statements_cite_their_source_number_once_per_ozg_leistung() -> None:
    hits = [_leika("a", "1", 0.9), _leika("b", "1", 0.89), _leika("c", "2", 0.88, 0.9)]
    answer = ExtractiveGenerator().generate("Frage", hits)
    assert answer is not None
    assert "[1]" in answer.text and "[3]" in answer.text and "[2]" not in answer.text
    assert answer.cited == (1, 3)


def test_weak_best_passage_gives_nothing_found() -> None:
    weak = Hit(Passage("leika", "x", "X", "X", "/"), 1.0, dense=0.80, keyword=None)
    answer = ExtractiveGenerator().generate("Kuchenrezept", [weak])
    assert answer is not None and answer.text == NOTHING_FOUND and answer.cited == ()


def test_document_statement_quotes_the_best_sentence_not_the_headings() -> None:
    text = (
        "Strategie 1.0\nKapitel › Ziele\n"
        "Die Stadt führt die E-Akte bis 2026 ein. Außerdem gibt es ein neues Serviceportal."
    )
    p = Passage(
        "document",
        "d:1",
        "Strategie 1.0 – Ziele",
        text,
        "/assistent/dokumente/d",
        heading_path=("Kapitel", "Ziele"),
    )
    answer = ExtractiveGenerator().generate("Wann kommt die E-Akte?", [Hit(p, 1.0, dense=0.9, keyword=4.0)])
    assert answer is not None and "„Die Stadt führt die E-Akte bis 2026 ein.“ [1]" in answer.text
    assert body(text, ("Kapitel", "Ziele")).startswith("Die Stadt")
