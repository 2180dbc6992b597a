"""Fixtures of the assistant's integration tests.

The catalogue index needs every catalogue passage embedded with multilingual-e5-small
(≈95 s on two cores). Vectors are cached by passage text in ``KOMMPASS_TEST_CACHE`` (default
``~/.cache/kommpass-test``), so a CI run embeds the catalogue at most once and a developer's
later runs not at all; the index itself (keyword side included) is always built from the
current code.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from core.assistant.documents import catalog_passages, read_catalog_csv
from core.assistant.engine import Engine, get_engine
from core.assistant.protocols import EmbeddingBackend
from core.settings import Settings


class CachingBackend:
    """Wraps a backend; passage vectors are kept on disk by text digest."""

    def __init__(self, inner: EmbeddingBackend, folder: Path) -> None:
        self.inner = inner
        self.name, self.label, self.dim = inner.name, inner.label, inner.dim
        self.path = folder / f"vectors-{inner.name}.npz"
        self.cache: dict[str, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path)
            self.cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.dirty = False

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode(), usedforsecurity=False).hexdigest() for t in texts]
        missing = [t for k, t in zip(keys, texts, strict=True) if k not in self.cache]
        if missing:
            for k, v in zip(
                [hashlib.sha1(t.encode(), usedforsecurity=False).hexdigest() for t in missing],
                self.inner.embed_passages(missing),
                strict=True,
            ):
                self.cache[k] = v
            self.dirty = True
        return np.stack([self.cache[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self.cache)
            tmp = self.path.with_suffix(".tmp.npz")
            np.savez(tmp, keys=np.array(keys), vectors=np.stack([self.cache[k] for k in keys]))
            os.replace(tmp, self.path)


@pytest.fixture(scope="session")
def assistant_engine(test_settings: Settings, shared_dir: Path) -> Engine:
    """The engine of the test app's data dir, with the full catalogue index in place."""
    engine = get_engine(test_settings.data_dir)
    if not engine.exists("catalog"):
        cache_dir = Path(os.environ.get("KOMMPASS_TEST_CACHE") or Path.home() / ".cache" / "kommpass-test")
        backend = CachingBackend(engine.backend, cache_dir)
        ozg, leika = read_catalog_csv(shared_dir / "data" / "ozg-katalog")
        from core.assistant.index import HybridIndex

        index = HybridIndex("catalog", engine.backend.name, engine.backend.dim)
        index.sync(catalog_passages(ozg, leika), backend)
        backend.save()
        index.save(engine.folder("catalog"))
        assert engine.get("catalog") is not None
    return engine
