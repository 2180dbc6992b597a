"""Catalogue reference tables. Shared by all tenants: no ``tenant_id``, no row-level security.

Every sync that changes anything writes one ``CatalogVersion`` plus one ``CatalogChange`` per
added, changed or removed entry (with the old and new values), so every version can be
browsed as a diff against its predecessor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow


class CatalogVersion(Base):
    """One successful sync that changed the catalogue."""

    __tablename__ = "catalog_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Where the data came from (file paths / URLs / plugin source names).
    sources: Mapped[list[str]] = mapped_column(JSONB, default=list)
    triggered_by: Mapped[str | None] = mapped_column(String(200))
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    #: Row counts per table after this version, plus per-table added/changed/removed.
    counts: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: Rows skipped as invalid (when the sync was told to skip them): line, source, message.
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)


class CatalogChange(Base):
    """One added, changed or removed entry of a version (the browsable diff)."""

    __tablename__ = "catalog_changes"
    __table_args__ = (Index("ix_catalog_changes_version_entity", "version_id", "entity", "action"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_versions.id", ondelete="CASCADE"))
    #: "ozg_leistung", "leika_leistung", "themenfeld" or "lebenslage".
    entity: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(100))
    #: "added", "changed" or "removed".
    action: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class Themenfeld(Base):
    __tablename__ = "catalog_themenfelder"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)


class Lebenslage(Base):
    __tablename__ = "catalog_lebenslagen"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    themenfeld: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_themenfelder.name", ondelete="SET NULL")
    )


class OzgLeistung(Base):
    """An OZG-Leistung (OZG-ID, e.g. 10110), in one Themenfeld and one Lebenslage."""

    __tablename__ = "catalog_ozg_leistungen"

    ozg_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    themenfeld: Mapped[str | None] = mapped_column(ForeignKey("catalog_themenfelder.name"), index=True)
    lebenslage: Mapped[str | None] = mapped_column(ForeignKey("catalog_lebenslagen.name"), index=True)


class LeikaLeistung(Base):
    """A LeiKa-Leistung.

    ``key`` is the 14-digit LeiKa key, or for entries without one (``leika_key`` NULL) a
    stable synthetic key ``ozg-<OZG-ID>-<hash of the name>[-n]``.
    """

    __tablename__ = "catalog_leika_leistungen"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    leika_key: Mapped[str | None] = mapped_column(String(14), unique=True)
    name: Mapped[str] = mapped_column(Text)
    #: LeiKa type as given ("2/3", "1, 2/3", "4b", ""), see ``core.catalog.rules``.
    leika_type: Mapped[str] = mapped_column(String(40), default="")
    #: Derived from ``leika_type``: may be executed by a municipality.
    municipal: Mapped[bool] = mapped_column(Boolean, default=False)
    ozg_id: Mapped[str | None] = mapped_column(ForeignKey("catalog_ozg_leistungen.ozg_id"), index=True)
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    laws: Mapped[str] = mapped_column(Text, default="")
    law_abbreviations: Mapped[str] = mapped_column(Text, default="")
    sdg1: Mapped[bool] = mapped_column(Boolean, default=False)
    sdg2: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Further fields of richer sources (FIM download: Synonyme, Besondere Merkmale, …).
    extra: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)


class CatalogSourceState(Base):
    """What we know about a remote source, for conditional requests (ETag, Last-Modified)."""

    __tablename__ = "catalog_source_states"

    locator: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64))
    checked_at: Mapped[dt.datetime | None] = mapped_column()


import core.jobs  # noqa: F401,E402  (registers the job-queue tables in Base.metadata)
