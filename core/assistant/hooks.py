"""Hook implementations of the assistant (auto-registered like every ``core.<area>.hooks``):
embedding backends, the extractive answer generator, jobs, CLI, demo content, start-up."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

import core.assistant.outbox  # noqa: F401  (registers the change-capture listeners)
from plugins.hookspecs import hookimpl
from plugins.types import JobDefinition

log = structlog.get_logger(__name__)


@hookimpl(trylast=True)
def kommpass_register_embedding_backends() -> list[Any]:
    from core.assistant.embeddings import builtin_backends

    return builtin_backends()


@hookimpl(trylast=True)
def kommpass_register_answer_generators() -> list[Any]:
    from core.assistant.answer import ExtractiveGenerator

    return [ExtractiveGenerator()]


@hookimpl
def kommpass_register_jobs() -> list[JobDefinition]:
    from core.assistant.jobs import apply_changes_job, reindex_job

    return [
        JobDefinition(name="assistant.reindex", function=reindex_job, timeout=1800),
        JobDefinition(
            name="assistant.apply_changes", function=apply_changes_job, cron="* * * * *", timeout=900
        ),
    ]


@hookimpl
def kommpass_register_commands(cli: Any) -> None:
    from core.assistant.cli import assistant

    cli.add_command(assistant)


@hookimpl(trylast=True)
async def kommpass_on_demo_seed(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    from core.assistant.demo import seed_demo_tenant

    await seed_demo_tenant(session, tenant_id)


@hookimpl(trylast=True)
async def kommpass_on_startup(sessionmaker: Any, settings: Any) -> None:
    """Load the persisted indexes; if the catalogue index is missing, queue its build, and if
    it was built with an older recipe, its update (the old one answers until then)."""
    from core.assistant.documents import catalog_index_outdated
    from core.assistant.engine import get_engine

    try:
        engine = get_engine(getattr(settings, "data_dir", None))
        loaded = engine.load_all()
        catalog = engine.get("catalog") if "catalog" in loaded else None
        outdated = catalog is not None and catalog_index_outdated(catalog.passages.values())
    except Exception:  # the assistant must never keep the app from starting
        log.exception("assistant.load_failed")
        return
    log.info("assistant.indexes_loaded", scopes=loaded, catalog_outdated=outdated)
    if ("catalog" in loaded and not outdated) or sessionmaker is None:
        return
    try:
        from core.jobs import JobQueue

        url = sessionmaker.kw["bind"].url.render_as_string(hide_password=False)
        queue = JobQueue(url, sessionmaker=sessionmaker, settings=settings)
        try:
            await queue.enqueue("assistant.reindex", key="assistant.reindex:catalog", scope="catalog")
        finally:
            await queue.close()
        log.info("assistant.catalog_index_queued")
    except Exception:
        log.exception("assistant.catalog_index_queue_failed")


@hookimpl
async def kommpass_on_catalog_synced(session: AsyncSession, version: int, changes: dict[str, Any]) -> None:
    """A catalogue sync writes with bulk statements, which the ORM change capture does not see:
    record the changed catalogue keys in the outbox (same transaction as the sync), so the
    catalogue index is brought up to date incrementally (only changed passages re-embedded)."""
    from sqlalchemy import insert

    from core.assistant.models import IndexChange
    from core.assistant.outbox import MAX_KEYS_PER_FLUSH

    rows: list[dict[str, str]] = []
    for table, delta in changes.items():
        if table not in ("ozg_leistungen", "leika_leistungen"):
            continue
        keys = [*delta.get("added", []), *delta.get("changed", []), *delta.get("removed", [])]
        if len(keys) > MAX_KEYS_PER_FLUSH:
            rows.append({"scope": "catalog", "kind": "*", "key": f"Version {version}: {len(keys)} Einträge"})
        else:
            rows.extend({"scope": "catalog", "kind": f"catalog_{table}", "key": str(k)[:200]} for k in keys)
    if rows:
        await session.execute(insert(IndexChange), rows)
        session.sync_session.info.setdefault("assistant_scopes", set()).add("catalog")
