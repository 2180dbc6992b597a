"""The Geschäftskreis / Dienststelle columns both lists start with (carried down)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.excel.reading import Sheet, as_text

BUSINESS_AREA = ("Geschäftskreis", "Geschäfts-kreis")
BUSINESS_AREA_NAME = (
    "Geschäftskreis-Bezeichnung",
    "Geschäfts-kreis-Bezeichnung",
    "Geschäftskreisbezeichnung",
)
DEPARTMENT = ("Dienststelle", "Dienst-stelle")
DEPARTMENT_NAME = ("Dienststellen-Bezeichnung", "Dienststelle-Bezeichnung", "Dienststellenbezeichnung")


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
