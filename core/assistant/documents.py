"""Passages (what the index holds) and the catalogue's passages.

A passage is identified by ``doc_id`` = ``"<kind>:<key>"`` (unique within one index). Its
``text`` is what is keyword-indexed and, unless ``embed_parts`` says otherwise, embedded;
``title``/``url``/``meta`` are what an answer shows. Catalogue passages follow the measured
recipe of ``shared/eval``: every LeiKa service as "Bezeichnung | OZG-Leistung | Lebenslage |
Themenfeld" and every OZG-Leistung with its Lebenslage and Themenfeld.

``embed_parts``: the passage's vector is the normalised sum of its parts' vectors, each part
embedded on its own, and a part shared by many passages only once per build. A LeiKa
service's vector is made of its Bezeichnung and its OZG-Leistung's text (which is also the
OZG passage's own text): the catalogue's 5,806 passages then need about 97,000 instead of
205,000 tokens through the model, and retrieval was as good or better on all three question
sets (``benchmarks/bench_assistant.py``; figures in the README, "Assistent").
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
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

    @property
    def doc_id(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def embed_texts(self) -> tuple[str, ...]:
        """What is put through the embedding model for this passage."""
        return self.embed_parts or (self.text,)

    @property
    def digest(self) -> str:
        """Changes whenever the passage must be embedded again (text or parts changed)."""
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


def catalog_index_outdated(passages: Iterable[Passage]) -> bool:
    """The catalogue index was built before LeiKa services were embedded from their parts
    (its vectors are those of the older recipe): it needs one catalogue reindex."""
    return any(p.kind == "leika" and p.meta.get("ozg_id") and not p.embed_parts for p in passages)


def ozg_text(o: OzgRow) -> str:
    """An OZG-Leistung as embedded and indexed: "OZG-Leistung | Lebenslage | Themenfeld"."""
    return " | ".join(p for p in (o.name, o.lebenslage, o.themenfeld) if p)[:MAX_TEXT]


def catalog_passages(ozg: Iterable[OzgRow], leika: Iterable[LeikaRow]) -> list[Passage]:
    from core.assistant.catalog import is_municipal

    ozg_by_id = {o.ozg_id: o for o in ozg}
    passages: list[Passage] = []
    for row in leika:
        o = ozg_by_id.get(row.ozg_id or "")
        parts = [row.name]
        if o is not None:
            parts += [o.name, o.lebenslage, o.themenfeld]
        passages.append(
            Passage(
                kind="leika",
                key=row.key,
                title=row.name,
                text=" | ".join(p for p in parts if p),
                embed_parts=(row.name, ozg_text(o)) if o is not None and row.name else (),
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
