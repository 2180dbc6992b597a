"""The measure plan (Maßnahmenplan) and its progress per reporting date.

Every column of the municipal spreadsheet has a field here. Progress is kept per
reporting date (one row each; history is never overwritten): a number 0–10, or one of
the codes ``a`` / ``g`` kept as given. The status letter P/E/U is derived from the
number (0–3 P, 4–7 E, 8–10 U); for a code it is kept as given (or empty).

``building_block_key`` is the lineage id of a strategy building block (Lösungsbaustein).
Building blocks are versioned by the strategy area, so there is deliberately no foreign key.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned


class Measure(TenantScoped, Versioned, Timestamped, Base):
    __tablename__ = "measures"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        ForeignKeyConstraint(["tenant_id", "business_area_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["org_units.tenant_id", "org_units.id"]),
        Index("ix_measures_tenant_building_block", "tenant_id", "building_block_key"),
    )

    #: "MP 011" – the municipality's number, unique per tenant.
    number: Mapped[str] = mapped_column(String(40))
    #: Geschäftskreis.
    business_area_id: Mapped[uuid.UUID | None] = mapped_column()
    #: Dienststelle.
    department_id: Mapped[uuid.UUID | None] = mapped_column()
    #: "Jahr der Meldung" as given: "2021" or "2020-U(10)" (already done when first reported).
    reported_year: Mapped[str | None] = mapped_column(String(20))
    #: The year of ``reported_year`` as a number (derived, for filters and reports).
    reported_year_number: Mapped[int | None] = mapped_column(SmallInteger)
    #: "Digitalisierungsprojekt /-Thema"; empty for numbered placeholder rows.
    title: Mapped[str | None] = mapped_column(String(500))
    #: "Erläuterung/Beschreibung".
    description: Mapped[str | None] = mapped_column(Text)
    #: "Termin/Zeitraum Einführung", free text such as "2023" or "2010-2012".
    introduction: Mapped[str | None] = mapped_column(String(100))
    #: Lineage id of a strategy building block (no FK: building blocks are versioned).
    building_block_key: Mapped[uuid.UUID | None] = mapped_column()

    @property
    def is_placeholder(self) -> bool:
        return not self.title


class MeasureProgress(TenantScoped, Versioned, Timestamped, Base):
    """Progress of one measure at one reporting date."""

    __tablename__ = "measure_progress"
    __table_args__ = (
        UniqueConstraint("tenant_id", "measure_id", "reporting_date_id"),
        ForeignKeyConstraint(
            ["tenant_id", "measure_id"], ["measures.tenant_id", "measures.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "reporting_date_id"], ["reporting_dates.tenant_id", "reporting_dates.id"]
        ),
        Index("ix_measure_progress_tenant_date", "tenant_id", "reporting_date_id"),
        CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 10", name="progress_range"),
        CheckConstraint("code IS NULL OR code IN ('a', 'g')", name="code_known"),
        CheckConstraint("status IS NULL OR status IN ('P', 'E', 'U')", name="status_known"),
        CheckConstraint("(progress IS NULL) <> (code IS NULL)", name="progress_or_code"),
    )

    measure_id: Mapped[uuid.UUID] = mapped_column()
    reporting_date_id: Mapped[uuid.UUID] = mapped_column()
    progress: Mapped[int | None] = mapped_column(SmallInteger)
    code: Mapped[str | None] = mapped_column(String(1))
    status: Mapped[str | None] = mapped_column(String(1))
