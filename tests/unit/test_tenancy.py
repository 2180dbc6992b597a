from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from core import tenancy
from core.audit.models import AuditEvent


def test_owned_by_filters_by_tenant_unless_switched_off(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    tid = uuid.uuid4()
    monkeypatch.setattr(tenancy, "APP_TENANT_FILTER", True)
    sql = str(select(AuditEvent).where(tenancy.owned_by(AuditEvent, tid)).compile(dialect=postgresql.dialect()))
    assert "audit_events.tenant_id = " in sql
    monkeypatch.setattr(tenancy, "APP_TENANT_FILTER", False)
    sql = str(select(AuditEvent).where(tenancy.owned_by(AuditEvent, tid)).compile(dialect=postgresql.dialect()))
    assert "tenant_id =" not in sql
