"""Tenant administration (``/verwaltung``): people, roles, invitations, the tenant's audit log.

Guarded by ``requires_tenant_admin``; the tenant is the identity's (a KAAW admin acting as
the tenant may use it too). The JSON API lives under ``/api/v1/admin/{members,invitations,audit}``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Request, delete, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Forbidden, ValidationFailed
from tenants.context import Identity
from tenants.identity import MemberService, tenant_audit
from tenants.models import ROLE_LABELS
from tenants.schemas_identity import AuditEntry, InvitationRead, InvitationWrite, MemberRead, RoleChange
from web.auth import requires_tenant_admin
from web.controllers.auth import actor_of
from web.deps import CurrentIdentity, DbSession
from web.rendering import page

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
GUARDS = [requires_tenant_admin]


async def _page(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, *, status: int = 200, **extra: Any
) -> Template:
    tenant_id = identity.require_tenant()
    members = MemberService(db)
    ctx = {
        "members": await members.members(tenant_id),
        "invitations": await members.invitations(tenant_id),
        "roles": [(r.value, label) for r, label in ROLE_LABELS.items()],
        "invite_values": {},
        "invite_errors": {},
        "member_error": None,
        **extra,
    }
    return page(request, "tenant_admin/index.html", ctx, status_code=status)


@get("/verwaltung", name="tenant_admin", guards=GUARDS)
async def tenant_admin_index(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return await _page(request, db, identity)


@post("/verwaltung/einladungen", name="tenant_admin_invite", guards=GUARDS, status_code=303)
async def tenant_admin_invite(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[Form],
) -> Template | Redirect:
    try:
        await MemberService(db).invite(
            identity.require_tenant(),
            InvitationWrite(email=data.get("email", ""), role=data.get("role", "")),
            actor=actor_of(request, identity),
        )
    except ValidationFailed as exc:
        await db.rollback()
        return await _page(request, db, identity, status=422, invite_values=data, invite_errors=exc.as_dict())
    return Redirect(path="/verwaltung", status_code=303)


@post(
    "/verwaltung/einladungen/{invitation_id:uuid}/widerrufen",
    name="tenant_admin_revoke",
    guards=GUARDS,
    status_code=303,
)
async def tenant_admin_revoke(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    invitation_id: FromPath[uuid.UUID],
) -> Redirect:
    await MemberService(db).revoke_invitation(
        identity.require_tenant(), invitation_id, actor=actor_of(request, identity)
    )
    return Redirect(path="/verwaltung", status_code=303)


@post("/verwaltung/personen/{user_id:uuid}/rolle", name="tenant_admin_role", guards=GUARDS, status_code=303)
async def tenant_admin_role(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    user_id: FromPath[uuid.UUID],
    data: JSONBody[Form],
) -> Template | Redirect:
    try:
        await MemberService(db).change_role(
            identity.require_tenant(), user_id, data.get("role", ""), actor=actor_of(request, identity)
        )
    except (ValidationFailed, Forbidden) as exc:
        await db.rollback()
        return await _page(
            request,
            db,
            identity,
            status=422 if isinstance(exc, ValidationFailed) else 403,
            member_error=exc.message if isinstance(exc, Forbidden) else "Bitte eine gültige Rolle wählen.",
        )
    return Redirect(path="/verwaltung", status_code=303)


@post(
    "/verwaltung/personen/{user_id:uuid}/entfernen",
    name="tenant_admin_remove",
    guards=GUARDS,
    status_code=303,
)
async def tenant_admin_remove(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    user_id: FromPath[uuid.UUID],
) -> Template | Redirect:
    try:
        await MemberService(db).remove(identity.require_tenant(), user_id, actor=actor_of(request, identity))
    except Forbidden as exc:
        await db.rollback()
        return await _page(request, db, identity, status=403, member_error=exc.message)
    return Redirect(path="/verwaltung", status_code=303)


@get("/verwaltung/protokoll", name="tenant_audit", guards=GUARDS)
async def tenant_admin_audit(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    entries = await tenant_audit(db, identity.require_tenant(), tenant_name=identity.tenant_name)
    return page(request, "admin/audit.html", {"entries": entries, "platform": False})


# --- JSON API ----------------------------------------------------------------------------
@get("/api/v1/admin/members", guards=GUARDS, tags=["Verwaltung"])
async def api_members(
    db: DbSession, identity: CurrentIdentity
) -> list[MemberRead]:
    return await MemberService(db).members(identity.require_tenant())


@put("/api/v1/admin/members/{user_id:uuid}", guards=GUARDS, tags=["Verwaltung"])
async def api_member_role(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    user_id: FromPath[uuid.UUID],
    data: JSONBody[RoleChange],
) -> MemberRead:
    tenant_id = identity.require_tenant()
    members = MemberService(db)
    await members.change_role(tenant_id, user_id, data.role, actor=actor_of(request, identity))
    return await members.member(tenant_id, user_id)


@delete("/api/v1/admin/members/{user_id:uuid}", guards=GUARDS, tags=["Verwaltung"], status_code=204)
async def api_member_remove(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    user_id: FromPath[uuid.UUID],
) -> None:
    await MemberService(db).remove(identity.require_tenant(), user_id, actor=actor_of(request, identity))


@get("/api/v1/admin/invitations", guards=GUARDS, tags=["Verwaltung"])
async def api_invitations(
    db: DbSession, identity: CurrentIdentity
) -> list[InvitationRead]:
    return await MemberService(db).invitations(identity.require_tenant())


@post("/api/v1/admin/invitations", guards=GUARDS, tags=["Verwaltung"], status_code=201)
async def api_invite(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    data: JSONBody[InvitationWrite],
) -> InvitationRead:
    return await MemberService(db).invite(identity.require_tenant(), data, actor=actor_of(request, identity))


@delete("/api/v1/admin/invitations/{invitation_id:uuid}", guards=GUARDS, tags=["Verwaltung"], status_code=204)
async def api_invitation_revoke(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    invitation_id: FromPath[uuid.UUID],
) -> None:
    await MemberService(db).revoke_invitation(
        identity.require_tenant(), invitation_id, actor=actor_of(request, identity)
    )


@get("/api/v1/admin/audit", guards=GUARDS, tags=["Verwaltung"])
async def api_tenant_audit(
    db: DbSession, identity: CurrentIdentity
) -> list[AuditEntry]:
    return await tenant_audit(db, identity.require_tenant(), tenant_name=identity.tenant_name)


ROUTES = [
    tenant_admin_index,
    tenant_admin_invite,
    tenant_admin_revoke,
    tenant_admin_role,
    tenant_admin_remove,
    tenant_admin_audit,
    api_members,
    api_member_role,
    api_member_remove,
    api_invitations,
    api_invite,
    api_invitation_revoke,
    api_tenant_audit,
]
