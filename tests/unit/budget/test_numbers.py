"""Numbers as they are written in a Rahmenfinanzplan."""

from __future__ import annotations

import decimal

import pytest

from core.budget.excel import parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45.000 €", "45000.00"),
        ("26.071 €", "26071.00"),
        ("0,30 VZÄ", "0.30"),
        ("23,08 VZÄ", "23.08"),
        (1500, "1500.00"),
        (12.5, "12.50"),
        (None, "0.00"),
        ("(Leer)", "0.00"),
        ("1.234,56", "1234.56"),
    ],
)
def test_parse_number(text: object, expected: str) -> None:
    assert parse_number(text) == decimal.Decimal(expected)


@pytest.mark.parametrize("text", ["viel", "12 Äpfel", "nan"])
def test_parse_number_rejects_text(text: str) -> None:
    with pytest.raises((ValueError, decimal.InvalidOperation)):
        parse_number(text)
