"""KAAW admin console (``/admin``) and its JSON API (``/api/v1/admin/...``).

Tenants (create, edit, deactivate), their OIDC providers (secrets write-only), the first
tenant admin (an invitation), "act as tenant" (explicit, with a reason, audited, banner),
and the audit log across the platform and all tenants. Per-tenant plugin switches live at
``/admin/plugins`` (catalogue/plugins area). Every handler is guarded by
``requires_kaaw_admin``; tenant-level parts run in a session bound to *that* tenant.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import record, record_platform
from core.db import tenant_session
from core.errors import Conflict, NotFound, ValidationFailed
from tenants.context import Identity
from tenants.identity import (
    MemberService,
    ProviderService,
    TenantAdminService,
    all_audit,
    delete_sessions_of_tenant,
    provider_read,
    tenant_overview,
)
from tenants.models import ROLE_LABELS, Role
from tenants.schemas import TenantCreate, TenantRead
from tenants.schemas_identity import (
    ActAsStart,
    AuditEntry,
    InvitationRead,
    InvitationWrite,
    ProviderRead,
    ProviderWrite,
    TenantUpdate,
)
from tenants.service import TenantService, to_read
from tenants.sessions import SessionService
from tenants.validation import MUNICIPALITY_TYPE_LABELS, SIZE_CLASSES
from web.auth import SESSION_COOKIE, requires_kaaw_admin
from web.controllers.auth import actor_of
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page

FormBody = Body(media_type=RequestEncodingType.URL_ENCODED)
Form = Annotated[dict[str, str], FormBody]
GUARDS = [requires_kaaw_admin]


def _key(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.encryption_key)


def _base_url(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.web.base_url)


def _production(request: Request[Any, Any, Any]) -> bool:
    return bool(request.app.state.settings.web.production)


def _domains(raw: str) -> list[str]:
    return [d.strip().lower() for d in raw.replace(";", ",").replace("\n", ",").split(",") if d.strip()]


def _int_or_none(raw: str | None, field: str) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError as exc:
        from core.errors import FieldError

        raise ValidationFailed([FieldError(field, "Bitte eine ganze Zahl angeben.")]) from exc


def _form_ctx() -> dict[str, Any]:
    return {
        "types": [(m.value, label) for m, label in MUNICIPALITY_TYPE_LABELS.items()],
        "size_classes": list(SIZE_CLASSES.items()),
        "roles": [(r.value, label) for r, label in ROLE_LABELS.items()],
    }


# --- HTML: tenants ------------------------------------------------------------------------
@get("/admin", name="admin_index", guards=GUARDS)
async def admin_index(request: Request[Any, Any, Any], db: DbSession) -> Template:
    query = (request.query_params.get("suche") or "").strip().lower()
    tenants = await TenantService(db).list()
    if query:
        tenants = [t for t in tenants if query in t.name.lower() or query in t.slug or query in t.ags]
    ctx = {"tenants": tenants, "query": query, **_form_ctx()}
    if is_htmx(request) and request.headers.get("hx-target") == "mandanten-liste":
        return fragment(request, "admin/index.html", "tenant_list", ctx)
    return page(request, "admin/index.html", ctx)


@get("/admin/mandanten/neu", name="admin_tenant_new", guards=GUARDS)
async def admin_tenant_new(request: Request[Any, Any, Any]) -> Template:
    return page(request, "admin/tenant_form.html", {"values": {}, "errors": {}, **_form_ctx()})


def _tenant_create_from(data: dict[str, str]) -> TenantCreate:
    return TenantCreate(
        name=data.get("name", ""),
        slug=data.get("slug", "").strip().lower(),
        ags=data.get("ags", ""),
        municipality_type=data.get("municipality_type", ""),
        ars=data.get("ars") or None,
        size_class=_int_or_none(data.get("size_class"), "size_class"),
        population=_int_or_none(data.get("population"), "population"),
        email_domains=_domains(data.get("email_domains", "")),
    )


@post("/admin/mandanten", name="admin_tenant_create", guards=GUARDS, status_code=303)
async def admin_tenant_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[Form],
) -> Template | Redirect:
    try:
        tenant = await TenantService(db).create(_tenant_create_from(data))
    except (ValidationFailed, Conflict) as exc:
        errors = exc.as_dict() if isinstance(exc, ValidationFailed) else {"slug": exc.message}
        await db.rollback()
        return page(
            request,
            "admin/tenant_form.html",
            {"values": data, "errors": errors, **_form_ctx()},
            status_code=422 if isinstance(exc, ValidationFailed) else 409,
        )
    await record_platform(
        db,
        action="tenant.create",
        actor=actor_of(request, identity),
        subject_tenant_id=tenant.id,
        details={"slug": tenant.slug, "name": tenant.name},
    )
    return Redirect(path=f"/admin/mandanten/{tenant.id}", status_code=303)


async def _tenant_page(
    request: Request[Any, Any, Any], tenant_id: uuid.UUID, *, status: int = 200, **extra: Any
) -> Template:
    ctx = await tenant_overview(
        request.app.state.sessionmaker, tenant_id, encryption_key=_key(request), base_url=_base_url(request)
    )
    tenant = ctx["tenant"]
    values = {
        "name": tenant.name,
        "ags": tenant.ags,
        "ars": tenant.ars or "",
        "municipality_type": tenant.municipality_type,
        "size_class": tenant.size_class or "",
        "population": tenant.population or "",
        "email_domains": ", ".join(tenant.email_domains or []),
        "version": tenant.version,
    }
    context = {
        **ctx,
        "values": values,
        "errors": {},
        "provider_values": {},
        "provider_errors": {},
        "invite_errors": {},
        "act_errors": {},
        **_form_ctx(),
        **extra,
    }
    return page(request, "admin/tenant.html", context, status_code=status)


@get("/admin/mandanten/{tenant_id:uuid}", name="admin_tenant", guards=GUARDS)
async def admin_tenant(request: Request[Any, Any, Any], tenant_id: FromPath[uuid.UUID]) -> Template:
    return await _tenant_page(request, tenant_id)


@post("/admin/mandanten/{tenant_id:uuid}", name="admin_tenant_update", guards=GUARDS, status_code=303)
async def admin_tenant_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    data: JSONBody[Form],
) -> Template | Redirect:
    try:
        update = TenantUpdate(
            name=data.get("name", ""),
            ags=data.get("ags", ""),
            municipality_type=data.get("municipality_type", ""),
            version=int(data.get("version") or 0),
            ars=data.get("ars") or None,
            size_class=_int_or_none(data.get("size_class"), "size_class"),
            population=_int_or_none(data.get("population"), "population"),
            email_domains=_domains(data.get("email_domains", "")),
        )
        await TenantAdminService(db).update(tenant_id, update, actor=actor_of(request, identity))
    except ValidationFailed as exc:
        await db.rollback()
        page_ = await _tenant_page(request, tenant_id, status=422, errors=exc.as_dict())
        page_.context["values"] = {**page_.context["values"], **data}
        return page_
    except Conflict as exc:
        await db.rollback()
        return await _tenant_page(request, tenant_id, status=409, errors={"name": exc.message})
    return Redirect(path=f"/admin/mandanten/{tenant_id}", status_code=303)


@post(
    "/admin/mandanten/{tenant_id:uuid}/deaktivieren",
    name="admin_tenant_deactivate",
    guards=GUARDS,
    status_code=303,
)
async def admin_tenant_deactivate(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
) -> Redirect:
    await TenantAdminService(db).set_active(tenant_id, False, actor=actor_of(request, identity))
    await delete_sessions_of_tenant(db, tenant_id)
    return Redirect(path=f"/admin/mandanten/{tenant_id}", status_code=303)


@post(
    "/admin/mandanten/{tenant_id:uuid}/aktivieren",
    name="admin_tenant_activate",
    guards=GUARDS,
    status_code=303,
)
async def admin_tenant_activate(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
) -> Redirect:
    await TenantAdminService(db).set_active(tenant_id, True, actor=actor_of(request, identity))
    return Redirect(path=f"/admin/mandanten/{tenant_id}", status_code=303)


# --- HTML: providers and the first tenant admin -----------------------------------------------
def _provider_write(data: dict[str, str]) -> ProviderWrite:
    return ProviderWrite(
        name=data.get("name", ""),
        issuer=data.get("issuer", ""),
        client_id=data.get("client_id", ""),
        client_secret=data.get("client_secret") or None,
        scopes=data.get("scopes") or "openid email profile",
        is_active=data.get("is_active", "on") in {"on", "true", "1"},
        version=int(data["version"]) if data.get("version") else None,
    )


@post(
    "/admin/mandanten/{tenant_id:uuid}/anbieter", name="admin_provider_create", guards=GUARDS, status_code=303
)
async def admin_provider_create(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    data: JSONBody[Form],
) -> Template | Redirect:
    return await _save_provider(request, identity, tenant_id, None, data)


@post(
    "/admin/mandanten/{tenant_id:uuid}/anbieter/{provider_id:uuid}",
    name="admin_provider_update",
    guards=GUARDS,
    status_code=303,
)
async def admin_provider_update(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    provider_id: FromPath[uuid.UUID],
    data: JSONBody[Form],
) -> Template | Redirect:
    return await _save_provider(request, identity, tenant_id, provider_id, data)


async def _save_provider(
    request: Request[Any, Any, Any],
    identity: Identity,
    tenant_id: uuid.UUID,
    provider_id: uuid.UUID | None,
    data: dict[str, str],
) -> Template | Redirect:
    values = {k: v for k, v in data.items() if k != "client_secret"}  # never echo a secret back
    try:
        async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
            service = ProviderService(s, _key(request), production=_production(request))
            if provider_id is None:
                await service.create(tenant_id, _provider_write(data), actor=actor_of(request, identity))
            else:
                await service.update(
                    tenant_id, provider_id, _provider_write(data), actor=actor_of(request, identity)
                )
    except ValidationFailed as exc:
        return await _tenant_page(
            request,
            tenant_id,
            status=422,
            provider_values=values,
            provider_errors=exc.as_dict(),
            provider_edit=provider_id,
        )
    except Conflict as exc:
        return await _tenant_page(
            request,
            tenant_id,
            status=409,
            provider_values=values,
            provider_errors={"issuer": exc.message},
            provider_edit=provider_id,
        )
    return Redirect(path=f"/admin/mandanten/{tenant_id}#anbieter", status_code=303)


@post(
    "/admin/mandanten/{tenant_id:uuid}/anbieter/{provider_id:uuid}/loeschen",
    name="admin_provider_delete",
    guards=GUARDS,
    status_code=303,
)
async def admin_provider_delete(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    provider_id: FromPath[uuid.UUID],
) -> Redirect:
    async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
        await ProviderService(s, _key(request)).delete(
            tenant_id, provider_id, actor=actor_of(request, identity)
        )
    return Redirect(path=f"/admin/mandanten/{tenant_id}#anbieter", status_code=303)


@post("/admin/mandanten/{tenant_id:uuid}/einladungen", name="admin_invite", guards=GUARDS, status_code=303)
async def admin_invite(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    data: JSONBody[Form],
) -> Template | Redirect:
    try:
        async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
            await _ensure_tenant(s, tenant_id)
            await MemberService(s).invite(
                tenant_id,
                InvitationWrite(email=data.get("email", ""), role=data.get("role") or "tenant_admin"),
                actor=actor_of(request, identity),
            )
    except ValidationFailed as exc:
        return await _tenant_page(
            request, tenant_id, status=422, invite_errors=exc.as_dict(), invite_values=data
        )
    return Redirect(path=f"/admin/mandanten/{tenant_id}#personen", status_code=303)


async def _ensure_tenant(s: AsyncSession, tenant_id: uuid.UUID) -> None:
    await TenantService(s).get(tenant_id)


# --- act as tenant -----------------------------------------------------------------------
async def start_acting(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, tenant_id: uuid.UUID, reason: str
) -> None:
    from core.errors import FieldError

    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationFailed([FieldError("reason", "Bitte einen Grund angeben (mindestens 5 Zeichen).")])
    tenant = await TenantService(db).get(tenant_id)
    if not tenant.is_active:
        raise NotFound("Mandant nicht gefunden.")
    actor = actor_of(request, identity)
    await SessionService(db).set_tenant(
        request.cookies.get(SESSION_COOKIE, ""), tenant_id, acting_as=True, reason=reason
    )
    await record_platform(
        db, action="act_as.start", actor=actor, subject_tenant_id=tenant_id, details={"reason": reason}
    )
    async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
        await record(
            s,
            tenant_id=tenant_id,
            action="act_as.start",
            actor=actor,
            entity_type="tenant",
            entity_id=tenant_id,
            reason=reason,
        )


async def end_acting(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> None:
    if not identity.acting_as or identity.tenant_id is None:
        return
    actor = actor_of(request, identity)
    await SessionService(db).set_tenant(request.cookies.get(SESSION_COOKIE, ""), None)
    await record_platform(db, action="act_as.end", actor=actor, subject_tenant_id=identity.tenant_id)
    async with tenant_session(
        request.app.state.sessionmaker, identity.tenant_id, user_id=identity.user_id
    ) as s:
        await record(
            s,
            tenant_id=identity.tenant_id,
            action="act_as.end",
            actor=actor,
            entity_type="tenant",
            entity_id=identity.tenant_id,
        )


@post("/admin/act-as", name="admin_act_as", guards=GUARDS, status_code=303)
async def admin_act_as(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[Form],
) -> Template | Redirect:
    try:
        tenant_id = uuid.UUID(data.get("tenant_id", ""))
    except ValueError as exc:
        raise NotFound("Mandant nicht gefunden.") from exc
    try:
        await start_acting(request, db, identity, tenant_id, data.get("reason", ""))
    except ValidationFailed as exc:
        await db.rollback()
        return await _tenant_page(request, tenant_id, status=422, act_errors=exc.as_dict())
    return Redirect(path="/", status_code=303)


@post("/admin/act-as/end", name="admin_act_as_end", guards=GUARDS, status_code=303)
async def admin_act_as_end(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Redirect:
    await end_acting(request, db, identity)
    return Redirect(path="/admin", status_code=303)


# --- audit -------------------------------------------------------------------------------
def _tenant_filter(request: Request[Any, Any, Any]) -> uuid.UUID | None:
    raw = request.query_params.get("mandant")
    try:
        return uuid.UUID(raw) if raw else None
    except ValueError:
        return None


@get("/admin/protokoll", name="admin_audit", guards=GUARDS)
async def admin_audit(request: Request[Any, Any, Any], db: DbSession) -> Template:
    tenant_filter = _tenant_filter(request)
    entries = await all_audit(request.app.state.sessionmaker, tenant_id=tenant_filter)
    tenants = await TenantService(db).list()
    return page(
        request,
        "admin/audit.html",
        {"entries": entries, "tenants": tenants, "selected": tenant_filter, "platform": True},
    )


# --- JSON API ----------------------------------------------------------------------------
@get("/api/v1/admin/tenants", guards=GUARDS, tags=["KAAW-Administration"])
async def api_tenants(db: DbSession) -> list[TenantRead]:
    return [to_read(t) for t in await TenantService(db).list()]


@post("/api/v1/admin/tenants", guards=GUARDS, tags=["KAAW-Administration"], status_code=201)
async def api_tenant_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[TenantCreate],
) -> TenantRead:
    tenant = await TenantService(db).create(data)
    await record_platform(
        db,
        action="tenant.create",
        actor=actor_of(request, identity),
        subject_tenant_id=tenant.id,
        details={"slug": tenant.slug},
    )
    return to_read(tenant)


@get("/api/v1/admin/tenants/{tenant_id:uuid}", guards=GUARDS, tags=["KAAW-Administration"])
async def api_tenant(db: DbSession, tenant_id: FromPath[uuid.UUID]) -> TenantRead:
    return to_read(await TenantService(db).get(tenant_id))


@put("/api/v1/admin/tenants/{tenant_id:uuid}", guards=GUARDS, tags=["KAAW-Administration"])
async def api_tenant_update(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    data: JSONBody[TenantUpdate],
) -> TenantRead:
    return to_read(await TenantAdminService(db).update(tenant_id, data, actor=actor_of(request, identity)))


@post(
    "/api/v1/admin/tenants/{tenant_id:uuid}/deactivate",
    guards=GUARDS,
    tags=["KAAW-Administration"],
    status_code=200,
)
async def api_tenant_deactivate(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
) -> TenantRead:
    tenant = await TenantAdminService(db).set_active(tenant_id, False, actor=actor_of(request, identity))
    await delete_sessions_of_tenant(db, tenant_id)
    return to_read(tenant)


@post(
    "/api/v1/admin/tenants/{tenant_id:uuid}/activate",
    guards=GUARDS,
    tags=["KAAW-Administration"],
    status_code=200,
)
async def api_tenant_activate(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
) -> TenantRead:
    return to_read(
        await TenantAdminService(db).set_active(tenant_id, True, actor=actor_of(request, identity))
    )


@get("/api/v1/admin/tenants/{tenant_id:uuid}/providers", guards=GUARDS, tags=["KAAW-Administration"])
async def api_providers(
    request: Request[Any, Any, Any], db: DbSession, tenant_id: FromPath[uuid.UUID]
) -> list[ProviderRead]:
    await TenantService(db).get(tenant_id)
    async with tenant_session(request.app.state.sessionmaker, tenant_id) as s:
        return [
            provider_read(p, _base_url(request))
            for p in await ProviderService(s, _key(request)).list(tenant_id)
        ]


@post(
    "/api/v1/admin/tenants/{tenant_id:uuid}/providers",
    guards=GUARDS,
    tags=["KAAW-Administration"],
    status_code=201,
)
async def api_provider_create(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    data: JSONBody[ProviderWrite],
) -> ProviderRead:
    await TenantService(db).get(tenant_id)
    async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
        p = await ProviderService(s, _key(request), production=_production(request)).create(
            tenant_id, data, actor=actor_of(request, identity)
        )
        return provider_read(p, _base_url(request))


@put(
    "/api/v1/admin/tenants/{tenant_id:uuid}/providers/{provider_id:uuid}",
    guards=GUARDS,
    tags=["KAAW-Administration"],
)
async def api_provider_update(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    provider_id: FromPath[uuid.UUID],
    data: JSONBody[ProviderWrite],
) -> ProviderRead:
    async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
        p = await ProviderService(s, _key(request), production=_production(request)).update(
            tenant_id, provider_id, data, actor=actor_of(request, identity)
        )
        return provider_read(p, _base_url(request))


@delete(
    "/api/v1/admin/tenants/{tenant_id:uuid}/providers/{provider_id:uuid}",
    guards=GUARDS,
    tags=["KAAW-Administration"],
    status_code=204,
)
async def api_provider_delete(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    provider_id: FromPath[uuid.UUID],
) -> None:
    async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
        await ProviderService(s, _key(request)).delete(
            tenant_id, provider_id, actor=actor_of(request, identity)
        )


@post(
    "/api/v1/admin/tenants/{tenant_id:uuid}/invitations",
    guards=GUARDS,
    tags=["KAAW-Administration"],
    status_code=201,
)
async def api_tenant_invite(
    request: Request[Any, Any, Any],
    identity: CurrentIdentity,
    tenant_id: FromPath[uuid.UUID],
    data: JSONBody[InvitationWrite],
) -> InvitationRead:
    async with tenant_session(request.app.state.sessionmaker, tenant_id, user_id=identity.user_id) as s:
        await _ensure_tenant(s, tenant_id)
        return await MemberService(s).invite(tenant_id, data, actor=actor_of(request, identity))


class ActAsRequest(msgspec.Struct, kw_only=True):
    tenant_id: uuid.UUID
    reason: str


@post("/api/v1/admin/act-as", guards=GUARDS, tags=["KAAW-Administration"], status_code=200)
async def api_act_as(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[ActAsRequest],
) -> dict[str, Any]:
    await start_acting(request, db, identity, data.tenant_id, ActAsStart(reason=data.reason).reason)
    return {"acting_as": str(data.tenant_id)}


@post("/api/v1/admin/act-as/end", guards=GUARDS, tags=["KAAW-Administration"], status_code=200)
async def api_act_as_end(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> dict[str, Any]:
    await end_acting(request, db, identity)
    return {"acting_as": None}


@get("/api/v1/admin/platform-audit", guards=GUARDS, tags=["KAAW-Administration"])
async def api_platform_audit(request: Request[Any, Any, Any]) -> list[AuditEntry]:
    return await all_audit(request.app.state.sessionmaker, tenant_id=_tenant_filter(request))


ROUTES = [
    admin_index,
    admin_tenant_new,
    admin_tenant_create,
    admin_tenant,
    admin_tenant_update,
    admin_tenant_deactivate,
    admin_tenant_activate,
    admin_provider_create,
    admin_provider_update,
    admin_provider_delete,
    admin_invite,
    admin_act_as,
    admin_act_as_end,
    admin_audit,
    api_tenants,
    api_tenant_create,
    api_tenant,
    api_tenant_update,
    api_tenant_deactivate,
    api_tenant_activate,
    api_providers,
    api_provider_create,
    api_provider_update,
    api_provider_delete,
    api_tenant_invite,
    api_act_as,
    api_act_as_end,
    api_platform_audit,
]
__all__ = ["ROUTES", "Role"]
