"""API fuzzing with schemathesis against the app's own OpenAPI schema, over real HTTP.

Every JSON API operation is called with generated data as a tenant admin of tenant A
(session cookie + CSRF header). Checks: no 5xx, and no response ever contains tenant B's
data (B's records carry a marker string). Path ids are random UUIDs here; the isolation
sweep calls every id route with B's real ids.
"""

from __future__ import annotations

import asyncio
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session, tenant_session
from core.measures.schemas import MeasureCreate
from core.measures.service import MeasureService
from tenants.models import Role
from tenants.sessions import SessionService
from tests.factories import add_membership, create_tenant, create_user
from tests.live import LiveServer

EXAMPLES_PER_OPERATION = 12
MARKER = "GEHEIM-MANDANT-B-7f3a"


def fuzz(base_url: str, cookie: str) -> dict[str, Any]:
    http = requests.Session()
    http.cookies.set("kommpass_session", cookie)
    http.get(f"{base_url}/login", timeout=10)
    csrf = http.cookies.get("kommpass_csrf")
    assert csrf
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json").include(path_regex="^/api/")
    stats: dict[str, Any] = {"operations": 0, "cases": 0, "statuses": {}, "errors": []}

    for result in schema.get_all_operations():
        operation = result.ok()
        stats["operations"] += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            label = f"{case.method} {case.formatted_path}"
            try:
                response = case.call(base_url=base_url, session=http, headers={"x-csrftoken": csrf},
                                     timeout=30)
            except requests.Timeout:  # a hang is a finding too, named by its operation
                stats["errors"].append(f"{label} → no answer within 30 s")
                return
            stats["cases"] += 1
            stats["statuses"][response.status_code] = stats["statuses"].get(response.status_code, 0) + 1
            if response.status_code >= 500:
                stats["errors"].append(f"{label} → {response.status_code}: {response.content[:200]!r}")
            if MARKER.encode() in response.content:
                stats["errors"].append(f"{label} returned tenant B's data")

        run()
    return stats


async def test_schemathesis_finds_no_server_errors_and_no_cross_tenant_reads(
    live_server: LiveServer, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant_a = await create_tenant(sessionmaker)
    tenant_b = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant_b.id) as session:
        service = MeasureService(session, tenant_b.id)
        await service.create(MeasureCreate(number="MP 999", title=f"{MARKER} Maßnahme",
                                           description=MARKER))
    user = await create_user(sessionmaker)
    await add_membership(sessionmaker, tenant_a.id, user.id, Role.TENANT_ADMIN)
    async with platform_session(sessionmaker) as session:
        token = await SessionService(session).create(user_id=user.id, tenant_id=tenant_a.id)

    stats = await asyncio.to_thread(fuzz, live_server.url, token)
    print(f"\nschemathesis: {stats['operations']} operations, {stats['cases']} cases, statuses {stats['statuses']}")
    assert stats["operations"] >= 40
    assert stats["cases"] >= stats["operations"]
    assert not stats["errors"], "\n".join(stats["errors"][:30])
