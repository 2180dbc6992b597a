"""Writing the audit trail. Call from services, inside the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent, PlatformAuditEvent


@dataclass(frozen=True)
class Actor:
    """Who did it. ``label`` is kept even if the user is deleted later."""

    user_id: uuid.UUID | None = None
    label: str | None = None
    ip: str | None = None
    request_id: str | None = None


SYSTEM = Actor(label="system")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a != b:
            out[key] = [_jsonable(a), _jsonable(b)]
    return out


async def record(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    action: str,
    actor: Actor = SYSTEM,
    entity_type: str | None = None,
    entity_id: str | uuid.UUID | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        tenant_id=tenant_id,
        action=action,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        entity_type=entity_type,
        entity_id=str(entity_id) if entity_id is not None else None,
        changes=_jsonable(dict(changes or {})),
        reason=reason,
        ip=actor.ip,
        request_id=actor.request_id,
    )
    session.add(event)
    return event


async def record_platform(
    session: AsyncSession,
    *,
    action: str,
    actor: Actor = SYSTEM,
    subject_tenant_id: uuid.UUID | None = None,
    details: Mapping[str, Any] | None = None,
) -> PlatformAuditEvent:
    event = PlatformAuditEvent(
        action=action,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        subject_tenant_id=subject_tenant_id,
        details=_jsonable(dict(details or {})),
        ip=actor.ip,
        request_id=actor.request_id,
    )
    session.add(event)
    return event
