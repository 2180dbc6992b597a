"""The result of a spreadsheet import, shared by every importer (measures, online services,
budget plan) so that UI, API and CLI report the same shape:

``{"created": 3, "updated": 1, "unchanged": 4, "errors": [{"row", "column", "message"}],
"dry_run": false, "changes": [...]}``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import FieldError, ValidationFailed


@dataclass(frozen=True)
class ImportError_:
    """One problem in a file: ``row`` is the 1-based spreadsheet row, ``column`` the header."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


#: Public name (``ImportError`` is a builtin; the trailing underscore keeps them apart).
RowError = ImportError_


@dataclass(frozen=True)
class RowChange:
    """What an import does (or would do, on a dry run) with one row."""

    row: int
    key: str
    action: str  # "create" | "update" | "unchanged"
    changes: dict[str, list[Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "key": self.key, "action": self.action, "changes": self.changes}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    changes: list[RowChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def count(self, change: RowChange) -> None:
        self.changes.append(change)
        if change.action == "create":
            self.created += 1
        elif change.action == "update":
            self.updated += 1
        else:
            self.unchanged += 1

    def as_dict(self, *, with_changes: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [e.as_dict() for e in self.errors],
        }
        if with_changes:
            out["dry_run"] = self.dry_run
            out["changes"] = [c.as_dict() for c in self.changes if c.action != "unchanged"]
        return out

    def raise_if_invalid(self) -> None:
        """Turn the row errors into ``ValidationFailed`` (field = column, row = row)."""
        if self.errors:
            raise ValidationFailed(
                errors=[FieldError(e.column, e.message, e.row) for e in self.errors],
                message=f"Die Datei enthält {len(self.errors)} ungültige Angabe(n); es wurde nichts gespeichert.",
            )
