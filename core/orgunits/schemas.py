"""DTOs of the organisational units (msgspec). ``OrgUnitRead`` – the unit as other records
embed it – lives in ``core.measures.schemas``."""

from __future__ import annotations

import uuid

import msgspec
from msgspec import UNSET, UnsetType


class OrgUnitCreate(msgspec.Struct, forbid_unknown_fields=True):
    #: "geschaeftskreis" or "dienststelle".
    kind: str
    code: str
    name: str | None = None
    #: For a Dienststelle: its Geschäftskreis.
    parent_id: uuid.UUID | None = None


class OrgUnitUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Partial update: absent fields stay as they are; ``version`` is the one the editor saw."""

    version: int
    code: str | UnsetType = UNSET
    name: str | UnsetType | None = UNSET
    #: Only for a Dienststelle: its (new) Geschäftskreis, ``null`` for none.
    parent_id: uuid.UUID | UnsetType | None = UNSET
    #: When a Dienststelle moves: records assigned to it (measures, online services) whose
    #: Geschäftskreis was the old one (or none) move along to the new Geschäftskreis.
    move_assignments: bool = True


class OrgUnitEntry(msgspec.Struct):
    """A unit in the list, with how many records use it (by table) and its Dienststellen."""

    id: uuid.UUID
    kind: str
    code: str
    name: str | None
    parent_id: uuid.UUID | None
    version: int
    measures: int
    online_services: int
    #: For a Geschäftskreis: its Dienststellen.
    departments: int
    #: Uses by other tables (plugins), table name → count.
    other_uses: dict[str, int]
    #: False exactly when the unit can be deleted.
    in_use: bool


class UsageItemRead(msgspec.Struct):
    id: uuid.UUID
    number: str
    title: str | None


class UsageGroupRead(msgspec.Struct):
    table: str
    label: str
    count: int
    #: Numbered records (measures, online services), at most 50.
    items: list[UsageItemRead]


class OrgUnitUsageRead(msgspec.Struct):
    id: uuid.UUID
    in_use: bool
    #: German summary, as shown when deleting is refused ("" when unused).
    summary: str
    departments: list[UsageItemRead]
    uses: list[UsageGroupRead]
