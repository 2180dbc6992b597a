"""Tables of the assistant.

Tenant tables (RLS): conversations and their messages (per user and tenant), and strategy
documents a tenant imported (Markdown, HTML, text, PDF) split into sections with their
heading path.

Platform tables (no ``tenant_id``): the KAAW network's published documents — a *copy* of
the sections a tenant admin published, so other tenants never read the tenant's own tables;
withdrawing deletes the copy — and the index bookkeeping (change outbox, build progress).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, utcnow


class Conversation(TenantScoped, Timestamped, Base):
    __tablename__ = "assistant_conversations"
    __table_args__ = (Index("ix_assistant_conversations_tenant_user", "tenant_id", "user_id", "updated_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")


class Message(TenantScoped, Base):
    __tablename__ = "assistant_messages"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "conversation_id"],
            ["assistant_conversations.tenant_id", "assistant_conversations.id"],
            ondelete="CASCADE",
        ),
        Index("ix_assistant_messages_tenant_conversation", "tenant_id", "conversation_id", "created_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column()
    #: "user" or "assistant".
    role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    #: The answer's sources as shown (rank, kind, title, url, score, …).
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    #: Structured part of an answer (e.g. the list of LeiKa services that apply).
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default="{}")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StrategyDocument(TenantScoped, Timestamped, Base):
    """A strategy document a tenant imported for the assistant (one version of it)."""

    __tablename__ = "assistant_documents"

    title: Mapped[str] = mapped_column(String(300))
    #: Version label as the town uses it ("1.0", "2023-2025").
    version_label: Mapped[str] = mapped_column(String(40), default="")
    #: "markdown", "html", "text" or "pdf".
    source_format: Mapped[str] = mapped_column(String(20))
    source_name: Mapped[str] = mapped_column(String(300), default="")


class StrategySection(TenantScoped, Base):
    __tablename__ = "assistant_document_sections"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "document_id"],
            ["assistant_documents.tenant_id", "assistant_documents.id"],
            ondelete="CASCADE",
        ),
        Index("ix_assistant_document_sections_tenant_document", "tenant_id", "document_id", "position"),
    )

    document_id: Mapped[uuid.UUID] = mapped_column()
    position: Mapped[int] = mapped_column(Integer)
    heading_path: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    text: Mapped[str] = mapped_column(Text)


class NetworkDocument(Base):
    """A document published to the KAAW network (platform table: readable by every tenant)."""

    __tablename__ = "network_documents"
    __table_args__ = (
        Index("ix_network_documents_origin", "publisher_tenant_id", "origin_kind", "origin_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    #: The publishing tenant (NULL for the KAAW's sample content).
    publisher_tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE")
    )
    publisher_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    version_label: Mapped[str] = mapped_column(String(40), default="")
    #: What was published: "document" (an imported strategy document) or "strategy".
    origin_kind: Mapped[str] = mapped_column(String(40))
    origin_id: Mapped[str] = mapped_column(String(80))
    published_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NetworkSection(Base):
    __tablename__ = "network_sections"
    __table_args__ = (Index("ix_network_sections_document", "document_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("network_documents.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    heading_path: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    text: Mapped[str] = mapped_column(Text)


class IndexChange(Base):
    """Outbox: a key whose indexed text may have changed, written in the changing transaction."""

    __tablename__ = "assistant_index_changes"
    __table_args__ = (Index("ix_assistant_index_changes_scope", "scope", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    #: "catalog", "network" or "tenant:<uuid>".
    scope: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IndexBuild(Base):
    """Progress of an index build or update (shown on the assistant page)."""

    __tablename__ = "assistant_index_builds"
    __table_args__ = (Index("ix_assistant_index_builds_scope", "scope", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    scope: Mapped[str] = mapped_column(String(60))
    #: "queued", "running", "done" or "failed".
    state: Mapped[str] = mapped_column(String(20), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column()
