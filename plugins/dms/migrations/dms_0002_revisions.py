"""DMS plugin: writes advance the data revision (see core.revisions, migrations.rls).

Revision ID: dms_0002
Revises: dms_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from migrations.rls import downgrade_revision_tracking, upgrade_revision_tracking

revision: str = "dms_0002"
down_revision: str | Sequence[str] | None = "dms_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, scope): the column holding the tenant, or "platform" for shared reference data.
TABLES = (
    ("dms_settings", "tenant_id"),
    ("dms_products", "tenant_id"),
    ("dms_file_types", "tenant_id"),
    ("dms_rollouts", "tenant_id"),
    ("dms_document_volumes", "tenant_id"),
    ("dms_rollout_budget_lines", "tenant_id"),
)


def upgrade() -> None:
    upgrade_revision_tracking(TABLES)


def downgrade() -> None:
    downgrade_revision_tracking(TABLES)
