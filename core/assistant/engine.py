"""The process-wide set of indexes, persisted under ``<data dir>/assistant/<backend>/``.

One folder per scope: ``catalog`` (shared), ``network`` (published strategies) and
``tenant-<uuid>`` (one per tenant). Loading reads the stored vectors and keyword index and
never embeds. Several processes (web app, ``kommpass worker``) may share the folders: writers
take a file lock per scope, readers notice a newer generation on disk (``meta.json``
changed) and reload.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import structlog

from core.assistant.documents import Passage
from core.assistant.embeddings import get_backend
from core.assistant.index import HybridIndex, Progress, set_base_vocabulary
from core.assistant.protocols import EmbeddingBackend

log = structlog.get_logger(__name__)


def scope_folder_name(scope: str) -> str:
    return scope.replace(":", "-")


class Engine:
    def __init__(self, data_dir: Path, backend: EmbeddingBackend) -> None:
        self.root = Path(data_dir) / "assistant" / backend.name
        self.backend = backend
        self._indexes: dict[str, HybridIndex] = {}
        self._mtimes: dict[str, float] = {}
        self._lock = threading.RLock()

    def folder(self, scope: str) -> Path:
        return self.root / scope_folder_name(scope)

    def _meta_mtime(self, scope: str) -> float | None:
        try:
            return os.stat(self.folder(scope) / "meta.json").st_mtime
        except OSError:
            return None

    def exists(self, scope: str) -> bool:
        return self._meta_mtime(scope) is not None

    def get(self, scope: str) -> HybridIndex | None:
        """The index of ``scope`` (loaded from disk, reloaded when another process saved it)."""
        mtime = self._meta_mtime(scope)
        with self._lock:
            index = self._indexes.get(scope)
            if mtime is None:
                return index
            if index is None or self._mtimes.get(scope) != mtime:
                try:
                    started = time.perf_counter()
                    index = HybridIndex.load(self.folder(scope))
                    log.debug(
                        "assistant.index_loaded",
                        scope=scope,
                        count=len(index),
                        seconds=round(time.perf_counter() - started, 3),
                    )
                except (OSError, ValueError, KeyError):
                    log.warning("assistant.index_unreadable", scope=scope)
                    return index
                self._indexes[scope] = index
                self._mtimes[scope] = mtime
                if scope == "catalog":
                    set_base_vocabulary(index.decompounder.freq)
            return index

    def load_all(self) -> list[str]:
        """Load every persisted index (start-up); returns the scopes loaded."""
        if not self.root.exists():
            return []
        loaded = []
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir() and not folder.name.startswith(".") and (folder / "meta.json").exists():
                scope = folder.name.replace("-", ":", 1) if folder.name.startswith("tenant-") else folder.name
                if self.get(scope) is not None:
                    loaded.append(scope)
        return loaded

    @contextlib.contextmanager
    def _write_lock(self, scope: str) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f".{scope_folder_name(scope)}.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _fresh(self, scope: str) -> HybridIndex:
        index = self.get(scope)
        if index is None:
            index = HybridIndex(scope, self.backend.name, self.backend.dim)
        return index

    def sync(
        self,
        scope: str,
        passages: Sequence[Passage],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, int]:
        """Bring ``scope`` to exactly ``passages`` (embedding only what changed) and persist."""
        with self._write_lock(scope):
            index = self._fresh(scope)
            counts = index.sync(passages, self.backend, progress, cancel)
            changed = ("added", "changed", "removed", "keywords_changed")
            if any(counts.get(k) for k in changed) or not self.exists(scope):
                self._save(scope, index)
            else:
                with self._lock:
                    self._indexes[scope] = index
        return counts

    def remove(self, scope: str, doc_ids: Sequence[str]) -> int:
        with self._write_lock(scope):
            index = self._fresh(scope)
            n = index.remove(doc_ids)
            if n:
                self._save(scope, index)
            return n

    def drop(self, scope: str) -> None:
        from core.assistant.index import remove_folder

        with self._write_lock(scope):
            remove_folder(self.folder(scope))
            with self._lock:
                self._indexes.pop(scope, None)
                self._mtimes.pop(scope, None)

    def _save(self, scope: str, index: HybridIndex) -> None:
        if scope == "catalog":
            set_base_vocabulary(index.decompounder.freq)
        index.save(self.folder(scope))
        with self._lock:
            self._indexes[scope] = index
            self._mtimes[scope] = self._meta_mtime(scope) or 0.0


_engines: dict[tuple[str, str], Engine] = {}
_engines_lock = threading.Lock()


def get_engine(data_dir: Path | None = None, backend: str | None = None) -> Engine:
    """The process-wide engine for ``data_dir`` (settings' data dir by default)."""
    if data_dir is None:
        from core.settings import get_settings

        data_dir = get_settings().data_dir
    chosen = get_backend(backend)
    key = (str(Path(data_dir).resolve()), chosen.name)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = Engine(Path(data_dir), chosen)
        return engine
