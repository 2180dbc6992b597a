"""Progress values and the status letter derived from them (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass

STATUSES = ("P", "E", "U")
STATUS_LABELS = {"P": "in Planung", "E": "in Einführung", "U": "umgesetzt"}
CODES = ("a", "g")
CODE_LABELS = {"a": "a (Sonderfall laut Meldung)", "g": "g (Sonderfall laut Meldung)"}


def status_for(progress: int | None) -> str | None:
    """0–3 → P (in Planung), 4–7 → E (in Einführung), 8–10 → U (umgesetzt)."""
    if progress is None:
        return None
    if not 0 <= progress <= 10:
        raise ValueError(progress)
    return "P" if progress <= 3 else "E" if progress <= 7 else "U"


@dataclass(frozen=True)
class ProgressValue:
    """A parsed progress cell: a number 0–10 or a code a/g (never both)."""

    progress: int | None = None
    code: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.progress is None and self.code is None

    @property
    def display(self) -> str:
        if self.progress is not None:
            return str(self.progress)
        return self.code or ""


class ProgressError(ValueError):
    pass


def parse_progress(value: object) -> ProgressValue:
    """Read a progress cell or form value: 0–10, "a", "g", blank / "(Leer)" → empty."""
    if value is None:
        return ProgressValue()
    if isinstance(value, bool):
        raise ProgressError("Fortschritt muss eine Zahl von 0 bis 10 oder a/g sein.")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).replace("\u00a0", " ").strip()
        if text.lower() in ("", "(leer)", "leer"):
            return ProgressValue()
        if text.lower() in CODES:
            return ProgressValue(code=text.lower())
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ProgressError(
                f"„{text}“ ist kein Fortschritt: erlaubt sind Zahlen von 0 bis 10 sowie a und g."
            ) from None
    if not number.is_integer() or not 0 <= number <= 10:
        shown = int(number) if number.is_integer() else number
        raise ProgressError(f"Fortschritt {shown} liegt außerhalb der Skala 0–10.")
    return ProgressValue(progress=int(number))


def parse_status(value: object) -> str | None:
    """Read a status cell: P / E / U (case-insensitive), blank → None."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in ("", "(leer)", "leer"):
        return None
    if text.upper() in STATUSES:
        return text.upper()
    raise ProgressError(f"Unbekannter Status „{text}“: erlaubt sind P, E und U.")
