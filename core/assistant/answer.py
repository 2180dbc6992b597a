"""Composing the German answer from the best passages (the built-in, extractive generator).

Every sentence of the answer states what one passage says and cites it by its number
(``[1]``), the number of the source in the list shown under the answer. When the best
passage is not close enough to the question, the answer says that nothing fitting was
found instead of guessing. A plugin may add a generator (e.g. a local language model)
through ``kommpass_register_answer_generators``; generators are asked in order, this one
comes last.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.assistant.documents import Hit
from core.assistant.protocols import GeneratedAnswer
from core.assistant.retrieval import group_of
from core.assistant.text import analyze

#: Cosine similarity (multilingual-e5) from which the best passage is taken as an answer.
#: Measured with ``benchmarks/bench_assistant.py`` (catalogue vectors made of parts including
#: the search terms, see ``documents.py``): the best passage of the 180 catalogue questions of
#: the development set and held-out sets A and B reaches 0.845–0.93, that of 30 questions off
#: the topic (``benchmarks/data/assistant-offtopic.txt``) 0.79–0.88 (without a keyword match
#: at most 0.864); with these thresholds 177/180 fitting and 1/30 off-topic questions are
#: answered. The vectors with the search terms are closer to everything: the thresholds from
#: before them (0.86 / 0.845) would answer 179/180 and 5/30 (before the terms: 161/180, 2/30).
MIN_DENSE = 0.87
#: With a clear keyword match (BM25 ≥ ``MIN_KEYWORD``), a lower similarity suffices.
MIN_DENSE_WITH_KEYWORDS = 0.855
MIN_KEYWORD = 3.0
MAX_CLAIMS = 3
#: Further statements only from passages scoring at least this share of the best one.
RELATIVE_SCORE = 0.6

NOTHING_FOUND = (
    "Dazu habe ich in Katalog, Strategien und Plänen nichts gefunden, das gut genug passt. "
    "Bitte formulieren Sie die Frage anders oder nennen Sie die Leistung bzw. das Vorhaben genauer."
)

KIND_LABELS = {
    "ozg": "OZG-Leistung",
    "leika": "LeiKa-Leistung",
    "strategy": "Strategie",
    "document": "Strategiedokument",
    "network": "veröffentlichte Strategie",
    "measure": "Maßnahme",
    "online_service": "Online-Dienst",
    "budget": "Finanzplan",
}


def is_confident(hit: Hit) -> bool:
    dense = hit.dense if hit.dense is not None else 0.0
    if hit.keyword is not None and hit.keyword >= MIN_KEYWORD:
        return dense >= MIN_DENSE_WITH_KEYWORDS or hit.dense is None
    return dense >= MIN_DENSE


def _sentences(text: str) -> list[str]:
    flat = re.sub(r"\s+", " ", text).strip()
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„])", flat)
    return [p.strip() for p in parts if len(p.strip()) > 20]


def body(text: str, heading_path: Sequence[str] = ()) -> str:
    """The passage text without the leading lines that repeat its title and heading path."""
    lines = text.split("\n")
    path = " › ".join(heading_path)
    skip = 0
    for line in lines[:3]:
        stripped = line.strip()
        if skip == 0 or (
            stripped
            and (
                stripped == path
                or stripped in heading_path
                or (len(stripped) < 60 and not stripped.endswith("."))
            )
        ):
            skip += 1
        else:
            break
    rest = "\n".join(lines[skip:]).strip()
    return rest or text


def best_sentence(question: str, text: str, limit: int = 260) -> str:
    """The sentence of ``text`` sharing the most (stemmed) words with the question."""
    q = set(analyze(question))
    candidates = _sentences(text) or [re.sub(r"\s+", " ", text).strip()]
    best = max(candidates, key=lambda s: (len(q & set(analyze(s))), -abs(len(s) - 160)))
    return best if len(best) <= limit else best[: limit - 1].rsplit(" ", 1)[0] + " …"


def claim(question: str, hit: Hit, number: int) -> str:
    p = hit.passage
    m = p.meta
    if p.kind == "leika":
        bits = []
        if m.get("themenfeld"):
            bits.append(f"Themenfeld {m['themenfeld']}")
        if m.get("lebenslage"):
            bits.append(f"Lebenslage {m['lebenslage']}")
        if m.get("leika_type"):
            who = "kommunal vollziehbar" if m.get("municipal") else "nicht kommunal vollzogen"
            bits.append(f"LeiKa-Typ {m['leika_type']}, {who}")
        ozg = f" zur OZG-Leistung {m['ozg_id']}" if m.get("ozg_id") else ""
        return (
            f"„{p.title}“ ist eine LeiKa-Leistung{ozg}"
            + (f" ({'; '.join(bits)})" if bits else "")
            + f" [{number}]."
        )
    if p.kind == "ozg":
        return (
            f"Die OZG-Leistung „{p.title}“ (OZG-ID {p.key}) gehört zum Themenfeld "
            f"{m.get('themenfeld') or '–'}, Lebenslage {m.get('lebenslage') or '–'} [{number}]."
        )
    label = KIND_LABELS.get(p.kind, "Quelle")
    where = p.title if p.kind not in ("measure", "online_service", "budget") else f"{label} {p.title}"
    return f"{where}: „{best_sentence(question, body(p.text, p.heading_path))}“ [{number}]"


class ExtractiveGenerator:
    """Built-in generator: one cited sentence per passage, best passages first."""

    name = "extraktiv"

    def generate(self, question: str, hits: Sequence[Hit]) -> GeneratedAnswer | None:
        if not hits or not is_confident(hits[0]):
            return GeneratedAnswer(NOTHING_FOUND, ())
        lines: list[str] = []
        cited: list[int] = []
        seen: set[str] = set()
        for number, hit in enumerate(hits, start=1):
            if len(cited) >= MAX_CLAIMS:
                break
            if number > 1 and (not is_confident(hit) or hit.score < RELATIVE_SCORE * hits[0].score):
                continue
            group = group_of(hit)  # one statement per OZG-Leistung or document
            if group in seen:
                continue
            seen.add(group)
            lines.append(claim(question, hit, number))
            cited.append(number)
        intro = "Das passt am besten zu Ihrer Frage:"
        return GeneratedAnswer(intro + "\n" + "\n".join(f"• {line}" for line in lines), tuple(cited))
