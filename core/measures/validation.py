"""Input rules the measure plan and the online-service list share: their texts and the number
that keys each record of a tenant (``MP 011``, ``OD 013``), in a form and in a spreadsheet."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import FieldError
from core.excel.result import ImportResult
from core.tenancy import owned_by

NUMBER_MAX_LENGTH = 40


def clean_texts(values: dict[str, Any], keys: Iterable[str]) -> list[FieldError]:
    """Strip the text fields ``keys`` of ``values`` in place (blank → ``None``) and drop NUL
    characters, which PostgreSQL rejects: one error for each field that had one."""
    errors: list[FieldError] = []
    for key in keys:
        if key in values and isinstance(values[key], str):
            if "\x00" in values[key]:
                errors.append(FieldError(key, "Die Angabe enthält ein unzulässiges Steuerzeichen."))
                values[key] = values[key].replace("\x00", "")
            values[key] = values[key].strip() or None
    return errors


async def number_errors(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    model: Any,
    number: str | None,
    own_id: uuid.UUID | None,
    *,
    example: str,
) -> list[FieldError]:
    """The number of a record of ``model``: given, at most 40 characters, and no other record of
    the tenant's (``own_id`` is the record being edited, ``None`` for a new one)."""
    if not number:
        return [FieldError("number", f"Bitte eine Nummer angeben (z. B. „{example}“).")]
    if len(number) > NUMBER_MAX_LENGTH:
        return [FieldError("number", f"Die Nummer ist zu lang (höchstens {NUMBER_MAX_LENGTH} Zeichen).")]
    clash = await session.scalar(select(model.id).where(owned_by(model, tenant_id), model.number == number))
    if clash is not None and clash != own_id:
        return [FieldError("number", f"Die Nummer „{number}“ ist bereits vergeben.")]
    return []


class RowNumbers:
    """The numbers that key the rows of a spreadsheet (column ``header``): ``take`` gives a
    row's number, or ``None`` when the row is skipped because it has no number (the error
    ``missing`` if it has other values), a longer one than 40 characters, or the number of an
    earlier row."""

    def __init__(self, result: ImportResult, header: str, *, missing: str) -> None:
        self.result = result
        self.header = header
        self.missing = missing
        self.seen: dict[str, int] = {}

    def take(self, row: int, number: str | None, *, other_values: bool) -> str | None:
        if not number:
            if other_values:
                self.result.add_error(row, self.header, self.missing)
            return None
        if len(number) > NUMBER_MAX_LENGTH:
            self.result.add_error(
                row, self.header, f"Die Nummer ist zu lang (höchstens {NUMBER_MAX_LENGTH} Zeichen)."
            )
            return None
        if number in self.seen:
            self.result.add_error(
                row, self.header, f"Die Nummer „{number}“ steht schon in Zeile {self.seen[number]}."
            )
            return None
        self.seen[number] = row
        return number
