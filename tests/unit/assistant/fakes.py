"""A deterministic, dependency-free embedding backend for fast index tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from core.assistant.text import analyze


class HashingBackend:
    """Bag of stemmed words hashed into 64 dimensions; counts calls to check incrementality."""

    name = "test-hashing"
    label = "Test"
    dim = 64

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for token in analyze(text):
            v[int(hashlib.md5(token.encode(), usedforsecurity=False).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return self.embed_queries(texts)
