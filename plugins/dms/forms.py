"""Turning HTML form fields (and spreadsheet cells) into the plugin's DTOs.

Parsing collects one German message per unreadable field instead of failing on the first, so
a form comes back with every problem marked at once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from core.errors import FieldError
from plugins.dms.schemas import FileTypeInput, GoalInput, ProductInput, RolloutInput, VolumeInput

TRUE_WORDS = {"1", "true", "on", "ja", "j", "x", "yes", "wahr"}


class Parser:
    def __init__(self, values: Mapping[str, Any], row: int | None = None) -> None:
        self.values = values
        self.row = row
        self.errors: list[FieldError] = []

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        value = str(value).strip()
        return value or None

    def date(self, name: str, label: str) -> dt.date | None:
        value = self.values.get(name)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = self.text(name)
        if text is None:
            return None
        for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.errors.append(
            FieldError(name, f"„{text}“ ist kein gültiges Datum für „{label}“ (TT.MM.JJJJ).", self.row)
        )
        return None

    def integer(self, name: str, label: str) -> int | None:
        value = self.values.get(name)
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = self.text(name)
        if text is None:
            return None
        try:
            return int(text.replace(".", "").replace("\u202f", "").replace(" ", ""))
        except ValueError:
            self.errors.append(FieldError(name, f"„{text}“ ist keine ganze Zahl ({label}).", self.row))
            return None

    def number(self, name: str, label: str) -> float | None:
        value = self.values.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = self.text(name)
        if text is None:
            return None
        try:
            return float(text.replace("%", "").replace(" ", "").replace(",", "."))
        except ValueError:
            self.errors.append(FieldError(name, f"„{text}“ ist keine Zahl ({label}).", self.row))
            return None

    def uuid(self, name: str) -> uuid.UUID | None:
        text = self.text(name)
        if text is None:
            return None
        try:
            return uuid.UUID(text)
        except ValueError:
            self.errors.append(FieldError(name, "Ungültige Auswahl.", self.row))
            return None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, bool):
            return value
        return (self.text(name) or "").lower() in TRUE_WORDS


def _getall(form: Any, name: str) -> list[str]:
    if hasattr(form, "getall"):
        try:
            return [str(v) for v in form.getall(name)]
        except KeyError:
            return []
    value = form.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def parse_rollout(form: Any) -> tuple[RolloutInput, list[FieldError]]:
    p = Parser(form)
    budget: list[uuid.UUID] = []
    for raw in _getall(form, "budget_line_ids"):
        if raw.strip():
            try:
                budget.append(uuid.UUID(raw))
            except ValueError:
                p.errors.append(FieldError("budget_line_ids", "Ungültige Auswahl."))
    data = RolloutInput(
        file_type_id=p.uuid("file_type_id"),
        org_unit_id=p.uuid("org_unit_id"),
        product_id=p.uuid("product_id"),
        designation=p.text("designation"),
        status=p.text("status") or "geplant",
        planned_on=p.date("planned_on", "geplant ab"),
        introduction_on=p.date("introduction_on", "Einführung begonnen"),
        live_on=p.date("live_on", "umgesetzt am"),
        integration=p.text("integration") or "fachverfahren",
        procedure_name=p.text("procedure_name"),
        procedure_vendor=p.text("procedure_vendor"),
        procedure_interface=p.text("procedure_interface"),
        inbox=p.text("inbox"),
        workflow_approval=p.flag("workflow_approval"),
        workflow_acknowledgement=p.flag("workflow_acknowledgement"),
        workflow_cosigning=p.flag("workflow_cosigning"),
        scanning_resiscan=p.flag("scanning_resiscan"),
        scanning_mode=p.text("scanning_mode"),
        archive_audit_proof=p.flag("archive_audit_proof"),
        archive_long_term=p.flag("archive_long_term"),
        users_trained=p.integer("users_trained", "geschulte Personen"),
        measure_id=p.uuid("measure_id"),
        budget_line_ids=budget,
        notes=p.text("notes"),
        version=p.integer("version", "Bearbeitungsstand"),
    )
    return data, p.errors


def parse_volume(form: Any) -> tuple[VolumeInput, list[FieldError]]:
    p = Parser(form)
    data = VolumeInput(
        org_unit_id=p.uuid("org_unit_id"),
        reporting_date=p.date("reporting_date", "Stichtag"),
        total_count=p.integer("total_count", "Dokumente insgesamt"),
        digital_count=p.integer("digital_count", "davon digital bearbeitet"),
        version=p.integer("version", "Bearbeitungsstand"),
    )
    return data, p.errors


def parse_goal(form: Any) -> tuple[GoalInput, list[FieldError]]:
    p = Parser(form)
    data = GoalInput(
        goal_share_percent=p.number("goal_share_percent", "Zielanteil"),
        goal_year=p.integer("goal_year", "Zieljahr"),
        version=p.integer("version", "Bearbeitungsstand"),
    )
    return data, p.errors


def parse_product(form: Any) -> tuple[ProductInput, list[FieldError]]:
    p = Parser(form)
    data = ProductInput(
        name=p.text("name") or "",
        vendor=p.text("vendor"),
        product_version=p.text("product_version"),
        operator=p.text("operator"),
        notes=p.text("notes"),
        version=p.integer("version", "Bearbeitungsstand"),
    )
    return data, p.errors


def parse_file_type(form: Any) -> tuple[FileTypeInput, list[FieldError]]:
    p = Parser(form)
    data = FileTypeInput(
        name=p.text("name") or "",
        description=p.text("description"),
        sort_order=p.integer("sort_order", "Reihenfolge") or 100,
        version=p.integer("version", "Bearbeitungsstand"),
    )
    return data, p.errors
