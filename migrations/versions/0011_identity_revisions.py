"""Identity and tenants: writes advance the data revision (see core.revisions, migrations.rls).

Revision ID: 0011_identity_revisions
Revises: 0010_identity
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from migrations.rls import downgrade_revision_tracking, upgrade_revision_tracking

revision: str = "0011_identity_revisions"
down_revision: str | Sequence[str] | None = "0010_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, scope): the column holding the tenant, or "platform" for shared reference data.
TABLES = (
    ("tenants", "id"),
    ("memberships", "tenant_id"),
    ("tenant_plugins", "tenant_id"),
    ("identity_providers", "tenant_id"),
    ("invitations", "tenant_id"),
)


def upgrade() -> None:
    upgrade_revision_tracking(TABLES)


def downgrade() -> None:
    downgrade_revision_tracking(TABLES)
