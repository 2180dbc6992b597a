"""Hybrid search over several indexes (catalogue, the tenant's own, the network).

Per index, the dense (cosine) and the keyword (BM25) lists are taken; dense lists of all
indexes are merged by cosine (same model, comparable), keyword lists by BM25 score; the two
merged lists are fused with reciprocal-rank fusion (Cormack et al. 2009, k = 60, equal
weights: no tuning to a question set). A hit's fused score is scaled to 0..1 by the best
possible fused score (rank 1 in both lists).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.assistant.documents import Hit, Passage
from core.assistant.index import HybridIndex

RRF_K = 60
#: How deep each list is read before fusing.
DEPTH = 100


@dataclass(frozen=True)
class Candidate:
    scope: str
    passage_id: int


def rrf(ranked_lists: Sequence[Sequence[Candidate]], k: int = RRF_K) -> dict[Candidate, float]:
    scores: dict[Candidate, float] = {}
    for ranked in ranked_lists:
        for rank, cand in enumerate(ranked, start=1):
            scores[cand] = scores.get(cand, 0.0) + 1.0 / (k + rank)
    return scores


def hybrid_search(
    indexes: Sequence[HybridIndex],
    query: str,
    query_vector: npt.NDArray[np.float32],
    *,
    limit: int = 20,
    accept: Callable[[str, Passage], bool] | None = None,
    depth: int = DEPTH,
) -> list[Hit]:
    """Best ``limit`` hits over ``indexes``; ``accept(scope, passage)`` filters candidates."""
    dense: list[tuple[float, Candidate]] = []
    keyword: list[tuple[float, Candidate]] = []
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
            for pid, score in index.search_keyword(query, depth):
                p = index.passages.get(pid)
                if p is None or (accept is not None and not accept(index.scope, p)):
                    continue
                cand = Candidate(index.scope, pid)
                passages[cand] = p
                keyword.append((score, cand))
    dense.sort(key=lambda x: -x[0])
    keyword.sort(key=lambda x: -x[0])
    dense_rank = [c for _, c in dense[:depth]]
    keyword_rank = [c for _, c in keyword[:depth]]
    fused = rrf([dense_rank, keyword_rank])
    dense_score = {c: s for s, c in dense}
    keyword_score = {c: s for s, c in keyword}
    best = 2.0 / (RRF_K + 1)
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


def group_of(hit: Hit) -> str:
    """What counts as "the same thing" in a result list: one OZG-Leistung with its LeiKa
    services, or one document with its sections."""
    m = hit.passage.meta
    for key in ("ozg_id", "network_document_id", "document_id", "strategy_id"):
        if m.get(key):
            return f"{key}:{m[key]}"
    return hit.passage.doc_id


def diversify(hits: Sequence[Hit], per_group: int = 3) -> list[Hit]:
    """Keep the order, but move a group's hits beyond the first ``per_group`` behind all
    others, so a list of ten shows several candidates instead of ten variants of one."""
    counts: dict[str, int] = {}
    first: list[Hit] = []
    later: list[Hit] = []
    for hit in hits:
        g = group_of(hit)
        counts[g] = counts.get(g, 0) + 1
        (first if counts[g] <= per_group else later).append(hit)
    return first + later
