"""Organisational units of a municipality: Geschäftskreis (business area) and Dienststelle
(department, below a Geschäftskreis).

Shared by the measure plan, the online services and the DMS plugin. ``code`` is the
municipality's own key ("I", "0.1", "S2") and unique per tenant and kind.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned


class OrgUnitKind(enum.StrEnum):
    BUSINESS_AREA = "geschaeftskreis"
    DEPARTMENT = "dienststelle"


ORG_UNIT_KIND_LABELS = {
    OrgUnitKind.BUSINESS_AREA: "Geschäftskreis",
    OrgUnitKind.DEPARTMENT: "Dienststelle",
}


class OrgUnit(TenantScoped, Versioned, Timestamped, Base):
    __tablename__ = "org_units"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "code"),
        CheckConstraint("kind IN ('geschaeftskreis', 'dienststelle')", name="kind_known"),
        ForeignKeyConstraint(["tenant_id", "parent_id"], ["org_units.tenant_id", "org_units.id"]),
    )

    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(300))
    #: For a Dienststelle: its Geschäftskreis (may be unknown).
    parent_id: Mapped[uuid.UUID | None] = mapped_column()

    def label(self) -> str:
        return f"{self.code} {self.name}" if self.name else self.code
