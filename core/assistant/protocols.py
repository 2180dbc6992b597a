"""Extension points of the assistant, contributed through the plugin hooks.

* ``EmbeddingBackend`` (hook ``kommpass_register_embedding_backends``): turns texts into
  L2-normalised float32 vectors. Queries and passages are embedded separately because
  asymmetric models (e5) prefix them differently. Backends must work offline.
* ``AnswerGenerator`` (hook ``kommpass_register_answer_generators``): composes the German
  answer text from the retrieved passages, e.g. a local language model. It must cite
  passages by their number (``[1]``) and may return ``None`` to leave the answer to the next
  generator (the built-in extractive one comes last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from core.assistant.documents import Hit


@runtime_checkable
class EmbeddingBackend(Protocol):
    #: Stable key, part of the index folder name (changing the backend means a new index).
    name: str
    #: German label for the admin page.
    label: str
    #: Vector dimension.
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of search queries, shape ``(len(texts), dim)``, L2-normalised."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors of passages to index, shape ``(len(texts), dim)``, L2-normalised."""
        ...


@dataclass(frozen=True)
class GeneratedAnswer:
    """An answer text whose claims cite ``hits`` by 1-based number, e.g. ``[2]``."""

    text: str
    #: Numbers (1-based, into the hits given to the generator) the text cites.
    cited: tuple[int, ...] = field(default_factory=tuple)


@runtime_checkable
class AnswerGenerator(Protocol):
    name: str

    def generate(self, question: str, hits: Sequence[Hit]) -> GeneratedAnswer | None:
        """Compose the answer from ``hits`` (best first) or return ``None`` to pass."""
        ...
