"""What each part of a strategy is made of: fields, labels, validation.

One table-driven description per part ("kind") serves the service (parsing and checking
input, audit snapshots, copying a version), the diff, the API structs and the editor forms,
so a field is declared once.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.errors import FieldError, ValidationFailed
from core.strategy.models import (
    ARCHITECTURE_STATES,
    MATURITY_AREAS,
    SWOT_CATEGORIES,
    ArchitectureComponent,
    BuildingBlock,
    Goal,
    Indicator,
    IndicatorValue,
    MaturityAssessment,
    Recommendation,
    Strategy,
    SwotItem,
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    #: str | text | list | int | decimal | date | choice
    type: str = "str"
    required: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Kind:
    key: str
    #: URL segment of the editor (German)
    slug: str
    label: str
    label_plural: str
    model: type[Any]
    #: "strategy", "goal" or "indicator": what ``parent_id`` refers to
    parent: str
    fields: tuple[FieldSpec, ...]
    order_by: tuple[str, ...] = ("position",)
    has_lineage: bool = True
    title_fields: tuple[str, ...] = ("title",)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def parent_column(self) -> str:
        return {"strategy": "strategy_id", "goal": "goal_id", "indicator": "indicator_id"}[self.parent]

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    def title_of(self, obj: Any) -> str:
        if self.key == "recommendations":
            return f"Empfehlung {obj.number}"
        if self.key == "maturity":
            return f"{dict(MATURITY_AREAS).get(obj.area, obj.area)} ({obj.assessed_on:%d.%m.%Y})"
        if self.key == "swot":
            return f"{dict(SWOT_CATEGORIES).get(obj.category, obj.category)}: {obj.text}"
        if self.key == "values":
            return f"{obj.measured_on:%d.%m.%Y}"
        if self.key == "building_blocks":
            return f"{obj.code} {obj.title}"
        return str(getattr(obj, self.title_fields[0]))


STRATEGY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "Titel", required=True, max_length=300),
    FieldSpec("label", "Version", required=True, max_length=20, hint="z. B. 1.0 oder 2.0"),
    FieldSpec("period_start", "Laufzeit von (Jahr)", "int", minimum=2000, maximum=2100),
    FieldSpec("period_end", "Laufzeit bis (Jahr)", "int", minimum=2000, maximum=2100),
    FieldSpec("introduction", "Einleitung", "text"),
    FieldSpec("vision", "Vision", "text"),
    FieldSpec("digitalisation_definition", "Begriffsbestimmung Digitalisierung", "text"),
    FieldSpec("initial_situation", "Ausgangslage", "text"),
    FieldSpec("challenges", "Herausforderungen", "text"),
    FieldSpec("conclusion", "Fazit / Zusammenfassung", "text"),
)

KINDS: dict[str, Kind] = {}


def _register(kind: Kind) -> Kind:
    KINDS[kind.key] = kind
    return kind


GOALS = _register(
    Kind(
        "goals",
        "ziele",
        "Kernziel",
        "Kernziele",
        Goal,
        "strategy",
        (
            FieldSpec("title", "Kernziel", required=True, max_length=300),
            FieldSpec("description", "Erläuterung", "text"),
            FieldSpec("position", "Reihenfolge", "int", minimum=0, maximum=10000),
        ),
    )
)
INDICATORS = _register(
    Kind(
        "indicators",
        "kennzahlen",
        "Kennzahl",
        "Kennzahlen",
        Indicator,
        "goal",
        (
            FieldSpec("name", "Kennzahl", required=True, max_length=300),
            FieldSpec("unit", "Einheit", max_length=40, hint="z. B. %, Anzahl, Dienste"),
            FieldSpec("baseline_value", "Ausgangswert", "decimal"),
            FieldSpec("target_value", "Zielwert", "decimal"),
            FieldSpec("due_date", "Zieltermin", "date"),
            FieldSpec("position", "Reihenfolge", "int", minimum=0, maximum=10000),
        ),
        title_fields=("name",),
    )
)
VALUES = _register(
    Kind(
        "values",
        "messwerte",
        "Messwert",
        "Messwerte",
        IndicatorValue,
        "indicator",
        (
            FieldSpec("measured_on", "Stichtag", "date", required=True),
            FieldSpec("value", "Wert", "decimal", required=True),
            FieldSpec("note", "Bemerkung", "text"),
        ),
        order_by=("measured_on",),
        has_lineage=False,
    )
)
BUILDING_BLOCKS = _register(
    Kind(
        "building_blocks",
        "bausteine",
        "Lösungsbaustein",
        "Lösungsbausteine",
        BuildingBlock,
        "strategy",
        (
            FieldSpec("code", "Kürzel", required=True, max_length=20, hint="z. B. LBS-001"),
            FieldSpec("title", "Titel", required=True, max_length=300),
            FieldSpec("description", "Beschreibung der Lösung", "text"),
            FieldSpec("stakeholders", "Anspruchsgruppe", "list", hint="Ein Eintrag je Zeile"),
            FieldSpec("benefits", "Nutzen", "list", hint="Ein Eintrag je Zeile"),
            FieldSpec("acceptance_criteria", "Akzeptanzkriterien", "list", hint="Ein Eintrag je Zeile"),
            FieldSpec("measures", "Maßnahmen", "list", hint="Ein Eintrag je Zeile"),
            FieldSpec("risks", "Risiken", "list", hint="Ein Eintrag je Zeile"),
            FieldSpec("resources", "Ressourcen", "text"),
            FieldSpec("responsible", "Verantwortlich", "text"),
            FieldSpec("position", "Reihenfolge", "int", minimum=0, maximum=10000),
        ),
    )
)
RECOMMENDATIONS = _register(
    Kind(
        "recommendations",
        "empfehlungen",
        "Empfehlung",
        "Empfehlungen",
        Recommendation,
        "strategy",
        (
            FieldSpec("number", "Nummer", "int", required=True, minimum=1, maximum=999),
            FieldSpec("context", "Abschnitt", max_length=300, hint="Wo die Empfehlung im Dokument steht"),
            FieldSpec("measures", "Maßnahmen", "list", hint="Ein Eintrag je Zeile"),
            FieldSpec("indicators", "Kennzahlen", "list", hint="Ein Eintrag je Zeile"),
        ),
        order_by=("number",),
    )
)
MATURITY = _register(
    Kind(
        "maturity",
        "reifegrad",
        "Reifegrad-Bewertung",
        "Reifegrad",
        MaturityAssessment,
        "strategy",
        (
            FieldSpec("area", "Bereich", "choice", required=True, choices=MATURITY_AREAS),
            FieldSpec("assessed_on", "Bewertet am", "date", required=True),
            FieldSpec("level", "Reifegrad (0–5)", "int", required=True, minimum=0, maximum=5),
            FieldSpec("target_level", "Angestrebter Reifegrad (0–5)", "int", minimum=0, maximum=5),
            FieldSpec("assessment", "Einschätzung", "text"),
        ),
        order_by=("area", "assessed_on"),
    )
)
SWOT = _register(
    Kind(
        "swot",
        "swot",
        "SWOT-Eintrag",
        "SWOT-Analyse",
        SwotItem,
        "strategy",
        (
            FieldSpec("category", "Kategorie", "choice", required=True, choices=SWOT_CATEGORIES),
            FieldSpec("text", "Eintrag", "text", required=True),
            FieldSpec("position", "Reihenfolge", "int", minimum=0, maximum=10000),
        ),
        order_by=("category", "position"),
        title_fields=("text",),
    )
)
ARCHITECTURE = _register(
    Kind(
        "architecture",
        "architektur",
        "Architektur-Baustein",
        "E-Government-Architektur",
        ArchitectureComponent,
        "strategy",
        (
            FieldSpec("name", "Baustein", required=True, max_length=300),
            FieldSpec(
                "layer",
                "Ebene",
                max_length=120,
                hint="z. B. Zugang, Basisdienste, Fachverfahren, Infrastruktur",
            ),
            FieldSpec("state", "Stand", "choice", required=True, choices=ARCHITECTURE_STATES),
            FieldSpec("note", "Bemerkung", "text"),
            FieldSpec("position", "Reihenfolge", "int", minimum=0, maximum=10000),
        ),
        order_by=("layer", "position"),
        title_fields=("name",),
    )
)

KINDS_BY_SLUG: dict[str, Kind] = {k.slug: k for k in KINDS.values()}
ARCHITECTURE_STATES_LABELS: dict[str, str] = dict(ARCHITECTURE_STATES)
#: Parts that hang directly below a strategy version, in document order.
STRATEGY_PARTS: tuple[Kind, ...] = (GOALS, BUILDING_BLOCKS, RECOMMENDATIONS, MATURITY, SWOT, ARCHITECTURE)

_DATE_DE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = _DATE_DE.match(text)
    if match:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    return dt.date.fromisoformat(text)


def _parse_decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | decimal.Decimal):
        return decimal.Decimal(str(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:  # German: 1.234,5
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):  # German thousands: 10.000
        text = text.replace(".", "")
    result = decimal.Decimal(text)
    if not result.is_finite():
        raise ValueError
    return result


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def parse_value(spec: FieldSpec, value: Any) -> Any:
    """Convert one input value (form text or JSON) to the field's type; ``ValueError`` with a German text."""
    if spec.type == "list":
        if value is None:
            items: list[str] = []
        elif isinstance(value, str):
            items = [line.strip().lstrip("-•").strip() for line in value.splitlines()]
        elif isinstance(value, list | tuple):
            items = [str(v).strip() for v in value]
        else:
            raise ValueError("Bitte eine Liste angeben.")
        return [i for i in items if i]
    if _empty(value):
        if spec.required:
            raise ValueError("Bitte ausfüllen.")
        if spec.type in ("str", "text"):
            return ""
        return None
    if spec.type in ("str", "text"):
        text = str(value).strip()
        if spec.max_length and len(text) > spec.max_length:
            raise ValueError(f"Höchstens {spec.max_length} Zeichen.")
        return text
    if spec.type == "int":
        try:
            number = (
                int(str(value).strip()) if not isinstance(value, int) or isinstance(value, bool) else value
            )
        except ValueError:
            raise ValueError("Bitte eine ganze Zahl angeben.") from None
        if isinstance(number, bool):
            raise ValueError("Bitte eine ganze Zahl angeben.")
        if (spec.minimum is not None and number < spec.minimum) or (
            spec.maximum is not None and number > spec.maximum
        ):
            raise ValueError(f"Bitte eine Zahl von {spec.minimum} bis {spec.maximum} angeben.")
        return number
    if spec.type == "decimal":
        try:
            number_d = _parse_decimal(value)
        except (ValueError, ArithmeticError):
            raise ValueError("Bitte eine Zahl angeben.") from None
        if abs(number_d) >= decimal.Decimal("1e12"):
            raise ValueError("Die Zahl ist zu groß.")
        return number_d.quantize(decimal.Decimal("0.01"))
    if spec.type == "date":
        try:
            return _parse_date(value)
        except (ValueError, TypeError):
            raise ValueError("Bitte ein Datum angeben (TT.MM.JJJJ).") from None
    if spec.type == "choice":
        keys = [k for k, _ in spec.choices]
        if str(value) not in keys:
            raise ValueError(
                "Bitte einen der angebotenen Werte wählen: " + ", ".join(t for _, t in spec.choices) + "."
            )
        return str(value)
    raise AssertionError(spec.type)


def parse_fields(specs: tuple[FieldSpec, ...], data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Parse ``data`` against ``specs``: typed values, or ``ValidationFailed`` naming every bad field.

    ``partial`` (updates): only fields present in ``data`` are parsed and returned.
    """
    out: dict[str, Any] = {}
    errors: list[FieldError] = []
    for spec in specs:
        if spec.name not in data:
            if partial:
                continue
            if spec.required:
                errors.append(FieldError(spec.name, "Bitte ausfüllen."))
                continue
            value: Any = None
        else:
            value = data[spec.name]
        try:
            parsed = parse_value(spec, value)
        except ValueError as exc:
            errors.append(FieldError(spec.name, str(exc)))
            continue
        if parsed is None and spec.name == "position":
            parsed = 0
        out[spec.name] = parsed
    if errors:
        raise ValidationFailed(errors)
    return out


def snapshot(specs: tuple[FieldSpec, ...], obj: Any) -> dict[str, Any]:
    """The user-visible state of ``obj`` (for audit diffs and conflict answers)."""
    return {spec.name: getattr(obj, spec.name) for spec in specs}


def display(spec: FieldSpec, value: Any) -> str:
    """A value as the UI and the diff show it."""
    if value is None or value == "" or value == []:
        return "–"
    if spec.type == "list":
        return "; ".join(value)
    if spec.type == "choice":
        return dict(spec.choices).get(value, str(value))
    if spec.type == "date":
        return value.strftime("%d.%m.%Y")
    if spec.type == "decimal":
        text = f"{value:,.2f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
        return text[:-3] if text.endswith(",00") else text
    return str(value)


def form_value(spec: FieldSpec, value: Any) -> str:
    """A value as a form field shows it."""
    if value is None:
        return ""
    if spec.type == "list":
        return "\n".join(value)
    if spec.type == "date":
        return value.isoformat()
    if spec.type == "decimal":
        return display(spec, value) if value is not None else ""
    return str(value)


__all__ = ["KINDS", "KINDS_BY_SLUG", "STRATEGY_FIELDS", "STRATEGY_PARTS", "FieldSpec", "Kind", "Strategy"]
