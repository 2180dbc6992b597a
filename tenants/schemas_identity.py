"""DTOs of identity administration (msgspec). Secrets are write-only: no Read DTO carries them."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class ProviderWrite(msgspec.Struct, kw_only=True):
    name: str
    issuer: str
    client_id: str
    #: Write-only. ``None``/empty on update keeps the stored secret.
    client_secret: str | None = None
    scopes: str = "openid email profile"
    is_active: bool = True
    version: int | None = None


class ProviderRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    issuer: str
    client_id: str
    #: Only whether a secret is set, never any part of it.
    client_secret_set: bool
    scopes: str
    is_active: bool
    is_demo: bool
    redirect_uri: str
    version: int


class MemberRead(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    email: str | None
    display_name: str | None
    issuer: str
    role: str
    last_login_at: dt.datetime | None


class InvitationWrite(msgspec.Struct, kw_only=True):
    email: str
    role: str


class InvitationRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    email: str
    role: str
    created_at: dt.datetime
    expires_at: dt.datetime
    claimed_at: dt.datetime | None


class RoleChange(msgspec.Struct, kw_only=True):
    role: str


class TenantUpdate(msgspec.Struct, kw_only=True):
    name: str
    ags: str
    municipality_type: str
    version: int
    ars: str | None = None
    size_class: int | None = None
    population: int | None = None
    email_domains: list[str] = msgspec.field(default_factory=list)


class ActAsStart(msgspec.Struct, kw_only=True):
    reason: str


class AuditEntry(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    occurred_at: dt.datetime
    scope: str
    tenant_id: uuid.UUID | None
    tenant_name: str | None
    actor_label: str | None
    action: str
    entity_type: str | None = None
    entity_id: str | None = None
    details: dict[str, object] = msgspec.field(default_factory=dict)
    reason: str | None = None
    ip: str | None = None
