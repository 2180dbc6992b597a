"""Measures area: org units, reporting dates, measure plan, online services.

Revision ID: 0100_measures
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import enable_rls

revision: str = "0100_measures"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("measures",)
depends_on: str | Sequence[str] | None = None

TABLES = ("org_units", "reporting_dates", "measures", "measure_progress", "online_services",
          "online_service_status")


def _base_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants",
                                   ondelete="CASCADE")


def _org_fks(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(["tenant_id", "business_area_id"], ["org_units.tenant_id", "org_units.id"],
                                name=f"fk_{table}_tenant_id_business_area_id_org_units"),
        sa.ForeignKeyConstraint(["tenant_id", "department_id"], ["org_units.tenant_id", "org_units.id"],
                                name=f"fk_{table}_tenant_id_department_id_org_units"),
    ]


def upgrade() -> None:
    op.create_table(
        "org_units",
        *_base_columns(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(300), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        _tenant_fk("org_units"),
        sa.ForeignKeyConstraint(["tenant_id", "parent_id"], ["org_units.tenant_id", "org_units.id"],
                                name="fk_org_units_tenant_id_parent_id_org_units"),
        sa.CheckConstraint("kind IN ('geschaeftskreis', 'dienststelle')", name="ck_org_units_kind_known"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_org_units"),
        sa.UniqueConstraint("tenant_id", "kind", "code", name="uq_org_units_tenant_id_kind_code"),
    )

    op.create_table(
        "reporting_dates",
        *_base_columns(),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        _tenant_fk("reporting_dates"),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name="fk_reporting_dates_closed_by_id_users",
                                ondelete="SET NULL"),
        sa.CheckConstraint("state IN ('open', 'closed')", name="ck_reporting_dates_state_known"),
        sa.CheckConstraint(
            "(extract(month from date) = 3 AND extract(day from date) = 31)"
            " OR (extract(month from date) = 9 AND extract(day from date) = 30)",
            name="ck_reporting_dates_stichtag",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_reporting_dates"),
        sa.UniqueConstraint("tenant_id", "date", name="uq_reporting_dates_tenant_id_date"),
    )

    op.create_table(
        "measures",
        *_base_columns(),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("business_area_id", sa.Uuid(), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("reported_year", sa.String(20), nullable=True),
        sa.Column("reported_year_number", sa.SmallInteger(), nullable=True),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("introduction", sa.String(100), nullable=True),
        sa.Column("building_block_key", sa.Uuid(), nullable=True),
        _tenant_fk("measures"),
        *_org_fks("measures"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_measures"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_measures_tenant_id_number"),
    )
    op.create_index("ix_measures_tenant_building_block", "measures", ["tenant_id", "building_block_key"])

    op.create_table(
        "measure_progress",
        *_base_columns(),
        sa.Column("measure_id", sa.Uuid(), nullable=False),
        sa.Column("reporting_date_id", sa.Uuid(), nullable=False),
        sa.Column("progress", sa.SmallInteger(), nullable=True),
        sa.Column("code", sa.String(1), nullable=True),
        sa.Column("status", sa.String(1), nullable=True),
        _tenant_fk("measure_progress"),
        sa.ForeignKeyConstraint(["tenant_id", "measure_id"], ["measures.tenant_id", "measures.id"],
                                name="fk_measure_progress_tenant_id_measure_id_measures", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id", "reporting_date_id"],
                                ["reporting_dates.tenant_id", "reporting_dates.id"],
                                name="fk_measure_progress_tenant_id_reporting_date_id_reporting_dates"),
        sa.CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 10", name="ck_measure_progress_progress_range"),
        sa.CheckConstraint("code IS NULL OR code IN ('a', 'g')", name="ck_measure_progress_code_known"),
        sa.CheckConstraint("status IS NULL OR status IN ('P', 'E', 'U')", name="ck_measure_progress_status_known"),
        sa.CheckConstraint("(progress IS NULL) <> (code IS NULL)", name="ck_measure_progress_progress_or_code"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_measure_progress"),
        sa.UniqueConstraint("tenant_id", "measure_id", "reporting_date_id",
                            name="uq_measure_progress_tenant_id_measure_id_reporting_date_id"),
    )
    op.create_index("ix_measure_progress_tenant_date", "measure_progress", ["tenant_id", "reporting_date_id"])

    op.create_table(
        "online_services",
        *_base_columns(),
        sa.Column("number", sa.String(40), nullable=False),
        sa.Column("business_area_id", sa.Uuid(), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(500), nullable=True),
        sa.Column("implementation_type", sa.String(200), nullable=True),
        sa.Column("measure_number", sa.String(40), nullable=True),
        sa.Column("measure_id", sa.Uuid(), nullable=True),
        sa.Column("ozg_ids", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("leika_keys", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("ozg_maturity", sa.SmallInteger(), nullable=True),
        sa.Column("epayment", sa.Boolean(), server_default="false", nullable=False),
        _tenant_fk("online_services"),
        *_org_fks("online_services"),
        sa.ForeignKeyConstraint(["tenant_id", "measure_id"], ["measures.tenant_id", "measures.id"],
                                name="fk_online_services_tenant_id_measure_id_measures"),
        sa.CheckConstraint("ozg_maturity IS NULL OR ozg_maturity BETWEEN 0 AND 4",
                           name="ck_online_services_ozg_maturity_range"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_online_services"),
        sa.UniqueConstraint("tenant_id", "number", name="uq_online_services_tenant_id_number"),
    )
    op.create_index("ix_online_services_tenant_measure", "online_services", ["tenant_id", "measure_id"])

    op.create_table(
        "online_service_status",
        *_base_columns(),
        sa.Column("online_service_id", sa.Uuid(), nullable=False),
        sa.Column("reporting_date_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(1), nullable=False),
        _tenant_fk("online_service_status"),
        sa.ForeignKeyConstraint(["tenant_id", "online_service_id"],
                                ["online_services.tenant_id", "online_services.id"],
                                name="fk_online_service_status_tenant_id_online_service_id_on_0832",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id", "reporting_date_id"],
                                ["reporting_dates.tenant_id", "reporting_dates.id"],
                                name="fk_online_service_status_tenant_id_reporting_date_id_re_99f8"),
        sa.CheckConstraint("status IN ('P', 'E', 'U')", name="ck_online_service_status_status_known"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_online_service_status"),
        sa.UniqueConstraint("tenant_id", "online_service_id", "reporting_date_id",
                            name="uq_online_service_status_tenant_id_online_service_id_re_c8c2"),
    )
    op.create_index("ix_online_service_status_tenant_date", "online_service_status",
                    ["tenant_id", "reporting_date_id"])

    for table in TABLES:
        enable_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
