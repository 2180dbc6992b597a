"""The Geschäftskreis / Dienststelle columns both lists start with (carried down): finding and
reading them on import, what a row changes in them, and writing them on export."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.excel.reading import Sheet, as_text, clean
from core.measures.service import natural_key
from core.orgunits.models import OrgUnit
from core.orgunits.service import UnitRef

BUSINESS_AREA = ("Geschäftskreis", "Geschäfts-kreis")
BUSINESS_AREA_NAME = (
    "Geschäftskreis-Bezeichnung",
    "Geschäfts-kreis-Bezeichnung",
    "Geschäftskreisbezeichnung",
)
DEPARTMENT = ("Dienststelle", "Dienst-stelle")
DEPARTMENT_NAME = ("Dienststellen-Bezeichnung", "Dienststelle-Bezeichnung", "Dienststellenbezeichnung")
#: The keys of an import's row changes that name a changed Geschäftskreis / Dienststelle.
ORG_LABELS = ("Geschäftskreis", "Dienststelle")


@dataclass(frozen=True)
class OrgColumns:
    ba: int | None
    ba_name: int | None
    ds: int | None
    ds_name: int | None

    @classmethod
    def find(cls, sheet: Sheet) -> OrgColumns:
        return cls(
            sheet.index(*BUSINESS_AREA),
            sheet.index(*BUSINESS_AREA_NAME),
            sheet.index(*DEPARTMENT),
            sheet.index(*DEPARTMENT_NAME),
        )

    @property
    def groups(self) -> list[list[int]]:
        return [
            [i for i in (self.ba, self.ba_name) if i is not None],
            [i for i in (self.ds, self.ds_name) if i is not None],
        ]

    @property
    def present(self) -> bool:
        return self.ba is not None or self.ds is not None

    def values(self, cells: list[Any]) -> tuple[str | None, str | None, str | None, str | None]:
        def get(i: int | None) -> str | None:
            return as_text(cells[i]) if i is not None else None

        return get(self.ba), get(self.ba_name), get(self.ds), get(self.ds_name)

    def has_own_values(self, cells: list[Any]) -> bool:
        """Whether the row gives a value outside the org columns (which are carried down)."""
        org = (self.ba, self.ba_name, self.ds, self.ds_name)
        return any(clean(v) is not None for i, v in enumerate(cells) if i not in org)


def org_changes(
    units: Mapping[uuid.UUID, OrgUnit],
    business_area_id: uuid.UUID | None,
    department_id: uuid.UUID | None,
    business_area: UnitRef,
    department: UnitRef,
) -> dict[str, list[str | None]]:
    """``{"Geschäftskreis": [old code, new code], "Dienststelle": …}`` for each unit a row
    changes (the ids are the record's units, ``None`` for a new record)."""

    def code_of(unit_id: uuid.UUID | None) -> str | None:
        return units[unit_id].code if unit_id and unit_id in units else None

    changes: dict[str, list[str | None]] = {}
    for label, old_id, ref in zip(
        ORG_LABELS, (business_area_id, department_id), (business_area, department), strict=True
    ):
        if code_of(old_id) != ref.code:
            changes[label] = [code_of(old_id), ref.code]
    return changes


def org_cells(business_area: OrgUnit | None, department: OrgUnit | None) -> list[str | None]:
    """The four leading cells of an exported row: code and name of Geschäftskreis and Dienststelle."""
    ba, ds = business_area, department
    return [
        ba.code if ba else None,
        ba.name if ba else None,
        ds.code if ds else None,
        ds.name if ds else None,
    ]


def org_order(business_area: OrgUnit | None, department: OrgUnit | None, number: str) -> tuple[Any, ...]:
    """Sort key of exported rows: rows without a Geschäftskreis first, then by Geschäftskreis,
    Dienststelle and number (each in natural order: "MP 9" before "MP 11")."""
    ba, ds = business_area, department
    return (
        ba is not None,
        natural_key(ba.code) if ba else (),
        ds is not None,
        natural_key(ds.code) if ds else (),
        natural_key(number),
    )
