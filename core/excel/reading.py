"""Reading spreadsheets as they come out of a town hall.

* ``(Leer)`` (the Excel pivot placeholder) and blank cells mean "no value".
* Header names are matched loosely (case, spaces, soft hyphens and line breaks ignored).
* Blank cells of "carry-down" columns (Geschäftskreis, Dienststelle) take the value of the
  row above, as in a sheet whose merged-looking cells are given only once.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import load_workbook

from core.errors import FieldError, ValidationFailed
from core.excel.result import ImportResult

EMPTY_MARKERS = {"", "(leer)", "leer", "-", "–"}
#: "Stand 03.2023", "03.2023", "09/2023"
_PERIOD = re.compile(r"(?P<month>0?3|0?9)[./](?P<year>\d{4})")


def clean(value: Any) -> Any:
    """Normalise one cell: strings stripped, "(Leer)" and blanks → None."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\u00a0", " ").strip()
        return None if text.lower() in EMPTY_MARKERS else text
    return value


def normalise_header(text: Any) -> str:
    if text is None:
        return ""
    s = str(text).replace("\u00ad", "").replace("\n", " ").replace("-\n", "")
    s = re.sub(r"\s+", " ", s).strip().lower()
    return s.replace("- ", "-")


def reporting_date_in_header(header: str) -> dt.date | None:
    """The Stichtag a column header names: "… Stand 03.2023" → 31.03.2023, 09 → 30.09."""
    match = _PERIOD.search(header)
    if not match:
        return None
    year, month = int(match["year"]), int(match["month"])
    return dt.date(year, 3, 31) if month == 3 else dt.date(year, 9, 30)


@dataclass
class Sheet:
    """The header row and the data rows of a sheet; ``rows`` keep their spreadsheet number."""

    title: str
    headers: list[str]
    rows: list[tuple[int, list[Any]]]

    def index(self, *names: str) -> int | None:
        wanted = [normalise_header(n) for n in names]
        for i, h in enumerate(self.headers):
            if normalise_header(h) in wanted:
                return i
        return None

    def indices_starting(self, prefix: str) -> list[int]:
        p = normalise_header(prefix)
        return [i for i, h in enumerate(self.headers) if normalise_header(h).startswith(p)]


def read_sheet(source: bytes | BinaryIO | Path | str, *, sheet: str | None = None) -> Sheet:
    """Read the first (or the named) sheet; the first non-empty row is the header."""
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        return _read(source, sheet)
    except ValidationFailed:
        raise
    except Exception as exc:  # openpyxl/zipfile raise many types for broken files
        raise ValidationFailed(
            errors=[FieldError("Datei", "Die Datei ist keine lesbare Excel-Datei (.xlsx).", None)],
            message="Die Datei ist keine lesbare Excel-Datei (.xlsx).",
        ) from exc


def _read(source: BinaryIO | Path | str, sheet: str | None) -> Sheet:
    wb = load_workbook(source, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = list(values)
            if headers is None:
                if any(clean(v) is not None for v in cells):
                    headers = ["" if v is None else str(v).strip() for v in cells]
                continue
            if not any(clean(v) is not None for v in cells):
                continue
            cells += [None] * (len(headers) - len(cells))
            rows.append((number, cells[: len(headers)]))
        return Sheet(title=ws.title, headers=headers or [], rows=rows)
    finally:
        wb.close()


def date_columns(sheet: Sheet, prefix: str, result: ImportResult, *, example: str) -> dict[int, dt.date]:
    """Column index → Stichtag of the columns whose header starts with ``prefix``; a header that
    names no Stichtag (``example`` shows how one looks) or one named before is an error."""
    columns: dict[int, dt.date] = {}
    for i in sheet.indices_starting(prefix):
        date = reporting_date_in_header(sheet.headers[i])
        if date is None:
            result.add_error(
                1,
                sheet.headers[i],
                f"Aus der Überschrift geht kein Stichtag hervor (erwartet z. B. {example}).",
            )
        elif date in columns.values():
            result.add_error(1, sheet.headers[i], "Dieser Stichtag kommt doppelt vor.")
        else:
            columns[i] = date
    return columns


def carry_down(
    rows: Iterable[tuple[int, list[Any]]], groups: list[list[int]]
) -> Iterator[tuple[int, list[Any]]]:
    """Fill blank cells of hierarchical column groups from the row above.

    ``groups`` are ordered from the outermost level: ``[[gk_code, gk_name], [ds_code, ds_name]]``.
    A value given in an outer group resets the inner groups (a new Geschäftskreis does not
    inherit the previous Dienststelle).
    """
    previous: dict[int, Any] = {}
    for number, cells in rows:
        filled = list(cells)
        reset = False
        for group in groups:
            present = [i for i in group if i is not None]
            given = any(clean(cells[i]) is not None for i in present)
            if given or reset:
                reset = reset or given
                for i in present:
                    previous[i] = clean(cells[i])
            else:
                for i in present:
                    filled[i] = previous.get(i)
        yield number, filled


def as_text(value: Any) -> str | None:
    value = clean(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)
