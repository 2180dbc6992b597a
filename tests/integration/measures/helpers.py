"""Shared helpers for the measures-area tests."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from core.db import tenant_session
from core.measures.excel import MeasureImporter
from core.online_services.excel import OnlineServiceImporter
from tenants.models import Role, Tenant
from tests.factories import Actor, create_tenant, login


def example(shared_dir: Path, name: str) -> bytes:
    return (shared_dir / "data" / "beispiele" / name).read_bytes()


async def seeded_tenant(sessionmaker: Any, shared_dir: Path) -> Tenant:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as s:
        r1 = await MeasureImporter(s, tenant.id).run(example(shared_dir, "massnahmenplan-beispiel.xlsx"))
        r2 = await OnlineServiceImporter(s, tenant.id).run(
            example(shared_dir, "online-dienste-beispiel.xlsx")
        )
        assert not r1.errors and not r2.errors
    return tenant


async def editor(client: Any, sessionmaker: Any, tenant: Tenant, role: Role = Role.EDITOR) -> Actor:
    return await login(client, sessionmaker, tenant=tenant, role=role)


async def measure_id(client: Any, number: str) -> uuid.UUID:
    resp = await client.get("/api/v1/measures", params={"q": number})
    assert resp.status_code == 200, resp.text
    return uuid.UUID(next(m["id"] for m in resp.json() if m["number"] == number))
