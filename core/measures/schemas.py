"""DTOs of the measure plan (msgspec): what the API reads and writes."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
from msgspec import UNSET, UnsetType


class OrgUnitRead(msgspec.Struct):
    id: uuid.UUID
    kind: str
    code: str
    name: str | None
    parent_id: uuid.UUID | None
    version: int


class ProgressRead(msgspec.Struct):
    reporting_date_id: uuid.UUID
    reporting_date: dt.date
    progress: int | None
    code: str | None
    status: str | None


class MeasureRead(msgspec.Struct):
    id: uuid.UUID
    version: int
    number: str
    business_area: OrgUnitRead | None
    department: OrgUnitRead | None
    reported_year: str | None
    title: str | None
    description: str | None
    introduction: str | None
    building_block_key: uuid.UUID | None
    #: Status at the latest reporting date with a value.
    status: str | None
    progress: list[ProgressRead]


class MeasureCreate(msgspec.Struct, forbid_unknown_fields=True):
    number: str
    title: str | None = None
    business_area_id: uuid.UUID | None = None
    department_id: uuid.UUID | None = None
    reported_year: str | None = None
    description: str | None = None
    introduction: str | None = None
    building_block_key: uuid.UUID | None = None


class MeasureUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A partial update; ``version`` is the version the editor started from."""

    version: int
    number: str | UnsetType = UNSET
    title: str | UnsetType | None = UNSET
    business_area_id: uuid.UUID | UnsetType | None = UNSET
    department_id: uuid.UUID | UnsetType | None = UNSET
    reported_year: str | UnsetType | None = UNSET
    description: str | UnsetType | None = UNSET
    introduction: str | UnsetType | None = UNSET
    building_block_key: uuid.UUID | UnsetType | None = UNSET


class ProgressWrite(msgspec.Struct, forbid_unknown_fields=True):
    """Progress of a measure at a reporting date: ``value`` "0"–"10", "a", "g" or null."""

    version: int
    value: str | int | None
    #: Only for the codes a / g (for numbers the status is derived).
    status: str | None = None


class VersionOnly(msgspec.Struct, forbid_unknown_fields=True):
    version: int


EDITABLE_FIELDS = (
    "number",
    "title",
    "business_area_id",
    "department_id",
    "reported_year",
    "description",
    "introduction",
    "building_block_key",
)
