"""Assistant: conversations, imported strategy documents, the network's published copies,
index outbox and build progress.

Revision ID: 0400_assistant
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import enable_rls

revision: str = "0400_assistant"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("assistant",)
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "assistant_conversations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        _tenant_fk("assistant_conversations"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_assistant_conversations_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_assistant_conversations"),
    )
    op.create_index(
        "ix_assistant_conversations_tenant_user",
        "assistant_conversations",
        ["tenant_id", "user_id", "updated_at"],
    )
    enable_rls("assistant_conversations")

    op.create_table(
        "assistant_messages",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sources", postgresql.JSONB(), server_default="[]", nullable=False),
        sa.Column("data", postgresql.JSONB(), server_default="{}", nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        _tenant_fk("assistant_messages"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "conversation_id"],
            ["assistant_conversations.tenant_id", "assistant_conversations.id"],
            name="fk_assistant_messages_tenant_id_assistant_conversations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_assistant_messages"),
    )
    op.create_index(
        "ix_assistant_messages_tenant_conversation",
        "assistant_messages",
        ["tenant_id", "conversation_id", "created_at"],
    )
    enable_rls("assistant_messages")

    op.create_table(
        "assistant_documents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("version_label", sa.String(40), nullable=False),
        sa.Column("source_format", sa.String(20), nullable=False),
        sa.Column("source_name", sa.String(300), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.func.now(), nullable=False),
        _tenant_fk("assistant_documents"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_assistant_documents"),
    )
    enable_rls("assistant_documents")

    op.create_table(
        "assistant_document_sections",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading_path", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _tenant_fk("assistant_document_sections"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["assistant_documents.tenant_id", "assistant_documents.id"],
            name="fk_assistant_document_sections_tenant_id_assistant_documents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name="pk_assistant_document_sections"),
    )
    op.create_index(
        "ix_assistant_document_sections_tenant_document",
        "assistant_document_sections",
        ["tenant_id", "document_id", "position"],
    )
    enable_rls("assistant_document_sections")

    op.create_table(
        "network_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("publisher_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("publisher_name", sa.String(200), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("version_label", sa.String(40), nullable=False),
        sa.Column("origin_kind", sa.String(40), nullable=False),
        sa.Column("origin_id", sa.String(80), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.Column("published_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["publisher_tenant_id"],
            ["tenants.id"],
            name="fk_network_documents_publisher_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["users.id"],
            name="fk_network_documents_published_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_network_documents"),
    )
    op.create_index(
        "ix_network_documents_origin",
        "network_documents",
        ["publisher_tenant_id", "origin_kind", "origin_id"],
    )

    op.create_table(
        "network_sections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading_path", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["network_documents.id"],
            name="fk_network_sections_document_id_network_documents",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_network_sections"),
    )
    op.create_index("ix_network_sections_document", "network_sections", ["document_id", "position"])

    op.create_table(
        "assistant_index_changes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("scope", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assistant_index_changes"),
    )
    op.create_index("ix_assistant_index_changes_scope", "assistant_index_changes", ["scope", "id"])

    op.create_table(
        "assistant_index_builds",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(60), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_assistant_index_builds"),
    )
    op.create_index("ix_assistant_index_builds_scope", "assistant_index_builds", ["scope", "started_at"])


def downgrade() -> None:
    for table in (
        "assistant_index_builds",
        "assistant_index_changes",
        "network_sections",
        "network_documents",
        "assistant_document_sections",
        "assistant_documents",
        "assistant_messages",
        "assistant_conversations",
    ):
        op.drop_table(table)
