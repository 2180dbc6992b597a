"""Measures and online services: writes advance the data revision (see core.revisions, migrations.rls).

Revision ID: 0101_measures_revisions
Revises: 0100_measures
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from migrations.rls import downgrade_revision_tracking, upgrade_revision_tracking

revision: str = "0101_measures_revisions"
down_revision: str | Sequence[str] | None = "0100_measures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, scope): the column holding the tenant, or "platform" for shared reference data.
TABLES = (
    ("org_units", "tenant_id"),
    ("reporting_dates", "tenant_id"),
    ("measures", "tenant_id"),
    ("measure_progress", "tenant_id"),
    ("online_services", "tenant_id"),
    ("online_service_status", "tenant_id"),
)


def upgrade() -> None:
    upgrade_revision_tracking(TABLES)


def downgrade() -> None:
    downgrade_revision_tracking(TABLES)
