"""Hybrid search over several indexes (catalogue, the tenant's own, the network).

The question is first prepared (``prepare_query``): everyday words the catalogue does not use
get the catalogue's words appended (``core.assistant.text.expand_query``) for the keyword
side; the dense side embeds the question as asked (the multilingual model copes with most
everyday words itself: embedding the expanded text as well was no better on the development
set and the second held-out set, and its longer text cost ≈10 ms per question).

Per index, the dense (cosine) and the keyword (BM25) lists are taken; dense lists of all
indexes are merged by cosine (same model, comparable), keyword lists by the share of the
question a passage matches in its own index (BM25 score over the highest score possible there,
``HybridIndex.keyword_bound``: raw scores of a tenant's few pages and of the catalogue's 5,800
passages are not comparable, and once the catalogue's search terms knew more everyday words,
raw scores put catalogue services that matched one word of a question ahead of the tenant's
page that matched all of them); the two merged lists are fused with reciprocal-rank fusion
(Cormack et al. 2009, k = 60). The
keyword list counts in proportion to how much of the question the keyword side knows
(``HybridIndex.keyword_coverage``): when the question's rare words are unknown to every
index, the BM25 list ranks passages by the question's common words alone (``beantragen``,
``anmelden``) and would only push noise into the fused list. A hit's fused score is scaled
to 0..1 by the best possible fused score (rank 1 in both lists).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.assistant.documents import Hit, Passage
from core.assistant.index import HybridIndex, base_vocabulary
from core.assistant.protocols import EmbeddingBackend
from core.assistant.text import everyday_terms

RRF_K = 60
#: How deep each list is read before fusing.
DEPTH = 100


@dataclass(frozen=True)
class Query:
    """A question as searched: ``question`` is embedded, ``text`` keyword-searched;
    ``everyday`` are the question's words that the lexicon translated (not counted as unknown
    to the keyword side)."""

    question: str
    text: str
    everyday: frozenset[str] = frozenset()


def prepare_query(question: str) -> Query:
    question = question.strip()
    terms, matched = everyday_terms(question, base_vocabulary(), with_words=True)
    if not terms:
        return Query(question, question)
    return Query(question, f"{question} ({'; '.join(terms)})", frozenset(matched))


@dataclass(frozen=True)
class Candidate:
    scope: str
    passage_id: int


def rrf(
    ranked_lists: Sequence[Sequence[Candidate]], k: int = RRF_K, weights: Sequence[float] | None = None
) -> dict[Candidate, float]:
    scores: dict[Candidate, float] = {}
    for n, ranked in enumerate(ranked_lists):
        weight = 1.0 if weights is None else weights[n]
        for rank, cand in enumerate(ranked, start=1):
            scores[cand] = scores.get(cand, 0.0) + weight / (k + rank)
    return scores


def hybrid_search(
    indexes: Sequence[HybridIndex],
    query: str,
    query_vector: npt.NDArray[np.float32],
    *,
    limit: int = 20,
    accept: Callable[[str, Passage], bool] | None = None,
    depth: int = DEPTH,
    keyword_weight: float | None = None,
    everyday: frozenset[str] = frozenset(),
) -> list[Hit]:
    """Best ``limit`` hits over ``indexes``; ``accept(scope, passage)`` filters candidates.
    ``keyword_weight``: the BM25 list's weight in the fusion (default: its coverage of the
    query, see above; ``everyday`` words are left out of it)."""
    dense: list[tuple[float, Candidate]] = []
    keyword: list[tuple[float, Candidate]] = []
    keyword_share: dict[Candidate, float] = {}
    passages: dict[Candidate, Passage] = {}
    for index in indexes:
        with index.lock:
            for pid, score in index.search_dense(query_vector, depth):
                p = index.passages.get(pid)
                if p is None or (accept is not None and not accept(index.scope, p)):
                    continue
                cand = Candidate(index.scope, pid)
                passages[cand] = p
                dense.append((score, cand))
            bound = index.keyword_bound(query) or 1.0
            for pid, score in index.search_keyword(query, depth):
                p = index.passages.get(pid)
                if p is None or (accept is not None and not accept(index.scope, p)):
                    continue
                cand = Candidate(index.scope, pid)
                passages[cand] = p
                keyword.append((score, cand))
                keyword_share[cand] = score / bound
    dense.sort(key=lambda x: -x[0])
    keyword.sort(key=lambda x: -keyword_share[x[1]])
    dense_rank = [c for _, c in dense[:depth]]
    keyword_rank = [c for _, c in keyword[:depth]]
    if keyword_weight is None:
        keyword_weight = max((i.keyword_coverage(query, everyday) for i in indexes), default=0.0)
    fused = rrf([dense_rank, keyword_rank], weights=[1.0, keyword_weight])
    dense_score = {c: s for s, c in dense}
    keyword_score = {c: s for s, c in keyword}
    best = (1.0 + keyword_weight) / (RRF_K + 1)
    ordered = sorted(fused.items(), key=lambda x: (-x[1], -dense_score.get(x[0], 0.0)))[:limit]
    return [
        Hit(
            passage=passages[c],
            score=round(s / best, 4),
            dense=dense_score.get(c),
            keyword=keyword_score.get(c),
            scope=c.scope,
        )
        for c, s in ordered
    ]


def search(
    indexes: Sequence[HybridIndex],
    backend: EmbeddingBackend,
    question: str,
    *,
    limit: int = 20,
    accept: Callable[[str, Passage], bool] | None = None,
) -> list[Hit]:
    """Prepare ``question``, embed it and run ``hybrid_search``."""
    query = prepare_query(question)
    vector = backend.embed_queries([query.question])[0]
    return hybrid_search(indexes, query.text, vector, limit=limit, accept=accept, everyday=query.everyday)


#: Catalogue passages: one OZG-Leistung with its LeiKa services counts as one service.
CATALOG_KINDS = frozenset({"ozg", "leika"})


def group_of(hit: Hit) -> str:
    """What counts as "the same thing" in a result list: one OZG-Leistung with its LeiKa
    services, or one document with its sections (a tenant's online service for an
    OZG-Leistung is a thing of its own, not a variant of the catalogue's)."""
    p = hit.passage
    m = p.meta
    if p.kind in CATALOG_KINDS and m.get("ozg_id"):
        return f"ozg_id:{m['ozg_id']}"
    for key in ("network_document_id", "document_id", "strategy_id"):
        if m.get(key):
            return f"{key}:{m[key]}"
    return p.doc_id


def diversify(hits: Sequence[Hit], per_group: int = 3, per_service: int = 1) -> list[Hit]:
    """Keep the order, but move a group's hits beyond the first few behind all others, so a
    list of ten shows several candidates instead of ten variants of one: ``per_service`` for
    an OZG-Leistung of the catalogue (its LeiKa services are variants of one service, such as
    "Personalausweis Ausstellung" and "… Ausstellung vorläufig"; the best one stands for it,
    the others follow after the other candidates), ``per_group`` for a document's sections.

    Measured when introduced (``benchmarks/bench_assistant.py``, the other changes in place):
    one instead of three per OZG-Leistung kept or raised hit@10 / MRR@10 on all three
    question sets (held-out B: hit@10 0.75 → 0.83)."""
    counts: dict[str, int] = {}
    first: list[Hit] = []
    later: list[Hit] = []
    for hit in hits:
        g = group_of(hit)
        counts[g] = counts.get(g, 0) + 1
        cap = per_service if g.startswith("ozg_id:") else per_group
        (first if counts[g] <= cap else later).append(hit)
    return first + later
