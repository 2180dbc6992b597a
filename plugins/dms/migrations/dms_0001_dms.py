"""DMS rollout plugin: settings, products, e-file types, rollout items, document volumes.

Revision ID: dms_0001
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.rls import enable_rls

revision: str = "dms_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("dms",)
depends_on: str | Sequence[str] | None = ("0100_measures", "0200_strategy")

TABLES = (
    "dms_settings",
    "dms_products",
    "dms_file_types",
    "dms_rollouts",
    "dms_document_volumes",
    "dms_rollout_budget_lines",
)


def _tenant_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
    ]


def _stamp_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "dms_settings",
        *_tenant_columns(),
        sa.Column("goal_share_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("goal_year", sa.Integer(), nullable=False),
        *_stamp_columns(),
        sa.CheckConstraint(
            "goal_share_percent >= 0 AND goal_share_percent <= 100",
            name=op.f("ck_dms_settings_goal_share_range"),
        ),
        _tenant_fk("dms_settings"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dms_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_dms_settings_tenant_id")),
    )
    op.create_table(
        "dms_products",
        *_tenant_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("vendor", sa.String(200), nullable=True),
        sa.Column("product_version", sa.String(100), nullable=True),
        sa.Column("operator", sa.String(200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_stamp_columns(),
        _tenant_fk("dms_products"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dms_products")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_dms_products_tenant_id_name")),
    )
    op.create_table(
        "dms_file_types",
        *_tenant_columns(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        *_stamp_columns(),
        _tenant_fk("dms_file_types"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dms_file_types")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_dms_file_types_tenant_id_name")),
    )
    op.create_table(
        "dms_rollouts",
        *_tenant_columns(),
        sa.Column("file_type_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("designation", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("introduction_on", sa.Date(), nullable=True),
        sa.Column("live_on", sa.Date(), nullable=True),
        sa.Column("integration", sa.String(20), nullable=False),
        sa.Column("procedure_name", sa.String(200), nullable=True),
        sa.Column("procedure_vendor", sa.String(200), nullable=True),
        sa.Column("procedure_interface", sa.String(200), nullable=True),
        sa.Column("inbox", sa.String(20), nullable=True),
        sa.Column("workflow_approval", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("workflow_acknowledgement", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("workflow_cosigning", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("scanning_resiscan", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("scanning_mode", sa.String(20), nullable=True),
        sa.Column("archive_audit_proof", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("archive_long_term", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("users_trained", sa.Integer(), nullable=True),
        sa.Column("measure_id", sa.Uuid(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_stamp_columns(),
        sa.CheckConstraint(
            "status IN ('geplant', 'in_einfuehrung', 'umgesetzt')", name=op.f("ck_dms_rollouts_status_known")
        ),
        sa.CheckConstraint(
            "integration IN ('fachverfahren', 'eigenstaendig')",
            name=op.f("ck_dms_rollouts_integration_known"),
        ),
        sa.CheckConstraint(
            "(introduction_on IS NULL OR planned_on IS NULL OR planned_on <= introduction_on) AND "
            "(live_on IS NULL OR introduction_on IS NULL OR introduction_on <= live_on) AND "
            "(live_on IS NULL OR planned_on IS NULL OR planned_on <= live_on)",
            name=op.f("ck_dms_rollouts_status_dates_in_order"),
        ),
        sa.CheckConstraint(
            "users_trained IS NULL OR users_trained >= 0", name=op.f("ck_dms_rollouts_users_trained_nonneg")
        ),
        _tenant_fk("dms_rollouts"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "file_type_id"],
            ["dms_file_types.tenant_id", "dms_file_types.id"],
            name=op.f("fk_dms_rollouts_tenant_id_file_type_id_dms_file_types"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "product_id"],
            ["dms_products.tenant_id", "dms_products.id"],
            name=op.f("fk_dms_rollouts_tenant_id_product_id_dms_products"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_unit_id"],
            ["org_units.tenant_id", "org_units.id"],
            name=op.f("fk_dms_rollouts_tenant_id_org_unit_id_org_units"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "measure_id"],
            ["measures.tenant_id", "measures.id"],
            name=op.f("fk_dms_rollouts_tenant_id_measure_id_measures"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dms_rollouts")),
        sa.UniqueConstraint(
            "tenant_id",
            "file_type_id",
            "org_unit_id",
            name=op.f("uq_dms_rollouts_tenant_id_file_type_id_org_unit_id"),
        ),
    )
    op.create_table(
        "dms_document_volumes",
        *_tenant_columns(),
        sa.Column("org_unit_id", sa.Uuid(), nullable=False),
        sa.Column("reporting_date", sa.Date(), nullable=False),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("digital_count", sa.Integer(), nullable=False),
        *_stamp_columns(),
        sa.CheckConstraint(
            "digital_count >= 0 AND digital_count <= total_count",
            name=op.f("ck_dms_document_volumes_digital_within_total"),
        ),
        _tenant_fk("dms_document_volumes"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "org_unit_id"],
            ["org_units.tenant_id", "org_units.id"],
            name=op.f("fk_dms_document_volumes_tenant_id_org_unit_id_org_units"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dms_document_volumes")),
        sa.UniqueConstraint(
            "tenant_id",
            "org_unit_id",
            "reporting_date",
            name=op.f("uq_dms_document_volumes_tenant_id_org_unit_id_reporting_date"),
        ),
    )
    op.create_table(
        "dms_rollout_budget_lines",
        *_tenant_columns(),
        sa.Column("rollout_id", sa.Uuid(), nullable=False),
        sa.Column("budget_line_id", sa.Uuid(), nullable=False),
        _tenant_fk("dms_rollout_budget_lines"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "rollout_id"],
            ["dms_rollouts.tenant_id", "dms_rollouts.id"],
            name=op.f("fk_dms_rollout_budget_lines_tenant_id_rollout_id_dms_rollouts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "budget_line_id"],
            ["budget_lines.tenant_id", "budget_lines.id"],
            name=op.f("fk_dms_rollout_budget_lines_tenant_id_budget_line_id_budget_lines"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dms_rollout_budget_lines")),
        sa.UniqueConstraint(
            "tenant_id",
            "rollout_id",
            "budget_line_id",
            name=op.f("uq_dms_rollout_budget_lines_tenant_id_rollout_id_budget_line_id"),
        ),
    )
    for table in TABLES:
        enable_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
