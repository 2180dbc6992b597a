"""Reporting dates (Stichtage 31.03. and 30.09.) and their rounds.

A reporting date is ``open`` while progress is being collected and ``closed`` afterwards:
a closed round is a read-only snapshot of every progress and status value given for it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, TenantScoped, Timestamped, Versioned


class RoundState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


ROUND_STATE_LABELS = {RoundState.OPEN: "offen", RoundState.CLOSED: "abgeschlossen"}


class ReportingDate(TenantScoped, Versioned, Timestamped, Base):
    __tablename__ = "reporting_dates"
    __table_args__ = (
        UniqueConstraint("tenant_id", "date"),
        CheckConstraint("state IN ('open', 'closed')", name="state_known"),
        CheckConstraint(
            "(extract(month from date) = 3 AND extract(day from date) = 31)"
            " OR (extract(month from date) = 9 AND extract(day from date) = 30)",
            name="stichtag",
        ),
    )

    date: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default=RoundState.OPEN.value)
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    closed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def is_closed(self) -> bool:
        return self.state == RoundState.CLOSED.value

    @property
    def short_label(self) -> str:
        """``03.2023`` – the form the spreadsheets use in their headers."""
        return self.date.strftime("%m.%Y")

    @property
    def label(self) -> str:
        return self.date.strftime("%d.%m.%Y")
