"""OZG/LeiKa catalogue: writes advance the platform's data
revision, shared by all tenants (see core.revisions, migrations.rls).

Revision ID: 0301_catalog_revisions
Revises: 0300_catalog
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from migrations.rls import downgrade_revision_tracking, upgrade_revision_tracking

revision: str = "0301_catalog_revisions"
down_revision: str | Sequence[str] | None = "0300_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, scope): the column holding the tenant, or "platform" for shared reference data.
TABLES = (
    ("catalog_versions", "platform"),
    ("catalog_themenfelder", "platform"),
    ("catalog_lebenslagen", "platform"),
    ("catalog_ozg_leistungen", "platform"),
    ("catalog_leika_leistungen", "platform"),
)


def upgrade() -> None:
    upgrade_revision_tracking(TABLES)


def downgrade() -> None:
    downgrade_revision_tracking(TABLES)
