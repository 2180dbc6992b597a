"""Pure logic of the e-payment plugin: signatures, Kassenzeichen, amounts, validation, completeness."""

from __future__ import annotations

import time

import pytest

from plugins.epayment import signing
from plugins.epayment.models import PaymentAccount
from plugins.epayment.protocol import InvalidSignature, ProviderAccount
from plugins.epayment.service.accounts import completeness, validate_account
from plugins.epayment.service.common import euro, parse_euro
from plugins.epayment.service.payments import check_digit, make_kassenzeichen


def test_signature_roundtrip_and_tampering() -> None:
    body = b'{"a":1}'
    header = signing.sign("geheim", body)
    signing.verify("geheim", body, header)
    with pytest.raises(InvalidSignature):
        signing.verify("geheim", b'{"a":2}', header)
    with pytest.raises(InvalidSignature):
        signing.verify("anders", body, header)
    with pytest.raises(InvalidSignature):
        signing.verify("geheim", body, None)
    with pytest.raises(InvalidSignature):
        signing.verify("geheim", body, "kaputt")


def test_signature_outside_the_time_window_is_rejected() -> None:
    body = b"x"
    old = signing.sign("geheim", body, timestamp=int(time.time()) - signing.TOLERANCE - 5)
    with pytest.raises(InvalidSignature, match="zu alt"):
        signing.verify("geheim", body, old)


def test_check_digit_is_luhn() -> None:
    assert check_digit("7992739871") == "3"  # the textbook Luhn example
    kz = make_kassenzeichen("DOR", 14)
    assert kz.startswith("DOR") and len(kz) == 14 and kz[3:].isdigit()
    assert check_digit(kz[3:-1]) == kz[-1]
    assert len(make_kassenzeichen(None, None)) == 12


@pytest.mark.parametrize(
    ("text", "cents"),
    [("25", 2500), ("25,5", 2550), ("1.234,56", 123456), ("0,99 €", 99), ("12.50", 1250), ("", None)],
)
def test_parse_euro(text: str, cents: int | None) -> None:
    assert parse_euro(text) == cents


@pytest.mark.parametrize("text", ["abc", "1,234", "-5", "1,2,3"])
def test_parse_euro_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_euro(text)


def test_euro_format() -> None:
    assert euro(123456) == "1.234,56 €" and euro(5) == "0,05 €" and euro(None) == "–"


def test_validate_account_reports_every_field_once() -> None:
    _, errors = validate_account(
        "epaybl",
        {
            "endpoint_url": "ftp://x",
            "kz_length": "99",
            "kz_prefix": "A-B",
            "payment_methods": ["bitcoin"],
            "kontierung": "Sachkonto\n:5",
            "cost_percent_bp": "abc",
        },
    )
    fields = [e.field for e in errors]
    assert set(fields) == {
        "endpoint_url",
        "kz_length",
        "kz_prefix",
        "payment_methods",
        "kontierung",
        "cost_percent_bp",
    }


def test_completeness_lists_what_is_missing() -> None:
    assert completeness(None, "pmpayment")["percent"] == 0
    account = PaymentAccount(
        platform="pmpayment",
        endpoint_url="http://x",
        merchant_id="1",
        kz_prefix="PM",
        kz_length=12,
        booking_text="G",
        payment_methods=["paypal"],
        secret_encrypted=None,
    )
    result = completeness(account, "pmpayment")
    assert result["missing"] == ["Geheimnis (Schlüssel) hinterlegt"] and result["done"] == result["total"] - 1


def test_provider_account_never_shows_the_secret_in_repr() -> None:
    account = ProviderAccount(
        platform="epaybl",
        merchant_id="M",
        endpoint_url="http://x",
        secret="sehr-geheim",  # noqa: S106
    )
    assert "sehr-geheim" not in repr(account)
