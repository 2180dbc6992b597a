"""Strategy tables: a versioned strategy (1.0, 2.0 …) and its parts.

Every part of a strategy version is a row of its own, so edits are versioned (optimistic
locking) and audited one by one. Items that carry across versions have a ``lineage_id``: a
new strategy version is a deep copy that keeps the lineage ids, so a measure can point to
"building block 2" (``building_block_key`` = lineage id) whatever version is current, and the
diff between two versions matches items by lineage.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned

STATUS_DRAFT = "entwurf"
STATUS_ADOPTED = "beschlossen"
STATUS_SUPERSEDED = "abgeloest"
STATUSES = (STATUS_DRAFT, STATUS_ADOPTED, STATUS_SUPERSEDED)

MATURITY_AREAS: tuple[tuple[str, str], ...] = (
    ("strategie", "Strategie/Mission"),
    ("prozesse", "Prozesse/Wissensmanagement"),
    ("architektur", "E-Government-Architektur"),
    ("veraenderung", "Veränderungsmanagement"),
)
SWOT_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("S", "Stärken"),
    ("W", "Schwächen"),
    ("O", "Chancen"),
    ("T", "Risiken"),
)
ARCHITECTURE_STATES: tuple[tuple[str, str], ...] = (
    ("vorhanden", "vorhanden"),
    ("ausbaufaehig", "ausbaufähig"),
    ("nicht_vorhanden", "nicht vorhanden"),
)


def _strategy_fk(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "strategy_id"], ["strategies.tenant_id", "strategies.id"], ondelete="CASCADE"
    )


def _text_list() -> Mapped[list[str]]:
    return mapped_column(ARRAY(Text), default=list, server_default="{}")


class Strategy(TenantScoped, Versioned, Timestamped, Base):
    """One version of a tenant's digitalisation strategy."""

    __tablename__ = "strategies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "label"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
    )

    #: The version as the town names it: "1.0", "2.0" …
    label: Mapped[str] = mapped_column(String(20))
    #: Order of the versions (1, 2, …); a new version gets max + 1.
    sequence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=STATUS_DRAFT, server_default=STATUS_DRAFT)
    title: Mapped[str] = mapped_column(String(300))
    #: The version this one was copied from (no foreign key: a version is never deleted once copied).
    based_on_id: Mapped[uuid.UUID | None] = mapped_column()
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    introduction: Mapped[str] = mapped_column(Text, default="", server_default="")
    vision: Mapped[str] = mapped_column(Text, default="", server_default="")
    digitalisation_definition: Mapped[str] = mapped_column(Text, default="", server_default="")
    initial_situation: Mapped[str] = mapped_column(Text, default="", server_default="")
    challenges: Mapped[str] = mapped_column(Text, default="", server_default="")
    conclusion: Mapped[str] = mapped_column(Text, default="", server_default="")


class Goal(TenantScoped, Versioned, Base):
    """A Kernziel."""

    __tablename__ = "strategy_goals"
    __table_args__ = (
        _strategy_fk("strategy_goals"),
        UniqueConstraint("tenant_id", "strategy_id", "lineage_id"),
    )

    strategy_id: Mapped[uuid.UUID] = mapped_column()
    lineage_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")


class Indicator(TenantScoped, Versioned, Base):
    """A Kennzahl of a goal: target value, unit, due date; measured values in ``IndicatorValue``."""

    __tablename__ = "goal_indicators"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "goal_id"], ["strategy_goals.tenant_id", "strategy_goals.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "goal_id", "lineage_id"),
    )

    goal_id: Mapped[uuid.UUID] = mapped_column()
    lineage_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(40), default="", server_default="")
    baseline_value: Mapped[decimal.Decimal | None] = mapped_column(Numeric(14, 2))
    target_value: Mapped[decimal.Decimal | None] = mapped_column(Numeric(14, 2))
    due_date: Mapped[dt.date | None] = mapped_column(Date)


class IndicatorValue(TenantScoped, Versioned, Base):
    """A measured value of an indicator at a date."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "indicator_id"],
            ["goal_indicators.tenant_id", "goal_indicators.id"],
            ondelete="CASCADE",
        ),
        UniqueConstraint("tenant_id", "indicator_id", "measured_on"),
    )

    indicator_id: Mapped[uuid.UUID] = mapped_column()
    measured_on: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[decimal.Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class BuildingBlock(TenantScoped, Versioned, Base):
    """A Lösungsbaustein with every field of the strategy document (seed 003, chapter 5)."""

    __tablename__ = "building_blocks"
    __table_args__ = (
        _strategy_fk("building_blocks"),
        UniqueConstraint("tenant_id", "strategy_id", "lineage_id"),
        Index("ix_building_blocks_tenant_lineage", "tenant_id", "lineage_id"),
    )

    strategy_id: Mapped[uuid.UUID] = mapped_column()
    lineage_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: "LBS-001" as in the Rahmenfinanzplan.
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    stakeholders: Mapped[list[str]] = _text_list()
    benefits: Mapped[list[str]] = _text_list()
    acceptance_criteria: Mapped[list[str]] = _text_list()
    measures: Mapped[list[str]] = _text_list()
    risks: Mapped[list[str]] = _text_list()
    resources: Mapped[str] = mapped_column(Text, default="", server_default="")
    responsible: Mapped[str] = mapped_column(Text, default="", server_default="")


class Recommendation(TenantScoped, Versioned, Base):
    """A numbered Empfehlung with its measures and indicators (Kennzahlen)."""

    __tablename__ = "recommendations"
    __table_args__ = (
        _strategy_fk("recommendations"),
        UniqueConstraint("tenant_id", "strategy_id", "lineage_id"),
    )

    strategy_id: Mapped[uuid.UUID] = mapped_column()
    lineage_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    number: Mapped[int] = mapped_column(Integer)
    #: Where it stands in the document, e.g. "1.4 Umsetzung".
    context: Mapped[str] = mapped_column(String(300), default="", server_default="")
    measures: Mapped[list[str]] = _text_list()
    indicators: Mapped[list[str]] = _text_list()


class MaturityAssessment(TenantScoped, Versioned, Base):
    """Reifegrad of one area at a date: level (0–5), optional target level, assessment text."""

    __tablename__ = "maturity_assessments"
    __table_args__ = (
        _strategy_fk("maturity_assessments"),
        UniqueConstraint("tenant_id", "strategy_id", "lineage_id"),
        CheckConstraint("level BETWEEN 0 AND 5", name="level_range"),
        CheckConstraint("target_level IS NULL OR target_level BETWEEN 0 AND 5", name="target_level_range"),
    )

    strategy_id: Mapped[uuid.UUID] = mapped_column()
    lineage_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    area: Mapped[str] = mapped_column(String(40))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    level: Mapped[int] = mapped_column(Integer)
    target_level: Mapped[int | None] = mapped_column(Integer)
    assessment: Mapped[str] = mapped_column(Text, default="", server_default="")


class SwotItem(TenantScoped, Versioned, Base):
    __tablename__ = "swot_items"
    __table_args__ = (
        _strategy_fk("swot_items"),
        UniqueConstraint("tenant_id", "strategy_id", "lineage_id"),
        CheckConstraint("category IN ('S', 'W', 'O', 'T')", name="category_known"),
    )

    strategy_id: Mapped[uuid.UUID] = mapped_column()
    lineage_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    category: Mapped[str] = mapped_column(String(1))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    text: Mapped[str] = mapped_column(Text)


class ArchitectureComponent(TenantScoped, Versioned, Base):
    """A component of the E-Government architecture with its traffic-light state."""

    __tablename__ = "architecture_components"
    __table_args__ = (
        _strategy_fk("architecture_components"),
        UniqueConstraint("tenant_id", "strategy_id", "lineage_id"),
        CheckConstraint("state IN ('vorhanden', 'ausbaufaehig', 'nicht_vorhanden')", name="state_known"),
    )

    strategy_id: Mapped[uuid.UUID] = mapped_column()
    lineage_id: Mapped[uuid.UUID] = mapped_column(default=uuid.uuid4)
    layer: Mapped[str] = mapped_column(String(120), default="", server_default="")
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    name: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
