"""Pure validation rules of the DMS plugin (no database): German messages per field."""

from __future__ import annotations

import datetime as dt
import math

from core.errors import FieldError
from plugins.dms.models import (
    INBOX_MODES,
    INTEGRATION_PROCEDURE,
    INTEGRATIONS,
    SCANNING_MODES,
    STATUS_INTRODUCING,
    STATUS_LABELS,
    STATUS_LIVE,
)
from plugins.dms.schemas import RolloutInput, VolumeInput

DATE_LABELS = {"planned_on": "Planung", "introduction_on": "Beginn der Einführung", "live_on": "Umsetzung"}


def _d(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


MAX_COUNT = 2_000_000_000
#: Longest texts the columns take.
TEXT_LIMITS = {
    "designation": 200,
    "procedure_name": 200,
    "procedure_vendor": 200,
    "procedure_interface": 200,
    "name": 200,
    "vendor": 200,
    "operator": 200,
    "product_version": 100,
    "notes": 10_000,
    "description": 10_000,
}


def length_errors(data: object, fields: tuple[str, ...], row: int | None = None) -> list[FieldError]:
    errors = []
    for f in fields:
        value = getattr(data, f, None)
        if isinstance(value, str) and len(value.strip()) > TEXT_LIMITS[f]:
            errors.append(FieldError(f, f"Der Text ist zu lang (höchstens {TEXT_LIMITS[f]} Zeichen).", row))
    return errors


def count_errors(value: int | None, field: str, row: int | None = None) -> list[FieldError]:
    if value is not None and value > MAX_COUNT:
        return [FieldError(field, "Die Zahl ist zu groß.", row)]
    return []


def rollout_errors(data: RolloutInput, row: int | None = None) -> list[FieldError]:
    """Everything wrong with a rollout item that can be told without the database."""
    errors: list[FieldError] = length_errors(
        data, ("designation", "procedure_name", "procedure_vendor", "procedure_interface", "notes"), row
    ) + count_errors(data.users_trained, "users_trained", row)
    if data.file_type_id is None:
        errors.append(FieldError("file_type_id", "Bitte wählen Sie eine Aktenart.", row))
    if data.org_unit_id is None:
        errors.append(FieldError("org_unit_id", "Bitte wählen Sie eine Organisationseinheit.", row))
    if data.status not in STATUS_LABELS:
        errors.append(
            FieldError("status", "Unbekannter Status: erlaubt sind geplant, in Einführung, umgesetzt.", row)
        )
    if data.integration not in INTEGRATIONS:
        errors.append(
            FieldError("integration", "Bitte wählen Sie: Fachverfahren oder eigenständig mit Workflows.", row)
        )
    elif data.integration == INTEGRATION_PROCEDURE and not (data.procedure_name or "").strip():
        errors.append(
            FieldError(
                "procedure_name", "Bitte nennen Sie das Fachverfahren, an das die E-Akte angebunden ist.", row
            )
        )
    if data.inbox is not None and data.inbox not in INBOX_MODES:
        errors.append(FieldError("inbox", "Posteingang: erlaubt sind zentral oder dezentral.", row))
    if data.scanning_mode is not None and data.scanning_mode not in SCANNING_MODES:
        errors.append(FieldError("scanning_mode", "Scannen: erlaubt sind Scanstraße oder dezentral.", row))
    if data.users_trained is not None and data.users_trained < 0:
        errors.append(
            FieldError("users_trained", "Die Zahl geschulter Personen kann nicht negativ sein.", row)
        )
    # A status needs the date it was reached; dates follow the rollout order.
    if data.status == STATUS_INTRODUCING and data.introduction_on is None:
        errors.append(
            FieldError(
                "introduction_on",
                "Für „in Einführung“ fehlt das Datum, an dem die Einführung begonnen hat.",
                row,
            )
        )
    if data.status == STATUS_LIVE and data.live_on is None:
        errors.append(FieldError("live_on", "Für „umgesetzt“ fehlt das Datum der Umsetzung.", row))
    order = [
        ("planned_on", data.planned_on),
        ("introduction_on", data.introduction_on),
        ("live_on", data.live_on),
    ]
    for i, (later_field, later) in enumerate(order):
        if later is None:
            continue
        for earlier_field, earlier in order[:i]:
            if earlier is not None and later < earlier:
                errors.append(
                    FieldError(
                        later_field,
                        f"Das Datum „{DATE_LABELS[later_field]}“ ({_d(later)}) liegt vor dem Datum "
                        f"„{DATE_LABELS[earlier_field]}“ ({_d(earlier)}). Die Reihenfolge ist: geplant, "
                        "in Einführung, umgesetzt.",
                        row,
                    )
                )
                break
    return errors


def volume_errors(data: VolumeInput, row: int | None = None) -> list[FieldError]:
    errors: list[FieldError] = count_errors(data.total_count, "total_count", row)
    if errors:
        return errors
    if data.org_unit_id is None:
        errors.append(FieldError("org_unit_id", "Bitte wählen Sie eine Organisationseinheit.", row))
    if data.reporting_date is None:
        errors.append(FieldError("reporting_date", "Bitte geben Sie den Stichtag an.", row))
    if data.total_count is None:
        errors.append(FieldError("total_count", "Bitte geben Sie die Zahl aller Dokumente an.", row))
    elif data.total_count < 0:
        errors.append(FieldError("total_count", "Die Zahl der Dokumente kann nicht negativ sein.", row))
    if data.digital_count is None:
        errors.append(
            FieldError(
                "digital_count", "Bitte geben Sie die Zahl der digital bearbeiteten Dokumente an.", row
            )
        )
    elif data.digital_count < 0:
        errors.append(FieldError("digital_count", "Die Zahl der Dokumente kann nicht negativ sein.", row))
    elif data.total_count is not None and data.total_count >= 0 and data.digital_count > data.total_count:
        share = 100 * data.digital_count / data.total_count if data.total_count else float("inf")
        shown = f"{share:.0f} %".replace(".", ",") if share != float("inf") else "über 100 %"
        errors.append(
            FieldError(
                "digital_count",
                f"Der digitale Anteil läge über 100 % ({shown}): {data.digital_count} digital bearbeitete "
                f"von {data.total_count} Dokumenten insgesamt. Digital bearbeitete Dokumente sind ein Teil "
                "aller Dokumente.",
                row,
            )
        )
    return errors


def share_errors(
    percent: float | None, field: str = "goal_share_percent", row: int | None = None
) -> list[FieldError]:
    if percent is None or not math.isfinite(percent):
        return [FieldError(field, "Bitte geben Sie einen Anteil in Prozent an.", row)]
    if percent < 0 or percent > 100:
        return [
            FieldError(
                field,
                f"Ein Anteil muss zwischen 0 und 100 % liegen (eingegeben: "
                f"{str(percent).replace('.', ',')} %).",
                row,
            )
        ]
    return []
