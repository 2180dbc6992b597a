"""Pure logic of the measures area: progress and status, reported years, spreadsheet cells."""

from __future__ import annotations

import datetime as dt

import pytest

from core.excel.reading import carry_down, clean, reporting_date_in_header
from core.excel.result import ImportResult, RowChange
from core.measures.service import natural_key, parse_reported_year
from core.reporting.service import is_stichtag, next_stichtag
from core.reporting.status import ProgressError, ProgressValue, parse_progress, parse_status, status_for


@pytest.mark.parametrize(
    ("progress", "status"), [(0, "P"), (3, "P"), (4, "E"), (7, "E"), (8, "U"), (10, "U")]
)
def test_status_is_derived_from_progress(progress: int, status: str) -> None:
    assert status_for(progress) == status


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, ProgressValue()),
        ("(Leer)", ProgressValue()),
        ("", ProgressValue()),
        (5, ProgressValue(5)),
        (5.0, ProgressValue(5)),
        ("7", ProgressValue(7)),
        ("a", ProgressValue(code="a")),
        ("G", ProgressValue(code="g")),
    ],
)
def test_progress_cells(cell: object, expected: ProgressValue) -> None:
    assert parse_progress(cell) == expected


@pytest.mark.parametrize("cell", [11, -1, 4.5, "viel", "b", True])
def test_invalid_progress_is_rejected_with_a_reason(cell: object) -> None:
    with pytest.raises(ProgressError) as err:
        parse_progress(cell)
    assert str(err.value)


def test_status_letters() -> None:
    assert parse_status("u") == "U" and parse_status(None) is None and parse_status("(Leer)") is None
    with pytest.raises(ProgressError, match="Unbekannter Status"):
        parse_status("X")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021", ("2021", 2021)),
        ("2020-U(10)", ("2020-U(10)", 2020)),
        (None, (None, None)),
        ("", (None, None)),
    ],
)
def test_reported_year(value: str | None, expected: tuple[str | None, int | None]) -> None:
    assert parse_reported_year(value) == expected


@pytest.mark.parametrize("value", ["zwanzig", "20211", "2020-X(10)", "2020-U(11)"])
def test_invalid_reported_year(value: str) -> None:
    with pytest.raises(ValueError):
        parse_reported_year(value)


def test_header_names_the_reporting_date() -> None:
    assert reporting_date_in_header("Projektfortschritt (0-10, a, g) Stand 03.2022") == dt.date(2022, 3, 31)
    assert reporting_date_in_header("Status (P/E/U) 09.2023") == dt.date(2023, 9, 30)
    assert reporting_date_in_header("Status (P/E/U)") is None


def test_blank_org_cells_carry_down_and_a_new_outer_value_resets_the_inner() -> None:
    rows = [
        (2, ["I", "Zentrale", "0.1", "ZSD", "MP 011"]),
        (3, [None, None, None, None, "MP 020"]),
        (4, ["II", "Bürger", None, None, "MP 029"]),
        (5, [None, None, "2.1", "Bürgerdienste", "MP 030"]),
    ]
    out = dict(carry_down(rows, [[0, 1], [2, 3]]))
    assert out[3][:4] == ["I", "Zentrale", "0.1", "ZSD"]
    assert out[4][:4] == ["II", "Bürger", None, None]
    assert out[5][:4] == ["II", "Bürger", "2.1", "Bürgerdienste"]


def test_clean_cells() -> None:
    assert clean(" (Leer) ") is None and clean("\u00a0x ") == "x" and clean(3) == 3


def test_natural_sort_and_stichtage() -> None:
    assert sorted(["MP 11", "MP 9", "MP 100"], key=natural_key) == ["MP 9", "MP 11", "MP 100"]
    assert is_stichtag(dt.date(2024, 3, 31)) and not is_stichtag(dt.date(2024, 3, 30))
    assert next_stichtag(dt.date(2023, 9, 30)) == dt.date(2024, 3, 31)
    assert next_stichtag(dt.date(2024, 4, 1)) == dt.date(2024, 9, 30)


def test_import_result_shape() -> None:
    result = ImportResult()
    result.count(RowChange(2, "MP 1", "create"))
    result.count(RowChange(3, "MP 2", "unchanged"))
    result.add_error(4, "Spalte", "Grund")
    assert result.as_dict() == {
        "created": 1,
        "updated": 0,
        "unchanged": 1,
        "errors": [{"row": 4, "column": "Spalte", "message": "Grund"}],
    }
