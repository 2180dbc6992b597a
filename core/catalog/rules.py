"""Rules about LeiKa types (see the catalogue's NOTICE.md).

A LeiKa-Typ says who regulates and who executes a service. A service can fall to a
municipality when its type allows municipal execution: 2, 3, 2/3, 2b, 3b, 4, 4b, 5, or a list
("1, 2/3") containing one of them. The plain ``4`` does not say whether the Land or the
municipality executes, so it counts as possibly municipal. Type 1 never applies to a
municipality; 6 and above are information, not services.
"""

from __future__ import annotations

import re

#: Types whose execution may lie with a municipality.
MUNICIPAL_TYPES: frozenset[str] = frozenset({"2", "3", "2/3", "2b", "3b", "4", "4b", "5"})
#: Every single type the LeiKa knows (anything else in a file is an invalid row).
KNOWN_TYPES: frozenset[str] = frozenset(
    {
        "1",
        "2",
        "2a",
        "2b",
        "3",
        "3a",
        "3b",
        "2/3",
        "4",
        "4a",
        "4b",
        "5",
        "6",
        "7",
        "8",
        "8a",
        "8b",
        "9",
        "10",
        "11",
        "12",
    }
)
#: Labels for the browser's type filter.
TYPE_LABELS: dict[str, str] = {
    "1": "1 – Bund regelt und vollzieht",
    "2": "2 – Bund regelt, Land oder Kommune vollzieht",
    "2/3": "2/3 – Bund regelt, Land oder Kommune vollzieht",
    "3": "3 – Bundesrahmenrecht, Land oder Kommune vollzieht",
    "4": "4 – Land regelt (Vollzug Land oder Kommune)",
    "4b": "4b – Land regelt, Kommune vollzieht",
    "5": "5 – Kommune regelt und vollzieht",
    "6": "6 und höher – Information",
}

_SPLIT = re.compile(r"\s*[,;]\s*")


def split_types(leika_type: str | None) -> list[str]:
    """``"1, 2/3"`` → ``["1", "2/3"]``; empty → ``[]``."""
    if not leika_type:
        return []
    return [t for t in _SPLIT.split(leika_type.strip()) if t]


def is_valid_type(leika_type: str | None) -> bool:
    """Empty (not yet classified) or every listed type is a known LeiKa type."""
    return all(t.lower() in KNOWN_TYPES for t in split_types(leika_type))


def is_municipal(leika_type: str | None) -> bool:
    """True when the LeiKa type allows execution by a municipality (see module docstring)."""
    return any(t.lower() in MUNICIPAL_TYPES for t in split_types(leika_type))


#: Narrowing of "relevant for us" by the tenant's municipality type. The catalogue extract
#: carries no finer split than the LeiKa type (it does not say which services a Kreis rather
#: than a kreisangehörige Gemeinde executes), so every municipality type sees all municipal
#: types; an entry here narrows one type deliberately, e.g. once a Land assignment is loaded.
RELEVANT_TYPES_BY_MUNICIPALITY: dict[str, frozenset[str]] = {}


def relevant_types_for(municipality_type: str | None) -> frozenset[str]:
    """The LeiKa types relevant for a municipality of ``municipality_type``."""
    return RELEVANT_TYPES_BY_MUNICIPALITY.get(municipality_type or "", MUNICIPAL_TYPES)


def is_relevant_for(leika_type: str | None, municipality_type: str | None) -> bool:
    """Municipal service that a municipality of ``municipality_type`` may execute."""
    allowed = relevant_types_for(municipality_type)
    return any(t.lower() in allowed for t in split_types(leika_type))
