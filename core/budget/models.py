"""Budget plan tables (Rahmenfinanzplan / Ressourcenplan, seed 003 section 6.2).

A ``BudgetLine`` is one position of the plan: a measure (composite foreign key to
``measures``) and/or a building block (its lineage id, stable across strategy versions, no
foreign key). A ``BudgetEntry`` holds the figures of one line in one year: planned one-off
and running costs, staff in VZÄ (IST, SOLL, decentral) and the actual spending.

The plan is kept per tenant, not per strategy version: it is a living plan that outlasts a
strategy version; building blocks are referenced by lineage, so it survives a new version.
"""

from __future__ import annotations

import decimal
import uuid

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned

#: The cost columns of an entry, in the order of the Rahmenfinanzplan, with their German labels.
ONE_OFF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("development", "Entwicklungsaufwände einmalig"),
    ("hardware_software", "Einmalinvest. Hard- und Software"),
    ("infrastructure", "Aufwertung interne IT-Infrastruktur"),
)
RUNNING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("consulting", "Consultingaufwand ext. DL"),
    ("transformation", "Allgemeine Aufwände Digitale Transformation (z. B. Scandienstleistungen)"),
    ("licences", "Lfd. Hard- und Softwaregebühren (Lizenzen, Pflege)"),
    ("training", "Schulungsmaßnahmen"),
)
STAFF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("staff_ist", "Personal Digitale Transformation VZÄ (IST)"),
    ("staff_soll", "Personal Digitale Transformation VZÄ (SOLL)"),
    ("staff_decentral", "Mitwirkung dezentral Fachbereiche VZÄ (SOLL)"),
)
ACTUAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("actual_one_off", "Ist-Ausgaben einmalig"),
    ("actual_running", "Ist-Ausgaben laufend"),
)
MONEY_COLUMNS = tuple(k for k, _ in (*ONE_OFF_COLUMNS, *RUNNING_COLUMNS, *ACTUAL_COLUMNS))
NUMBER_COLUMNS = MONEY_COLUMNS + tuple(k for k, _ in STAFF_COLUMNS)


def _money() -> Mapped[decimal.Decimal]:
    return mapped_column(Numeric(14, 2), default=decimal.Decimal(0), server_default="0")


def _fte() -> Mapped[decimal.Decimal]:
    return mapped_column(Numeric(8, 2), default=decimal.Decimal(0), server_default="0")


class BudgetLine(TenantScoped, Versioned, Timestamped, Base):
    __tablename__ = "budget_lines"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        ForeignKeyConstraint(["tenant_id", "measure_id"], ["measures.tenant_id", "measures.id"]),
        Index("ix_budget_lines_tenant_building_block", "tenant_id", "building_block_key"),
    )

    #: "001" – the Lfd. Nr. of the plan.
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    #: Bemerkung / Kalkulationsgrundlage / Beispiele.
    remark: Mapped[str] = mapped_column(Text, default="", server_default="")
    building_block_key: Mapped[uuid.UUID | None] = mapped_column()
    measure_id: Mapped[uuid.UUID | None] = mapped_column()
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class BudgetEntry(TenantScoped, Versioned, Base):
    __tablename__ = "budget_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "line_id"], ["budget_lines.tenant_id", "budget_lines.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "line_id", "year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
    )

    line_id: Mapped[uuid.UUID] = mapped_column()
    year: Mapped[int] = mapped_column(Integer)
    development: Mapped[decimal.Decimal] = _money()
    hardware_software: Mapped[decimal.Decimal] = _money()
    infrastructure: Mapped[decimal.Decimal] = _money()
    consulting: Mapped[decimal.Decimal] = _money()
    transformation: Mapped[decimal.Decimal] = _money()
    licences: Mapped[decimal.Decimal] = _money()
    training: Mapped[decimal.Decimal] = _money()
    staff_ist: Mapped[decimal.Decimal] = _fte()
    staff_soll: Mapped[decimal.Decimal] = _fte()
    staff_decentral: Mapped[decimal.Decimal] = _fte()
    actual_one_off: Mapped[decimal.Decimal] = _money()
    actual_running: Mapped[decimal.Decimal] = _money()
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
