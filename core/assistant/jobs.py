"""Job-queue tasks of the assistant (registered in ``core.assistant.hooks``).

* ``assistant.reindex(scope=…)``: bring one index (``catalog``, ``network``, ``tenant:<id>``)
  up to date with the database, recording progress in ``assistant_index_builds``.
* ``assistant.apply_changes``: apply the change outbox for every scope that has entries
  (enqueued after each commit that touched indexed tables, and every minute by cron).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog
from sqlalchemy import delete, update

from core.assistant import sources as src
from core.assistant.models import IndexBuild, IndexChange
from core.db import platform_session, tenant_session
from core.models import utcnow

log = structlog.get_logger(__name__)


def _tenant_of(scope: str) -> uuid.UUID | None:
    return uuid.UUID(scope.split(":", 1)[1]) if scope.startswith("tenant:") else None


async def run_reindex(sessionmaker: Any, scope: str, *, data_dir: Any = None) -> dict[str, int]:
    """Reindex ``scope`` now, with progress rows (used by the job and the CLI)."""
    from core.assistant.engine import get_engine
    from core.assistant.service import refresh_scope, start_build

    engine = get_engine(data_dir)
    async with platform_session(sessionmaker) as session:
        build = await start_build(session, scope)
        build_id = build.id
    last = [0.0]

    def progress(done: int, total: int) -> None:
        # Called from the embedding loop; progress is written by a separate short transaction.
        now = time.monotonic()
        if now - last[0] < 2 and done < total:
            return
        last[0] = now
        pending.append((done, total))

    pending: list[tuple[int, int]] = []
    started = time.perf_counter()
    try:
        async with tenant_session(sessionmaker, _tenant_of(scope)) as session:
            import asyncio

            stop = asyncio.Event()

            async def writer() -> None:
                while not stop.is_set():
                    await asyncio.sleep(1)
                    if pending:
                        done, total = pending[-1]
                        pending.clear()
                        async with platform_session(sessionmaker) as s:
                            await s.execute(
                                update(IndexBuild)
                                .where(IndexBuild.id == build_id)
                                .values(done=done, total=total)
                            )

            task = asyncio.create_task(writer())
            try:
                counts = await refresh_scope(session, scope, engine=engine, progress=progress)
            finally:
                stop.set()
                await task
    except Exception as exc:
        async with platform_session(sessionmaker) as session:
            await session.execute(
                update(IndexBuild)
                .where(IndexBuild.id == build_id)
                .values(state="failed", message=str(exc)[:500], finished_at=utcnow())
            )
        raise
    index = engine.get(scope)
    n = len(index) if index is not None else 0
    async with platform_session(sessionmaker) as session:
        await session.execute(
            update(IndexBuild)
            .where(IndexBuild.id == build_id)
            .values(
                state="done",
                done=n,
                total=n,
                finished_at=utcnow(),
                message=(
                    f"{counts['added']} neu, {counts['changed']} geändert, {counts['removed']} entfernt, "
                    f"{counts['kept']} unverändert ({time.perf_counter() - started:.1f} s)"
                ),
            )
        )
    log.info("assistant.reindexed", scope=scope, **counts)
    return counts


async def reindex_job(scope: str, ctx: Any = None) -> dict[str, int]:
    return await run_reindex(ctx.sessionmaker, scope, data_dir=getattr(ctx.settings, "data_dir", None))


async def apply_changes(sessionmaker: Any, *, data_dir: Any = None) -> dict[str, dict[str, int]]:
    from core.assistant.engine import get_engine
    from core.assistant.service import pending_scopes, refresh_scope

    engine = get_engine(data_dir)
    async with platform_session(sessionmaker) as session:
        scopes = await pending_scopes(session)
    out: dict[str, dict[str, int]] = {}
    for scope in scopes:
        async with tenant_session(sessionmaker, _tenant_of(scope)) as session:
            if scope == "catalog" and not engine.exists(scope):
                # No catalogue index yet: its first full build (``assistant.reindex``, queued on
                # first start) reads the current catalogue anyway; an incremental update here
                # would be that whole build, inside whatever job happened to run it.
                await session.execute(delete(IndexChange).where(IndexChange.scope == scope))
                out[scope] = {"skipped": 1}
                continue
            out[scope] = await refresh_scope(session, scope, engine=engine)
    return out


async def apply_changes_job(ctx: Any = None) -> dict[str, dict[str, int]]:
    return await apply_changes(ctx.sessionmaker, data_dir=getattr(ctx.settings, "data_dir", None))


__all__ = ["apply_changes", "apply_changes_job", "reindex_job", "run_reindex", "src"]
