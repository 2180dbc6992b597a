"""Identity administration: providers, members and roles, invitations, tenant changes.

All methods take the ``AsyncSession`` and the tenant id explicitly and filter by it (second
layer besides RLS: the session must be bound to the same tenant). Platform-level operations
(tenant edit/deactivate) work on the ``tenants`` platform table. Every change is written to
the audit trail in the same transaction. Secrets are encrypted with ``core.crypto`` and only
ever leave this module as "set / not set".
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.audit.models import AuditEvent, PlatformAuditEvent
from core.audit.service import Actor, diff, record, record_platform
from core.crypto import decrypt, encrypt
from core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from core.models import utcnow
from core.secret_rotation import StoredSecret
from tenants.models import IdentityProvider, Invitation, Membership, Role, Tenant, User
from tenants.oidc import is_acceptable_issuer_url
from tenants.schemas import TenantCreate
from tenants.schemas_identity import (
    AuditEntry,
    InvitationRead,
    InvitationWrite,
    MemberRead,
    ProviderRead,
    ProviderWrite,
    TenantUpdate,
)
from tenants.service import validate_tenant
from tenants.validation import land_of

INVITATION_VALIDITY = dt.timedelta(days=30)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def redirect_uri(base_url: str, provider_id: uuid.UUID) -> str:
    """The per-provider callback URL to register at the provider."""
    return f"{base_url.rstrip('/')}/auth/callback/{provider_id}"


def provider_read(p: IdentityProvider, base_url: str) -> ProviderRead:
    return ProviderRead(
        id=p.id,
        tenant_id=p.tenant_id,
        name=p.name,
        issuer=p.issuer,
        client_id=p.client_id,
        client_secret_set=bool(p.client_secret_encrypted),
        scopes=p.scopes,
        is_active=p.is_active,
        is_demo=p.is_demo,
        redirect_uri=redirect_uri(base_url, p.id),
        version=p.version,
    )


def _parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        raise ValidationFailed([FieldError("role", "Bitte eine gültige Rolle wählen.")]) from exc


class ProviderService:
    """OIDC providers of one tenant. ``encryption_key`` is ``settings.encryption_key``."""

    def __init__(self, session: AsyncSession, encryption_key: str, *, production: bool = False) -> None:
        self.session = session
        self.key = encryption_key
        self.production = production

    async def list(self, tenant_id: uuid.UUID, *, active_only: bool = False) -> list[IdentityProvider]:
        stmt = (
            select(IdentityProvider)
            .where(IdentityProvider.tenant_id == tenant_id)
            .order_by(IdentityProvider.name)
        )
        if active_only:
            stmt = stmt.where(IdentityProvider.is_active.is_(True))
        return list(await self.session.scalars(stmt))

    async def get(self, tenant_id: uuid.UUID, provider_id: uuid.UUID) -> IdentityProvider:
        provider = await self.session.scalar(
            select(IdentityProvider).where(
                IdentityProvider.tenant_id == tenant_id, IdentityProvider.id == provider_id
            )
        )
        if provider is None:
            raise NotFound("Identitätsanbieter nicht gefunden.")
        return provider

    def secret_of(self, provider: IdentityProvider) -> str | None:
        return (
            decrypt(provider.client_secret_encrypted, self.key) if provider.client_secret_encrypted else None
        )

    def _validate(self, data: ProviderWrite) -> None:
        errors: list[FieldError] = []
        if not data.name.strip():
            errors.append(FieldError("name", "Bitte eine Bezeichnung angeben."))
        if not is_acceptable_issuer_url(data.issuer.strip(), allow_plain_http_loopback=not self.production):
            errors.append(
                FieldError(
                    "issuer",
                    "Der Aussteller muss eine https-Adresse sein "
                    "(http nur für lokale Anbieter außerhalb des Produktivbetriebs).",
                )
            )
        if not data.client_id.strip():
            errors.append(FieldError("client_id", "Bitte die Client-ID angeben."))
        if "openid" not in data.scopes.split():
            errors.append(FieldError("scopes", "Die Scopes müssen „openid“ enthalten."))
        if errors:
            raise ValidationFailed(errors)

    async def create(
        self, tenant_id: uuid.UUID, data: ProviderWrite, *, actor: Actor, is_demo: bool = False
    ) -> IdentityProvider:
        self._validate(data)
        provider = IdentityProvider(
            tenant_id=tenant_id,
            name=data.name.strip(),
            issuer=data.issuer.strip(),
            client_id=data.client_id.strip(),
            client_secret_encrypted=encrypt(data.client_secret, self.key) if data.client_secret else None,
            scopes=data.scopes.strip(),
            is_active=data.is_active,
            is_demo=is_demo,
        )
        self.session.add(provider)
        await self._flush_unique()
        await record(
            self.session,
            tenant_id=tenant_id,
            action="identity_provider.create",
            actor=actor,
            entity_type="identity_provider",
            entity_id=provider.id,
            changes=diff({}, self._auditable(provider)),
        )
        return provider

    async def update(
        self, tenant_id: uuid.UUID, provider_id: uuid.UUID, data: ProviderWrite, *, actor: Actor
    ) -> IdentityProvider:
        self._validate(data)
        provider = await self.get(tenant_id, provider_id)
        if data.version is not None and data.version != provider.version:
            raise Conflict(
                "Der Identitätsanbieter wurde inzwischen geändert.", current=self._auditable(provider)
            )
        old = self._auditable(provider)
        provider.name = data.name.strip()
        provider.issuer = data.issuer.strip()
        provider.client_id = data.client_id.strip()
        provider.scopes = data.scopes.strip()
        provider.is_active = data.is_active
        if data.client_secret:
            provider.client_secret_encrypted = encrypt(data.client_secret, self.key)
        await self._flush_unique()
        changes = diff(old, self._auditable(provider))
        if data.client_secret:
            changes["client_secret"] = ["(alt)", "(neu gesetzt)"]
        await record(
            self.session,
            tenant_id=tenant_id,
            action="identity_provider.update",
            actor=actor,
            entity_type="identity_provider",
            entity_id=provider.id,
            changes=changes,
        )
        return provider

    async def delete(self, tenant_id: uuid.UUID, provider_id: uuid.UUID, *, actor: Actor) -> None:
        provider = await self.get(tenant_id, provider_id)
        old = self._auditable(provider)
        await self.session.delete(provider)
        await record(
            self.session,
            tenant_id=tenant_id,
            action="identity_provider.delete",
            actor=actor,
            entity_type="identity_provider",
            entity_id=provider_id,
            changes=diff(old, {}),
        )

    async def _flush_unique(self) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except StaleDataError as exc:
            raise Conflict("Der Identitätsanbieter wurde inzwischen geändert.") from exc
        except Exception as exc:
            if "uq_identity_providers" in str(exc):
                raise Conflict("Dieser Aussteller mit dieser Client-ID ist schon eingetragen.") from exc
            raise

    @staticmethod
    def _auditable(p: IdentityProvider) -> dict[str, Any]:
        # Never the secret itself, not even encrypted.
        return {
            "name": p.name,
            "issuer": p.issuer,
            "client_id": p.client_id,
            "scopes": p.scopes,
            "is_active": p.is_active,
            "client_secret_set": bool(p.client_secret_encrypted),
        }


class MemberService:
    """Members, roles and invitations of one tenant."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def members(self, tenant_id: uuid.UUID) -> list[MemberRead]:
        rows = await self.session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.tenant_id == tenant_id)
            .order_by(User.display_name, User.email)
        )
        return [
            MemberRead(
                user_id=u.id,
                email=u.email,
                display_name=u.display_name,
                issuer=u.issuer,
                role=m.role,
                last_login_at=u.last_login_at,
            )
            for m, u in rows.tuples()
        ]

    async def member(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> MemberRead:
        for m in await self.members(tenant_id):
            if m.user_id == user_id:
                return m
        raise NotFound("Person nicht gefunden.")

    async def _membership(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Membership:
        m = await self.session.scalar(
            select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        )
        if m is None:
            raise NotFound("Person nicht gefunden.")
        return m

    async def _admin_count(self, tenant_id: uuid.UUID) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(Membership)
                .where(Membership.tenant_id == tenant_id, Membership.role == Role.TENANT_ADMIN.value)
            )
            or 0
        )

    async def change_role(self, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str, *, actor: Actor) -> None:
        new_role = _parse_role(role)
        m = await self._membership(tenant_id, user_id)
        if m.role == new_role.value:
            return
        if m.role == Role.TENANT_ADMIN.value and await self._admin_count(tenant_id) <= 1:
            raise Forbidden("Die letzte Mandanten-Administration kann nicht herabgestuft werden.")
        old = m.role
        m.role = new_role.value
        await self.session.flush()
        await record(
            self.session,
            tenant_id=tenant_id,
            action="membership.role_change",
            actor=actor,
            entity_type="user",
            entity_id=user_id,
            changes={"role": [old, new_role.value]},
        )

    async def remove(self, tenant_id: uuid.UUID, user_id: uuid.UUID, *, actor: Actor) -> None:
        m = await self._membership(tenant_id, user_id)
        if m.role == Role.TENANT_ADMIN.value and await self._admin_count(tenant_id) <= 1:
            raise Forbidden("Die letzte Mandanten-Administration kann nicht entfernt werden.")
        await self.session.delete(m)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=tenant_id,
            action="membership.remove",
            actor=actor,
            entity_type="user",
            entity_id=user_id,
            changes={"role": [m.role, None]},
        )

    async def add(self, tenant_id: uuid.UUID, user_id: uuid.UUID, role: Role, *, actor: Actor) -> None:
        exists = await self.session.scalar(
            select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        )
        if exists is not None:
            if exists.role != role.value:
                old, exists.role = exists.role, role.value
                await record(
                    self.session,
                    tenant_id=tenant_id,
                    action="membership.role_change",
                    actor=actor,
                    entity_type="user",
                    entity_id=user_id,
                    changes={"role": [old, role.value]},
                )
            return
        self.session.add(Membership(tenant_id=tenant_id, user_id=user_id, role=role.value))
        await self.session.flush()
        await record(
            self.session,
            tenant_id=tenant_id,
            action="membership.create",
            actor=actor,
            entity_type="user",
            entity_id=user_id,
            changes={"role": [None, role.value]},
        )

    # --- invitations -------------------------------------------------------------------
    async def invitations(self, tenant_id: uuid.UUID, *, open_only: bool = True) -> list[InvitationRead]:
        stmt = select(Invitation).where(Invitation.tenant_id == tenant_id).order_by(Invitation.email)
        if open_only:
            stmt = stmt.where(Invitation.claimed_at.is_(None))
        return [
            InvitationRead(
                id=i.id,
                email=i.email,
                role=i.role,
                created_at=i.created_at,
                expires_at=i.expires_at,
                claimed_at=i.claimed_at,
            )
            for i in await self.session.scalars(stmt)
        ]

    async def invite(self, tenant_id: uuid.UUID, data: InvitationWrite, *, actor: Actor) -> InvitationRead:
        email = data.email.strip().lower()
        errors = []
        if not _EMAIL.match(email):
            errors.append(FieldError("email", "Bitte eine gültige E-Mail-Adresse angeben."))
        try:
            role = Role(data.role)
        except ValueError:
            errors.append(FieldError("role", "Bitte eine gültige Rolle wählen."))
        if errors:
            raise ValidationFailed(errors)
        existing = await self.session.scalar(
            select(Invitation).where(Invitation.tenant_id == tenant_id, Invitation.email == email)
        )
        now = utcnow()
        if existing is not None and existing.claimed_at is None:
            existing.role = role.value
            existing.expires_at = now + INVITATION_VALIDITY
            inv = existing
        else:
            if existing is not None:
                await self.session.delete(existing)
                await self.session.flush()
            inv = Invitation(
                tenant_id=tenant_id,
                email=email,
                role=role.value,
                invited_by_user_id=actor.user_id,
                created_at=now,
                expires_at=now + INVITATION_VALIDITY,
            )
            self.session.add(inv)
        await self.session.flush()
        await record(
            self.session,
            tenant_id=tenant_id,
            action="invitation.create",
            actor=actor,
            entity_type="invitation",
            entity_id=inv.id,
            changes={"email": [None, email], "role": [None, role.value]},
        )
        return InvitationRead(
            id=inv.id,
            email=inv.email,
            role=inv.role,
            created_at=inv.created_at,
            expires_at=inv.expires_at,
            claimed_at=inv.claimed_at,
        )

    async def revoke_invitation(
        self, tenant_id: uuid.UUID, invitation_id: uuid.UUID, *, actor: Actor
    ) -> None:
        inv = await self.session.scalar(
            select(Invitation).where(Invitation.tenant_id == tenant_id, Invitation.id == invitation_id)
        )
        if inv is None:
            raise NotFound("Einladung nicht gefunden.")
        await self.session.delete(inv)
        await record(
            self.session,
            tenant_id=tenant_id,
            action="invitation.revoke",
            actor=actor,
            entity_type="invitation",
            entity_id=invitation_id,
            changes={"email": [inv.email, None]},
        )

    async def claim_invitation(self, tenant_id: uuid.UUID, user: User, *, actor: Actor) -> Role | None:
        """At login: turn an open invitation for the user's e-mail into a membership."""
        if not user.email:
            return None
        inv = await self.session.scalar(
            select(Invitation).where(
                Invitation.tenant_id == tenant_id,
                func.lower(Invitation.email) == user.email.lower(),
                Invitation.claimed_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        )
        if inv is None:
            return None
        inv.claimed_at = utcnow()
        inv.claimed_by_user_id = user.id
        role = Role(inv.role)
        self.session.add(Membership(tenant_id=tenant_id, user_id=user.id, role=role.value))
        await self.session.flush()
        await record(
            self.session,
            tenant_id=tenant_id,
            action="invitation.claim",
            actor=actor,
            entity_type="user",
            entity_id=user.id,
            changes={"role": [None, role.value]},
        )
        return role

    async def role_of(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Role | None:
        value = await self.session.scalar(
            select(Membership.role).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        )
        return Role(value) if value else None

    async def tenants_of(self, user_id: uuid.UUID) -> list[tuple[Tenant, Role]]:
        """The user's active tenants (memberships are visible through ``app.user_id``).

        The session must be bound to the user and to *no* tenant (see ``tenants_of_user``),
        otherwise the tenant filters hide the other tenants' memberships.
        """
        rows = await self.session.execute(
            select(Tenant, Membership.role)
            .join(Membership, Membership.tenant_id == Tenant.id)
            .where(Membership.user_id == user_id, Tenant.is_active.is_(True))
            .order_by(Tenant.name)
        )
        return [(t, Role(r)) for t, r in rows.tuples()]


class TenantAdminService:
    """Platform-level tenant changes by KAAW admins (platform table ``tenants``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def update(self, tenant_id: uuid.UUID, data: TenantUpdate, *, actor: Actor) -> Tenant:
        tenant = await self.session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("Mandant nicht gefunden.")
        if data.version != tenant.version:
            raise Conflict("Der Mandant wurde inzwischen geändert.", current=self._auditable(tenant))
        errors = validate_tenant(
            TenantCreate(
                name=data.name,
                slug=tenant.slug,
                ags=data.ags,
                municipality_type=data.municipality_type,
                ars=data.ars,
                size_class=data.size_class,
                population=data.population,
                email_domains=data.email_domains,
            )
        )
        if errors:
            raise ValidationFailed(errors)
        old = self._auditable(tenant)
        tenant.name = data.name.strip()
        tenant.ags = data.ags.strip()
        tenant.ars = data.ars.strip() if data.ars else None
        tenant.land = land_of(tenant.ags).value
        tenant.municipality_type = data.municipality_type
        tenant.size_class = data.size_class
        tenant.population = data.population
        tenant.email_domains = [d.strip().lower() for d in data.email_domains if d.strip()]
        try:
            await self.session.flush()
        except StaleDataError as exc:
            raise Conflict("Der Mandant wurde inzwischen geändert.") from exc
        await record_platform(
            self.session,
            action="tenant.update",
            actor=actor,
            subject_tenant_id=tenant.id,
            details={"changes": diff(old, self._auditable(tenant))},
        )
        return tenant

    async def set_active(self, tenant_id: uuid.UUID, active: bool, *, actor: Actor) -> Tenant:
        tenant = await self.session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("Mandant nicht gefunden.")
        if tenant.is_active != active:
            tenant.is_active = active
            await self.session.flush()
            await record_platform(
                self.session,
                action="tenant.activate" if active else "tenant.deactivate",
                actor=actor,
                subject_tenant_id=tenant.id,
                details={"slug": tenant.slug},
            )
        return tenant

    async def find_by_email_domain(self, domain: str) -> Tenant | None:
        domain = domain.strip().lower()
        if not domain:
            return None
        return await self.session.scalar(
            select(Tenant).where(Tenant.email_domains.any(domain), Tenant.is_active.is_(True)).limit(1)  # type: ignore[arg-type]
        )

    @staticmethod
    def _auditable(t: Tenant) -> dict[str, Any]:
        return {
            "name": t.name,
            "ags": t.ags,
            "ars": t.ars,
            "municipality_type": t.municipality_type,
            "size_class": t.size_class,
            "population": t.population,
            "email_domains": list(t.email_domains or []),
            "is_active": t.is_active,
            "version": t.version,
        }


class UserAdminService:
    """Platform-level user flags (KAAW admin)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, *, issuer: str, subject: str, email: str | None, display_name: str | None) -> User:
        user = await self.session.scalar(select(User).where(User.issuer == issuer, User.subject == subject))
        if user is None:
            user = User(issuer=issuer, subject=subject, email=email, display_name=display_name)
            self.session.add(user)
        else:
            user.email = email or user.email
            user.display_name = display_name or user.display_name
        await self.session.flush()
        return user

    async def set_kaaw_admin(self, user_id: uuid.UUID, value: bool, *, actor: Actor) -> None:
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFound("Person nicht gefunden.")
        if user.is_kaaw_admin != value:
            user.is_kaaw_admin = value
            await record_platform(
                self.session,
                action="user.kaaw_admin_grant" if value else "user.kaaw_admin_revoke",
                actor=actor,
                details={"user_id": str(user.id), "email": user.email},
            )


# --- audit log reading -------------------------------------------------------------------
async def tenant_audit(
    session: AsyncSession, tenant_id: uuid.UUID, *, limit: int = 200, tenant_name: str | None = None
) -> list[AuditEntry]:
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(limit)
    )
    return [
        AuditEntry(
            id=e.id,
            occurred_at=e.occurred_at,
            scope="tenant",
            tenant_id=e.tenant_id,
            tenant_name=tenant_name,
            actor_label=e.actor_label,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            details=dict(e.changes or {}),
            reason=e.reason,
            ip=e.ip,
        )
        for e in rows
    ]


async def platform_audit(session: AsyncSession, *, limit: int = 200) -> list[AuditEntry]:
    rows = await session.execute(
        select(PlatformAuditEvent, Tenant.name)
        .outerjoin(Tenant, Tenant.id == PlatformAuditEvent.subject_tenant_id)
        .order_by(PlatformAuditEvent.occurred_at.desc())
        .limit(limit)
    )
    return [
        AuditEntry(
            id=e.id,
            occurred_at=e.occurred_at,
            scope="platform",
            tenant_id=e.subject_tenant_id,
            tenant_name=name,
            actor_label=e.actor_label,
            action=e.action,
            details=dict(e.details or {}),
            ip=e.ip,
        )
        for e, name in rows.tuples()
    ]


async def delete_sessions_of_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Deactivating a tenant ends every session working in it."""
    from tenants.models import UserSession

    await session.execute(delete(UserSession).where(UserSession.active_tenant_id == tenant_id))


async def tenant_overview(
    sessionmaker: Any, tenant_id: uuid.UUID, *, encryption_key: str, base_url: str
) -> dict[str, Any]:
    """Everything the KAAW console shows about one tenant (each part read under its RLS)."""
    from core.db import platform_session, tenant_session

    async with platform_session(sessionmaker) as s:
        tenant = await s.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("Mandant nicht gefunden.")
    async with tenant_session(sessionmaker, tenant_id) as s:
        providers = [
            provider_read(p, base_url) for p in await ProviderService(s, encryption_key).list(tenant_id)
        ]
        members = await MemberService(s).members(tenant_id)
        invitations = await MemberService(s).invitations(tenant_id)
    return {"tenant": tenant, "providers": providers, "members": members, "invitations": invitations}


async def all_audit(
    sessionmaker: Any, *, tenant_id: uuid.UUID | None = None, limit: int = 200
) -> list[AuditEntry]:
    """Platform events plus every tenant's events, each tenant read under its own RLS binding."""
    from core.db import platform_session, tenant_session

    async with platform_session(sessionmaker) as s:
        entries = [] if tenant_id else await platform_audit(s, limit=limit)
        tenants = list(await s.scalars(select(Tenant).order_by(Tenant.name)))
    for t in tenants:
        if tenant_id is not None and t.id != tenant_id:
            continue
        async with tenant_session(sessionmaker, t.id) as s:
            entries.extend(await tenant_audit(s, t.id, limit=limit, tenant_name=t.name))
    entries.sort(key=lambda e: e.occurred_at, reverse=True)
    return entries[:limit]


async def tenants_of_user(sessionmaker: Any, user_id: uuid.UUID) -> list[tuple[Tenant, Role]]:
    """The tenant switcher's list: read with only the user bound (RLS ``app.user_id``)."""
    from core.db import tenant_session

    async with tenant_session(sessionmaker, None, user_id=user_id) as s:
        return await MemberService(s).tenants_of(user_id)


async def stored_secrets(session: AsyncSession, tenant_id: uuid.UUID) -> list[StoredSecret]:
    """The tenant's encrypted client secrets (for ``kommpass identity rotate-secrets``)."""
    providers = await ProviderService(session, encryption_key="").list(tenant_id)  # listing needs no key
    return [
        StoredSecret(f"Anmeldeanbieter „{p.name}“", p, "client_secret_encrypted")
        for p in providers
        if p.client_secret_encrypted
    ]
