"""One click from an answer to a plan: a LeiKa service becomes a planned online service
(through ``core.online_services``; status "P" at the open reporting date when there is one)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.assistant import sources as src
from core.assistant.engine import Engine
from core.audit.service import Actor
from core.errors import Conflict, NotFound


async def _next_number(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    from core.online_services.models import OnlineService

    numbers = (
        await session.scalars(select(OnlineService.number).where(OnlineService.tenant_id == tenant_id))
    ).all()
    highest = 0
    for n in numbers:
        m = re.search(r"(\d+)\s*$", n or "")
        if m:
            highest = max(highest, int(m.group(1)))
    return f"OD {highest + 1:03d}"


async def plan_online_service(
    session: AsyncSession, tenant_id: uuid.UUID, engine: Engine, key: str, actor: Actor
) -> dict[str, Any]:
    from core.online_services.models import OnlineService
    from core.online_services.schemas import OnlineServiceCreate
    from core.online_services.service import OnlineServiceService

    index = engine.get(src.CATALOG)
    pid = index.by_doc.get(f"leika:{key}") if index is not None else None
    if index is None or pid is None:
        raise NotFound("Diese LeiKa-Leistung gibt es im Katalog nicht.")
    p = index.passages[pid]
    leika_key = p.meta.get("leika_key")
    ozg_id = p.meta.get("ozg_id")
    if leika_key:
        existing = await session.scalar(
            select(OnlineService).where(
                OnlineService.tenant_id == tenant_id, OnlineService.leika_keys.any(leika_key)
            )
        )
        if existing is not None:
            raise Conflict(
                f"Für diese LeiKa-Leistung gibt es schon den Online-Dienst {existing.number}.",
                current={"id": str(existing.id), "number": existing.number},
            )
    svc = OnlineServiceService(session, tenant_id, actor)
    created = await svc.create(
        OnlineServiceCreate(
            number=await _next_number(session, tenant_id),
            title=p.title[:500],
            ozg_ids=[ozg_id] if ozg_id else [],
            leika_keys=[leika_key] if leika_key else [],
        )
    )
    try:  # planned ("P") at the current reporting date, where the tenant has one open
        from core.reporting.service import ReportingService

        current = await ReportingService(session, tenant_id).current_open()
        if current is not None:
            async with session.begin_nested():
                await svc.set_status(created.id, current.id, version=created.version, status="P")
    except Exception:  # noqa: S110 - the service exists; the status is a convenience
        pass
    return {
        "id": str(created.id),
        "number": created.number,
        "title": created.title,
        "url": f"/online-dienste/{created.id}",
    }
