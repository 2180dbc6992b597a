"""Where catalogue data comes from.

A *source* yields one or more ``SourceData`` blocks: rows of the OZG catalogue (``kind="ozg"``)
or of the LeiKa (``kind="leika"``), each row with the line it came from (for error messages).
Built in: files and HTTP(S) URLs holding CSV (the layout of the bundled snapshot, or the FIM
portal's LeiKa download: ``;``-separated, ISO-8859-1) or XLSX. Plugins add further sources
through the hook ``kommpass_register_catalog_sources``; a source only has to satisfy the
``CatalogSource`` protocol below.

Remote sources are fetched with TLS verification, timeouts and conditional requests: the
``ETag`` / ``Last-Modified`` of the last *successful* sync are sent as ``If-None-Match`` /
``If-Modified-Since``; a ``304 Not Modified`` yields a block with ``not_modified=True`` and
the sync leaves that part of the catalogue as it is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import httpx

Kind = Literal["ozg", "leika"]

#: Largest file a source may deliver (the real LeiKa download is ~5 MB).
MAX_BYTES = 100 * 1024 * 1024
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class SourceError(Exception):
    """A source could not be read at all (unreachable, unknown layout). Message is German."""


@dataclass(frozen=True)
class SourceState:
    """What the last successful sync saw of a source (for conditional requests)."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class OzgRow:
    line: int
    ozg_id: str
    name: str
    themenfeld: str
    lebenslage: str


@dataclass(frozen=True)
class LeikaRow:
    line: int
    leika_key: str
    name: str
    leika_type: str = ""
    ozg_id: str = ""
    legal_basis: str = ""
    laws: str = ""
    law_abbreviations: str = ""
    sdg1: bool = False
    sdg2: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class SourceData:
    """One block of rows from a source.

    ``fields`` names the LeikaRow fields the source really provides; for existing entries
    the sync keeps the stored value of every other field (the FIM download, for example,
    has no OZG-ID column, so a sync from it keeps the OZG assignment).
    """

    kind: Kind
    source: str
    rows: list[Any] = field(default_factory=list)
    fields: frozenset[str] = frozenset()
    not_modified: bool = False
    #: New state to store after a successful sync (remote sources).
    state: SourceState | None = None


@runtime_checkable
class CatalogSource(Protocol):
    """A catalogue source. ``name`` identifies it (a path, URL or ``plugin:…``)."""

    name: str

    async def load(self, state: SourceState | None) -> list[SourceData]:
        """Return the source's blocks; ``state`` is what the last successful sync stored."""
        ...


# --- parsing ---------------------------------------------------------------------------------
LEIKA_FIELDS_SNAPSHOT = frozenset(
    {"name", "leika_type", "ozg_id", "legal_basis", "laws", "law_abbreviations", "sdg1", "sdg2"}
)

_HEADER_ALIASES: dict[str, str] = {
    # LeiKa (snapshot layout)
    "schluessel": "leika_key",
    "schlüssel": "leika_key",
    "leistungsschluessel": "leika_key",
    "leistungsschlüssel": "leika_key",
    "leika-schluessel": "leika_key",
    "leika-schlüssel": "leika_key",
    "bezeichnung": "name",
    "typ": "leika_type",
    "leika-typ": "leika_type",
    "ozg-id": "ozg_id",
    "ozg id": "ozg_id",
    "ozgid": "ozg_id",
    "ozg-leistungs-id": "ozg_id",
    "rechtsgrundlage": "legal_basis",
    "rechtsgrundlagen": "legal_basis",
    "gesetze": "laws",
    "gesetzeskuerzel": "law_abbreviations",
    "gesetzeskürzel": "law_abbreviations",
    "sdg1": "sdg1",
    "sdg2": "sdg2",
    # OZG catalogue
    "ozg-leistung": "ozg_name",
    "ozg leistung": "ozg_name",
    "leistungsbezeichnung": "ozg_name",
    "themenfeld": "themenfeld",
    "lebenslage": "lebenslage",
    "lebens- und geschäftslage": "lebenslage",
    # FIM LeiKa download: kept in ``extra``
    "leistungsgruppierung": "x:Leistungsgruppierung",
    "leistungskennung": "x:Leistungskennung",
    "verrichtung": "x:Verrichtung",
    "verrichtungsdetail": "x:Verrichtungsdetail",
    "bezeichnung 2": "x:Bezeichnung 2",
    "bezeichnung2": "x:Bezeichnung 2",
    "synonyme": "x:Synonyme",
    "besondere merkmale": "x:Besondere Merkmale",
    "veröffentlichungsdatum": "x:Veröffentlichungsdatum",
    "veroeffentlichungsdatum": "x:Veröffentlichungsdatum",
    "gruppierung": "x:Gruppierung",
    "kennung": "x:Kennung",
    "verrichtungskennung": "x:Verrichtungskennung",
    "status": "x:Status",
    "begriffe im kontext": "x:Begriffe im Kontext",
}


def _norm_header(name: str) -> str:
    key = re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().strip('"')).lower()
    return _HEADER_ALIASES.get(key, "x:" + name.strip())


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252/ISO-8859-1 (the FIM download)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict") if _cp1252_ok(data) else data.decode("latin-1")


def _cp1252_ok(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "ja", "x", "true", "wahr", "yes", "j"}


def _rows_from_table(
    header: Sequence[str], records: Iterable[tuple[int, Sequence[Any]]], source: str
) -> SourceData:
    names = [_norm_header(str(h or "")) for h in header]
    present = set(names)
    if "leika_key" in present:
        kind: Kind = "leika"
    elif {"ozg_id", "ozg_name"} <= present:
        kind = "ozg"
    else:
        raise SourceError(
            f"{source}: unbekanntes Format – erwartet wird eine LeiKa-Liste (Spalte „Schluessel“) "
            "oder der OZG-Katalog (Spalten „OZG-ID“ und „OZG-Leistung“)."
        )
    rows: list[Any] = []
    for line, values in records:
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        record: dict[str, str] = {}
        extra: dict[str, str] = {}
        for name, value in zip(names, cells, strict=False):
            if name.startswith("x:"):
                if value:
                    extra[name[2:]] = value
            else:
                record[name] = value
        if kind == "ozg":
            rows.append(
                OzgRow(
                    line=line,
                    ozg_id=record.get("ozg_id", ""),
                    name=record.get("ozg_name", ""),
                    themenfeld=record.get("themenfeld", ""),
                    lebenslage=record.get("lebenslage", ""),
                )
            )
        else:
            rows.append(
                LeikaRow(
                    line=line,
                    leika_key=record.get("leika_key", ""),
                    name=record.get("name", ""),
                    leika_type=record.get("leika_type", ""),
                    ozg_id=record.get("ozg_id", ""),
                    legal_basis=record.get("legal_basis", ""),
                    laws=record.get("laws", ""),
                    law_abbreviations=record.get("law_abbreviations", ""),
                    sdg1=_truthy(record.get("sdg1", "")),
                    sdg2=_truthy(record.get("sdg2", "")),
                    extra=extra,
                )
            )
    fields = frozenset(n for n in names if not n.startswith("x:") and n != "leika_key") | {"extra"}
    if kind == "leika" and "name" not in fields:
        raise SourceError(f"{source}: die LeiKa-Liste hat keine Spalte „Bezeichnung“.")
    return SourceData(kind=kind, source=source, rows=rows, fields=fields)


def parse_csv(data: bytes, source: str) -> SourceData:
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(f"{source}: die Datei ist leer.") from None

    def records() -> Iterable[tuple[int, list[str]]]:
        for values in reader:
            yield reader.line_num, values

    try:
        return _rows_from_table(header, records(), source)
    except csv.Error as exc:
        raise SourceError(f"{source}: CSV nicht lesbar (Zeile {reader.line_num}): {exc}") from exc


def parse_xlsx(data: bytes, source: str) -> list[SourceData]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SourceError(f"{source}: Excel-Datei nicht lesbar ({exc}).") from exc
    blocks: list[SourceData] = []
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = next(rows, None)
            if not header:
                continue
            try:
                blocks.append(
                    _rows_from_table(
                        [str(h or "") for h in header],
                        ((i, list(r)) for i, r in enumerate(rows, start=2)),
                        f"{source}#{sheet.title}",
                    )
                )
            except SourceError:
                continue
    finally:
        workbook.close()
    if not blocks:
        raise SourceError(f"{source}: kein Tabellenblatt mit LeiKa- oder OZG-Daten gefunden.")
    return blocks


def parse_bytes(data: bytes, source: str) -> list[SourceData]:
    """Parse CSV or XLSX (recognised by content, not by name)."""
    if data[:2] == b"PK":
        return parse_xlsx(data, source)
    return [parse_csv(data, source)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- built-in sources ------------------------------------------------------------------------
@dataclass
class FileSource:
    """A local CSV/XLSX file."""

    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    async def load(self, state: SourceState | None) -> list[SourceData]:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise SourceError(f"Datei „{self.path}“ nicht lesbar: {exc.strerror or exc}.") from exc
        blocks = parse_bytes(data, self.name)
        for block in blocks:
            block.state = SourceState(sha256=sha256(data))
        return blocks


@dataclass
class UrlSource:
    """A CSV/XLSX file behind an HTTP(S) URL, fetched with a conditional request."""

    url: str
    timeout: httpx.Timeout = field(default_factory=lambda: HTTP_TIMEOUT)
    #: Set by the sync after loading: the response status (for reports and tests).
    last_status: int | None = None

    @property
    def name(self) -> str:
        return self.url

    async def load(self, state: SourceState | None) -> list[SourceData]:
        headers = {
            "User-Agent": "Kommpass-Katalogabgleich/1.0",
            "Accept": "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, */*",
        }
        if state and state.etag:
            headers["If-None-Match"] = state.etag
        if state and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            async with httpx.AsyncClient(
                timeout=self.timeout, verify=True, follow_redirects=True, max_redirects=5
            ) as client:
                async with client.stream("GET", self.url, headers=headers) as response:
                    self.last_status = response.status_code
                    if response.status_code == 304:
                        # The sync ignores the kind of a not-modified block: that part stays as it is.
                        return [SourceData(kind="ozg", source=self.url, not_modified=True, state=state)]
                    if response.status_code != 200:
                        raise SourceError(f"{self.url}: Server antwortet mit HTTP {response.status_code}.")
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > MAX_BYTES:
                            raise SourceError(f"{self.url}: Datei größer als {MAX_BYTES // 1_000_000} MB.")
                        chunks.append(chunk)
                    data = b"".join(chunks)
                    new_state = SourceState(
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                        sha256=sha256(data),
                    )
        except httpx.TimeoutException as exc:
            raise SourceError(f"{self.url}: Zeitüberschreitung beim Abruf.") from exc
        except httpx.HTTPError as exc:
            raise SourceError(f"{self.url}: Abruf fehlgeschlagen ({exc.__class__.__name__}: {exc}).") from exc
        blocks = parse_bytes(data, self.url)
        for block in blocks:
            block.state = new_state
        return blocks


def source_for(locator: str | Path | CatalogSource) -> CatalogSource:
    """A path, an ``http(s)://`` URL, or a ready source object (e.g. from a plugin)."""
    if isinstance(locator, (FileSource, UrlSource)) or (
        not isinstance(locator, (str, Path)) and isinstance(locator, CatalogSource)
    ):
        return locator
    text = str(locator)
    if text.startswith(("http://", "https://")):
        return UrlSource(text)
    if "://" in text:
        raise SourceError(f"{text}: nur Dateien sowie http:// und https:// werden unterstützt.")
    return FileSource(Path(text))
