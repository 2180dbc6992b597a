"""Role matrix over the identity area's routes (and core routes), cross-tenant 404s, CSRF."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.service import Actor
from core.db import tenant_session
from tenants.identity import MemberService
from tenants.models import Role
from tenants.schemas_identity import InvitationWrite
from tests.factories import create_tenant, create_user, csrf_headers, login

ROLES = ("anonymous", "viewer", "editor", "tenant_admin", "kaaw", "kaaw_acting")


class RoleClient:
    """One test client; each role is a session cookie put on it before the request."""

    def __init__(self, client: AsyncTestClient[Any], token: str | None, csrf: str) -> None:
        self.client, self.token, self.csrf = client, token, csrf

    def _prepare(self) -> None:
        self.client.cookies.clear()
        self.client.cookies.set("kommpass_csrf", self.csrf)
        if self.token:
            self.client.cookies.set("kommpass_session", self.token)

    async def get(self, path: str, **kw: Any) -> Any:
        self._prepare()
        return await self.client.get(path, **kw)

    async def post(self, path: str, **kw: Any) -> Any:
        self._prepare()
        return await self.client.post(path, headers={"x-csrftoken": self.csrf}, **kw)


@pytest.fixture
async def clients(
    client: AsyncTestClient[Litestar], sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[dict[str, Any]]:
    tenant = await create_tenant(sessionmaker)
    csrf = (await csrf_headers(client))["x-csrftoken"]
    out: dict[str, Any] = {"tenant": tenant}
    for role in ROLES:
        client.cookies.delete("kommpass_session")
        if role in ("viewer", "editor", "tenant_admin"):
            await login(client, sessionmaker, tenant=tenant, role=Role(role))
        elif role == "kaaw":
            await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
        elif role == "kaaw_acting":
            await login(client, sessionmaker, tenant=tenant, role=None, is_kaaw_admin=True, acting_as=True)
        out[role] = RoleClient(
            client, client.cookies.get("kommpass_session") if role != "anonymous" else None, csrf
        )
    yield out


# expected status per role: anonymous, viewer, editor, tenant_admin, kaaw, kaaw_acting
HTML_ADMIN = (303, 403, 403, 403, 200, 200)
HTML_TENANT_ADMIN = (303, 403, 403, 200, 404, 200)
API_ADMIN = (401, 403, 403, 403, 200, 200)
API_TENANT_ADMIN = (401, 403, 403, 200, 404, 200)
GET_MATRIX: list[tuple[str, tuple[int, ...]]] = [
    ("/health", (200,) * 6),
    ("/live", (200,) * 6),
    ("/login", (200,) * 6),
    ("/mandant-wechseln", (303, 200, 200, 200, 200, 200)),
    ("/admin", HTML_ADMIN),
    ("/admin/mandanten/neu", HTML_ADMIN),
    ("/admin/mandanten/{tenant}", HTML_ADMIN),
    ("/admin/mandanten/{other}", (303, 403, 403, 403, 404, 404)),
    ("/admin/protokoll", HTML_ADMIN),
    ("/verwaltung", HTML_TENANT_ADMIN),
    ("/verwaltung/protokoll", HTML_TENANT_ADMIN),
    ("/api/v1/admin/tenants", API_ADMIN),
    ("/api/v1/admin/tenants/{tenant}", API_ADMIN),
    ("/api/v1/admin/tenants/{tenant}/providers", API_ADMIN),
    ("/api/v1/admin/tenants/{other}/providers", (401, 403, 403, 403, 404, 404)),
    ("/api/v1/admin/platform-audit", API_ADMIN),
    ("/api/v1/admin/members", API_TENANT_ADMIN),
    ("/api/v1/admin/invitations", API_TENANT_ADMIN),
    ("/api/v1/admin/audit", API_TENANT_ADMIN),
]


async def test_role_matrix_for_every_get_route(clients: dict[str, Any]) -> None:
    tenant = clients["tenant"]
    mismatches = []
    for template, expected in GET_MATRIX:
        path = template.format(tenant=tenant.id, other=uuid.uuid4())
        for role, status in zip(ROLES, expected, strict=True):
            response = await clients[role].get(path, follow_redirects=False)
            if response.status_code != status:
                mismatches.append(f"{role:<12} GET {path}: {response.status_code} (erwartet {status})")
    assert not mismatches, "\n".join(mismatches)


async def test_role_matrix_for_writes(clients: dict[str, Any]) -> None:
    tenant = clients["tenant"]
    mismatches = []
    writes: list[tuple[str, str, dict[str, str], tuple[int, ...]]] = [
        # (path, "json"|"form", body, expected per role) – act-as last: it changes the KAAW sessions
        (
            "/api/v1/admin/invitations",
            "json",
            {"email": "neu-{n}@stadt.example", "role": "viewer"},
            (401, 403, 403, 201, 404, 201),
        ),
        (
            "/api/v1/admin/tenants",
            "json",
            {
                "name": "Gemeinde {n}",
                "slug": "g-{n}",
                "ags": "05562012",
                "municipality_type": "kreisangehoerige_gemeinde",
            },
            (401, 403, 403, 403, 201, 201),
        ),
        (
            "/verwaltung/einladungen",
            "form",
            {"email": "f-{n}@stadt.example", "role": "viewer"},
            (303, 403, 403, 303, 404, 303),
        ),
        (f"/admin/mandanten/{uuid.uuid4()}/deaktivieren", "form", {}, (303, 403, 403, 403, 404, 404)),
        (
            f"/api/v1/admin/tenants/{uuid.uuid4()}/providers",
            "json",
            {"name": "X", "issuer": "https://x.example", "client_id": "x"},
            (401, 403, 403, 403, 404, 404),
        ),
        (
            "/admin/act-as",
            "form",
            {"tenant_id": str(tenant.id), "reason": "Workshop {n}"},
            (303, 403, 403, 403, 303, 303),
        ),
    ]
    for path, kind, body, expected in writes:
        for role, status in zip(ROLES, expected, strict=True):
            n = uuid.uuid4().hex[:8]
            payload = {k: v.format(n=n) for k, v in body.items()}
            kw = {"json": payload} if kind == "json" else {"data": payload}
            response = await clients[role].post(path, follow_redirects=False, **kw)
            if response.status_code != status:
                mismatches.append(f"{role:<12} POST {path}: {response.status_code} (erwartet {status})")
    assert not mismatches, "\n".join(mismatches)


async def test_tenant_admin_gets_404_for_people_and_invitations_of_another_tenant(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a = await create_tenant(sessionmaker)
    b = await create_tenant(sessionmaker)
    member_b = await create_user(sessionmaker)
    from tests.factories import add_membership

    await add_membership(sessionmaker, b.id, member_b.id, Role.EDITOR)
    async with tenant_session(sessionmaker, b.id) as s:
        inv_b = await MemberService(s).invite(
            b.id, InvitationWrite(email="x@b.example", role="viewer"), actor=Actor(label="test")
        )
    await login(client, sessionmaker, tenant=a, role=Role.TENANT_ADMIN)
    h = await csrf_headers(client)
    checks = [
        await client.put(f"/api/v1/admin/members/{member_b.id}", json={"role": "viewer"}, headers=h),
        await client.delete(f"/api/v1/admin/members/{member_b.id}", headers=h),
        await client.delete(f"/api/v1/admin/invitations/{inv_b.id}", headers=h),
        await client.post(
            f"/verwaltung/personen/{member_b.id}/rolle",
            data={"role": "viewer"},
            headers=h,
            follow_redirects=False,
        ),
        await client.post(f"/verwaltung/personen/{member_b.id}/entfernen", headers=h, follow_redirects=False),
        await client.post(
            f"/verwaltung/einladungen/{inv_b.id}/widerrufen", headers=h, follow_redirects=False
        ),
    ]
    assert [r.status_code for r in checks] == [404] * len(checks)
    # B is untouched
    async with tenant_session(sessionmaker, b.id) as s:
        assert await MemberService(s).role_of(b.id, member_b.id) == Role.EDITOR
        assert len(await MemberService(s).invitations(b.id)) == 1
    # denied requests leave audit entries in A's log
    from tests.integration.identity.conftest import audit_actions

    denied = [e for e in await audit_actions(sessionmaker, a.id) if e.action == "request.denied"]
    assert len(denied) >= len(checks)
    assert denied[-1].changes["status"] == 404


async def test_forbidden_request_is_audited(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    assert (await client.get("/verwaltung")).status_code == 403
    from tests.integration.identity.conftest import audit_actions

    denied = [e for e in await audit_actions(sessionmaker, tenant.id) if e.action == "request.denied"]
    assert denied and denied[-1].changes["path"] == "/verwaltung" and denied[-1].changes["status"] == 403


async def test_post_without_csrf_token_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.TENANT_ADMIN)
    r1 = await client.post(
        "/verwaltung/einladungen", data={"email": "a@b.example", "role": "viewer"}, follow_redirects=False
    )
    r2 = await client.post("/api/v1/admin/invitations", json={"email": "a@b.example", "role": "viewer"})
    r3 = await client.post("/logout", follow_redirects=False)
    assert (r1.status_code, r2.status_code, r3.status_code) == (403, 403, 403)
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await MemberService(s).invitations(tenant.id) == []
    # the session survived the forged logout
    assert (await client.get("/verwaltung")).status_code == 200
