"""Passages (what the index holds) and the catalogue's passages.

A passage is identified by ``doc_id`` = ``"<kind>:<key>"`` (unique within one index). Its
``text`` is what is keyword-indexed and, unless ``embed_parts`` says otherwise, embedded;
``title``/``url``/``meta`` are what an answer shows; ``keywords`` are added to ``text`` on the
keyword (BM25) side and never shown. Catalogue passages follow the measured recipe of
``shared/eval``: every LeiKa service as "Bezeichnung | OZG-Leistung | Lebenslage | Themenfeld"
and every OZG-Leistung with its Lebenslage and Themenfeld.

Search terms (document expansion): the curated terms of an OZG-Leistung
(``data/suchbegriffe.tsv``: everyday words, abbreviations, typical objects and situations) are
the ``keywords`` of its passage and of its LeiKa services, and one more embedded part of each.
Measured on the development set and the held-out sets (``benchmarks/bench_assistant.py``,
figures in the README, "Assistent"): on the keyword side alone they raised hit@10 / MRR@10 on
all three sets; embedding them as well (an extra part) raised MRR further on the development
set and held-out set B, for 16 % more tokens through the model at build time (splitting the
LeiKa names, below, saved more than that).

``embed_parts``: the passage's vector is the normalised sum of its parts' vectors, each part
embedded on its own, and a part shared by many passages only once per build. A LeiKa
service's vector is made of its Bezeichnung (as Leistungsobjekt and Verrichtung, see
``leika_name_parts``), its OZG-Leistung's text (which is also the OZG passage's own text) and
the OZG-Leistung's search terms: the catalogue's 5,806 passages then need about 79,000
instead of 205,000 tokens through the model, and retrieval was as good or better on all
three question sets (``benchmarks/bench_assistant.py``; figures in the README, "Assistent").
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from plugins.types import AssistantDocument

#: Longest passage text kept (characters); e5 sees 512 tokens anyway.
MAX_TEXT = 2000


@dataclass
class Passage:
    kind: str
    key: str
    title: str
    text: str
    url: str
    tenant_id: str | None = None
    heading_path: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    #: Embedded instead of ``text``, each on its own; the vector is their normalised sum.
    embed_parts: tuple[str, ...] = ()
    #: Added to ``text`` on the keyword side only (not embedded, not shown; see the module).
    keywords: str = ""

    @property
    def doc_id(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def embed_texts(self) -> tuple[str, ...]:
        """What is put through the embedding model for this passage."""
        return self.embed_parts or (self.text,)

    @property
    def keyword_text(self) -> str:
        """What the keyword (BM25) side indexes: ``text`` and the ``keywords``."""
        return f"{self.text}\n{self.keywords}" if self.keywords else self.text

    @property
    def digest(self) -> str:
        """Changes whenever the passage must be embedded again (text or parts changed; not
        the ``keywords``, which only the keyword side sees)."""
        data = self.text if not self.embed_parts else "\x1f".join((self.text, *self.embed_parts))
        return hashlib.sha1(data.encode("utf-8"), usedforsecurity=False).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "title": self.title,
            "text": self.text,
            "url": self.url,
            "tenant_id": self.tenant_id,
            "heading_path": list(self.heading_path),
            "meta": self.meta,
            **({"embed_parts": list(self.embed_parts)} if self.embed_parts else {}),
            **({"keywords": self.keywords} if self.keywords else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Passage:
        return cls(
            kind=data["kind"],
            key=data["key"],
            title=data["title"],
            text=data["text"],
            url=data["url"],
            tenant_id=data.get("tenant_id"),
            heading_path=tuple(data.get("heading_path") or ()),
            meta=data.get("meta") or {},
            embed_parts=tuple(data.get("embed_parts") or ()),
            keywords=data.get("keywords") or "",
        )

    @classmethod
    def from_document(cls, doc: AssistantDocument) -> Passage:
        text = doc.text
        if doc.heading_path:
            text = " › ".join(doc.heading_path) + "\n" + text
        return cls(
            kind=doc.kind,
            key=doc.key,
            title=doc.title,
            text=text[:MAX_TEXT],
            url=doc.url,
            tenant_id=str(doc.tenant_id) if doc.tenant_id else None,
            heading_path=tuple(doc.heading_path),
            meta=dict(doc.meta),
        )


@dataclass
class Hit:
    """A passage found for a query, with its fused score and the parts it came from."""

    passage: Passage
    score: float
    dense: float | None = None
    keyword: float | None = None
    scope: str = ""

    @property
    def ozg_id(self) -> str | None:
        value = self.passage.meta.get("ozg_id")
        return str(value) if value else None

    @property
    def leika_key(self) -> str | None:
        value = self.passage.meta.get("leika_key")
        return str(value) if value else None


# --- catalogue ------------------------------------------------------------------------------
@dataclass(frozen=True)
class OzgRow:
    ozg_id: str
    name: str
    themenfeld: str
    lebenslage: str


@dataclass(frozen=True)
class LeikaRow:
    key: str  # catalogue primary key (14-digit LeiKa key or a synthetic key)
    leika_key: str | None
    name: str
    leika_type: str
    ozg_id: str | None
    legal_basis: str = ""
    law_abbreviations: str = ""


def leika_url(row: LeikaRow) -> str:
    return f"/katalog/leika/{row.key}"


def ozg_url(ozg_id: str) -> str:
    return f"/katalog/ozg/{ozg_id}"


SEARCH_TERMS = Path(__file__).parent / "data" / "suchbegriffe.tsv"


@lru_cache(maxsize=1)
def search_terms() -> dict[str, str]:
    """OZG-ID -> the curated search terms of that OZG-Leistung (``data/suchbegriffe.tsv``:
    OZG-ID, name, comma-separated terms), as one keyword text."""
    out: dict[str, str] = {}
    for line in SEARCH_TERMS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            continue
        ozg_id = cols[0].strip()
        terms = [t.strip() for t in cols[2].split(",") if t.strip()]
        if ozg_id and terms:
            out[ozg_id] = ", ".join(terms)
    return out


CATALOG_PASSAGE_KINDS = frozenset({"ozg", "leika"})


def catalog_index_outdated(passages: Iterable[Passage]) -> bool:
    """The catalogue index was built with an older recipe and needs one catalogue reindex:
    before LeiKa services were embedded from their parts, or with other search terms than
    ``data/suchbegriffe.tsv`` holds now (the reindex embeds the passages whose parts changed
    and rebuilds the keyword side; until it is done the older index answers)."""
    terms = search_terms()
    for p in passages:
        if p.kind not in CATALOG_PASSAGE_KINDS:
            continue
        ozg_id = str(p.meta.get("ozg_id") or "")
        if p.kind == "leika" and ozg_id and not p.embed_parts:
            return True
        if p.keywords != terms.get(ozg_id, ""):
            return True
    return False


def ozg_text(o: OzgRow) -> str:
    """An OZG-Leistung as embedded and indexed: "OZG-Leistung | Lebenslage | Themenfeld"."""
    return " | ".join(p for p in (o.name, o.lebenslage, o.themenfeld) if p)[:MAX_TEXT]


def leika_name_parts(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each LeiKa name as embedded. LeiKa names are built as Leistungsobjekt + Verrichtung
    (+ detail): "Führerschein", "Führerschein Ersatz wegen Verlust". When a shorter name of the
    catalogue is a word prefix of a name (the object on its own), the name is embedded as that
    object and the rest, each a part of its own: the object's vector is shared by its
    variants and a Verrichtung ("Erteilung", "Ausstellung") by many services. That took the
    LeiKa names from 84,000 to 51,000 tokens through the model and kept or raised hit@10 /
    MRR@10 on all three question sets."""
    known = set(names)
    out: dict[str, tuple[str, ...]] = {}
    for name in known:
        words_ = name.split(" ")
        out[name] = (name,)
        for k in range(len(words_) - 1, 0, -1):
            head = " ".join(words_[:k])
            if head in known:
                out[name] = (head, " ".join(words_[k:]))
                break
    return out


def catalog_passages(
    ozg: Iterable[OzgRow], leika: Iterable[LeikaRow], terms: Mapping[str, str] | None = None
) -> list[Passage]:
    """The catalogue's passages; ``terms``: OZG-ID -> search terms (default:
    ``search_terms()``), the keywords and an embedded part of an OZG-Leistung's passages."""
    from core.assistant.catalog import is_municipal

    if terms is None:
        terms = search_terms()
    ozg_by_id = {o.ozg_id: o for o in ozg}
    leika = list(leika)
    name_parts = leika_name_parts(row.name for row in leika)
    passages: list[Passage] = []
    for row in leika:
        o = ozg_by_id.get(row.ozg_id or "")
        own_terms = terms.get(o.ozg_id, "") if o is not None else ""
        parts = [row.name]
        if o is not None:
            parts += [o.name, o.lebenslage, o.themenfeld]
        passages.append(
            Passage(
                kind="leika",
                key=row.key,
                title=row.name,
                text=" | ".join(p for p in parts if p),
                embed_parts=(
                    (*name_parts[row.name], ozg_text(o), *((own_terms,) if own_terms else ()))
                    if o is not None and row.name
                    else ()
                ),
                keywords=own_terms,
                url=leika_url(row),
                meta={
                    "ozg_id": row.ozg_id,
                    "leika_key": row.leika_key,
                    "leika_type": row.leika_type,
                    "municipal": is_municipal(row.leika_type),
                    "themenfeld": o.themenfeld if o else None,
                    "lebenslage": o.lebenslage if o else None,
                    "legal_basis": row.law_abbreviations or "",
                },
            )
        )
    for o in ozg_by_id.values():
        # The OZG-Leistung alone (its services are passages of their own): long lists of
        # service names made no difference to retrieval but made embedding several times slower.
        passages.append(
            Passage(
                kind="ozg",
                key=o.ozg_id,
                title=o.name,
                text=ozg_text(o),
                embed_parts=(ozg_text(o), terms[o.ozg_id]) if terms.get(o.ozg_id) else (),
                keywords=terms.get(o.ozg_id, ""),
                url=ozg_url(o.ozg_id),
                meta={"ozg_id": o.ozg_id, "themenfeld": o.themenfeld, "lebenslage": o.lebenslage},
            )
        )
    return passages


def read_catalog_csv(folder: Path) -> tuple[list[OzgRow], list[LeikaRow]]:
    """The catalogue extract as CSV files (``ozg-leistungen.csv``, ``leika-leistungen.csv``)."""
    with (folder / "ozg-leistungen.csv").open(encoding="utf-8", newline="") as fh:
        ozg = [
            OzgRow(
                r["OZG-ID"].strip(),
                r["OZG-Leistung"].strip(),
                r["Themenfeld"].strip(),
                r["Lebenslage"].strip(),
            )
            for r in csv.DictReader(fh, delimiter=";")
        ]
    leika: list[LeikaRow] = []
    seen: set[str] = set()
    with (folder / "leika-leistungen.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            code = (r["Schluessel"] or "").strip()
            ozg_id = (r["OZG-ID"] or "").strip() or None
            name = r["Bezeichnung"].strip()
            if code:
                key = code
            else:  # the catalogue's own synthetic key (core.catalog.sync.synthetic_key)
                digest = hashlib.sha1(name.lower().encode(), usedforsecurity=False).hexdigest()[:10]
                base = key = f"ozg-{ozg_id or 'x'}-{digest}"
                n = 1
                while key in seen:
                    n += 1
                    key = f"{base}-{n}"
            if key in seen:
                continue
            seen.add(key)
            leika.append(
                LeikaRow(
                    key=key,
                    leika_key=code or None,
                    name=name,
                    leika_type=(r["Typ"] or "").strip(),
                    ozg_id=ozg_id,
                    legal_basis=(r.get("Rechtsgrundlage") or "").strip(),
                    law_abbreviations=(r.get("Gesetzeskuerzel") or "").strip(),
                )
            )
    return ozg, leika
