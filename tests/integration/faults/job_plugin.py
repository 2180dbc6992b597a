"""Test plugin for the worker fault test: one task with a real, transactional effect.

``fault.massnahme_anlegen`` creates measure ``number`` for ``tenant`` through the measures
service (measure + audit entry in one transaction). It is idempotent the way a production task
must be: a measure that already exists is not created again. Every step is appended to the
``log`` file (one line each, ``O_APPEND``), so the test can see attempts, not only effects.

On its first attempt the task can hold still at two places where a worker death hurts most:
``hold_open`` inside the open transaction (effect written, not committed) and ``hold_done``
after the commit (effect committed, job not yet marked complete).

Loaded into ``kommpass worker`` by ``WORKER_SCRIPT`` (registered on the process-wide plugin
manager before the real command runs).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

from sqlalchemy import select

from plugins.hookspecs import hookimpl
from plugins.types import JobDefinition

TASK = "fault.massnahme_anlegen"


def _log(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


async def create_measure(
    ctx: Any, tenant: str, number: str, log: str, hold_open: float = 0.0, hold_done: float = 0.0
) -> str:
    from core.db import tenant_session
    from core.measures.models import Measure
    from core.measures.schemas import MeasureCreate
    from core.measures.service import MeasureService

    tenant_id = uuid.UUID(tenant)
    _log(log, f"start {number} {ctx.attempt} {os.getpid()}")
    async with tenant_session(ctx.sessionmaker, tenant_id) as session:
        exists = await session.scalar(
            select(Measure.id).where(Measure.tenant_id == tenant_id, Measure.number == number)
        )
        if exists is not None:
            _log(log, f"skip {number} {ctx.attempt}")
            return "schon da"
        await MeasureService(session, tenant_id).create(MeasureCreate(number=number, title=f"Job {number}"))
        await session.flush()
        if hold_open and ctx.attempt == 1:
            _log(log, f"open {number} {ctx.attempt}")
            await asyncio.sleep(hold_open)
    _log(log, f"committed {number} {ctx.attempt}")
    if hold_done and ctx.attempt == 1:
        await asyncio.sleep(hold_done)
    _log(log, f"done {number} {ctx.attempt}")
    return "angelegt"


@hookimpl
def kommpass_register_jobs() -> list[JobDefinition]:
    return [JobDefinition(name=TASK, function=create_measure, timeout=600)]


#: The real ``kommpass worker`` command, with this plugin registered.
WORKER_SCRIPT = """
import sys
from plugins.manager import get_plugin_manager
from tests.integration.faults import job_plugin
get_plugin_manager().register(job_plugin)
from web.cli import main
sys.argv = ["kommpass", "worker", "--concurrency", "4"]
main()
"""
