"""Tenant, User, Membership and the server-side login session.

``tenants`` and ``users`` are platform tables (no ``tenant_id``, no RLS): a user may belong
to several tenants. ``memberships`` is a tenant table whose RLS policy also lets a user see
their *own* memberships (``app.user_id``), so the tenant switcher works before a tenant is
chosen. ``user_sessions`` holds server-side sessions; only a hash of the session id is stored.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned, utcnow


class Role(StrEnum):
    """Roles inside a tenant, weakest first. KAAW admin is a platform flag on the user."""

    VIEWER = "viewer"
    EDITOR = "editor"
    TENANT_ADMIN = "tenant_admin"

    @property
    def rank(self) -> int:
        return _ROLE_RANK[self]

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


_ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.TENANT_ADMIN: 3}
ROLE_LABELS = {Role.VIEWER: "Lesen", Role.EDITOR: "Bearbeiten", Role.TENANT_ADMIN: "Mandanten-Admin"}


class Tenant(Timestamped, Versioned, Base):
    __tablename__ = "tenants"
    __table_args__ = (
        CheckConstraint("ags ~ '^[0-9]{8}$'", name="ags_8_digits"),
        CheckConstraint("ars IS NULL OR ars ~ '^[0-9]{12}$'", name="ars_12_digits"),
        CheckConstraint("size_class IS NULL OR size_class BETWEEN 1 AND 7", name="size_class_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    ags: Mapped[str] = mapped_column(String(8))
    ars: Mapped[str | None] = mapped_column(String(12))
    municipality_type: Mapped[str] = mapped_column(String(40))
    land: Mapped[str] = mapped_column(String(2))
    size_class: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int | None] = mapped_column(Integer)
    #: E-mail domains of the municipality, for home-realm discovery at login.
    email_domains: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class User(Timestamped, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: OIDC issuer and subject: the identity. The same e-mail at another issuer is another user.
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    display_name: Mapped[str | None] = mapped_column(String(200))
    is_kaaw_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    last_login_at: Mapped[dt.datetime | None]


class Membership(TenantScoped, Timestamped, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class UserSession(Base):
    """A server-side login session. ``id_hash`` is SHA-256 of the cookie value."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_expires_at", "expires_at"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The tenant the user currently works in (a platform table: not named ``tenant_id``).
    active_tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id", ondelete="SET NULL"))
    #: True while a KAAW admin acts inside a tenant ("act as tenant", audited).
    acting_as: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    act_reason: Mapped[str | None] = mapped_column(Text)
    #: Free-form state (OIDC login state, id_token for logout, flash messages).
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]


DEFAULT_SCOPES = "openid email profile"


class IdentityProvider(TenantScoped, Timestamped, Versioned, Base):
    """An OpenID Connect provider a tenant logs in with (tenant table, RLS; migration 0010).

    The client secret is stored encrypted (``core.crypto``) and never rendered back. A
    provider belongs to exactly one tenant; the callback only accepts the provider the login
    started with.
    """

    __tablename__ = "identity_providers"
    __table_args__ = (UniqueConstraint("tenant_id", "issuer", "client_id"),)

    #: Label on the login page, e.g. "Dienstkonto Stadt Dorsten".
    name: Mapped[str] = mapped_column(String(200))
    #: Exact issuer identifier (compared character by character with the ID token's ``iss``).
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    #: Fernet token of the client secret; None for public clients (PKCE only).
    client_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(255), default=DEFAULT_SCOPES, server_default=DEFAULT_SCOPES)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    #: The local demo provider of ``kommpass serve``: refused outside demo mode.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class Invitation(TenantScoped, Base):
    """A pre-registered e-mail address with a role (tenant table, RLS; migration 0010).

    The first login through one of *this tenant's* providers with that e-mail claims it:
    the membership is created and the invitation marked claimed.
    """

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    invited_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    claimed_at: Mapped[dt.datetime | None]
    claimed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
