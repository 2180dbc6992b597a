"""The domain's error hierarchy.

Services raise these; ``web.errors`` maps them once to HTTP status codes for HTML and JSON
alike (NotFound → 404, Forbidden → 403, Conflict → 409, ValidationFailed → 422). Services
never raise HTTP exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class DomainError(Exception):
    """Base class: ``message`` is German and safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist *for this tenant* (another tenant's id is also NotFound)."""


class Forbidden(DomainError):
    """The identity may not do this."""


class Conflict(DomainError):
    """A stale edit or a uniqueness clash. ``current`` carries the other, newer state."""

    def __init__(self, message: str, *, current: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.current = current or {}


@dataclass(frozen=True)
class FieldError:
    """One problem with one input: ``row`` is 1-based for files, ``None`` for forms."""

    field: str
    message: str
    row: int | None = None


@dataclass
class ValidationFailed(DomainError):
    errors: list[FieldError] = field(default_factory=list)
    message: str = "Die Eingaben sind ungültig."

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)

    def as_dict(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}
