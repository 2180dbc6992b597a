"""Online services (Online-Dienste) and their status per reporting date.

``measure_number`` keeps the spreadsheet's "Nr. lt. Maßnahmenplan" as given (the measure
may not exist yet); ``measure_id`` links the measure once it does (composite FK).
``ozg_ids`` / ``leika_keys`` are keys of the shared catalogue, kept as text without a
foreign key, so a catalogue update never breaks a tenant's data.
"""

from __future__ import annotations

import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned


class OnlineService(TenantScoped, Versioned, Timestamped, Base):
    __tablename__ = "online_services"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        ForeignKeyConstraint(["tenant_id", "business_area_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(["tenant_id", "department_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(["tenant_id", "measure_id"], ["measures.tenant_id", "measures.id"]),
        Index("ix_online_services_tenant_measure", "tenant_id", "measure_id"),
        CheckConstraint("ozg_maturity IS NULL OR ozg_maturity BETWEEN 0 AND 4", name="ozg_maturity_range"),
    )

    #: "OD 013", unique per tenant.
    number: Mapped[str] = mapped_column(String(40))
    business_area_id: Mapped[uuid.UUID | None] = mapped_column()
    department_id: Mapped[uuid.UUID | None] = mapped_column()
    #: "Bezeichnung Online-Dienst"; empty for numbered placeholder rows.
    title: Mapped[str | None] = mapped_column(String(500))
    #: "Umsetzungsart" (eigenes Antragsmanagement, Fachverfahren/Webdienste, Externe Portale, …).
    implementation_type: Mapped[str | None] = mapped_column(String(200))
    #: "Nr. lt. Maßnahmenplan" as given ("MP 029"); None for "nein".
    measure_number: Mapped[str | None] = mapped_column(String(40))
    measure_id: Mapped[uuid.UUID | None] = mapped_column()
    ozg_ids: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    leika_keys: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    #: OZG maturity level 0–4.
    ozg_maturity: Mapped[int | None] = mapped_column(SmallInteger)
    epayment: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")

    @property
    def is_placeholder(self) -> bool:
        return not self.title


class OnlineServiceStatus(TenantScoped, Versioned, Timestamped, Base):
    """Status P/E/U of one online service at one reporting date."""

    __tablename__ = "online_service_status"
    __table_args__ = (
        UniqueConstraint("tenant_id", "online_service_id", "reporting_date_id"),
        ForeignKeyConstraint(
            ["tenant_id", "online_service_id"],
            ["online_services.tenant_id", "online_services.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "reporting_date_id"], ["reporting_dates.tenant_id", "reporting_dates.id"]
        ),
        Index("ix_online_service_status_tenant_date", "tenant_id", "reporting_date_id"),
        CheckConstraint("status IN ('P', 'E', 'U')", name="status_known"),
    )

    online_service_id: Mapped[uuid.UUID] = mapped_column()
    reporting_date_id: Mapped[uuid.UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(1))
