"""The OIDC login of a tenant: start (home-realm discovery, authorization URL) and callback.

Pre-login state (state, nonce, PKCE code verifier, provider, tenant, next URL) lives
server-side in a ``user_sessions`` row without a user, named by a separate short-lived
cookie. The callback consumes that row first (single use: a replayed callback finds
nothing), then checks state and provider, redeems the code at *the provider the login
started with* (bound to that tenant) and validates the ID token. Every failure is written to
the audit log with its reason, in its own transaction, and creates no session.

How a user first gets a membership: an invitation (e-mail + role) of the tenant, created by
its admins or a KAAW admin, is claimed at the first login through one of the tenant's
providers whose ID token carries that e-mail (and does not say ``email_verified: false``).
A KAAW admin without membership may log in too and lands in the admin console.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.service import Actor, record, record_platform
from core.db import platform_session, tenant_session
from core.models import utcnow
from core.settings import Settings
from tenants import oidc
from tenants.identity import MemberService, ProviderService, UserAdminService, redirect_uri
from tenants.models import IdentityProvider, Role, Tenant, User, UserSession
from tenants.oidc import LoginFailed
from tenants.sessions import hash_token

LOGIN_STATE_TTL = dt.timedelta(minutes=10)


def safe_next(value: str | None) -> str:
    """Only local paths as post-login targets (no open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def demo_allowed(settings: Settings) -> bool:
    return settings.web.demo_login and not settings.web.production


@dataclass(frozen=True)
class LoginStart:
    redirect_to: str
    state_cookie: str


@dataclass(frozen=True)
class LoginResult:
    session_token: str
    user_id: uuid.UUID
    tenant_id: uuid.UUID | None
    next_url: str


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    request_id: str | None = None


class LoginService:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        assert settings.encryption_key, "encryption key required"
        self.key: str = settings.encryption_key

    # --- home-realm discovery ----------------------------------------------------------
    async def tenant_by_slug(self, slug: str) -> Tenant | None:
        async with platform_session(self.sessionmaker) as s:
            return await s.scalar(select(Tenant).where(Tenant.slug == slug, Tenant.is_active.is_(True)))

    async def tenant_by_email(self, email: str) -> Tenant | None:
        domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
        if not domain:
            return None
        async with platform_session(self.sessionmaker) as s:
            return await s.scalar(
                select(Tenant).where(Tenant.email_domains.any(domain), Tenant.is_active.is_(True)).limit(1)  # type: ignore[arg-type]
            )

    async def providers_of(self, tenant_id: uuid.UUID) -> list[IdentityProvider]:
        async with tenant_session(self.sessionmaker, tenant_id) as s:
            providers = await ProviderService(s, self.key).list(tenant_id, active_only=True)
        return [p for p in providers if not p.is_demo or demo_allowed(self.settings)]

    # --- start ------------------------------------------------------------------------
    async def start(
        self,
        tenant_id: uuid.UUID,
        provider_id: uuid.UUID,
        *,
        next_url: str | None,
        login_hint: str | None = None,
    ) -> LoginStart:
        async with tenant_session(self.sessionmaker, tenant_id) as s:
            tenant = await s.get(Tenant, tenant_id)
            if tenant is None or not tenant.is_active:
                raise LoginFailed("tenant_inactive", "Diese Kommune ist nicht freigeschaltet.")
            provider = await ProviderService(s, self.key).get(tenant_id, provider_id)
            self._check_provider_usable(provider)
            issuer, client_id, scopes = provider.issuer, provider.client_id, provider.scopes
        meta = await oidc.discover(issuer)
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)
        url = oidc.authorization_url(
            meta,
            client_id=client_id,
            redirect_uri=redirect_uri(self.settings.web.base_url, provider_id),
            scopes=scopes,
            state=state,
            nonce=nonce,
            code_verifier=verifier,
            login_hint=login_hint,
        )
        token = secrets.token_urlsafe(32)
        now = utcnow()
        async with platform_session(self.sessionmaker) as s:
            await s.execute(delete(UserSession).where(UserSession.expires_at <= now))
            s.add(
                UserSession(
                    id_hash=hash_token(token),
                    user_id=None,
                    active_tenant_id=None,
                    data={
                        "oidc": {
                            "state": state,
                            "nonce": nonce,
                            "code_verifier": verifier,
                            "provider_id": str(provider_id),
                            "tenant_id": str(tenant_id),
                            "next": safe_next(next_url),
                        }
                    },
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + LOGIN_STATE_TTL,
                )
            )
        return LoginStart(redirect_to=url, state_cookie=token)

    def _check_provider_usable(self, provider: IdentityProvider) -> None:
        if not provider.is_active:
            raise LoginFailed("provider_inactive", "Dieser Identitätsanbieter ist abgeschaltet.")
        if provider.is_demo and not demo_allowed(self.settings):
            raise LoginFailed("demo_login_disabled", "Die Demo-Anmeldung ist in diesem Betrieb abgeschaltet.")

    # --- callback ---------------------------------------------------------------------
    async def complete(
        self,
        *,
        state_cookie: str | None,
        path_provider_id: str,
        params: dict[str, str],
        info: RequestInfo,
        previous_session: str | None = None,
    ) -> LoginResult:
        """Finish the login or raise ``LoginFailed`` (audited, no session created).

        On success the browser's previous session (``previous_session``), if any, is deleted:
        a login never continues or keeps an older session id.
        """
        tenant_id: uuid.UUID | None = None
        provider_id: uuid.UUID | None = None
        try:
            pending = await self._consume_pending(state_cookie)
            tenant_id = uuid.UUID(pending["tenant_id"])
            provider_id = uuid.UUID(pending["provider_id"])
            if not secrets.compare_digest(str(params.get("state", "")), str(pending["state"])):
                raise LoginFailed("state_mismatch")
            if path_provider_id != str(provider_id):
                raise LoginFailed("provider_mismatch")
            if params.get("error"):
                raise LoginFailed(
                    f"provider_error:{params['error'][:60]}",
                    "Der Identitätsanbieter hat die Anmeldung abgelehnt.",
                )
            code = params.get("code")
            if not code:
                raise LoginFailed("code_missing")
            result = await self._finish(tenant_id, provider_id, code, pending, info)
        except LoginFailed as exc:
            await self._audit_failure(exc.reason, tenant_id, provider_id, info)
            raise
        if previous_session:
            async with platform_session(self.sessionmaker) as s:
                await s.execute(
                    delete(UserSession).where(UserSession.id_hash == hash_token(previous_session))
                )
        return result

    async def _consume_pending(self, state_cookie: str | None) -> dict[str, Any]:
        if not state_cookie:
            raise LoginFailed("state_unknown", "Die Anmeldung ist abgelaufen. Bitte erneut anmelden.")
        async with platform_session(self.sessionmaker) as s:
            row = await s.get(UserSession, hash_token(state_cookie), with_for_update=True)
            if row is None or row.user_id is not None or "oidc" not in (row.data or {}):
                raise LoginFailed("state_unknown", "Die Anmeldung ist abgelaufen. Bitte erneut anmelden.")
            pending = dict(row.data["oidc"])
            expired = row.expires_at <= utcnow()
            await s.delete(row)
        if expired:
            raise LoginFailed("state_expired", "Die Anmeldung ist abgelaufen. Bitte erneut anmelden.")
        return pending

    async def _finish(
        self,
        tenant_id: uuid.UUID,
        provider_id: uuid.UUID,
        code: str,
        pending: dict[str, Any],
        info: RequestInfo,
    ) -> LoginResult:
        async with tenant_session(self.sessionmaker, tenant_id) as s:
            tenant = await s.get(Tenant, tenant_id)
            if tenant is None or not tenant.is_active:
                raise LoginFailed("tenant_inactive", "Diese Kommune ist nicht freigeschaltet.")
            providers = ProviderService(s, self.key)
            # Bound to the tenant: a provider id of another tenant is not found here.
            provider = await providers.get(tenant_id, provider_id)
            self._check_provider_usable(provider)
            issuer, client_id, scopes = provider.issuer, provider.client_id, provider.scopes
            secret = providers.secret_of(provider)
        meta = await oidc.discover(issuer)
        token = await oidc.exchange_code(
            meta,
            client_id=client_id,
            client_secret=secret,
            redirect_uri=redirect_uri(self.settings.web.base_url, provider_id),
            scopes=scopes,
            code=code,
            code_verifier=pending["code_verifier"],
        )
        keys = await oidc.fetch_jwks(meta)
        claims = oidc.validate_id_token(
            token["id_token"], keys, issuer=issuer, client_id=client_id, nonce=pending["nonce"]
        )
        email = claims.get("email") if isinstance(claims.get("email"), str) else None
        if email and claims.get("email_verified") is False:
            email = None
        name = (
            claims.get("name")
            or " ".join(str(claims[k]) for k in ("given_name", "family_name") if claims.get(k))
            or None
        )

        async with tenant_session(self.sessionmaker, tenant_id) as s:
            user = await UserAdminService(s).upsert(
                issuer=issuer,
                subject=str(claims["sub"]),
                email=email,
                display_name=str(name)[:200] if name else None,
            )
            if not user.is_active:
                raise LoginFailed("user_inactive", "Ihr Zugang ist gesperrt.")
            actor = Actor(
                user_id=user.id, label=user.email or user.display_name, ip=info.ip, request_id=info.request_id
            )
            members = MemberService(s)
            role = await members.role_of(tenant_id, user.id)
            if role is None:
                role = await members.claim_invitation(tenant_id, user, actor=actor)
            if role is None and not user.is_kaaw_admin:
                raise LoginFailed(
                    "no_membership",
                    "Sie haben keinen Zugang zu dieser Kommune. Bitte wenden Sie "
                    "sich an die Administration Ihrer Kommune.",
                )
            user.last_login_at = utcnow()
            session_token = secrets.token_urlsafe(32)
            now = utcnow()
            from tenants.sessions import IDLE_TIMEOUT

            s.add(
                UserSession(
                    id_hash=hash_token(session_token),
                    user_id=user.id,
                    active_tenant_id=tenant_id if role is not None else None,
                    data={
                        "provider_id": str(provider_id),
                        "login_tenant_id": str(tenant_id),
                        "id_token": token["id_token"],
                    },
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + IDLE_TIMEOUT,
                )
            )
            if role is not None:
                await record(
                    s,
                    tenant_id=tenant_id,
                    action="login.success",
                    actor=actor,
                    entity_type="user",
                    entity_id=user.id,
                    changes={"provider": str(provider_id), "role": role.value},
                )
            else:
                await record_platform(
                    s,
                    action="login.success",
                    actor=actor,
                    subject_tenant_id=tenant_id,
                    details={"provider": str(provider_id), "kaaw_admin": True},
                )
            user_id = user.id
        return LoginResult(
            session_token=session_token,
            user_id=user_id,
            tenant_id=tenant_id if role is not None else None,
            next_url=pending.get("next") or "/" if role is not None else "/admin",
        )

    async def _audit_failure(
        self, reason: str, tenant_id: uuid.UUID | None, provider_id: uuid.UUID | None, info: RequestInfo
    ) -> None:
        actor = Actor(label="anonym", ip=info.ip, request_id=info.request_id)
        details = {"reason": reason, "provider": str(provider_id) if provider_id else None}
        if tenant_id is not None:
            async with tenant_session(self.sessionmaker, tenant_id) as s:
                await record(
                    s,
                    tenant_id=tenant_id,
                    action="login.failed",
                    actor=actor,
                    entity_type="login",
                    changes=details,
                    reason=reason,
                )
        else:
            async with platform_session(self.sessionmaker) as s:
                await record_platform(s, action="login.failed", actor=actor, details=details)

    # --- logout -----------------------------------------------------------------------
    async def logout(
        self, session_token: str | None, *, post_logout_redirect: str, info: RequestInfo
    ) -> str | None:
        """End the session; return the provider's end-session URL if it has one."""
        if not session_token:
            return None
        async with platform_session(self.sessionmaker) as s:
            row = await s.get(UserSession, hash_token(session_token))
            if row is None or row.user_id is None:
                return None
            data = dict(row.data or {})
            user = await s.get(User, row.user_id)
            await s.delete(row)
        tenant_raw, provider_raw = data.get("login_tenant_id"), data.get("provider_id")
        if not tenant_raw or not provider_raw:
            return None
        tenant_id = uuid.UUID(tenant_raw)
        async with tenant_session(self.sessionmaker, tenant_id) as s:
            actor = Actor(
                user_id=user.id if user else None,
                label=user.email if user else None,
                ip=info.ip,
                request_id=info.request_id,
            )
            await record(
                s,
                tenant_id=tenant_id,
                action="logout",
                actor=actor,
                entity_type="user",
                entity_id=user.id if user else None,
            )
            try:
                provider = await ProviderService(s, self.key).get(tenant_id, uuid.UUID(provider_raw))
            except Exception:
                return None
            issuer, client_id = provider.issuer, provider.client_id
        try:
            meta = await oidc.discover(issuer)
        except LoginFailed:
            return None
        if not meta.end_session_endpoint:
            return None
        query: dict[str, str] = {"client_id": client_id, "post_logout_redirect_uri": post_logout_redirect}
        if data.get("id_token"):
            query["id_token_hint"] = str(data["id_token"])
        sep = "&" if "?" in meta.end_session_endpoint else "?"
        return meta.end_session_endpoint + sep + urlencode(query)


__all__ = ["LoginFailed", "LoginResult", "LoginService", "LoginStart", "RequestInfo", "Role", "safe_next"]
