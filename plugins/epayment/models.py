"""Tables of the e-payment plugin (all tenant tables with row-level security).

* ``epayment_accounts`` – onboarding of a tenant on one payment platform (ePayBL, pmPayment);
  the provider secret is stored encrypted (``core.crypto``) and never read back to a page.
* ``epayment_service_fees`` – per online service: fee yes/no, amount or schedule, accounting.
* ``epayment_payments`` – one payment with its state (initiated → pending → final).
* ``epayment_notifications`` – journal of every verified provider notification (idempotency).
* ``epayment_bookings`` – one booking per paid payment (unique: booked once).
* ``epayment_routes`` – globally unique keys (Kassenzeichen, payment reference, public page key)
  → tenant; read only through the SECURITY DEFINER function ``epayment_tenant_for_key``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned, utcnow

PAYMENT_STATES = ("initiated", "pending", "paid", "failed", "cancelled", "expired")
FINAL_STATES = ("paid", "failed", "cancelled", "expired")


class PaymentAccount(TenantScoped, Versioned, Timestamped, Base):
    __tablename__ = "epayment_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "platform"),
        CheckConstraint("platform IN ('epaybl', 'pmpayment')", name="platform_known"),
        CheckConstraint("stage IN ('integration', 'production')", name="stage_known"),
    )

    platform: Mapped[str] = mapped_column(String(20))
    #: Name of the provider adapter (``PaymentProvider.name``), e.g. "sandbox".
    provider: Mapped[str] = mapped_column(String(40), default="sandbox")
    stage: Mapped[str] = mapped_column(String(20), default="integration")
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    #: pmPayment: Kundennummer/AGS at the provider.
    merchant_id: Mapped[str | None] = mapped_column(String(60))
    mandant_integration: Mapped[str | None] = mapped_column(String(40))
    mandant_production: Mapped[str | None] = mapped_column(String(40))
    bewirtschafter: Mapped[str | None] = mapped_column(String(40))
    haushaltsstelle: Mapped[str | None] = mapped_column(String(60))
    objektnummer: Mapped[str | None] = mapped_column(String(60))
    kz_prefix: Mapped[str | None] = mapped_column(String(12))
    kz_length: Mapped[int | None] = mapped_column(Integer)
    #: Kontierung fields: ``[{"name": "Sachkonto", "length": 8}, …]``.
    kontierung: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    booking_text: Mapped[str | None] = mapped_column(String(200))
    payment_methods: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    #: Transaction costs charged by the platform: fixed per paid payment + basis points of the amount.
    cost_fixed_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cost_percent_bp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    secret_set_at: Mapped[dt.datetime | None] = mapped_column()


class ServiceFee(TenantScoped, Versioned, Timestamped, Base):
    __tablename__ = "epayment_service_fees"
    __table_args__ = (
        UniqueConstraint("tenant_id", "online_service_id"),
        UniqueConstraint("tenant_id", "public_key"),
        ForeignKeyConstraint(
            ["tenant_id", "online_service_id"],
            ["online_services.tenant_id", "online_services.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["epayment_accounts.tenant_id", "epayment_accounts.id"]
        ),
        CheckConstraint("fee_kind IN ('fixed', 'schedule')", name="fee_kind_known"),
    )

    online_service_id: Mapped[uuid.UUID] = mapped_column()
    account_id: Mapped[uuid.UUID | None] = mapped_column()
    charges_fee: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_kind: Mapped[str] = mapped_column(String(10), default="fixed")
    fee_cents: Mapped[int | None] = mapped_column(Integer)
    #: Small schedule: ``[{"label": "Reitkennzeichen", "cents": 2500}, …]``.
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    kostenstelle: Mapped[str | None] = mapped_column(String(40))
    kostentraeger: Mapped[str | None] = mapped_column(String(40))
    haushaltsstelle: Mapped[str | None] = mapped_column(String(60))
    #: Unguessable key of the applicant-facing start page (``/epayment/pay/<key>``).
    public_key: Mapped[str] = mapped_column(String(40))


class Payment(TenantScoped, Timestamped, Base):
    __tablename__ = "epayment_payments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kassenzeichen"),
        UniqueConstraint("tenant_id", "reference"),
        ForeignKeyConstraint(
            ["tenant_id", "account_id"], ["epayment_accounts.tenant_id", "epayment_accounts.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "service_fee_id"],
            ["epayment_service_fees.tenant_id", "epayment_service_fees.id"],
            ondelete="SET NULL",
        ),
        Index("ix_epayment_payments_tenant_status", "tenant_id", "status"),
        Index("ix_epayment_payments_tenant_created", "tenant_id", "created_at"),
        CheckConstraint(
            "status IN ('initiated', 'pending', 'paid', 'failed', 'cancelled', 'expired')",
            name="status_known",
        ),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column()
    service_fee_id: Mapped[uuid.UUID | None] = mapped_column()
    online_service_id: Mapped[uuid.UUID | None] = mapped_column()
    service_title: Mapped[str | None] = mapped_column(String(500))
    kassenzeichen: Mapped[str] = mapped_column(String(40))
    #: Our globally unique, unguessable reference (return page, provider correlation).
    reference: Mapped[str] = mapped_column(String(40))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    description: Mapped[str | None] = mapped_column(String(300))
    applicant_reference: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(12), default="initiated")
    provider: Mapped[str] = mapped_column(String(40))
    provider_reference: Mapped[str | None] = mapped_column(String(100))
    payment_method: Mapped[str | None] = mapped_column(String(40))
    haushaltsstelle: Mapped[str | None] = mapped_column(String(60))
    kostenstelle: Mapped[str | None] = mapped_column(String(40))
    kostentraeger: Mapped[str | None] = mapped_column(String(40))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    flag_reason: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column()
    final_at: Mapped[dt.datetime | None] = mapped_column()


class PaymentNotification(TenantScoped, Base):
    __tablename__ = "epayment_notifications"
    __table_args__ = (
        UniqueConstraint("tenant_id", "provider", "event_id"),
        ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["epayment_payments.tenant_id", "epayment_payments.id"],
            ondelete="CASCADE",
        ),
        Index("ix_epayment_notifications_tenant_payment", "tenant_id", "payment_id"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column()
    provider: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(100))
    reported_status: Mapped[str] = mapped_column(String(12))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    #: applied | ignored (out of order / already final) | mismatch
    outcome: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Booking(TenantScoped, Base):
    __tablename__ = "epayment_bookings"
    __table_args__ = (
        UniqueConstraint("tenant_id", "payment_id"),
        ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["epayment_payments.tenant_id", "epayment_payments.id"],
            ondelete="CASCADE",
        ),
        Index("ix_epayment_bookings_tenant_date", "tenant_id", "booking_date"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column()
    booking_date: Mapped[dt.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    kassenzeichen: Mapped[str] = mapped_column(String(40))
    haushaltsstelle: Mapped[str | None] = mapped_column(String(60))
    kostenstelle: Mapped[str | None] = mapped_column(String(40))
    kostentraeger: Mapped[str | None] = mapped_column(String(40))
    booking_text: Mapped[str | None] = mapped_column(String(200))
    payment_method: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PaymentRoute(TenantScoped, Base):
    """Globally unique key → tenant. The app reads it only via ``epayment_tenant_for_key``."""

    __tablename__ = "epayment_routes"
    # Keys are unique across tenants: a tenant restored as a copy (core.backup) must not
    # take over the original's Kassenzeichen, so backups skip this table for copies.
    __table_args__ = (UniqueConstraint("route_key"), {"info": {"global_keys": True}})

    route_key: Mapped[str] = mapped_column(String(80))
