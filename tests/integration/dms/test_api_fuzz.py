"""Schemathesis over the DMS API only (more cases than the project-wide sweep): no 5xx."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session
from tenants.models import Role
from tenants.sessions import SessionService
from tests.factories import add_membership, create_tenant, create_user
from tests.integration.dms.helpers import make_units
from tests.live import LiveServer


def fuzz(base_url: str, cookie: str) -> dict[str, Any]:
    http = requests.Session()
    http.cookies.set("kommpass_session", cookie)
    http.get(f"{base_url}/login", timeout=10)
    csrf = http.cookies.get("kommpass_csrf")
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json").include(
        path_regex="^/api/v1/dms"
    )
    stats: dict[str, Any] = {"operations": 0, "errors": []}
    for result in schema.get_all_operations():
        operation = result.ok()
        stats["operations"] += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(base_url=base_url, session=http, headers={"x-csrftoken": csrf}, timeout=30)
            if response.status_code >= 500:
                stats["errors"].append(
                    f"{case.method} {case.formatted_path} → {response.status_code}: {case.body!r:.300}"
                )

        run()
    return stats


@pytest.mark.slow
async def test_dms_api_has_no_server_errors(
    live_server: LiveServer, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    await make_units(sessionmaker, tenant.id, ["Organisation"])
    user = await create_user(sessionmaker)
    await add_membership(sessionmaker, tenant.id, user.id, Role.TENANT_ADMIN)
    async with platform_session(sessionmaker) as session:
        token = await SessionService(session).create(user_id=user.id, tenant_id=tenant.id)
    stats = await asyncio.to_thread(fuzz, live_server.url, token)
    assert stats["operations"] >= 20
    assert not stats["errors"], "\n".join(stats["errors"][:20])
