from __future__ import annotations

import pytest

from tenants.validation import KeyError_, Land, validate_ags, validate_ars, validate_slug


def test_valid_ags_and_ars() -> None:
    assert validate_ags("05562012") == "05562012"
    assert validate_ars("055620012012", ags="05562012") == "055620012012"
    assert Land(validate_ags("09162000")[:2]).label == "Bayern"


@pytest.mark.parametrize("ags", ["", "0556201", "055620123", "0556201a", "17000000", "00000000"])
def test_invalid_ags(ags: str) -> None:
    with pytest.raises(KeyError_):
        validate_ags(ags)


@pytest.mark.parametrize("ars", ["05562001201", "0556200120123", "17562001201x"])
def test_invalid_ars(ars: str) -> None:
    with pytest.raises(KeyError_):
        validate_ars(ars)


def test_ars_must_match_ags() -> None:
    with pytest.raises(KeyError_, match="passt nicht"):
        validate_ars("055620012013", ags="05562012")


@pytest.mark.parametrize("slug", ["-a", "a-", "A", "a_b", "x" * 64, ""])
def test_invalid_slug(slug: str) -> None:
    with pytest.raises(KeyError_):
        validate_slug(slug)
