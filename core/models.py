"""Declarative base and the mixins every table builds on.

* ``Base`` – one metadata with a naming convention (stable constraint names for Alembic).
* ``TenantScoped`` – a tenant table: ``tenant_id`` + ``id`` form the primary key, so keys,
  unique constraints and foreign keys between tenant tables all carry the tenant (which also
  keeps the schema ready for sharding by tenant with Citus). Every table using it gets
  row-level security in its migration (``migrations.rls.enable_rls``); a test checks that.
* ``Versioned`` – optimistic locking: SQLAlchemy raises ``StaleDataError`` when a row changed
  since it was read; services turn that into ``core.errors.Conflict``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

from sqlalchemy import DateTime, ForeignKey, Integer, MetaData, Uuid, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: DateTime(timezone=True),
        uuid.UUID: Uuid(),
    }


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class TenantScoped:
    """Mixin for tenant tables: composite primary key ``(tenant_id, id)``."""

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805 - SQLAlchemy declared_attr
        return mapped_column(
            ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, index=False
        )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class Versioned:
    """Optimistic locking through a version counter (``version_id_col``)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version}
