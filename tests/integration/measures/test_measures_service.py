"""Deleting a measure that other areas link to (budget lines) unlinks them, audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.audit.models import AuditEvent
from core.budget.models import BudgetLine
from core.budget.service import create_line
from core.db import tenant_session
from core.measures.schemas import MeasureCreate
from core.measures.service import MeasureService
from tests.factories import create_tenant


async def test_deleting_a_measure_unlinks_budget_lines(sessionmaker: Any) -> None:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        measure = await MeasureService(s, tenant.id).create(MeasureCreate(number="MP 500", title="Zu löschen"))
        line = await create_line(s, tenant.id, {"number": "F 1", "title": "Lizenzen", "measure_id": str(measure.id)})
        measure_id, line_id, version = measure.id, line.id, measure.version
    async with tenant_session(sessionmaker, tenant.id) as s:
        await MeasureService(s, tenant.id).delete(measure_id, version)
    async with tenant_session(sessionmaker, tenant.id) as s:
        line = await s.scalar(select(BudgetLine).where(BudgetLine.id == line_id))
        assert line is not None and line.measure_id is None
        audit = (await s.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(line_id)))).all()
        assert any(a.changes.get("measure_id") == [str(measure_id), None] for a in audit)
