"""DTOs of the online services (msgspec)."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from msgspec import UNSET, UnsetType

from core.measures.schemas import OrgUnitRead


class StatusRead(msgspec.Struct):
    reporting_date_id: uuid.UUID
    reporting_date: dt.date
    status: str


class OnlineServiceRead(msgspec.Struct):
    id: uuid.UUID
    version: int
    number: str
    title: str | None
    business_area: OrgUnitRead | None
    department: OrgUnitRead | None
    implementation_type: str | None
    measure_number: str | None
    measure_id: uuid.UUID | None
    ozg_ids: list[str]
    leika_keys: list[str]
    ozg_maturity: int | None
    epayment: bool
    status: str | None
    statuses: list[StatusRead]


class OnlineServiceCreate(msgspec.Struct, forbid_unknown_fields=True):
    number: str
    title: str | None = None
    business_area_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    implementation_type: str | None = None
    measure_number: str | None = None
    measure_id: uuid.UUID | None = None
    ozg_ids: list[str] = msgspec.field(default_factory=list)
    leika_keys: list[str] = msgspec.field(default_factory=list)
    ozg_maturity: int | None = None
    epayment: bool = False


class OnlineServiceUpdate(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    number: str | UnsetType = UNSET
    title: str | UnsetType | None = UNSET
    business_area_id: uuid.UUID | UnsetType | None = UNSET
    department_id: uuid.UUID | UnsetType | None = UNSET
    implementation_type: str | UnsetType | None = UNSET
    measure_number: str | UnsetType | None = UNSET
    measure_id: uuid.UUID | UnsetType | None = UNSET
    ozg_ids: list[str] | UnsetType = UNSET
    leika_keys: list[str] | UnsetType = UNSET
    ozg_maturity: int | UnsetType | None = UNSET
    epayment: bool | UnsetType = UNSET


class StatusWrite(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    status: str | None


EDITABLE_FIELDS = (
    "number",
    "title",
    "business_area_id",
    "department_id",
    "implementation_type",
    "measure_number",
    "measure_id",
    "ozg_ids",
    "leika_keys",
    "ozg_maturity",
    "epayment",
)

IMPLEMENTATION_TYPES = (
    "eigenes Antragsmanagement",
    "Fachverfahren/Webdienste",
    "Externe Portale",
    "EfA-Nachnutzung",
    "Sonstiges/noch in Klärung",
)
