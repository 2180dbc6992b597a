"""Synchronising the catalogue from its sources.

What a caller may rely on:

* **Atomic.** Everything a sync writes – entries, the new ``CatalogVersion``, its per-entry
  ``CatalogChange`` rows and the stored source states – happens in one transaction, under a
  transaction-level advisory lock (two syncs never interleave). A failed, refused or killed
  sync leaves the previous version complete.
* **No-op when nothing changed.** The new state is compared with the stored one first; with
  no difference nothing is written and no version is created (``SyncResult.created`` False).
* **Validated.** Invalid rows (LeiKa key not 14 digits, unknown LeiKa type, duplicate key,
  OZG-ID unknown to the OZG catalogue – an empty OZG-ID is allowed –, OZG rows without ID or
  name, duplicate OZG-IDs) are reported with source and line number. The sync is refused
  (``SyncRefused``) unless ``skip_invalid=True``; then the skipped rows are listed in the
  result and stored with the version.
* **Partial sources.** Only the kinds present in the sources are replaced: a sync of only the
  LeiKa list keeps the OZG catalogue (and validates OZG-IDs against it); a ``304`` source is
  left as it is. Fields a source does not carry (the FIM download has no OZG-ID) keep their
  stored values.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.catalog.models import (
    CatalogChange,
    CatalogSourceState,
    CatalogVersion,
    Lebenslage,
    LeikaLeistung,
    OzgLeistung,
    Themenfeld,
)
from core.catalog.rules import is_municipal, is_valid_type
from core.catalog.sources import (
    CatalogSource,
    LeikaRow,
    OzgRow,
    SourceData,
    SourceState,
    source_for,
)
from core.errors import FieldError, ValidationFailed
from core.models import utcnow

log = structlog.get_logger(__name__)

#: Advisory lock key of the sync ("kommpass catalog").
SYNC_LOCK = 0x6B70_6361_7461

ENTITIES = ("themenfeld", "lebenslage", "ozg_leistung", "leika_leistung")
#: Names of the per-table counts in results and ``--json`` output.
TABLE_NAMES = {
    "ozg_leistung": "ozg_leistungen",
    "leika_leistung": "leika_leistungen",
    "themenfeld": "themenfelder",
    "lebenslage": "lebenslagen",
}
LEIKA_FIELDS = (
    "leika_key",
    "name",
    "leika_type",
    "municipal",
    "ozg_id",
    "legal_basis",
    "laws",
    "law_abbreviations",
    "sdg1",
    "sdg2",
    "extra",
)
_KEY = re.compile(r"^[0-9]{14}$")
_BATCH = 2000

Progress = Callable[[str], Any]


@dataclass(frozen=True)
class RowProblem:
    source: str
    line: int
    key: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "key": self.key, "message": self.message}

    def text(self) -> str:
        return f"{self.source}, Zeile {self.line}: {self.message}"


class SyncRefused(ValidationFailed):
    """The sources contain invalid rows and the sync was not told to skip them."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(
            errors=[FieldError(field=p.source, message=p.text(), row=p.line) for p in problems],
            message=f"Abgleich abgelehnt: {len(problems)} ungültige Zeile(n). Mit „überspringen“ "
            "werden sie ausgelassen.",
        )
        self.problems = problems


@dataclass
class SyncResult:
    version: int | None
    created: bool
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    #: Row counts after the sync (``ozg_leistungen``, ``leika_leistungen``, …).
    counts: dict[str, int] = field(default_factory=dict)
    #: Per table: added / changed / removed.
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[RowProblem] = field(default_factory=list)
    not_modified: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "version": self.version,
            "created": self.created,
            **self.counts,
            "tables": self.tables,
            "skipped": [p.as_dict() for p in self.skipped],
            "not_modified": self.not_modified,
            "sources": self.sources,
        }


# --- building the new state ------------------------------------------------------------------
def synthetic_key(ozg_id: str, name: str) -> str:
    digest = hashlib.sha1(name.strip().lower().encode(), usedforsecurity=False).hexdigest()[:10]
    return f"ozg-{ozg_id or 'x'}-{digest}"


@dataclass
class _Current:
    themenfelder: dict[str, dict[str, Any]]
    lebenslagen: dict[str, dict[str, Any]]
    ozg: dict[str, dict[str, Any]]
    leika: dict[str, dict[str, Any]]
    states: dict[str, SourceState]
    version: int | None


async def _load_current(session: AsyncSession) -> _Current:
    tf = {r.name: {"name": r.name} for r in (await session.execute(select(Themenfeld.name))).all()}
    ll = {
        r.name: {"name": r.name, "themenfeld": r.themenfeld}
        for r in (await session.execute(select(Lebenslage.name, Lebenslage.themenfeld))).all()
    }
    ozg = {
        r.ozg_id: {"ozg_id": r.ozg_id, "name": r.name, "themenfeld": r.themenfeld, "lebenslage": r.lebenslage}
        for r in (
            await session.execute(
                select(OzgLeistung.ozg_id, OzgLeistung.name, OzgLeistung.themenfeld, OzgLeistung.lebenslage)
            )
        ).all()
    }
    cols = [LeikaLeistung.key, *(getattr(LeikaLeistung, f) for f in LEIKA_FIELDS)]
    leika = {
        r[0]: dict(zip(("key", *LEIKA_FIELDS), r, strict=True))
        for r in (await session.execute(select(*cols))).all()
    }
    states = {
        r.locator: SourceState(etag=r.etag, last_modified=r.last_modified, sha256=r.sha256)
        for r in (await session.execute(select(CatalogSourceState))).scalars()
    }
    version = await session.scalar(select(func.max(CatalogVersion.id)))
    return _Current(tf, ll, ozg, leika, states, version)


def _build_ozg(blocks: list[SourceData], problems: list[RowProblem]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block in blocks:
        for row in block.rows:
            assert isinstance(row, OzgRow)
            if not row.ozg_id:
                problems.append(RowProblem(block.source, row.line, "", "OZG-ID fehlt."))
                continue
            if not row.name:
                problems.append(
                    RowProblem(block.source, row.line, row.ozg_id, f"OZG-Leistung {row.ozg_id} ohne Namen.")
                )
                continue
            if row.ozg_id in out:
                problems.append(
                    RowProblem(block.source, row.line, row.ozg_id, f"OZG-ID {row.ozg_id} doppelt.")
                )
                continue
            out[row.ozg_id] = {
                "ozg_id": row.ozg_id,
                "name": row.name,
                "themenfeld": row.themenfeld or None,
                "lebenslage": row.lebenslage or None,
            }
    return out


def _build_leika(
    blocks: list[SourceData],
    ozg_ids: set[str],
    current: dict[str, dict[str, Any]],
    problems: list[RowProblem],
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    seen_lines: dict[str, tuple[str, int]] = {}
    for block in blocks:
        provided = block.fields
        for row in block.rows:
            assert isinstance(row, LeikaRow)
            key = row.leika_key
            if key and not _KEY.match(key):
                problems.append(
                    RowProblem(block.source, row.line, key, f"LeiKa-Schlüssel „{key}“ hat nicht 14 Ziffern.")
                )
                continue
            if not row.name:
                problems.append(RowProblem(block.source, row.line, key, "Bezeichnung fehlt."))
                continue
            if not is_valid_type(row.leika_type):
                problems.append(
                    RowProblem(
                        block.source, row.line, key, f"Unbekannter LeiKa-Typ „{row.leika_type}“ ({row.name})."
                    )
                )
                continue
            if row.ozg_id and row.ozg_id not in ozg_ids:
                problems.append(
                    RowProblem(
                        block.source,
                        row.line,
                        key,
                        f"OZG-ID {row.ozg_id} ist im OZG-Katalog unbekannt ({row.name}).",
                    )
                )
                continue
            if key:
                if key in seen_lines:
                    _src, line = seen_lines[key]
                    problems.append(
                        RowProblem(
                            block.source,
                            row.line,
                            key,
                            f"LeiKa-Schlüssel {key} doppelt (schon in Zeile {line}).",
                        )
                    )
                    continue
                seen_lines[key] = (block.source, row.line)
                entry_key = key
            else:
                base = synthetic_key(row.ozg_id, row.name)
                entry_key, n = base, 1
                while entry_key in out:
                    n += 1
                    entry_key = f"{base}-{n}"
            record: dict[str, Any] = {
                "key": entry_key,
                "leika_key": key or None,
                "name": row.name,
                "leika_type": row.leika_type,
                "ozg_id": row.ozg_id or None,
                "legal_basis": row.legal_basis,
                "laws": row.laws,
                "law_abbreviations": row.law_abbreviations,
                "sdg1": row.sdg1,
                "sdg2": row.sdg2,
                "extra": dict(row.extra),
            }
            old = current.get(entry_key)
            if old is not None:
                for name in (
                    "leika_type",
                    "ozg_id",
                    "legal_basis",
                    "laws",
                    "law_abbreviations",
                    "sdg1",
                    "sdg2",
                ):
                    if name not in provided:
                        record[name] = old[name]
            record["municipal"] = is_municipal(record["leika_type"])
            out[entry_key] = record
    return out


def _diff(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
) -> tuple[list[str], list[str], list[str], int]:
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    changed = [k for k in new if k in old and new[k] != old[k]]
    return added, changed, removed, len(new) - len(added) - len(changed)


# --- the sync ------------------------------------------------------------------------------
async def load_sources(sources: Sequence[CatalogSource], states: dict[str, SourceState]) -> list[SourceData]:
    blocks: list[SourceData] = []
    for source in sources:
        blocks.extend(await source.load(states.get(source.name)))
    return blocks


async def sync_catalog(
    sessionmaker: async_sessionmaker[AsyncSession],
    sources: Iterable[str | Path | CatalogSource],
    *,
    skip_invalid: bool = False,
    triggered_by: str | None = None,
    on_progress: Progress | None = None,
    pm: Any = None,
) -> SyncResult:
    """Synchronise the catalogue from ``sources`` (paths, URLs or source objects).

    ``pm``: the plugin manager whose ``kommpass_on_catalog_synced`` is called (default: the
    process-wide one)."""
    resolved = [source_for(s) for s in sources]
    progress = on_progress or (lambda _stage: None)
    async with sessionmaker() as session:
        async with session.begin():
            states = {
                r.locator: SourceState(etag=r.etag, last_modified=r.last_modified, sha256=r.sha256)
                for r in (await session.execute(select(CatalogSourceState))).scalars()
            }
    blocks = await load_sources(resolved, states)
    progress("loaded")
    async with sessionmaker() as session:
        async with session.begin():
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SYNC_LOCK})
            result = await _sync_in_transaction(
                session,
                blocks,
                [s.name for s in resolved],
                skip_invalid=skip_invalid,
                triggered_by=triggered_by,
                progress=progress,
                pm=pm,
            )
            progress("commit")
    log.info(
        "catalog.sync",
        version=result.version,
        created=result.created,
        added=result.added,
        changed=result.changed,
        removed=result.removed,
        skipped=len(result.skipped),
    )
    return result


async def _sync_in_transaction(
    session: AsyncSession,
    blocks: list[SourceData],
    source_names: list[str],
    *,
    skip_invalid: bool,
    triggered_by: str | None,
    progress: Progress,
    pm: Any = None,
) -> SyncResult:
    current = await _load_current(session)
    modified = [b for b in blocks if not b.not_modified]
    not_modified = sorted({b.source for b in blocks if b.not_modified})
    ozg_blocks = [b for b in modified if b.kind == "ozg"]
    leika_blocks = [b for b in modified if b.kind == "leika"]
    problems: list[RowProblem] = []

    if ozg_blocks:
        new_ozg = _build_ozg(ozg_blocks, problems)
        new_tf = {r["themenfeld"]: {"name": r["themenfeld"]} for r in new_ozg.values() if r["themenfeld"]}
        new_ll: dict[str, dict[str, Any]] = {}
        for r in new_ozg.values():
            if r["lebenslage"] and r["lebenslage"] not in new_ll:
                new_ll[r["lebenslage"]] = {"name": r["lebenslage"], "themenfeld": r["themenfeld"]}
    else:
        new_ozg, new_tf, new_ll = current.ozg, current.themenfelder, current.lebenslagen
    if leika_blocks:
        new_leika = _build_leika(leika_blocks, set(new_ozg), current.leika, problems)
    else:
        new_leika = current.leika
        # OZG-Leistungen that stay referenced by LeiKa entries cannot disappear.
        for rec in new_leika.values():
            if rec["ozg_id"] and rec["ozg_id"] not in new_ozg:
                problems.append(
                    RowProblem(
                        "Katalog",
                        0,
                        rec["key"],
                        f"OZG-ID {rec['ozg_id']} fehlt im neuen OZG-Katalog, wird aber von "
                        f"LeiKa-Leistung „{rec['name']}“ verwendet.",
                    )
                )
    if problems and (not skip_invalid or (not leika_blocks and any(p.line == 0 for p in problems))):
        raise SyncRefused(problems)
    progress("validated")

    diffs = {
        "themenfeld": (current.themenfelder, new_tf),
        "lebenslage": (current.lebenslagen, new_ll),
        "ozg_leistung": (current.ozg, new_ozg),
        "leika_leistung": (current.leika, new_leika),
    }
    computed = {entity: _diff(old, new) for entity, (old, new) in diffs.items()}
    counts = {
        "ozg_leistungen": len(new_ozg),
        "leika_leistungen": len(new_leika),
        "themenfelder": len(new_tf),
        "lebenslagen": len(new_ll),
        "leika_mit_schluessel": sum(1 for r in new_leika.values() if r["leika_key"]),
        "leika_ohne_ozg": sum(1 for r in new_leika.values() if not r["ozg_id"]),
        "leika_kommunal": sum(1 for r in new_leika.values() if r["municipal"]),
    }
    tables = {
        TABLE_NAMES[e]: {"added": len(a), "changed": len(c), "removed": len(r)}
        for e, (a, c, r, _u) in computed.items()
    }
    result = SyncResult(
        version=current.version,
        created=False,
        added=sum(len(a) for a, _c, _r, _u in computed.values()),
        changed=sum(len(c) for _a, c, _r, _u in computed.values()),
        removed=sum(len(r) for _a, _c, r, _u in computed.values()),
        unchanged=sum(u for *_rest, u in computed.values()),
        counts=counts,
        tables=tables,
        skipped=problems,
        not_modified=not_modified,
        sources=source_names,
    )
    await _store_states(session, blocks, current.states)
    if not (result.added or result.changed or result.removed):
        return result

    version = CatalogVersion(
        created_at=utcnow(),
        sources=source_names,
        triggered_by=triggered_by,
        added=result.added,
        changed=result.changed,
        removed=result.removed,
        unchanged=result.unchanged,
        counts={**counts, "tables": tables},
        skipped=[p.as_dict() for p in problems],
    )
    session.add(version)
    await session.flush()
    result.version, result.created = version.id, True

    # Write order respects the foreign keys: parents before children on insert, the reverse
    # on delete.
    await _upsert(session, Themenfeld, "name", new_tf, computed["themenfeld"])
    await _upsert(session, Lebenslage, "name", new_ll, computed["lebenslage"])
    await _upsert(session, OzgLeistung, "ozg_id", new_ozg, computed["ozg_leistung"])
    progress("wrote:ozg_leistung")
    leika_removed = computed["leika_leistung"][2]
    await _delete(session, LeikaLeistung, "key", leika_removed)
    # Keyless entries may take over a LeiKa key a removed entry held: free it first.
    await _upsert(session, LeikaLeistung, "key", new_leika, computed["leika_leistung"])
    progress("wrote:leika_leistung")
    await _delete(session, OzgLeistung, "ozg_id", computed["ozg_leistung"][2])
    await _delete(session, Lebenslage, "name", computed["lebenslage"][2])
    await _delete(session, Themenfeld, "name", computed["themenfeld"][2])

    changes: list[dict[str, Any]] = []
    for entity, (old, new) in diffs.items():
        added, changed, removed, _u = computed[entity]
        for k in added:
            changes.append(_change(version.id, entity, k, "added", None, new[k]))
        for k in changed:
            changes.append(_change(version.id, entity, k, "changed", old[k], new[k]))
        for k in removed:
            changes.append(_change(version.id, entity, k, "removed", old[k], None))
    for start in range(0, len(changes), _BATCH):
        await session.execute(CatalogChange.__table__.insert(), changes[start : start + _BATCH])
    progress("wrote:changes")
    await _notify(session, version.id, computed, pm)
    return result


def _change(
    version_id: int,
    entity: str,
    key: str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    ref = after or before or {}
    if before is not None and after is not None:
        # Keep only what changed (plus the name) to keep the diff readable and small.
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed | {"name"}) if k in before}
        after = {k: after.get(k) for k in sorted(changed | {"name"})}
    return {
        "version_id": version_id,
        "entity": entity,
        "key": key[:100],
        "action": action,
        "label": str(ref.get("name", key)),
        "before": before,
        "after": after,
    }


async def _upsert(
    session: AsyncSession,
    model: Any,
    pk: str,
    new: dict[str, dict[str, Any]],
    diff: tuple[list[str], list[str], list[str], int],
) -> None:
    added, changed, _removed, _u = diff
    table = model.__table__
    rows = [new[k] for k in added]
    for start in range(0, len(rows), _BATCH):
        await session.execute(table.insert(), rows[start : start + _BATCH])
    if changed:
        cols = [c for c in new[changed[0]] if c != pk]
        if cols:
            stmt = pg_insert(table)
            stmt = stmt.on_conflict_do_update(index_elements=[pk], set_={c: stmt.excluded[c] for c in cols})
            rows = [new[k] for k in changed]
            if model is LeikaLeistung:
                # A LeiKa key moving between entries: clear the changed ones' keys first.
                await session.execute(update(table).where(table.c.key.in_(changed)).values(leika_key=None))
            for start in range(0, len(rows), _BATCH):
                await session.execute(stmt, rows[start : start + _BATCH])


async def _delete(session: AsyncSession, model: Any, pk: str, keys: list[str]) -> None:
    table = model.__table__
    for start in range(0, len(keys), _BATCH):
        await session.execute(delete(table).where(table.c[pk].in_(keys[start : start + _BATCH])))


async def _store_states(
    session: AsyncSession, blocks: list[SourceData], current: dict[str, SourceState]
) -> None:
    """Remember ETag/Last-Modified/hash of each fetched source (only when they differ)."""
    seen: dict[str, SourceState] = {}
    for block in blocks:
        if block.state is not None and not block.not_modified:
            seen[block.source.split("#", 1)[0]] = block.state
    for locator, state in seen.items():
        if current.get(locator) == state:
            continue
        stmt = pg_insert(CatalogSourceState.__table__).values(
            locator=locator,
            etag=state.etag,
            last_modified=state.last_modified,
            sha256=state.sha256,
            checked_at=utcnow(),
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["locator"],
                set_={
                    "etag": stmt.excluded.etag,
                    "last_modified": stmt.excluded.last_modified,
                    "sha256": stmt.excluded.sha256,
                    "checked_at": stmt.excluded.checked_at,
                },
            )
        )


async def _notify(session: AsyncSession, version_id: int,
                  computed: dict[str, tuple[list[str], list[str], list[str], int]], pm: Any) -> None:
    """Call ``kommpass_on_catalog_synced`` inside the sync's transaction (e.g. for the assistant's
    index): per table the keys added, changed and removed."""
    from plugins.manager import call_async, get_plugin_manager

    changes = {
        TABLE_NAMES[e]: {"added": a, "changed": c, "removed": r} for e, (a, c, r, _u) in computed.items()
    }
    hook = (pm or get_plugin_manager()).hook.kommpass_on_catalog_synced
    await call_async(hook, session=session, version=version_id, changes=changes)
