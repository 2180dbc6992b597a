"""A plugin with a slow job, for the worker-restart test (imported by a worker subprocess)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from plugins.hookspecs import hookimpl
from plugins.types import JobDefinition


async def slow_job(ctx: Any, marker: str, seconds: float = 0.0) -> str:
    path = Path(marker)
    with path.open("a") as f:
        f.write(f"start {ctx.attempt}\n")
    if ctx.attempt == 1:
        await asyncio.sleep(seconds)
    with path.open("a") as f:
        f.write(f"done {ctx.attempt}\n")
    return "fertig"


async def blocking_job(marker: str, seconds: float) -> str:
    """Deliberately blocks its event loop (like a CPU-bound index build)."""
    import time

    Path(marker).write_text("läuft")
    time.sleep(seconds)  # noqa: ASYNC251
    return "fertig"


@hookimpl
def kommpass_register_jobs() -> list[JobDefinition]:
    return [
        JobDefinition(name="test.langsam", function=slow_job, timeout=120),
        JobDefinition(name="test.blockierend", function=blocking_job, timeout=120),
    ]


WORKER_SCRIPT = """
import asyncio, os, sys
from plugins.manager import new_plugin_manager
from core.jobs import JobQueue
from tests.integration.plugins import jobs_helper

async def main():
    pm = new_plugin_manager(extra=[jobs_helper])
    queue = JobQueue(os.environ["JOB_DB_URL"], pm=pm, name=os.environ["JOB_QUEUE"], heartbeat=2, sweep_every=1)
    print("worker up", flush=True)
    await queue.run_worker(concurrency=1)

asyncio.run(main())
"""
