"""Start-up: a catalogue index of the older recipe is loaded (it answers) and its update queued."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import pytest

from core.assistant.documents import LeikaRow, OzgRow, catalog_passages
from core.assistant.embeddings import get_backend
from core.assistant.hooks import kommpass_on_startup
from core.assistant.index import HybridIndex


class RandomBackend:
    """Stands in for the real model when writing an index (only the vectors' shape matters)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.label, self.dim = name, "Test", dim

    def embed_queries(self, texts: Any) -> np.ndarray:
        return self.embed_passages(texts)

    def embed_passages(self, texts: Any) -> np.ndarray:
        v = np.random.default_rng(0).normal(size=(len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


class FakeQueue:
    queued: ClassVar[list[tuple[str, str | None, dict[str, Any]]]] = []

    def __init__(self, url: str, **kwargs: Any) -> None:
        pass

    async def enqueue(self, name: str, *, key: str | None = None, **kwargs: Any) -> str | None:
        self.queued.append((name, key, kwargs))
        return key

    async def close(self) -> None:
        pass


@pytest.mark.parametrize("recipe", ["current", "without parts", "without search terms"])
async def test_an_outdated_catalogue_index_is_loaded_and_its_update_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, recipe: str
) -> None:
    real = get_backend()
    ozg = [OzgRow("10160", "Hundehaltung", "Engagement & Hobby", "Tierhaltung")]
    leika = [LeikaRow("99102013000000", "99102013000000", "Hundesteuer", "4", "10160")]
    passages = catalog_passages(ozg, leika)
    if recipe == "without parts":  # as built before LeiKa services were embedded from their parts
        passages = [dataclasses.replace(p, embed_parts=()) for p in catalog_passages(ozg, leika, terms={})]
    elif recipe == "without search terms":  # as built before data/suchbegriffe.tsv
        passages = catalog_passages(ozg, leika, terms={})
    outdated = recipe != "current"
    index = HybridIndex("catalog", real.name, real.dim)
    index.sync(passages, RandomBackend(real.name, real.dim))
    index.save(tmp_path / "assistant" / real.name / "catalog")

    import core.assistant.index
    import core.jobs

    # loading a catalogue sets the process-wide base vocabulary: restored after the test
    monkeypatch.setattr(core.assistant.index, "_base_vocabulary", {})
    FakeQueue.queued = []
    monkeypatch.setattr(core.jobs, "JobQueue", FakeQueue)
    url = SimpleNamespace(render_as_string=lambda hide_password: "postgresql+asyncpg://x@127.0.0.1/x")
    sessionmaker = SimpleNamespace(kw={"bind": SimpleNamespace(url=url)})
    await kommpass_on_startup(sessionmaker=sessionmaker, settings=SimpleNamespace(data_dir=tmp_path))
    expected = [("assistant.reindex", "assistant.reindex:catalog", {"scope": "catalog"})] if outdated else []
    assert FakeQueue.queued == expected
