"""Catalogue reference tables (OZG, LeiKa, Themenfelder, Lebenslagen, versions, changes) and
the job-queue tables (SAQ, PostgreSQL backend).

Both are created here by the migration role, so the app role owns none of them; it gets DML
through the default privileges set up in ``0001_foundation``. The catalogue tables have no
``tenant_id`` (shared reference data) and so no row-level security. The SAQ tables are the
exact schema of SAQ's own migrations (version 3); ``core.jobs`` skips SAQ's ``init_db``.

Revision ID: 0300_catalog
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0300_catalog"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("catalog",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sources", postgresql.JSONB(), nullable=False),
        sa.Column("triggered_by", sa.String(200), nullable=True),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("counts", postgresql.JSONB(), nullable=False),
        sa.Column("skipped", postgresql.JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_versions")),
    )
    op.create_table(
        "catalog_changes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("before", postgresql.JSONB(), nullable=True),
        sa.Column("after", postgresql.JSONB(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["catalog_versions.id"],
            name=op.f("fk_catalog_changes_version_id_catalog_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_changes")),
    )
    op.create_index(
        "ix_catalog_changes_version_entity", "catalog_changes", ["version_id", "entity", "action"]
    )
    op.create_table(
        "catalog_themenfelder",
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_catalog_themenfelder")),
    )
    op.create_table(
        "catalog_lebenslagen",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("themenfeld", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["themenfeld"],
            ["catalog_themenfelder.name"],
            name=op.f("fk_catalog_lebenslagen_themenfeld_catalog_themenfelder"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_catalog_lebenslagen")),
    )
    op.create_table(
        "catalog_ozg_leistungen",
        sa.Column("ozg_id", sa.String(20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("themenfeld", sa.String(200), nullable=True),
        sa.Column("lebenslage", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["themenfeld"],
            ["catalog_themenfelder.name"],
            name=op.f("fk_catalog_ozg_leistungen_themenfeld_catalog_themenfelder"),
        ),
        sa.ForeignKeyConstraint(
            ["lebenslage"],
            ["catalog_lebenslagen.name"],
            name=op.f("fk_catalog_ozg_leistungen_lebenslage_catalog_lebenslagen"),
        ),
        sa.PrimaryKeyConstraint("ozg_id", name=op.f("pk_catalog_ozg_leistungen")),
    )
    op.create_index(op.f("ix_catalog_ozg_leistungen_themenfeld"), "catalog_ozg_leistungen", ["themenfeld"])
    op.create_index(op.f("ix_catalog_ozg_leistungen_lebenslage"), "catalog_ozg_leistungen", ["lebenslage"])
    op.create_table(
        "catalog_leika_leistungen",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("leika_key", sa.String(14), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("leika_type", sa.String(40), nullable=False),
        sa.Column("municipal", sa.Boolean(), nullable=False),
        sa.Column("ozg_id", sa.String(20), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("laws", sa.Text(), nullable=False),
        sa.Column("law_abbreviations", sa.Text(), nullable=False),
        sa.Column("sdg1", sa.Boolean(), nullable=False),
        sa.Column("sdg2", sa.Boolean(), nullable=False),
        sa.Column("extra", postgresql.JSONB(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ozg_id"],
            ["catalog_ozg_leistungen.ozg_id"],
            name=op.f("fk_catalog_leika_leistungen_ozg_id_catalog_ozg_leistungen"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_catalog_leika_leistungen")),
        sa.UniqueConstraint("leika_key", name=op.f("uq_catalog_leika_leistungen_leika_key")),
    )
    op.create_index(op.f("ix_catalog_leika_leistungen_ozg_id"), "catalog_leika_leistungen", ["ozg_id"])
    op.create_table(
        "catalog_source_states",
        sa.Column("locator", sa.String(2000), nullable=False),
        sa.Column("etag", sa.String(500), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("locator", name=op.f("pk_catalog_source_states")),
    )

    # --- job queue (SAQ, PostgreSQL backend; schema = SAQ migrations 1–3) -------------------
    op.execute(
        """
        CREATE TABLE saq_jobs (
            key TEXT NOT NULL,
            lock_key SERIAL NOT NULL,
            job BYTEA NOT NULL,
            queue TEXT NOT NULL,
            status TEXT NOT NULL,
            priority SMALLINT NOT NULL DEFAULT 0,
            group_key TEXT,
            scheduled BIGINT NOT NULL DEFAULT EXTRACT(EPOCH FROM NOW()),
            expire_at BIGINT,
            CONSTRAINT pk_saq_jobs PRIMARY KEY (key)
        )
        """
    )
    op.execute("CREATE INDEX saq_jobs_status_queue_group_key_idx ON saq_jobs (status, queue, group_key)")
    op.execute(
        "CREATE INDEX saq_jobs_status_queue_priority_scheduled_idx "
        "ON saq_jobs (status, queue, priority, scheduled)"
    )
    op.execute(
        """
        CREATE TABLE saq_stats (
            worker_id TEXT NOT NULL,
            stats JSONB,
            expire_at BIGINT,
            metadata JSONB,
            queue_key TEXT,
            CONSTRAINT pk_saq_stats PRIMARY KEY (worker_id)
        )
        """
    )
    op.execute("CREATE INDEX saq_stats_expire_at_idx ON saq_stats (expire_at)")
    op.execute("CREATE INDEX saq_stats_queue_key_idx ON saq_stats (queue_key)")


def downgrade() -> None:
    for table in (
        "saq_stats",
        "saq_jobs",
        "catalog_source_states",
        "catalog_leika_leistungen",
        "catalog_ozg_leistungen",
        "catalog_lebenslagen",
        "catalog_themenfelder",
        "catalog_changes",
        "catalog_versions",
    ):
        op.drop_table(table)
