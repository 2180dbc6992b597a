"""The result of a spreadsheet import, shared by every importer (measures, online services,
budget plan) so that UI, API and CLI report the same shape:

``{"created": 3, "updated": 1, "unchanged": 4, "errors": [{"row", "column", "message"}],
"dry_run": false, "changes": [...]}``
"""

from __future__ import annotations

from collections.abc import Mapping
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
                message=f"Die Datei enthält {len(self.errors)} ungültige Angabe(n); "
                "es wurde nichts gespeichert.",
            )


def row_audit(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    changes: Mapping[str, list[Any]],
    *,
    also: tuple[str, ...],
    prefix: str,
) -> dict[str, list[Any]]:
    """The audited changes of an imported row: the record's fields (``before`` → ``after``; the
    version, which the import bumps, is not a change) and the row's ``changes`` whose key is
    one of ``also`` or starts with ``prefix`` (the file's per-date columns)."""
    from core.audit.service import diff

    audit = diff(before, {**after, "version": before.get("version", 1)})
    audit.update({k: v for k, v in changes.items() if k.startswith(prefix) or k in also})
    return audit


class AuditBatch:
    """Audit entries of a bulk import, written in one statement.

    The rows are the ones ``core.audit.service.record`` writes (same columns, same JSON
    form of ``changes``); for a thousand-row import one multi-row INSERT instead of a
    thousand ORM objects keeps the import within seconds.
    """

    def __init__(self, tenant_id: Any, actor: Any, reason: str | None) -> None:
        self.tenant_id = tenant_id
        self.actor = actor
        self.reason = reason
        self.rows: list[dict[str, Any]] = []

    def add(self, *, action: str, entity_type: str, entity_id: Any, changes: dict[str, Any]) -> None:
        import uuid

        from core.audit.service import _jsonable
        from core.models import utcnow

        self.rows.append(
            {
                "tenant_id": self.tenant_id,
                "id": uuid.uuid4(),
                "occurred_at": utcnow(),
                "action": action,
                "actor_user_id": self.actor.user_id,
                "actor_label": self.actor.label,
                "entity_type": entity_type,
                "entity_id": str(entity_id),
                "changes": _jsonable(dict(changes)),
                "reason": self.reason,
                "ip": self.actor.ip,
                "request_id": self.actor.request_id,
            }
        )

    async def write(self, session: Any) -> None:
        from sqlalchemy import insert

        from core.audit.models import AuditEvent

        if self.rows:
            await session.execute(insert(AuditEvent), self.rows)
            self.rows = []
