"""OIDC login against real providers over HTTP (oidc-provider-mock and a forging provider)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from joserfc.jwk import RSAKey
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.settings import Settings
from tenants.demo_idp import b64url
from tenants.models import Role
from tests.integration.identity.conftest import (
    Forging,
    audit_actions,
    authorize_at_forging,
    authorize_at_mock,
    callback_path,
    query_of,
    set_mock_user,
    start_login,
    tenant_with_provider,
    user_session_count,
)


def _email() -> str:
    return f"p-{uuid.uuid4().hex[:8]}@stadt-a.example"


async def test_login_with_invitation_creates_membership_and_new_session_id(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
) -> None:
    email = _email()
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a, invite={email: Role.EDITOR})
    await set_mock_user(idp_a, "sub-" + email, {"email": email, "name": "Paula Probe"})
    client.cookies.set("kommpass_session", "pre-login-session-value", domain="testserver.local", path="/")

    auth_url = await start_login(client, a.tenant)
    q = query_of(auth_url)
    assert q["code_challenge_method"] == "S256" and q["code_challenge"] and q["nonce"] and q["state"]
    assert q["redirect_uri"] == f"http://testserver.local/auth/callback/{a.provider_id}"
    assert q["client_id"] == a.client_id

    back = await authorize_at_mock(auth_url, "sub-" + email)
    r = await client.get(callback_path(back), follow_redirects=False)
    assert r.status_code == 303, r.text
    set_cookie = r.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith("kommpass_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie.replace("Lax", "lax")
    new_value = client.cookies.get("kommpass_session")
    assert new_value and new_value != "pre-login-session-value"

    home = await client.get("/mandant-wechseln")
    assert home.status_code == 200
    assert a.tenant.name in home.text and "Paula Probe" in home.text
    actions = [e.action for e in await audit_actions(sessionmaker, a.tenant.id)]
    assert "invitation.claim" in actions and "login.success" in actions


async def test_login_through_email_domain_discovery(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
) -> None:
    domain = f"d{uuid.uuid4().hex[:6]}.example"
    email = f"anna@{domain}"
    a = await tenant_with_provider(
        sessionmaker, test_settings, idp_a, domain=domain, invite={email: Role.VIEWER}
    )
    await client.get("/login")
    r = await client.post(
        "/login",
        data={"email": email.upper(), "next": "/"},
        headers={"x-csrftoken": client.cookies.get("kommpass_csrf", "")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"].startswith(idp_a)
    assert query_of(r.headers["location"])["login_hint"] == email.upper()
    assert str(a.provider_id) in query_of(r.headers["location"])["redirect_uri"]

    unknown = await client.post(
        "/login",
        data={"email": "x@unbekannt.example"},
        headers={"x-csrftoken": client.cookies.get("kommpass_csrf", "")},
    )
    assert unknown.status_code == 422
    assert "keine Kommune" in unknown.text


async def test_user_without_membership_or_invitation_is_refused(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
) -> None:
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a)
    before = await user_session_count(sessionmaker)
    back = await authorize_at_mock(await start_login(client, a.tenant), "stranger-" + uuid.uuid4().hex)
    r = await client.get(callback_path(back), follow_redirects=False)
    assert r.status_code == 400
    assert await user_session_count(sessionmaker) == before
    failed = [e for e in await audit_actions(sessionmaker, a.tenant.id) if e.action == "login.failed"]
    assert failed and failed[-1].reason == "no_membership"


# --- rejected logins: each leaves an audit entry and no session ----------------------------
async def _assert_rejected(
    client: AsyncTestClient[Any],
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID | None,
    path: str,
    reason_prefix: str,
) -> None:
    before = await user_session_count(sessionmaker)
    r = await client.get(path, follow_redirects=False)
    assert r.status_code == 400, r.text
    assert "Anmeldung fehlgeschlagen" in r.text
    assert client.cookies.get("kommpass_session") is None
    assert await user_session_count(sessionmaker) == before
    if tenant_id is None:
        return
    failed = [e for e in await audit_actions(sessionmaker, tenant_id) if e.action == "login.failed"]
    assert failed, "no audit entry"
    assert (failed[-1].reason or "").startswith(reason_prefix), failed[-1].reason
    assert failed[-1].ip


async def test_code_from_tenant_b_provider_at_tenant_a_callback_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
    idp_b: str,
) -> None:
    email = _email()
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a, invite={email: Role.EDITOR})
    b = await tenant_with_provider(sessionmaker, test_settings, idp_b, invite={email: Role.EDITOR})
    auth_a = await start_login(client, a.tenant)
    # The attacker obtains a code from B's provider, for the same redirect and state, and
    # delivers it to A's callback: A's provider never issued it.
    auth_b = auth_a.replace(idp_a, idp_b)
    back = await authorize_at_mock(auth_b, "sub-" + email)
    assert back.startswith(f"http://testserver.local/auth/callback/{a.provider_id}")
    await _assert_rejected(client, sessionmaker, a.tenant.id, callback_path(back), "code_exchange_failed")
    assert b.provider_id != a.provider_id


async def test_callback_of_tenant_b_provider_with_tenant_a_login_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
    idp_b: str,
) -> None:
    email = _email()
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a, invite={email: Role.EDITOR})
    b = await tenant_with_provider(sessionmaker, test_settings, idp_b, invite={email: Role.EDITOR})
    back = await authorize_at_mock(await start_login(client, a.tenant), "sub-" + email)
    wrong = callback_path(back).replace(str(a.provider_id), str(b.provider_id))
    await _assert_rejected(client, sessionmaker, a.tenant.id, wrong, "provider_mismatch")


async def test_id_token_from_another_issuer_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
    idp_b: str,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    forging.provider.tamper = lambda claims, p: {**claims, "iss": idp_b}
    back = await authorize_at_forging(await start_login(client, a.tenant))
    await _assert_rejected(
        client, sessionmaker, a.tenant.id, callback_path(back), "id_token_claim_invalid:iss"
    )


async def _forging_tenant(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, forging: Forging
) -> Any:
    a = await tenant_with_provider(
        sessionmaker,
        settings,
        forging.issuer,
        client_id="forge-client",
        invite={"forge@forge.example": Role.EDITOR},
    )
    forging.provider.redirect_uris.append(f"http://testserver.local/auth/callback/{a.provider_id}")
    return a


async def test_token_for_another_client_audience_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    forging.provider.tamper = lambda claims, p: {**claims, "aud": "another-client"}
    back = await authorize_at_forging(await start_login(client, a.tenant))
    await _assert_rejected(
        client, sessionmaker, a.tenant.id, callback_path(back), "id_token_claim_invalid:aud"
    )


async def test_unsigned_alg_none_token_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    forging.provider.tamper = lambda claims, p: p.unsigned(claims)
    back = await authorize_at_forging(await start_login(client, a.tenant))
    await _assert_rejected(
        client, sessionmaker, a.tenant.id, callback_path(back), "id_token_invalid_signature"
    )


async def test_hs256_token_signed_with_the_public_key_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)

    def hs256(claims: dict[str, Any], p: Any) -> str:
        # The classic key-confusion forgery: HMAC with the provider's *public* key as secret.
        public_pem = p.key.as_pem(private=False)
        header = b64url(json.dumps({"alg": "HS256", "kid": p.key.kid, "typ": "JWT"}).encode())
        payload = b64url(json.dumps(claims).encode())
        mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{b64url(mac)}"

    forging.provider.tamper = hs256
    back = await authorize_at_forging(await start_login(client, a.tenant))
    await _assert_rejected(
        client, sessionmaker, a.tenant.id, callback_path(back), "id_token_invalid_signature"
    )


async def test_token_signed_by_a_key_not_in_the_jwks_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    other = RSAKey.generate_key(2048, parameters={"kid": forging.provider.key.kid})
    forging.provider.tamper = lambda claims, p: p.sign(claims, key=other)
    back = await authorize_at_forging(await start_login(client, a.tenant))
    await _assert_rejected(
        client, sessionmaker, a.tenant.id, callback_path(back), "id_token_invalid_signature"
    )


async def test_wrong_nonce_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    forging.provider.tamper = lambda claims, p: {**claims, "nonce": "replayed-nonce"}
    back = await authorize_at_forging(await start_login(client, a.tenant))
    await _assert_rejected(
        client, sessionmaker, a.tenant.id, callback_path(back), "id_token_claim_invalid:nonce"
    )


async def test_expired_token_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    old = int(time.time()) - 3600
    forging.provider.tamper = lambda claims, p: {**claims, "iat": old, "exp": old + 300}
    back = await authorize_at_forging(await start_login(client, a.tenant))
    await _assert_rejected(client, sessionmaker, a.tenant.id, callback_path(back), "id_token_expired")


async def test_replayed_callback_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    auth_url = await start_login(client, a.tenant)
    state_cookie = client.cookies.get("kommpass_login")
    back = await authorize_at_forging(auth_url)
    first = await client.get(callback_path(back), follow_redirects=False)
    assert first.status_code == 303
    client.cookies.clear()
    client.cookies.set("kommpass_login", state_cookie or "", path="/auth")
    await _assert_rejected(client, sessionmaker, None, callback_path(back), "")
    # tenant unknown once the state is consumed: the failure is in the platform log
    from sqlalchemy import select

    from core.audit.models import PlatformAuditEvent
    from core.db import platform_session

    async with platform_session(sessionmaker) as s:
        last = await s.scalar(
            select(PlatformAuditEvent)
            .where(PlatformAuditEvent.action == "login.failed")
            .order_by(PlatformAuditEvent.occurred_at.desc())
            .limit(1)
        )
    assert last is not None and last.details["reason"] == "state_unknown"


async def test_wrong_state_is_rejected(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    forging: Forging,
) -> None:
    a = await _forging_tenant(sessionmaker, test_settings, forging)
    back = await authorize_at_forging(await start_login(client, a.tenant))
    state = query_of(back)["state"]
    await _assert_rejected(
        client, sessionmaker, a.tenant.id, callback_path(back).replace(state, "forged"), "state_mismatch"
    )


async def test_login_start_refuses_a_provider_of_another_tenant(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
    idp_b: str,
) -> None:
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a)
    b = await tenant_with_provider(sessionmaker, test_settings, idp_b)
    r = await client.get(f"/login/{a.tenant.slug}?anbieter={b.provider_id}", follow_redirects=False)
    assert r.status_code == 404
    assert client.cookies.get("kommpass_login") is None
    assert (await client.get("/login/gibt-es-nicht", follow_redirects=False)).status_code == 404


async def test_subdomain_names_the_tenant(
    client: AsyncTestClient[Litestar],
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
    idp_a: str,
) -> None:
    a = await tenant_with_provider(sessionmaker, test_settings, idp_a)
    r = await client.get(
        "/login", headers={"host": f"{a.tenant.slug}.testserver.local"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith(idp_a)
    assert (await client.get("/login", follow_redirects=False)).status_code == 200  # bare host: the form
