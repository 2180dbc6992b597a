"""msgspec DTOs of the strategy API, derived from the field declarations in ``kinds``.

Read structs carry every field plus ``id``, ``version`` (for optimistic locking) and, for
parts that carry across versions, ``lineage_id``. Write structs have every field optional
(``UNSET`` = leave as is) and, for updates, the ``version`` the client saw.
"""

import datetime as dt
import decimal
import uuid
from typing import Any

import msgspec

from core.strategy.kinds import KINDS, STRATEGY_FIELDS, FieldSpec, Kind

_TYPES: dict[str, Any] = {
    "str": str,
    "text": str,
    "list": list[str],
    "int": int,
    "decimal": decimal.Decimal,
    "date": dt.date,
    "choice": str,
}


def _read_type(spec: FieldSpec) -> Any:
    base = _TYPES[spec.type]
    return base if spec.required or spec.type in ("str", "text", "list") else base | None


def _read_struct(
    name: str, specs: tuple[FieldSpec, ...], extra: list[tuple[str, Any]]
) -> type[msgspec.Struct]:
    fields: list[Any] = [("id", uuid.UUID), ("version", int), *extra]
    fields += [(s.name, _read_type(s)) for s in specs]
    return msgspec.defstruct(name, fields, kw_only=True)


def _write_struct(
    name: str, specs: tuple[FieldSpec, ...], extra: list[tuple[str, Any, Any]]
) -> type[msgspec.Struct]:
    fields: list[Any] = [*extra]
    for s in specs:
        typ = _TYPES[s.type]
        if s.type == "int":
            typ = int | str | None
        elif s.type == "decimal":
            typ = str | int | float | None
        elif s.type == "date":
            typ = str | None
        elif s.type == "list":
            typ = list[str] | str | None
        else:
            typ = typ | None
        fields.append((s.name, typ | msgspec.UnsetType, msgspec.UNSET))
    return msgspec.defstruct(name, fields, kw_only=True)


def _parent_extra(kind: Kind) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [(kind.parent_column, uuid.UUID)]
    if kind.has_lineage:
        out.append(("lineage_id", uuid.UUID))
    return out


READ: dict[str, type[msgspec.Struct]] = {}
CREATE: dict[str, type[msgspec.Struct]] = {}
UPDATE: dict[str, type[msgspec.Struct]] = {}
_CAMEL = {
    "goals": "Goal",
    "indicators": "Indicator",
    "values": "IndicatorValue",
    "building_blocks": "BuildingBlock",
    "recommendations": "Recommendation",
    "maturity": "MaturityAssessment",
    "swot": "SwotItem",
    "architecture": "ArchitectureComponent",
}
for _kind in KINDS.values():
    _name = _CAMEL[_kind.key]
    READ[_kind.key] = _read_struct(_name, _kind.fields, _parent_extra(_kind))
    _parent_field = [] if _kind.parent == "strategy" else [("parent_id", uuid.UUID | None, None)]
    CREATE[_kind.key] = _write_struct(f"{_name}Create", _kind.fields, _parent_field)
    UPDATE[_kind.key] = _write_struct(f"{_name}Update", _kind.fields, [("version", int, msgspec.NODEFAULT)])

StrategySummary = msgspec.defstruct(
    "StrategySummary",
    [
        ("id", uuid.UUID),
        ("version", int),
        ("status", str),
        ("adopted_on", dt.date | None),
        ("based_on_id", uuid.UUID | None),
    ]
    + [(s.name, _read_type(s)) for s in STRATEGY_FIELDS],
    kw_only=True,
)
StrategyCreate = _write_struct("StrategyCreate", STRATEGY_FIELDS, [])
StrategyUpdate = _write_struct("StrategyUpdate", STRATEGY_FIELDS, [("version", int, msgspec.NODEFAULT)])


GoalRead = READ["goals"]
IndicatorRead = READ["indicators"]
IndicatorValueRead = READ["values"]
BuildingBlockRead = READ["building_blocks"]
RecommendationRead = READ["recommendations"]
MaturityAssessmentRead = READ["maturity"]
SwotItemRead = READ["swot"]
ArchitectureComponentRead = READ["architecture"]


class IndicatorWithValues(msgspec.Struct, kw_only=True):
    indicator: IndicatorRead  # type: ignore[valid-type]
    values: list[IndicatorValueRead]  # type: ignore[valid-type]


class GoalWithIndicators(msgspec.Struct, kw_only=True):
    goal: GoalRead  # type: ignore[valid-type]
    indicators: list[IndicatorWithValues]


class StrategyDetail(msgspec.Struct, kw_only=True):
    strategy: StrategySummary  # type: ignore[valid-type]
    read_only: bool
    goals: list[GoalWithIndicators]
    building_blocks: list[BuildingBlockRead]  # type: ignore[valid-type]
    recommendations: list[RecommendationRead]  # type: ignore[valid-type]
    maturity: list[MaturityAssessmentRead]  # type: ignore[valid-type]
    swot: list[SwotItemRead]  # type: ignore[valid-type]
    architecture: list[ArchitectureComponentRead]  # type: ignore[valid-type]


class NewVersion(msgspec.Struct, kw_only=True):
    label: str | None = None


class Adopt(msgspec.Struct, kw_only=True):
    version: int
    adopted_on: dt.date | None = None


class FieldChangeOut(msgspec.Struct):
    field: str
    label: str
    old: str
    new: str


class ItemChangeOut(msgspec.Struct):
    title: str
    changes: list[FieldChangeOut]


class SectionDiffOut(msgspec.Struct):
    key: str
    label: str
    added: list[str]
    removed: list[str]
    changed: list[ItemChangeOut]


class StrategyDiffOut(msgspec.Struct):
    old: str
    new: str
    fields: list[FieldChangeOut]
    sections: list[SectionDiffOut]


class GoalTargetOut(msgspec.Struct):
    goal: str
    indicator: str
    unit: str
    baseline: decimal.Decimal | None
    target: decimal.Decimal | None
    due_date: dt.date | None
    latest: decimal.Decimal | None
    latest_on: dt.date | None
    attainment: float | None


def to_read(kind: Kind, obj: Any) -> Any:
    struct = READ[kind.key]
    return struct(**{f: getattr(obj, f) for f in struct.__struct_fields__})


def strategy_summary(strategy: Any) -> Any:
    return StrategySummary(**{f: getattr(strategy, f) for f in StrategySummary.__struct_fields__})


def write_data(
    payload: msgspec.Struct, *, skip: tuple[str, ...] = ("version", "parent_id")
) -> dict[str, Any]:
    """The fields the client sent (not ``UNSET``), as a plain dict for the service."""
    return {
        f: getattr(payload, f)
        for f in payload.__struct_fields__
        if f not in skip and getattr(payload, f) is not msgspec.UNSET
    }
