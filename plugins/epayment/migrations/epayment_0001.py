"""E-payment plugin: platform accounts, service fees, payments, notifications, bookings, routes.

Revision ID: epayment_0001
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import TENANT_PREDICATE, enable_rls

revision: str = "epayment_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("epayment",)
depends_on: str | Sequence[str] | None = ("0100_measures",)

TABLES = (
    "epayment_accounts",
    "epayment_service_fees",
    "epayment_payments",
    "epayment_notifications",
    "epayment_bookings",
)


def _ids(table: str, *, versioned: bool = False, timestamps: bool = True) -> list[Any]:
    cols: list[Any] = [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
    ]
    if versioned:
        cols.append(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    if timestamps:
        cols += [
            sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        ]
    cols += [
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{table}"),
    ]
    return cols


def upgrade() -> None:
    op.create_table(
        "epayment_accounts",
        *_ids("epayment_accounts", versioned=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("endpoint_url", sa.String(500), nullable=True),
        sa.Column("merchant_id", sa.String(60), nullable=True),
        sa.Column("mandant_integration", sa.String(40), nullable=True),
        sa.Column("mandant_production", sa.String(40), nullable=True),
        sa.Column("bewirtschafter", sa.String(40), nullable=True),
        sa.Column("haushaltsstelle", sa.String(60), nullable=True),
        sa.Column("objektnummer", sa.String(60), nullable=True),
        sa.Column("kz_prefix", sa.String(12), nullable=True),
        sa.Column("kz_length", sa.Integer(), nullable=True),
        sa.Column("kontierung", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("booking_text", sa.String(200), nullable=True),
        sa.Column("payment_methods", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("cost_fixed_cents", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cost_percent_bp", sa.Integer(), server_default="0", nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=True),
        sa.Column("secret_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("tenant_id", "platform", name="uq_epayment_accounts_tenant_id_platform"),
        sa.CheckConstraint("platform IN ('epaybl', 'pmpayment')", name="ck_epayment_accounts_platform_known"),
        sa.CheckConstraint("stage IN ('integration', 'production')", name="ck_epayment_accounts_stage_known"),
    )
    op.create_table(
        "epayment_service_fees",
        *_ids("epayment_service_fees", versioned=True),
        sa.Column("online_service_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("charges_fee", sa.Boolean(), nullable=False),
        sa.Column("fee_kind", sa.String(10), nullable=False),
        sa.Column("fee_cents", sa.Integer(), nullable=True),
        sa.Column("schedule", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("kostenstelle", sa.String(40), nullable=True),
        sa.Column("kostentraeger", sa.String(40), nullable=True),
        sa.Column("haushaltsstelle", sa.String(60), nullable=True),
        sa.Column("public_key", sa.String(40), nullable=False),
        sa.UniqueConstraint(
            "tenant_id", "online_service_id", name="uq_epayment_service_fees_tenant_id_online_service_id"
        ),
        sa.UniqueConstraint("tenant_id", "public_key", name="uq_epayment_service_fees_tenant_id_public_key"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "online_service_id"],
            ["online_services.tenant_id", "online_services.id"],
            name="fk_epayment_service_fees_tenant_id_online_service_id_on_6839",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["epayment_accounts.tenant_id", "epayment_accounts.id"],
            name="fk_epayment_service_fees_tenant_id_account_id_epayment_accounts",
        ),
        sa.CheckConstraint(
            "fee_kind IN ('fixed', 'schedule')", name="ck_epayment_service_fees_fee_kind_known"
        ),
    )
    op.create_table(
        "epayment_payments",
        *_ids("epayment_payments"),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("service_fee_id", sa.Uuid(), nullable=True),
        sa.Column("online_service_id", sa.Uuid(), nullable=True),
        sa.Column("service_title", sa.String(500), nullable=True),
        sa.Column("kassenzeichen", sa.String(40), nullable=False),
        sa.Column("reference", sa.String(40), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("description", sa.String(300), nullable=True),
        sa.Column("applicant_reference", sa.String(100), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("provider_reference", sa.String(100), nullable=True),
        sa.Column("payment_method", sa.String(40), nullable=True),
        sa.Column("haushaltsstelle", sa.String(60), nullable=True),
        sa.Column("kostenstelle", sa.String(40), nullable=True),
        sa.Column("kostentraeger", sa.String(40), nullable=True),
        sa.Column("flagged", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint(
            "tenant_id", "kassenzeichen", name="uq_epayment_payments_tenant_id_kassenzeichen"
        ),
        sa.UniqueConstraint("tenant_id", "reference", name="uq_epayment_payments_tenant_id_reference"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["epayment_accounts.tenant_id", "epayment_accounts.id"],
            name="fk_epayment_payments_tenant_id_account_id_epayment_accounts",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "service_fee_id"],
            ["epayment_service_fees.tenant_id", "epayment_service_fees.id"],
            name="fk_epayment_payments_tenant_id_service_fee_id_epayment__190c",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint(
            "status IN ('initiated', 'pending', 'paid', 'failed', 'cancelled', 'expired')",
            name="ck_epayment_payments_status_known",
        ),
        sa.CheckConstraint("amount_cents > 0", name="ck_epayment_payments_amount_positive"),
    )
    op.create_index("ix_epayment_payments_tenant_status", "epayment_payments", ["tenant_id", "status"])
    op.create_index("ix_epayment_payments_tenant_created", "epayment_payments", ["tenant_id", "created_at"])
    op.create_table(
        "epayment_notifications",
        *_ids("epayment_notifications", timestamps=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("reported_status", sa.String(12), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "tenant_id", "provider", "event_id", name="uq_epayment_notifications_tenant_id_provider_event_id"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["epayment_payments.tenant_id", "epayment_payments.id"],
            name="fk_epayment_notifications_tenant_id_payment_id_epayment_d18e",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_epayment_notifications_tenant_payment", "epayment_notifications", ["tenant_id", "payment_id"]
    )
    op.create_table(
        "epayment_bookings",
        *_ids("epayment_bookings", timestamps=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("kassenzeichen", sa.String(40), nullable=False),
        sa.Column("haushaltsstelle", sa.String(60), nullable=True),
        sa.Column("kostenstelle", sa.String(40), nullable=True),
        sa.Column("kostentraeger", sa.String(40), nullable=True),
        sa.Column("booking_text", sa.String(200), nullable=True),
        sa.Column("payment_method", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "payment_id", name="uq_epayment_bookings_tenant_id_payment_id"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "payment_id"],
            ["epayment_payments.tenant_id", "epayment_payments.id"],
            name="fk_epayment_bookings_tenant_id_payment_id_epayment_payments",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_epayment_bookings_tenant_date", "epayment_bookings", ["tenant_id", "booking_date"])
    op.create_table(
        "epayment_routes",
        *_ids("epayment_routes", timestamps=False),
        sa.Column("route_key", sa.String(80), nullable=False),
        sa.UniqueConstraint("route_key", name="uq_epayment_routes_route_key"),
    )
    for table in TABLES:
        enable_rls(table)

    # The unauthenticated notification endpoint and the applicant pages must find the tenant
    # of a key (Kassenzeichen, payment reference, page key) before a tenant is bound. The
    # routes table answers that, and only through this SECURITY DEFINER function: it runs as
    # the schema owner, which the policy lets *read* routes (never write); the app role keeps
    # the plain tenant policy and cannot become the owner. The function returns the tenant id
    # only, nothing else about the tenant or the payment.
    owner = op.get_bind().exec_driver_sql("SELECT current_user").scalar()
    enable_rls(
        "epayment_routes",
        using=f"({TENANT_PREDICATE}) OR (current_user = '{owner}' AND current_user <> session_user)",
        check=TENANT_PREDICATE,
    )
    op.execute(
        """
        CREATE FUNCTION epayment_tenant_for_key(key text) RETURNS uuid
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$ SELECT tenant_id FROM epayment_routes WHERE route_key = key $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION epayment_tenant_for_key(text) FROM PUBLIC")
    role = str(op.get_context().config.attributes.get("app_role", "kommpass_app"))  # type: ignore[union-attr]
    op.execute(
        f"""
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
            EXECUTE 'GRANT EXECUTE ON FUNCTION epayment_tenant_for_key(text) TO "{role}"';
          END IF;
        END $$;
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS epayment_tenant_for_key(text)")
    for table in (
        "epayment_routes",
        "epayment_bookings",
        "epayment_notifications",
        "epayment_payments",
        "epayment_service_fees",
        "epayment_accounts",
    ):
        op.drop_table(table)
