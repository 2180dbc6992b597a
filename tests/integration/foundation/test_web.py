"""The web shell: health, login redirect, security headers, German layout."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tenants.models import Role
from tests.factories import create_tenant, login


async def test_health_checks_the_database(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-request-id"]


async def test_anonymous_html_request_is_redirected_to_login(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/")
    # error responses carry the security headers too
    assert response.headers["x-frame-options"] == "DENY"


async def test_anonymous_api_request_gets_401_json(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/", headers={"accept": "application/json"})
    assert response.status_code == 401
    assert "detail" in response.json()


async def test_logged_in_dashboard_is_german_and_accessible_shell(
    client: AsyncTestClient[Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Beispielhausen")
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    response = await client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="de"' in html
    assert 'href="#inhalt"' in html and 'id="inhalt"' in html  # skip link target
    assert 'aria-label="Hauptnavigation"' in html
    assert "Stadt Beispielhausen" in html
    assert "/static/vendor/htmx/htmx.min.js" in html


async def test_expired_or_unknown_session_cookie_redirects(client: AsyncTestClient[Any]) -> None:
    client.cookies.set("kommpass_session", "not-a-session")
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 303


async def test_metrics_count_requests_per_route(client: AsyncTestClient[Any]) -> None:
    await client.get("/health")
    await client.get("/health")
    body = (await client.get("/metrics")).text
    line = next(ln for ln in body.splitlines()
                if ln.startswith("kommpass_http_requests_total") and 'route="/health"' in ln and 'status="200"' in ln)
    assert float(line.rsplit(" ", 1)[1]) >= 2
    assert "kommpass_http_request_duration_seconds_bucket" in body
    assert "process_resident_memory_bytes" in body


async def test_liveness_needs_no_database(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_own_scripts_and_styles_are_linked_by_content_hash(client: AsyncTestClient[Any]) -> None:
    """An update changes the URL of a changed file, so no browser keeps the old script."""
    import hashlib
    import re

    from web.templating import STATIC_DIR

    html = (await client.get("/login")).text
    for name in ("kommpass.js", "kommpass.css"):
        content = (STATIC_DIR / name).read_bytes()
        match = re.search(rf'"(/static/{re.escape(name)}\?v=([0-9a-f]+))"', html)
        assert match, name
        assert match.group(2) == hashlib.sha256(content).hexdigest()[:10]
        served = await client.get(match.group(1))
        assert served.status_code == 200
        assert served.content == content
