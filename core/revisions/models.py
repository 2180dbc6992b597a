"""The ``data_revisions`` table (see ``core.revisions``)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base, utcnow


class DataRevision(Base):
    """One counter per scope (a tenant's id, or ``PLATFORM_SCOPE``); written by the trigger
    function ``kommpass_bump_revision`` only (the app role may read, not write)."""

    __tablename__ = "data_revisions"

    scope_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
