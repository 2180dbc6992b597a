"""The "executed by municipalities" rule and the source parsers."""

from __future__ import annotations

import pytest

from core.catalog.rules import is_municipal, is_relevant_for, is_valid_type, split_types
from core.catalog.service import legal_basis_links
from core.catalog.sources import FileSource, SourceError, UrlSource, parse_bytes, source_for
from core.catalog.sync import synthetic_key


@pytest.mark.parametrize(
    "typ, expected",
    [
        ("2", True),
        ("3", True),
        ("2/3", True),
        ("2b", True),
        ("3b", True),
        ("4", True),
        ("4b", True),
        ("5", True),
        ("1, 2/3", True),
        ("1, 2", True),
        ("1", False),
        ("2a", False),
        ("3a", False),
        ("4a", False),
        ("6", False),
        ("10", False),
        ("", False),
        (None, False),
        (" 4B ", True),
    ],
)
def test_municipal_types(typ: str | None, expected: bool) -> None:
    assert is_municipal(typ) is expected


def test_known_types_and_lists() -> None:
    assert split_types("1, 2/3") == ["1", "2/3"]
    assert is_valid_type("") and is_valid_type("1, 2/3") and is_valid_type("12")
    assert not is_valid_type("9z") and not is_valid_type("1, 13")


def test_relevant_for_every_municipality_type_is_the_municipal_rule() -> None:
    for mtype in ("kreisfreie_stadt", "kreis", "kreisangehoerige_gemeinde", None):
        assert is_relevant_for("2/3", mtype) and not is_relevant_for("1", mtype)


def test_legal_basis_links() -> None:
    value = (
        "Kreislaufwirtschaftsgesetz (KrWG) [http://www.gesetze-im-internet.de/krwg/], "
        "Verordnung (VerpackV) [http://www.gesetze-im-internet.de/verpackv_1998/index.html]"
    )
    assert legal_basis_links(value) == [
        ("Kreislaufwirtschaftsgesetz (KrWG)", "http://www.gesetze-im-internet.de/krwg/"),
        ("Verordnung (VerpackV)", "http://www.gesetze-im-internet.de/verpackv_1998/index.html"),
    ]
    assert legal_basis_links("BGB") == [("BGB", None)]


def test_parse_snapshot_and_ozg_csv() -> None:
    leika = (
        "Schluessel;Bezeichnung;Typ;OZG-ID;Rechtsgrundlage;Gesetze;Gesetzeskuerzel;SDG1;SDG2\r\n"
        "99001001000000;Abfallgebühr;5;10110;;;;1;0\r\n;Ohne Schlüssel;1;10110;;;;0;1\r\n"
    )
    [block] = parse_bytes(leika.encode("utf-8-sig"), "l.csv")
    assert block.kind == "leika" and [r.line for r in block.rows] == [2, 3]
    assert block.rows[0].sdg1 and not block.rows[0].sdg2 and block.rows[1].sdg2
    ozg = "OZG-ID,OZG-Leistung,Themenfeld,Lebenslage\n10000,Elterngeld,Familie & Kind,Geburt\n"
    [block] = parse_bytes(ozg.encode(), "o.csv")
    assert block.kind == "ozg" and block.rows[0].themenfeld == "Familie & Kind"


def test_unknown_layout_is_an_error() -> None:
    with pytest.raises(SourceError, match="unbekanntes Format"):
        parse_bytes(b"a;b\n1;2\n", "x.csv")


def test_source_for() -> None:
    assert isinstance(source_for("https://example.org/leika.csv"), UrlSource)
    assert isinstance(source_for("daten/leika.csv"), FileSource)
    with pytest.raises(SourceError):
        source_for("ftp://example.org/leika.csv")


def test_synthetic_keys_are_stable() -> None:
    assert synthetic_key("10478", "Prüfung") == synthetic_key("10478", " prüfung ")
    assert synthetic_key("10478", "A") != synthetic_key("10479", "A")
