"""Tables of the DMS rollout plugin (all tenant tables, RLS in ``dms_0001``).

* ``dms_settings`` – one row per tenant: the goal "share of documents processed digitally".
* ``dms_products`` – DMS products in use (nscale, d.velop, enaio …) with version and operator.
* ``dms_file_types`` – e-file types (Finanzakte, Bauakte …), a seeded default list, editable.
* ``dms_rollouts`` – a rollout item: one e-file type in one organisational unit, its status with
  a date per status, Fachverfahren or standalone workflows, scanning, archiving, training,
  links to a measure of the measure plan and to budget lines.
* ``dms_document_volumes`` – documents per unit and reporting date: total and digitally processed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned

#: Status keys in rollout order, with their German labels.
STATUS_PLANNED = "geplant"
STATUS_INTRODUCING = "in_einfuehrung"
STATUS_LIVE = "umgesetzt"
STATUSES = (STATUS_PLANNED, STATUS_INTRODUCING, STATUS_LIVE)
STATUS_LABELS = {STATUS_PLANNED: "geplant", STATUS_INTRODUCING: "in Einführung", STATUS_LIVE: "umgesetzt"}
#: Short codes as the measure plan uses them (P/E/U), so a status is never told by colour alone.
STATUS_CODES = {STATUS_PLANNED: "P", STATUS_INTRODUCING: "E", STATUS_LIVE: "U"}

INTEGRATION_PROCEDURE = "fachverfahren"
INTEGRATION_STANDALONE = "eigenstaendig"
INTEGRATIONS = {
    INTEGRATION_PROCEDURE: "In Anbindung an ein Fachverfahren",
    INTEGRATION_STANDALONE: "Ohne Fachverfahren, mit Workflow-/Prozessdimension",
}
INBOX_MODES = {"zentral": "zentral", "dezentral": "dezentral"}
SCANNING_MODES = {"scanstrasse": "Scanstraße", "dezentral": "dezentral"}


class DmsSettings(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "dms_settings"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("goal_share_percent >= 0 AND goal_share_percent <= 100", name="goal_share_range"),
    )

    goal_share_percent: Mapped[decimal.Decimal] = mapped_column(Numeric(5, 2), default=decimal.Decimal("30"))
    goal_year: Mapped[int] = mapped_column(Integer, default=2026)


class DmsProduct(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "dms_products"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    vendor: Mapped[str | None] = mapped_column(String(200))
    product_version: Mapped[str | None] = mapped_column(String(100))
    operator: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)


class DmsFileType(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "dms_file_types"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(Integer, default=100)


class DmsRollout(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "dms_rollouts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "file_type_id", "org_unit_id"),
        ForeignKeyConstraint(
            ["tenant_id", "file_type_id"],
            ["dms_file_types.tenant_id", "dms_file_types.id"],
            ondelete="RESTRICT",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "product_id"], ["dms_products.tenant_id", "dms_products.id"], ondelete="RESTRICT"
        ),
        ForeignKeyConstraint(["tenant_id", "org_unit_id"], ["org_units.tenant_id", "org_units.id"]),
        ForeignKeyConstraint(["tenant_id", "measure_id"], ["measures.tenant_id", "measures.id"]),
        CheckConstraint("status IN ('geplant', 'in_einfuehrung', 'umgesetzt')", name="status_known"),
        CheckConstraint("integration IN ('fachverfahren', 'eigenstaendig')", name="integration_known"),
        CheckConstraint(
            "(introduction_on IS NULL OR planned_on IS NULL OR planned_on <= introduction_on) AND "
            "(live_on IS NULL OR introduction_on IS NULL OR introduction_on <= live_on) AND "
            "(live_on IS NULL OR planned_on IS NULL OR planned_on <= live_on)",
            name="status_dates_in_order",
        ),
        CheckConstraint("users_trained IS NULL OR users_trained >= 0", name="users_trained_nonneg"),
    )

    file_type_id: Mapped[uuid.UUID] = mapped_column()
    org_unit_id: Mapped[uuid.UUID] = mapped_column()
    product_id: Mapped[uuid.UUID | None] = mapped_column()
    #: Name in the committee report if it differs from the file type ("Finanzakte (elektr. Rg.)").
    designation: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=STATUS_PLANNED)
    planned_on: Mapped[dt.date | None] = mapped_column(Date)
    introduction_on: Mapped[dt.date | None] = mapped_column(Date)
    live_on: Mapped[dt.date | None] = mapped_column(Date)
    integration: Mapped[str] = mapped_column(String(20), default=INTEGRATION_PROCEDURE)
    procedure_name: Mapped[str | None] = mapped_column(String(200))
    procedure_vendor: Mapped[str | None] = mapped_column(String(200))
    procedure_interface: Mapped[str | None] = mapped_column(String(200))
    inbox: Mapped[str | None] = mapped_column(String(20))
    workflow_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    workflow_acknowledgement: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    workflow_cosigning: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    scanning_resiscan: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    scanning_mode: Mapped[str | None] = mapped_column(String(20))
    archive_audit_proof: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    archive_long_term: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    users_trained: Mapped[int | None] = mapped_column(Integer)
    measure_id: Mapped[uuid.UUID | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)


class DmsDocumentVolume(TenantScoped, Timestamped, Versioned, Base):
    __tablename__ = "dms_document_volumes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "org_unit_id", "reporting_date"),
        ForeignKeyConstraint(["tenant_id", "org_unit_id"], ["org_units.tenant_id", "org_units.id"]),
        CheckConstraint("digital_count >= 0 AND digital_count <= total_count", name="digital_within_total"),
    )

    org_unit_id: Mapped[uuid.UUID] = mapped_column()
    reporting_date: Mapped[dt.date] = mapped_column(Date)
    #: All documents of the unit in the period; ``digital_count`` of them processed digitally.
    total_count: Mapped[int] = mapped_column(Integer)
    digital_count: Mapped[int] = mapped_column(Integer)

    @property
    def paper_count(self) -> int:
        return self.total_count - self.digital_count


class DmsRolloutBudgetLine(TenantScoped, Base):
    """A budget line of the Rahmenfinanzplan that pays for a rollout item."""

    __tablename__ = "dms_rollout_budget_lines"
    __table_args__ = (
        UniqueConstraint("tenant_id", "rollout_id", "budget_line_id"),
        ForeignKeyConstraint(
            ["tenant_id", "rollout_id"], ["dms_rollouts.tenant_id", "dms_rollouts.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["tenant_id", "budget_line_id"], ["budget_lines.tenant_id", "budget_lines.id"], ondelete="CASCADE"
        ),
    )

    rollout_id: Mapped[uuid.UUID] = mapped_column()
    budget_line_id: Mapped[uuid.UUID] = mapped_column()
