"""Login (OIDC, home-realm discovery), callback, logout and tenant switching.

* ``/login`` – e-mail form: the domain finds the tenant (``tenants.email_domains``); a
  subdomain ``<slug>.<host>`` or ``/login/<slug>`` names the tenant directly.
* ``/login/<slug>`` – starts the login at the tenant's provider (or lets the user choose
  when the tenant has several).
* ``/auth/callback/<provider-id>`` – per-provider redirect URI (CSRF-exempt: protected by
  the server-side state, nonce and PKCE verifier).
* ``POST /logout`` – ends the session, then the provider's session when it has an
  end-session endpoint.
* ``/mandant-wechseln`` – choose among the user's tenants.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from core.audit.service import Actor, record, record_platform
from core.errors import NotFound
from tenants.context import Identity
from tenants.identity import tenants_of_user
from tenants.login import LoginService, RequestInfo, demo_allowed, safe_next
from tenants.oidc import LoginFailed
from tenants.sessions import SessionService
from web.auth import SESSION_COOKIE
from web.deps import CurrentIdentity, DbSession
from web.rendering import page

LOGIN_STATE_COOKIE = "kommpass_login"
FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)


def _service(request: Request[Any, Any, Any]) -> LoginService:
    return LoginService(request.app.state.sessionmaker, request.app.state.settings)


def request_info(request: Request[Any, Any, Any]) -> RequestInfo:
    return RequestInfo(
        ip=request.client.host if request.client else None,
        request_id=request.scope.get("state", {}).get("request_id"),
    )


def actor_of(request: Request[Any, Any, Any], identity: Identity) -> Actor:
    info = request_info(request)
    return Actor(
        user_id=identity.user_id,
        label=identity.email or identity.display_name,
        ip=info.ip,
        request_id=info.request_id,
    )


def _cookie(
    request: Request[Any, Any, Any], key: str, value: str, *, path: str = "/", max_age: int | None = None
) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        path=path,
        httponly=True,
        samesite="lax",
        max_age=max_age,
        secure=bool(request.app.state.secure_cookies),
    )


def _expired(request: Request[Any, Any, Any], key: str, *, path: str = "/") -> Cookie:
    return Cookie(
        key=key,
        value="",
        path=path,
        httponly=True,
        samesite="lax",
        max_age=0,
        secure=bool(request.app.state.secure_cookies),
    )


def _subdomain_slug(request: Request[Any, Any, Any]) -> str | None:
    base_host = urlsplit(request.app.state.settings.web.base_url).hostname or ""
    host = (request.headers.get("host") or "").split(":")[0].lower()
    if base_host and host.endswith("." + base_host):
        label = host[: -len(base_host) - 1]
        if label and "." not in label:
            return label
    return None


def _login_page(request: Request[Any, Any, Any], *, status: int = 200, **ctx: Any) -> Template:
    settings = request.app.state.settings
    context = {
        "next": safe_next(request.query_params.get("next")),
        "email": "",
        "error": None,
        "demo": demo_allowed(settings),
        "logged_out": request.query_params.get("abgemeldet") == "1",
        **ctx,
    }
    return page(request, "auth/login.html", context, status_code=status)


async def _start(
    request: Request[Any, Any, Any],
    tenant_id: uuid.UUID,
    provider_id: uuid.UUID,
    next_url: str | None,
    login_hint: str | None = None,
) -> Redirect | Template:
    try:
        start = await _service(request).start(
            tenant_id, provider_id, next_url=next_url, login_hint=login_hint
        )
    except LoginFailed as exc:
        return _login_page(request, status=400, error=exc.message)
    return Redirect(
        path=start.redirect_to,
        status_code=303,
        cookies=[_cookie(request, LOGIN_STATE_COOKIE, start.state_cookie, path="/auth", max_age=600)],
    )


async def _login_for_tenant(
    request: Request[Any, Any, Any],
    slug: str,
    next_url: str | None,
    provider: str | None = None,
    login_hint: str | None = None,
) -> Redirect | Template:
    service = _service(request)
    tenant = await service.tenant_by_slug(slug)
    if tenant is None:
        raise NotFound("Diese Kommune ist nicht bekannt.")
    providers = await service.providers_of(tenant.id)
    if provider:
        chosen = [p for p in providers if str(p.id) == provider]
        if not chosen:
            raise NotFound("Dieser Identitätsanbieter gehört nicht zu dieser Kommune.")
        return await _start(request, tenant.id, chosen[0].id, next_url, login_hint)
    if len(providers) == 1:
        return await _start(request, tenant.id, providers[0].id, next_url, login_hint)
    return page(
        request,
        "auth/choose_provider.html",
        {"tenant": tenant, "providers": providers, "next": safe_next(next_url)},
        status_code=200 if providers else 409,
    )


@get("/login", name="login")
async def login_page(request: Request[Any, Any, Any]) -> Template | Redirect:
    slug = _subdomain_slug(request)
    if slug:
        return await _login_for_tenant(request, slug, request.query_params.get("next"))
    return _login_page(request)


@post("/login", name="login_submit", status_code=200)
async def login_submit(
    request: Request[Any, Any, Any], data: Annotated[dict[str, str], FormBody]
) -> Template | Redirect:
    email = (data.get("email") or "").strip()
    next_url = data.get("next")
    if "@" not in email:
        return _login_page(
            request,
            status=422,
            email=email,
            next=safe_next(next_url),
            error="Bitte Ihre dienstliche E-Mail-Adresse angeben.",
        )
    tenant = await _service(request).tenant_by_email(email)
    if tenant is None:
        return _login_page(
            request,
            status=422,
            email=email,
            next=safe_next(next_url),
            error="Zu dieser E-Mail-Domain ist keine Kommune eingerichtet.",
        )
    return await _login_for_tenant(request, tenant.slug, next_url, login_hint=email)


@get("/login/{slug:str}", name="login_tenant")
async def login_tenant(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template | Redirect:
    return await _login_for_tenant(
        request, slug, request.query_params.get("next"), provider=request.query_params.get("anbieter")
    )


@get("/auth/callback/{provider_id:str}", name="auth_callback")
async def auth_callback(request: Request[Any, Any, Any], provider_id: FromPath[str]) -> Template | Redirect:
    params = {k: str(v) for k, v in request.query_params.items()}
    clear_state = _expired(request, LOGIN_STATE_COOKIE, path="/auth")
    try:
        result = await _service(request).complete(
            state_cookie=request.cookies.get(LOGIN_STATE_COOKIE),
            path_provider_id=provider_id,
            params=params,
            info=request_info(request),
            previous_session=request.cookies.get(SESSION_COOKIE),
        )
    except LoginFailed as exc:
        response = page(request, "auth/login_failed.html", {"message": exc.message}, status_code=400)
        response.cookies.append(clear_state)
        return response
    from tenants.sessions import IDLE_TIMEOUT

    return Redirect(
        path=result.next_url,
        status_code=303,
        cookies=[
            clear_state,
            _cookie(request, SESSION_COOKIE, result.session_token, max_age=int(IDLE_TIMEOUT.total_seconds())),
        ],
    )


@post("/logout", name="logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Redirect:
    base = request.app.state.settings.web.base_url.rstrip("/")
    end_session = await _service(request).logout(
        request.cookies.get(SESSION_COOKIE),
        post_logout_redirect=f"{base}/login?abgemeldet=1",
        info=request_info(request),
    )
    return Redirect(
        path=end_session or "/login?abgemeldet=1",
        status_code=303,
        cookies=[_expired(request, SESSION_COOKIE)],
    )


@get("/mandant-wechseln", name="switch_tenant")
async def switch_tenant_page(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    tenants = await tenants_of_user(request.app.state.sessionmaker, identity.user_id)
    return page(request, "auth/switch_tenant.html", {"tenants": tenants})


@post("/mandant-wechseln", name="switch_tenant_submit", status_code=303)
async def switch_tenant(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: Annotated[dict[str, str], FormBody],
) -> Redirect:
    try:
        target = uuid.UUID(data.get("tenant_id", ""))
    except ValueError as exc:
        raise NotFound("Kommune nicht gefunden.") from exc
    tenants = {
        t.id: (t, role) for t, role in await tenants_of_user(request.app.state.sessionmaker, identity.user_id)
    }
    if target not in tenants:
        raise NotFound("Kommune nicht gefunden.")
    token = request.cookies.get(SESSION_COOKIE, "")
    await SessionService(db).set_tenant(token, target)
    actor = actor_of(request, identity)
    if identity.acting_as and identity.tenant_id:
        await record_platform(
            db,
            action="act_as.end",
            actor=actor,
            subject_tenant_id=identity.tenant_id,
            details={"by": "tenant_switch"},
        )
    await record_platform(
        db,
        action="tenant.switch",
        actor=actor,
        subject_tenant_id=target,
        details={"from": str(identity.tenant_id) if identity.tenant_id else None},
    )
    return Redirect(path="/", status_code=303)


ROUTES = [login_page, login_submit, login_tenant, auth_callback, logout, switch_tenant_page, switch_tenant]
__all__ = ["ROUTES", "record"]


# --- audit of denied requests (registered as ``after_exception`` hook in ``web.app``) -------
async def audit_denied_request(exc: BaseException, scope: Any) -> None:
    """Write 403/404 answers to authenticated requests to the audit log (own transaction).

    Anonymous requests are only logged (structlog, in ``web.errors``), not stored, so that
    unauthenticated traffic cannot fill the audit table.
    """
    from litestar.exceptions import NotFoundException, PermissionDeniedException

    from core.db import platform_session, tenant_session
    from core.errors import Forbidden

    if isinstance(exc, Forbidden | PermissionDeniedException):
        status = 403
    elif isinstance(exc, NotFound | NotFoundException):
        status = 404
    else:
        return
    identity = scope.get("user")
    if not isinstance(identity, Identity):
        return
    message = getattr(exc, "message", None) or getattr(exc, "detail", None) or ""
    details = {"status": status, "method": scope.get("method"), "path": scope.get("path")}
    state = scope.get("state", {}) or {}
    client = scope.get("client")
    actor = Actor(
        user_id=identity.user_id,
        label=identity.email or identity.display_name,
        ip=client[0] if client else None,
        request_id=state.get("request_id"),
    )
    try:
        sessionmaker = scope["litestar_app"].state.sessionmaker
        if identity.tenant_id is not None:
            async with tenant_session(sessionmaker, identity.tenant_id, user_id=identity.user_id) as s:
                await record(
                    s,
                    tenant_id=identity.tenant_id,
                    action="request.denied",
                    actor=actor,
                    entity_type="request",
                    changes=details,
                    reason=str(message)[:500],
                )
        else:
            async with platform_session(sessionmaker) as s:
                await record_platform(
                    s, action="request.denied", actor=actor, details={**details, "reason": str(message)[:500]}
                )
    except Exception:
        import structlog

        structlog.get_logger("kommpass.audit").exception("audit.denied_request_failed")
