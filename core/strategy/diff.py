"""Field-by-field comparison of two strategy versions.

Parts are matched by lineage id (a copied part keeps it), so a part edited in the newer
version shows up as *changed*, one created there as *added*, one deleted as *removed*.
Indicators are compared with their goal; their measured values count as one field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.strategy.kinds import INDICATORS, STRATEGY_FIELDS, STRATEGY_PARTS, FieldSpec, Kind, display
from core.strategy.service import StrategyFull

_VALUES_FIELD = FieldSpec("values", "Messwerte", "text")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class ItemChange:
    title: str
    changes: list[FieldChange]


@dataclass
class SectionDiff:
    key: str
    label: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass
class StrategyDiff:
    old_label: str
    new_label: str
    fields: list[FieldChange]
    sections: list[SectionDiff]

    @property
    def empty(self) -> bool:
        return not self.fields and all(s.empty for s in self.sections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old_label,
            "new": self.new_label,
            "fields": [c.__dict__ for c in self.fields],
            "sections": [
                {
                    "key": s.key,
                    "label": s.label,
                    "added": s.added,
                    "removed": s.removed,
                    "changed": [
                        {"title": c.title, "changes": [f.__dict__ for f in c.changes]} for c in s.changed
                    ],
                }
                for s in self.sections
            ],
        }


def _compare(specs: tuple[FieldSpec, ...], old: Any, new: Any) -> list[FieldChange]:
    out = []
    for spec in specs:
        a, b = _get(old, spec), _get(new, spec)
        if a != b:
            out.append(FieldChange(spec.name, spec.label, display(spec, a), display(spec, b)))
    return out


def _get(obj: Any, spec: FieldSpec) -> Any:
    return obj[spec.name] if isinstance(obj, dict) else getattr(obj, spec.name)


def _indicator_rows(full: StrategyFull) -> dict[Any, tuple[str, dict[str, Any]]]:
    rows = {}
    for gv in full.goals:
        for iv in gv.indicators:
            ind = iv.indicator
            values = "; ".join(
                f"{v.measured_on:%d.%m.%Y}: {display(INDICATORS.field('target_value'), v.value)}"
                for v in iv.values
            )
            state = {f.name: getattr(ind, f.name) for f in INDICATORS.fields} | {"values": values}
            rows[ind.lineage_id] = (f"{gv.goal.title} – {ind.name}", state)
    return rows


def _section(
    kind: Kind,
    old_items: dict[Any, tuple[str, Any]],
    new_items: dict[Any, tuple[str, Any]],
    specs: tuple[FieldSpec, ...],
    label: str,
) -> SectionDiff:
    section = SectionDiff(kind.key, label)
    for key, (title, obj) in new_items.items():
        if key not in old_items:
            section.added.append(title)
        else:
            changes = _compare(specs, old_items[key][1], obj)
            if changes:
                section.changed.append(ItemChange(title, changes))
    section.removed = [title for key, (title, _) in old_items.items() if key not in new_items]
    return section


def diff_strategies(old: StrategyFull, new: StrategyFull) -> StrategyDiff:
    fields = _compare(tuple(f for f in STRATEGY_FIELDS if f.name != "label"), old.strategy, new.strategy)
    sections = []
    for kind in STRATEGY_PARTS:

        def items(full: StrategyFull, kind: Kind = kind) -> dict[Any, tuple[str, Any]]:
            return {obj.lineage_id: (kind.title_of(obj), obj) for obj in full.items(kind)}

        specs = tuple(f for f in kind.fields if f.name != "position")
        sections.append(_section(kind, items(old), items(new), specs, kind.label_plural))
        if kind.key == "goals":
            ind_specs = (*(f for f in INDICATORS.fields if f.name != "position"), _VALUES_FIELD)
            sections.append(
                _section(
                    INDICATORS,
                    _indicator_rows(old),
                    _indicator_rows(new),
                    ind_specs,
                    "Kennzahlen der Kernziele",
                )
            )
    return StrategyDiff(old.strategy.label, new.strategy.label, fields, sections)
