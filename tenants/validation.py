"""Validation of the official municipality keys.

* AGS – Amtlicher Gemeindeschlüssel, 8 digits: Land (2), Regierungsbezirk (1), Kreis (2),
  Gemeinde (3). A Kreis has ``000`` as the Gemeinde part.
* ARS – Amtlicher Regionalschlüssel, 12 digits: Land (2), Regierungsbezirk (1), Kreis (2),
  Gemeindeverband (4), Gemeinde (3). Its AGS is ``ARS[0:5] + ARS[9:12]``.
"""

from __future__ import annotations

import re
from enum import StrEnum

_AGS = re.compile(r"^\d{8}$")
_ARS = re.compile(r"^\d{12}$")
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class Land(StrEnum):
    """The 16 Länder, keyed by the first two digits of AGS/ARS."""

    SH = "01"
    HH = "02"
    NI = "03"
    HB = "04"
    NW = "05"
    HE = "06"
    RP = "07"
    BW = "08"
    BY = "09"
    SL = "10"
    BE = "11"
    BB = "12"
    MV = "13"
    SN = "14"
    ST = "15"
    TH = "16"

    @property
    def label(self) -> str:
        return LAND_NAMES[self]


LAND_NAMES: dict[Land, str] = {
    Land.SH: "Schleswig-Holstein",
    Land.HH: "Hamburg",
    Land.NI: "Niedersachsen",
    Land.HB: "Bremen",
    Land.NW: "Nordrhein-Westfalen",
    Land.HE: "Hessen",
    Land.RP: "Rheinland-Pfalz",
    Land.BW: "Baden-Württemberg",
    Land.BY: "Bayern",
    Land.SL: "Saarland",
    Land.BE: "Berlin",
    Land.BB: "Brandenburg",
    Land.MV: "Mecklenburg-Vorpommern",
    Land.SN: "Sachsen",
    Land.ST: "Sachsen-Anhalt",
    Land.TH: "Thüringen",
}


class MunicipalityType(StrEnum):
    KREISFREIE_STADT = "kreisfreie_stadt"
    KREIS = "kreis"
    GROSSE_KREISANGEHOERIGE_STADT = "grosse_kreisangehoerige_stadt"
    MITTLERE_KREISANGEHOERIGE_STADT = "mittlere_kreisangehoerige_stadt"
    KREISANGEHOERIGE_GEMEINDE = "kreisangehoerige_gemeinde"

    @property
    def label(self) -> str:
        return MUNICIPALITY_TYPE_LABELS[self]


MUNICIPALITY_TYPE_LABELS: dict[MunicipalityType, str] = {
    MunicipalityType.KREISFREIE_STADT: "Kreisfreie Stadt",
    MunicipalityType.KREIS: "Kreis",
    MunicipalityType.GROSSE_KREISANGEHOERIGE_STADT: "Große kreisangehörige Stadt",
    MunicipalityType.MITTLERE_KREISANGEHOERIGE_STADT: "Mittlere kreisangehörige Stadt",
    MunicipalityType.KREISANGEHOERIGE_GEMEINDE: "Kreisangehörige Gemeinde",
}

#: KGSt size classes (Größenklassen) by population.
SIZE_CLASSES: dict[int, str] = {
    1: "GK 1: über 400.000 Einwohner",
    2: "GK 2: 200.000 bis 400.000 Einwohner",
    3: "GK 3: 100.000 bis 200.000 Einwohner",
    4: "GK 4: 50.000 bis 100.000 Einwohner",
    5: "GK 5: 25.000 bis 50.000 Einwohner",
    6: "GK 6: 10.000 bis 25.000 Einwohner",
    7: "GK 7: unter 10.000 Einwohner",
}


class KeyError_(ValueError):
    """An invalid AGS/ARS/slug; the message is German and names the field."""


def validate_ags(ags: str) -> str:
    ags = ags.strip()
    if not _AGS.match(ags):
        raise KeyError_(f"AGS „{ags}“ ist ungültig: erwartet werden genau 8 Ziffern.")
    if ags[:2] not in {land.value for land in Land}:
        raise KeyError_(f"AGS „{ags}“ ist ungültig: Landesschlüssel {ags[:2]} gibt es nicht (01–16).")
    return ags


def validate_ars(ars: str, *, ags: str | None = None) -> str:
    ars = ars.strip()
    if not _ARS.match(ars):
        raise KeyError_(f"ARS „{ars}“ ist ungültig: erwartet werden genau 12 Ziffern.")
    if ars[:2] not in {land.value for land in Land}:
        raise KeyError_(f"ARS „{ars}“ ist ungültig: Landesschlüssel {ars[:2]} gibt es nicht (01–16).")
    if ags is not None and ars[:5] + ars[9:] != ags:
        raise KeyError_(f"ARS „{ars}“ passt nicht zum AGS „{ags}“ (erwartet {ags[:5]}xxxx{ags[5:]}).")
    return ars


def validate_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise KeyError_(
            f"Kürzel „{slug}“ ist ungültig: nur Kleinbuchstaben, Ziffern und Bindestriche, "
            "höchstens 63 Zeichen, nicht mit Bindestrich beginnend oder endend."
        )
    return slug


def land_of(ags: str) -> Land:
    return Land(ags[:2])
