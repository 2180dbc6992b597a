"""E-payment plugin: writes advance the data revision (see core.revisions, migrations.rls).

Revision ID: epayment_0002
Revises: epayment_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from migrations.rls import downgrade_revision_tracking, upgrade_revision_tracking

revision: str = "epayment_0002"
down_revision: str | Sequence[str] | None = "epayment_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, scope): the column holding the tenant, or "platform" for shared reference data.
TABLES = (
    ("epayment_accounts", "tenant_id"),
    ("epayment_service_fees", "tenant_id"),
    ("epayment_payments", "tenant_id"),
    ("epayment_notifications", "tenant_id"),
    ("epayment_bookings", "tenant_id"),
    ("epayment_routes", "tenant_id"),
)


def upgrade() -> None:
    upgrade_revision_tracking(TABLES)


def downgrade() -> None:
    downgrade_revision_tracking(TABLES)
