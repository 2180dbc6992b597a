"""Change capture for incremental index updates.

An ``after_flush`` listener on every SQLAlchemy session writes the keys of changed rows of
the indexed tables to ``assistant_index_changes`` — in the same transaction, so a rolled
back edit leaves no trace and a committed one is never missed. The job
``assistant.apply_changes`` (and, for the asking tenant, the next question) brings the
affected index up to date, embedding only passages whose text changed.

Tables are recognised by name, so the assistant needs no import of the other areas.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from core.assistant.models import IndexChange

log = structlog.get_logger(__name__)

TENANT_TABLES: frozenset[str] = frozenset(
    {
        "strategies",
        "strategy_goals",
        "goal_indicators",
        "building_blocks",
        "recommendations",
        "maturity_assessments",
        "swot_items",
        "architecture_components",
        "measures",
        "online_services",
        "budget_lines",
        "budget_entries",
        "assistant_documents",
        "assistant_document_sections",
        # a plugin switched on or off for the tenant adds or removes its documents
        "tenant_plugins",
    }
)
NETWORK_TABLES: frozenset[str] = frozenset({"network_documents", "network_sections"})
CATALOG_TABLES: frozenset[str] = frozenset({"catalog_ozg_leistungen", "catalog_leika_leistungen"})
#: More changed keys than this in one flush are recorded as one "everything" entry.
MAX_KEYS_PER_FLUSH = 50


def _scope_of(obj: Any) -> tuple[str, str, str] | None:
    table = getattr(obj, "__tablename__", None)
    if table is None:
        return None
    if table in TENANT_TABLES:
        tenant_id = getattr(obj, "tenant_id", None)
        if tenant_id is None:
            return None
        return f"tenant:{tenant_id}", table, str(getattr(obj, "id", ""))
    if table in NETWORK_TABLES:
        return "network", table, str(getattr(obj, "id", ""))
    if table in CATALOG_TABLES:
        key = getattr(obj, "key", None) or getattr(obj, "ozg_id", None) or ""
        return "catalog", table, str(key)
    return None


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, flush_context: Any) -> None:
    changes: dict[str, set[tuple[str, str]]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        found = _scope_of(obj)
        if found is None:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        scope, kind, key = found
        changes.setdefault(scope, set()).add((kind, key))
    if not changes:
        return
    rows = []
    for scope, keys in changes.items():
        if len(keys) > MAX_KEYS_PER_FLUSH:
            rows.append({"scope": scope, "kind": "*", "key": f"{len(keys)} Einträge"})
        else:
            rows.extend({"scope": scope, "kind": kind, "key": key[:200]} for kind, key in sorted(keys))
    session.connection().execute(insert(IndexChange), rows)
    session.info.setdefault("assistant_scopes", set()).update(changes)


@event.listens_for(Session, "after_commit")
def _enqueue_apply(session: Session) -> None:
    scopes = session.info.pop("assistant_scopes", None)
    if not scopes:
        return
    try:
        from core.jobs import enqueue, get_default_queue

        get_default_queue()
        loop = asyncio.get_running_loop()
    except (ImportError, RuntimeError):
        return  # no queue in this process (tests, CLI): the next question or the cron applies them

    async def _go() -> None:
        with contextlib.suppress(Exception):
            await enqueue("assistant.apply_changes", key="assistant.apply_changes")

    task = loop.create_task(_go())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


_pending: set[asyncio.Task[None]] = set()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("assistant_scopes", None)
