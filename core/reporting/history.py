"""Reading the audit trail of one record (for conflict messages and history views)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.models import AuditEvent
from core.tenancy import owned_by


async def history(
    session: AsyncSession, tenant_id: uuid.UUID, entity_type: str, entity_id: uuid.UUID, *, limit: int = 50
) -> list[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent)
        .where(
            owned_by(AuditEvent, tenant_id),
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == str(entity_id),
        )
        .order_by(AuditEvent.occurred_at.desc())
        .limit(limit)
    )
    return list(rows)


async def last_change(
    session: AsyncSession, tenant_id: uuid.UUID, entity_type: str, entity_id: uuid.UUID
) -> dict[str, Any]:
    """Who changed the record last, when, and what: shown to the editor who lost a race."""
    events = await history(session, tenant_id, entity_type, entity_id, limit=1)
    if not events:
        return {}
    e = events[0]
    return {"changed_by": e.actor_label, "changed_at": e.occurred_at.isoformat(), "changes": e.changes}
