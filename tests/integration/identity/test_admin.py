"""KAAW console and tenant administration: flows, secrets never shown, act as tenant, sessions."""

from __future__ import annotations

import uuid

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.models import PlatformAuditEvent
from core.db import platform_session, tenant_session
from core.settings import Settings
from tenants.identity import MemberService
from tenants.models import IdentityProvider, Role
from tests.factories import create_tenant, create_user, csrf_headers, login
from tests.integration.identity.conftest import (
    audit_actions,
    authorize_at_mock,
    callback_path,
    set_mock_user,
    start_login,
    tenant_with_provider,
)


async def _platform_actions(sessionmaker: async_sessionmaker[AsyncSession]) -> list[PlatformAuditEvent]:
    async with platform_session(sessionmaker) as s:
        return list(await s.scalars(select(PlatformAuditEvent).order_by(PlatformAuditEvent.occurred_at)))


async def test_kaaw_admin_sets_up_a_tenant_end_to_end(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    h = await csrf_headers(client)
    slug = f"neu-{uuid.uuid4().hex[:6]}"
    bad = await client.post(
        "/admin/mandanten",
        data={"name": "", "slug": slug, "ags": "123", "municipality_type": "kreis"},
        headers=h,
    )
    assert bad.status_code == 422
    assert "8 Ziffern" in bad.text and f'value="{slug}"' in bad.text  # message per field, values kept

    r = await client.post(
        "/admin/mandanten",
        headers=h,
        follow_redirects=False,
        data={
            "name": "Stadt Neuhausen",
            "slug": slug,
            "ags": "05566076",
            "municipality_type": "mittlere_kreisangehoerige_stadt",
            "email_domains": "neuhausen.example, rathaus-neuhausen.example",
        },
    )
    assert r.status_code == 303
    detail_url = r.headers["location"]
    tenant_id = uuid.UUID(detail_url.rsplit("/", 1)[-1])
    page = await client.get(detail_url)
    assert page.status_code == 200 and "Stadt Neuhausen" in page.text

    secret = "geheim-" + uuid.uuid4().hex
    r = await client.post(
        f"{detail_url}/anbieter",
        headers=h,
        follow_redirects=False,
        data={
            "name": "Dienstkonto",
            "issuer": "https://login.neuhausen.example/realms/stadt",
            "client_id": "kommpass",
            "client_secret": secret,
            "scopes": "openid email profile",
            "is_active": "on",
        },
    )
    assert r.status_code == 303
    bad = await client.post(
        f"{detail_url}/anbieter",
        headers=h,
        data={
            "name": "Unsicher",
            "issuer": "http://login.neuhausen.example",
            "client_id": "x",
            "client_secret": secret,
        },
    )
    assert bad.status_code == 422 and "https" in bad.text and secret not in bad.text

    r = await client.post(
        f"{detail_url}/einladungen",
        headers=h,
        follow_redirects=False,
        data={"email": "Chefin@Neuhausen.example", "role": "tenant_admin"},
    )
    assert r.status_code == 303
    page = await client.get(detail_url)
    assert "chefin@neuhausen.example" in page.text
    assert "/auth/callback/" in page.text and secret not in page.text

    async with tenant_session(sessionmaker, tenant_id) as s:
        provider = await s.scalar(select(IdentityProvider).where(IdentityProvider.tenant_id == tenant_id))
        assert provider is not None and provider.client_secret_encrypted
        assert secret not in provider.client_secret_encrypted  # encrypted at rest
    r = await client.post(f"{detail_url}/deaktivieren", headers=h, follow_redirects=False)
    assert r.status_code == 303
    actions = [e.action for e in await _platform_actions(sessionmaker) if e.subject_tenant_id == tenant_id]
    assert actions[:1] == ["tenant.create"] and "tenant.deactivate" in actions
    tenant_actions = [e.action for e in await audit_actions(sessionmaker, tenant_id)]
    assert "identity_provider.create" in tenant_actions and "invitation.create" in tenant_actions


async def test_provider_secrets_never_appear_in_any_admin_page_or_api_response(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
) -> None:
    from tests.integration.identity.conftest import CLIENT_SECRET

    a = await tenant_with_provider(
        sessionmaker, test_settings, idp_a, invite={"x@a.example": Role.TENANT_ADMIN}
    )
    async with tenant_session(sessionmaker, a.tenant.id) as s:
        encrypted = await s.scalar(
            select(IdentityProvider.client_secret_encrypted).where(IdentityProvider.tenant_id == a.tenant.id)
        )
    assert encrypted
    await login(client, sessionmaker, tenant=a.tenant, role=None, is_kaaw_admin=True, acting_as=True)
    h = await csrf_headers(client)
    base = f"/api/v1/admin/tenants/{a.tenant.id}/providers"
    new_secret = "neu-" + uuid.uuid4().hex
    responses = [
        await client.get("/admin"),
        await client.get("/admin/mandanten/neu"),
        await client.get(f"/admin/mandanten/{a.tenant.id}"),
        await client.get("/admin/protokoll"),
        await client.get(f"/admin/protokoll?mandant={a.tenant.id}"),
        await client.get("/verwaltung"),
        await client.get("/verwaltung/protokoll"),
        await client.get("/mandant-wechseln"),
        await client.get("/api/v1/admin/tenants"),
        await client.get(f"/api/v1/admin/tenants/{a.tenant.id}"),
        await client.get(base),
        await client.post(
            base,
            headers=h,
            json={
                "name": "Zweiter",
                "issuer": "https://idp2.example",
                "client_id": "c2",
                "client_secret": new_secret,
            },
        ),
        await client.post(
            f"/admin/mandanten/{a.tenant.id}/anbieter",
            headers=h,
            data={"name": "Kaputt", "issuer": "ftp://x", "client_id": "c3", "client_secret": new_secret},
        ),
        await client.put(
            f"{base}/{a.provider_id}",
            headers=h,
            json={
                "name": "Umbenannt",
                "issuer": a.issuer,
                "client_id": a.client_id,
                "client_secret": new_secret,
            },
        ),
        await client.get("/api/v1/admin/platform-audit"),
        await client.get("/api/v1/admin/audit"),
        await client.get("/api/v1/admin/members"),
        await client.get("/api/v1/admin/invitations"),
        await client.get(f"/admin/mandanten/{a.tenant.id}"),
        await client.get("/schema/openapi.json"),
    ]
    assert responses[11].status_code == 201 and responses[11].json()["client_secret_set"] is True
    assert responses[13].status_code == 200, responses[13].text
    for r in responses:
        assert r.status_code < 500, (r.url, r.status_code)
        for needle in (CLIENT_SECRET, new_secret, encrypted):
            assert needle not in r.text, f"secret leaked in {r.url}"


async def test_act_as_tenant_needs_a_reason_is_audited_and_shows_a_banner(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Workshopdorf")
    admin = await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    h = await csrf_headers(client)
    assert (await client.get("/verwaltung")).status_code == 404  # no tenant yet
    r = await client.post("/admin/act-as", data={"tenant_id": str(tenant.id), "reason": ""}, headers=h)
    assert r.status_code == 422 and "Grund" in r.text
    r = await client.post(
        "/admin/act-as",
        headers=h,
        follow_redirects=False,
        data={"tenant_id": str(tenant.id), "reason": "Strategie-Workshop 2026"},
    )
    assert r.status_code == 303
    page = await client.get("/verwaltung")
    assert page.status_code == 200
    assert "Sie arbeiten als KAAW-Administration im Mandanten „Stadt Workshopdorf“" in page.text
    events = await audit_actions(sessionmaker, tenant.id)
    start = next(e for e in events if e.action == "act_as.start")
    assert start.reason == "Strategie-Workshop 2026" and start.actor_user_id == admin.user.id
    assert start.occurred_at is not None
    r = await client.post("/admin/act-as/end", headers=h, follow_redirects=False)
    assert r.status_code == 303
    assert (await client.get("/verwaltung")).status_code == 404
    assert "act_as.end" in [e.action for e in await audit_actions(sessionmaker, tenant.id)]
    platform = [e.action for e in await _platform_actions(sessionmaker) if e.subject_tenant_id == tenant.id]
    assert "act_as.start" in platform and "act_as.end" in platform


async def test_tenant_admin_manages_roles_and_the_last_admin_stays(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    tenant = await create_tenant(sessionmaker)
    me = await login(client, sessionmaker, tenant=tenant, role=Role.TENANT_ADMIN)
    other = await create_user(sessionmaker, display_name="Otto Bearbeiter")
    from tests.factories import add_membership

    await add_membership(sessionmaker, tenant.id, other.id, Role.EDITOR)
    h = await csrf_headers(client)
    page = await client.get("/verwaltung")
    assert "Otto Bearbeiter" in page.text
    r = await client.post(
        f"/verwaltung/personen/{other.id}/rolle", data={"role": "viewer"}, headers=h, follow_redirects=False
    )
    assert r.status_code == 303
    r = await client.post(f"/verwaltung/personen/{me.user.id}/rolle", data={"role": "viewer"}, headers=h)
    assert r.status_code == 403 and "letzte" in r.text
    r = await client.put(f"/api/v1/admin/members/{other.id}", json={"role": "chef"}, headers=h)
    assert r.status_code == 422
    r = await client.post("/verwaltung/einladungen", data={"email": "kein-mail", "role": "viewer"}, headers=h)
    assert r.status_code == 422 and "E-Mail" in r.text and 'value="kein-mail"' in r.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert await MemberService(s).role_of(tenant.id, other.id) == Role.VIEWER
        assert await MemberService(s).role_of(tenant.id, me.user.id) == Role.TENANT_ADMIN
    change = next(
        e for e in await audit_actions(sessionmaker, tenant.id) if e.action == "membership.role_change"
    )
    assert change.changes == {"role": ["editor", "viewer"]} and change.actor_user_id == me.user.id


async def test_switching_between_tenants(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    a = await create_tenant(sessionmaker, name="Stadt Erstort")
    b = await create_tenant(sessionmaker, name="Stadt Zweitort")
    c = await create_tenant(sessionmaker, name="Stadt Fremdort")
    actor = await login(client, sessionmaker, tenant=a, role=Role.TENANT_ADMIN)
    from tests.factories import add_membership

    await add_membership(sessionmaker, b.id, actor.user.id, Role.VIEWER)
    h = await csrf_headers(client)
    page = await client.get("/mandant-wechseln")
    assert (
        "Stadt Erstort" in page.text and "Stadt Zweitort" in page.text and "Stadt Fremdort" not in page.text
    )
    r = await client.post(
        "/mandant-wechseln", data={"tenant_id": str(b.id)}, headers=h, follow_redirects=False
    )
    assert r.status_code == 303
    assert (await client.get("/verwaltung")).status_code == 403  # viewer in B
    r = await client.post(
        "/mandant-wechseln", data={"tenant_id": str(c.id)}, headers=h, follow_redirects=False
    )
    assert r.status_code == 404


async def test_session_changes_at_login_and_old_cookie_is_dead_after_logout(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
) -> None:
    email = f"l-{uuid.uuid4().hex[:8]}@a.example"
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a, invite={email: Role.TENANT_ADMIN})
    await set_mock_user(idp_a, email, {"email": email})
    # an existing (other) session on this browser is replaced, not reused
    old = await login(client, sessionmaker, tenant=a.tenant, role=Role.VIEWER)
    before = client.cookies.get("kommpass_session")
    back = await authorize_at_mock(await start_login(client, a.tenant), email)
    client.cookies.delete("kommpass_session")
    client.cookies.set("kommpass_session", before or "", domain="testserver.local", path="/")
    r = await client.get(callback_path(back), follow_redirects=False)
    assert r.status_code == 303
    after = client.cookies.get("kommpass_session")
    assert after and after != before
    assert (await client.get("/verwaltung")).status_code == 200
    # the browser's previous session is gone, not merely replaced in the cookie jar
    client.cookies.delete("kommpass_session")
    client.cookies.set("kommpass_session", before or "", domain="testserver.local", path="/")
    assert (await client.get("/verwaltung", follow_redirects=False)).status_code == 303
    client.cookies.delete("kommpass_session")
    client.cookies.set("kommpass_session", after, domain="testserver.local", path="/")
    assert old.user.id

    h = await csrf_headers(client)
    r = await client.post("/logout", headers=h, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"{idp_a}/oauth2/end_session?")
    assert (
        "post_logout_redirect_uri=http%3A%2F%2Ftestserver.local%2Flogin%3Fabgemeldet%3D1"
        in r.headers["location"]
    )
    assert "id_token_hint=" in r.headers["location"]
    assert "logout" in [e.action for e in await audit_actions(sessionmaker, a.tenant.id)]

    client.cookies.delete("kommpass_session")
    client.cookies.set("kommpass_session", after, domain="testserver.local", path="/")
    html = await client.get("/verwaltung", follow_redirects=False)
    assert html.status_code == 303 and html.headers["location"].startswith("/login?next=/verwaltung")
    api = await client.get("/api/v1/admin/members")
    assert api.status_code == 401


async def test_deactivated_tenant_ends_sessions_and_refuses_login(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
) -> None:
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a)
    member = await login(client, sessionmaker, tenant=a.tenant, role=Role.EDITOR)
    member_cookie = client.cookies.get("kommpass_session")
    client.cookies.delete("kommpass_session")
    await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    r = await client.post(
        f"/api/v1/admin/tenants/{a.tenant.id}/deactivate", headers=await csrf_headers(client)
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    client.cookies.delete("kommpass_session")
    client.cookies.set("kommpass_session", member_cookie or "")
    assert (await client.get("/mandant-wechseln", follow_redirects=False)).status_code == 303  # session ended
    assert member.user.id
    r = await client.get(f"/login/{a.tenant.slug}", follow_redirects=False)
    assert r.status_code == 404


async def test_tenant_filter_answers_htmx_with_the_list_fragment(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    name = f"Gemeinde Filterfeld {uuid.uuid4().hex[:4]}"
    await create_tenant(sessionmaker, name=name)
    await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    r = await client.get(
        "/admin",
        params={"suche": "filterfeld"},
        headers={"hx-request": "true", "hx-target": "mandanten-liste"},
    )
    assert r.status_code == 200
    assert name in r.text and "<html" not in r.text and 'aria-live="polite"' in r.text
    r = await client.get(
        "/admin",
        params={"suche": "gibtsnicht-xyz"},
        headers={"hx-request": "true", "hx-target": "mandanten-liste"},
    )
    assert "Keine Mandanten gefunden." in r.text
