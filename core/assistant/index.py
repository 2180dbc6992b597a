"""One hybrid index: dense vectors in FAISS plus BM25 (bm25s) over German-analysed text.

* ``sync(passages)`` brings the index to exactly the given passages: passages whose text is
  unchanged keep their vectors, only new or changed ones are embedded (an edit re-embeds one
  passage, not the index). The keyword side is rebuilt from the stored texts (and keywords,
  see ``Passage.keyword_text``), which takes about a second even for the catalogue; a change
  of keywords alone rebuilds only the keyword side.
* ``save``/``load`` persist everything in one folder (written to a temporary folder and
  swapped in atomically through a symbolic link, so a reader never sees half an index and a
  killed build leaves the previous one in place); loading never embeds.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import bm25s
import faiss
import numpy as np
import numpy.typing as npt

from core.assistant.documents import Passage
from core.assistant.protocols import EmbeddingBackend
from core.assistant.text import STOPWORDS, Decompounder, analyze, stem, words

# One query at a time against a few thousand vectors: OpenMP threads only add wake-up and
# spinning cost (measured 17 ms instead of <1 ms per search on a busy 2-core machine).
faiss.omp_set_num_threads(1)

FORMAT_VERSION = 3
EMBED_BATCH = 32

Progress = Callable[[int, int], None]


class BuildCancelled(Exception):
    """The build was stopped (job cancelled, app shutting down); the index is unchanged."""


#: Word frequencies every index learns its decompounding from in addition to its own texts
#: (set from the catalogue index, see ``Engine``): a tenant's few pages alone know too few words.
_base_vocabulary: dict[str, int] = {}


def set_base_vocabulary(freq: dict[str, int]) -> None:
    global _base_vocabulary
    _base_vocabulary = {w: n for w, n in freq.items() if n >= 2}


def base_vocabulary() -> dict[str, int]:
    """The catalogue's word frequencies (empty before the catalogue index is loaded)."""
    return _base_vocabulary


class HybridIndex:
    def __init__(self, scope: str, backend_name: str, dim: int) -> None:
        self.scope = scope
        self.backend_name = backend_name
        self.dim = dim
        self.generation = 0
        self.passages: dict[int, Passage] = {}
        self.digests: dict[int, str] = {}
        self.by_doc: dict[str, int] = {}
        self.next_id = 1
        self.dense = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        self.decompounder = Decompounder()
        self.bm25: bm25s.BM25 | None = None
        self.bm25_ids: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.lock = threading.RLock()

    def __len__(self) -> int:
        return len(self.passages)

    # --- building -------------------------------------------------------------------------
    def sync(
        self,
        passages: Sequence[Passage],
        backend: EmbeddingBackend,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, int]:
        """Make the index hold exactly ``passages``; returns counts added/changed/removed/kept
        (and ``keywords_changed`` when kept passages got other keywords)."""
        wanted: dict[str, Passage] = {}
        for p in passages:
            wanted[p.doc_id] = p
        with self.lock:
            removed = [i for d, i in self.by_doc.items() if d not in wanted]
            to_embed: list[Passage] = []
            replaced: list[int] = []
            kept = 0
            keywords_changed = 0
            for doc_id, p in wanted.items():
                old = self.by_doc.get(doc_id)
                if old is not None and self.digests.get(old) == p.digest:
                    # title/url/meta/keywords may change without re-embedding
                    keywords_changed += self.passages[old].keywords != p.keywords
                    self.passages[old] = p
                    kept += 1
                    continue
                if old is not None:
                    replaced.append(old)
                to_embed.append(p)
        vectors = self._embed(to_embed, backend, progress, cancel)
        with self.lock:
            drop = removed + replaced
            if drop:
                self.dense.remove_ids(np.asarray(drop, dtype=np.int64))
                for i in drop:
                    p_old = self.passages.pop(i)
                    self.digests.pop(i, None)
                    if self.by_doc.get(p_old.doc_id) == i:
                        del self.by_doc[p_old.doc_id]
            if to_embed:
                ids = np.arange(self.next_id, self.next_id + len(to_embed), dtype=np.int64)
                self.next_id += len(to_embed)
                self.dense.add_with_ids(vectors, ids)
                for i, p in zip(ids.tolist(), to_embed, strict=True):
                    self.passages[i] = p
                    self.digests[i] = p.digest
                    self.by_doc[p.doc_id] = i
            if to_embed or drop or keywords_changed or self.bm25 is None:
                self._rebuild_keyword()
            self.generation += 1
        return {
            "added": len(to_embed) - len(replaced),
            "changed": len(replaced),
            "removed": len(removed),
            "kept": kept,
            # kept passages with other keywords (only the keyword side was rebuilt)
            **({"keywords_changed": keywords_changed} if keywords_changed else {}),
        }

    def remove(self, doc_ids: Sequence[str]) -> int:
        """Remove passages at once (e.g. a withdrawn publication)."""
        with self.lock:
            ids = [self.by_doc[d] for d in doc_ids if d in self.by_doc]
            if not ids:
                return 0
            self.dense.remove_ids(np.asarray(ids, dtype=np.int64))
            for i in ids:
                p = self.passages.pop(i)
                self.digests.pop(i, None)
                self.by_doc.pop(p.doc_id, None)
            self._rebuild_keyword()
            self.generation += 1
            return len(ids)

    def _embed(
        self,
        passages: Sequence[Passage],
        backend: EmbeddingBackend,
        progress: Progress | None,
        cancel: threading.Event | None = None,
    ) -> npt.NDArray[np.float32]:
        """Vectors of ``passages``. Every distinct text (a passage's text, or each of its
        ``embed_parts``) goes through the model once; a passage with parts gets the
        normalised sum of its parts' vectors."""
        slot: dict[str, int] = {}
        for p in passages:
            for text in p.embed_texts:
                slot.setdefault(text, len(slot))
        texts = list(slot)
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), EMBED_BATCH):
            if cancel is not None and cancel.is_set():
                raise BuildCancelled()
            batch = texts[start : start + EMBED_BATCH]
            vectors[start : start + len(batch)] = backend.embed_passages(batch)
            if progress is not None:  # in passages, as the build is shown
                done = min(start + len(batch), len(texts))
                progress(round(done * len(passages) / len(texts)), len(passages))
        out = np.zeros((len(passages), self.dim), dtype=np.float32)
        for n, p in enumerate(passages):
            out[n] = vectors[[slot[t] for t in p.embed_texts]].sum(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        result: npt.NDArray[np.float32] = out / norms
        return result

    def _rebuild_keyword(self) -> None:
        ids = sorted(self.passages)
        texts = [self.passages[i].keyword_text for i in ids]
        base = _base_vocabulary if self.scope != "catalog" else None
        self.decompounder = Decompounder.learn(texts, base)
        corpus = [analyze(t, self.decompounder) or ["\u2205"] for t in texts]
        self.bm25_ids = np.asarray(ids, dtype=np.int64)
        if not corpus:
            self.bm25 = None
            return
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(corpus, show_progress=False)
        self.bm25 = bm25

    # --- searching ------------------------------------------------------------------------
    def search_dense(self, query_vector: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        faiss.omp_set_num_threads(1)  # per calling thread (see above)
        with self.lock:
            if self.dense.ntotal == 0:
                return []
            scores, ids = self.dense.search(query_vector.reshape(1, -1), min(k, self.dense.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def search_keyword(self, query: str, k: int) -> list[tuple[int, float]]:
        with self.lock:
            bm25 = self.bm25
            if bm25 is None:
                return []
            tokens = [t for t in analyze(query, self.decompounder) if t in bm25.vocab_dict]
            if not tokens:
                return []
            scores = bm25.get_scores(tokens)
            ids = self.bm25_ids
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(int(ids[j]), float(scores[j])) for j in top if scores[j] > 0]

    def keyword_bound(self, query: str) -> float:
        """The highest BM25 score a passage of this index could reach for ``query`` if it
        contained every term of it: the sum of the terms' inverse document frequencies (BM25's
        term-frequency part stays below 1), a term the index does not know weighing as much as
        its rarest. Raw scores of indexes of different size are not comparable (a word among a
        tenant's few pages weighs little against the same word among the catalogue's 5,800
        passages); a score divided by this bound is the share of the question a passage
        matches, weighed in its own index."""
        with self.lock:
            stats = self._term_stats()
            if stats is None:
                return 0.0
            doc_freq, n = stats
            dfs = (doc_freq(t) for t in analyze(query, self.decompounder))
            return sum(_idf(1 if df is None else df, n) for df in dfs)

    def keyword_coverage(self, query: str, skip: Collection[str] = ()) -> float:
        """How much of the query the keyword side can see: the share of the query words'
        weight (inverse document frequency; a word the index does not know weighs as much as
        the rarest) carried by words the index knows, as a whole or by a compound part.
        ``skip``: words not to count (everyday words already translated into the catalogue's)."""
        with self.lock:
            stats = self._term_stats()
            if stats is None:
                return 0.0
            doc_freq, n = stats
            total = known = 0.0
            for w in dict.fromkeys(words(query)):
                if w in STOPWORDS or w in skip or (len(w) < 2 and not w.isdigit()):
                    continue
                terms = [stem(w), *(stem(p) for p in self.decompounder.split(w))]
                dfs = [df for df in map(doc_freq, terms) if df is not None]
                weight = _idf(max(dfs) if dfs else 0, n)
                total += weight
                if dfs:
                    known += weight
        return known / total if total else 0.0

    def _term_stats(self) -> tuple[Callable[[str], int | None], int] | None:
        """Document frequency of a keyword-side term (None: unknown) and the number of
        passages; None without a keyword index. Call under ``self.lock``."""
        bm25 = self.bm25
        if bm25 is None:
            return None
        vocab = bm25.vocab_dict
        indptr = bm25.scores["indptr"]

        def doc_freq(term: str) -> int | None:
            return int(indptr[vocab[term] + 1] - indptr[vocab[term]]) if term in vocab else None

        return doc_freq, int(bm25.scores.get("num_docs") or len(self.bm25_ids))

    # --- persistence ----------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.parent / f".{folder.name}.{uuid.uuid4().hex}.tmp"
        tmp.mkdir()
        with self.lock:
            faiss.write_index(self.dense, str(tmp / "dense.faiss"))
            with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
                for i, p in self.passages.items():
                    fh.write(
                        json.dumps({"id": i, "digest": self.digests[i], **p.to_json()}, ensure_ascii=False)
                    )
                    fh.write("\n")
            meta = {
                "format": FORMAT_VERSION,
                "scope": self.scope,
                "backend": self.backend_name,
                "dim": self.dim,
                "next_id": self.next_id,
                "generation": self.generation,
                "saved_at": time.time(),
                "count": len(self.passages),
            }
            (tmp / "words.json").write_text(json.dumps(self.decompounder.freq, ensure_ascii=False))
            if self.bm25 is not None:
                self.bm25.save(str(tmp / "bm25"), show_progress=False)
                np.save(tmp / "bm25_ids.npy", self.bm25_ids)
            (tmp / "meta.json").write_text(json.dumps(meta))
        _publish(tmp, folder)

    @classmethod
    def load(cls, folder: Path) -> HybridIndex:
        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text())
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError("index format changed")
        index = cls(meta["scope"], meta["backend"], int(meta["dim"]))
        index.next_id = int(meta["next_id"])
        index.generation = int(meta["generation"])
        index.dense = faiss.read_index(str(folder / "dense.faiss"))
        with (folder / "passages.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                data: dict[str, Any] = json.loads(line)
                i = int(data["id"])
                p = Passage.from_json(data)
                index.passages[i] = p
                index.digests[i] = data["digest"]
                index.by_doc[p.doc_id] = i
        index.decompounder = Decompounder(json.loads((folder / "words.json").read_text()))
        if (folder / "bm25").exists():
            index.bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
            index.bm25_ids = np.load(folder / "bm25_ids.npy")
        return index


def _publish(tmp: Path, folder: Path) -> None:
    """Make the complete folder ``tmp`` the index at ``folder`` in one atomic step.

    ``folder`` is a symbolic link to a versioned folder (``.<name>.v-<hex>``); a new version is
    swapped in by renaming a new link over it, so a process killed at any point leaves either
    the previous or the new index, never none (renaming a real folder away and the new one in
    had a moment without any). A real folder from before this layout is converted on the next
    save. Leftovers of killed saves (``.tmp`` folders, unreferenced versions) are removed by the
    next save of the same folder (callers hold the scope's write lock).
    """
    version = folder.parent / f".{folder.name}.v-{uuid.uuid4().hex}"
    os.replace(tmp, version)
    link = folder.parent / f".{folder.name}.{uuid.uuid4().hex}.link"
    os.symlink(version.name, link)
    if folder.is_dir() and not folder.is_symlink():  # the old layout: once, not atomic
        os.replace(folder, folder.parent / f".{folder.name}.{uuid.uuid4().hex}.old")
    os.replace(link, folder)
    for stale in folder.parent.glob(f".{folder.name}.*"):
        if stale.name == version.name or stale.name.endswith(".lock"):
            continue
        if stale.is_symlink() or stale.is_file():
            stale.unlink(missing_ok=True)
        else:
            shutil.rmtree(stale, ignore_errors=True)


def remove_folder(folder: Path) -> None:
    """Delete an index folder (the link and the version it points to)."""
    folder = Path(folder)
    if folder.is_symlink():
        target = folder.parent / os.readlink(folder)
        folder.unlink()
        shutil.rmtree(target, ignore_errors=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def read_generation(folder: Path) -> int | None:
    try:
        return int(json.loads((Path(folder) / "meta.json").read_text())["generation"])
    except (OSError, ValueError, KeyError):
        return None


def _idf(doc_freq: int, n: int) -> float:
    """BM25's inverse document frequency of a term found in ``doc_freq`` of ``n`` passages."""
    return math.log(1 + (n - doc_freq + 0.5) / (doc_freq + 0.5))
