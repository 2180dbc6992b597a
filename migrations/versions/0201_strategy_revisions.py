"""Strategy and budget plan: writes advance the data revision (see core.revisions, migrations.rls).

Revision ID: 0201_strategy_revisions
Revises: 0200_strategy
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from migrations.rls import downgrade_revision_tracking, upgrade_revision_tracking

revision: str = "0201_strategy_revisions"
down_revision: str | Sequence[str] | None = "0200_strategy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, scope): the column holding the tenant, or "platform" for shared reference data.
TABLES = (
    ("strategies", "tenant_id"),
    ("strategy_goals", "tenant_id"),
    ("goal_indicators", "tenant_id"),
    ("indicator_values", "tenant_id"),
    ("building_blocks", "tenant_id"),
    ("recommendations", "tenant_id"),
    ("maturity_assessments", "tenant_id"),
    ("swot_items", "tenant_id"),
    ("architecture_components", "tenant_id"),
    ("budget_lines", "tenant_id"),
    ("budget_entries", "tenant_id"),
)


def upgrade() -> None:
    upgrade_revision_tracking(TABLES)


def downgrade() -> None:
    downgrade_revision_tracking(TABLES)
