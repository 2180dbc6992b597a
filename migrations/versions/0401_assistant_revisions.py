"""Assistant documents (the tenant's) and the network's published copies (the
platform's): writes advance the data revision (see core.revisions, migrations.rls).

Revision ID: 0401_assistant_revisions
Revises: 0400_assistant
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from migrations.rls import downgrade_revision_tracking, upgrade_revision_tracking

revision: str = "0401_assistant_revisions"
down_revision: str | Sequence[str] | None = "0400_assistant"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (table, scope): the column holding the tenant, or "platform" for shared reference data.
TABLES = (
    ("assistant_documents", "tenant_id"),
    ("assistant_document_sections", "tenant_id"),
    ("network_documents", "platform"),
    ("network_sections", "platform"),
)


def upgrade() -> None:
    upgrade_revision_tracking(TABLES)


def downgrade() -> None:
    downgrade_revision_tracking(TABLES)
