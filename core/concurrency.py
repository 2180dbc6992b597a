"""Optimistic concurrency of edited records: every edit carries the version the editor started
from; a stale version, or a row changed between reading and flushing, is a ``Conflict``.

What a caller may rely on: ``Conflict.current`` carries the newer state (JSON-ready) for the
editor who lost the race; a missing version is ``ValidationFailed`` on the field ``version``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.audit.service import _jsonable
from core.errors import Conflict, FieldError, ValidationFailed
from core.reporting.history import last_change

STALE_MESSAGE = (
    "Dieser Eintrag wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde nicht gespeichert; "
    "unten sehen Sie den aktuellen Stand."
)


def check_version(expected: int | None, current: int, state: Mapping[str, Any]) -> None:
    """``expected`` is the version the editor saw: missing → 422, another one → 409 with ``state``."""
    if expected is None:
        raise ValidationFailed([FieldError("version", "Die Version des bearbeiteten Stands fehlt.")])
    if expected != current:
        raise Conflict(STALE_MESSAGE, current=_jsonable(dict(state)))


async def flush_or_conflict(
    session: AsyncSession, message: str = STALE_MESSAGE, state: Mapping[str, Any] | None = None
) -> None:
    """Flush; a row another transaction changed meanwhile is a ``Conflict`` (``current``: ``state``)."""
    try:
        await session.flush()
    except StaleDataError:
        raise Conflict(message, current=_jsonable(dict(state)) if state is not None else None) from None


async def conflict_with_last_change(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    entity_type: str,
    obj: Any,
    state_of: Callable[[Any], dict[str, Any]],
    message: str,
) -> Conflict:
    """The ``Conflict`` for a stale edit of ``obj``: its current state (reloaded) and who changed
    it last, when and what (``changed_by``, ``changed_at``, ``changes``)."""
    await session.refresh(obj)
    current = state_of(obj)
    current.update(await last_change(session, tenant_id, entity_type, obj.id))
    return Conflict(message, current=current)
