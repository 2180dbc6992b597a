"""The job queue (SAQ on PostgreSQL): tables, enqueue, cron, the in-app worker, and no job
lost when a worker process dies."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from core.jobs import JobQueue
from plugins.manager import new_plugin_manager
from tests.conftest import TEST_APP_ROLE
from tests.example_plugin import plugin as example
from tests.integration.plugins import jobs_helper

REPO = Path(__file__).resolve().parents[3]


async def test_queue_tables_belong_to_the_migration_role_and_app_role_has_dml(owner_engine: Any) -> None:
    async with owner_engine.connect() as conn:
        owners = dict(
            (
                await conn.execute(
                    text(
                        "SELECT tablename, tableowner FROM pg_tables WHERE tablename IN ('saq_jobs', 'saq_stats')"
                    )
                )
            ).all()
        )
        privileges = (
            (
                await conn.execute(
                    text(
                        "SELECT privilege_type FROM information_schema.role_table_grants "
                        "WHERE table_name = 'saq_jobs' AND grantee = :r"
                    ),
                    {"r": TEST_APP_ROLE},
                )
            )
            .scalars()
            .all()
        )
    assert set(owners) == {"saq_jobs", "saq_stats"}
    assert TEST_APP_ROLE not in owners.values()
    assert {"SELECT", "INSERT", "UPDATE", "DELETE"} <= set(privileges)


async def test_enqueue_runs_a_registered_task_once_per_key(database: Any) -> None:
    queue = JobQueue(database.app, pm=new_plugin_manager(extra=[example]), name=f"t-{secrets.token_hex(3)}")
    try:
        key = await queue.enqueue("beispiel.verdoppeln", key="einmal", value=21)
        assert key == "einmal"
        assert await queue.enqueue("beispiel.verdoppeln", key="einmal", value=5) is None  # still queued
        with pytest.raises(KeyError):
            await queue.enqueue("gibt.es.nicht")
        await queue.run_worker(burst=True, concurrency=1)
        job = await queue.wait(key)
        assert job.status.value == "complete" and job.result == 42
    finally:
        await queue.close()


async def test_cron_jobs_are_scheduled(database: Any) -> None:
    queue = JobQueue(database.app, pm=new_plugin_manager(extra=[example]), name=f"t-{secrets.token_hex(3)}")
    try:
        await queue.connect()
        worker = queue.make_worker(handle_signals=False)
        await worker.schedule()
        # job keys are global across queues: the cron key exists once
        async with queue.queue.pool.connection() as conn:
            row = await (
                await conn.execute("SELECT scheduled FROM saq_jobs WHERE key = 'cron:beispiel.verdoppeln'")
            ).fetchone()
        assert row is not None and row[0] > time.time()
    finally:
        await queue.close()


async def test_worker_inside_the_app_lifespan(test_settings: Any, database: Any) -> None:
    from core.jobs import QUEUE_NAME
    from web.app import create_app

    pm = new_plugin_manager(extra=[example])
    app = create_app(test_settings, plugin_manager=pm, run_worker=True)
    # The test client runs the app's lifespan on its own event loop: enqueue through a queue
    # object of this loop; the worker started by the lifespan picks the job up.
    producer = JobQueue(database.app, pm=pm, name=QUEUE_NAME)
    try:
        async with AsyncTestClient(app=app, base_url="http://testserver.local"):
            key = await producer.enqueue("beispiel.verdoppeln", value=4)
            job = await producer.wait(key, within=20)
            assert job.result == 8
    finally:
        await producer.close()


@pytest.mark.process
async def test_a_job_survives_a_killed_worker(database: Any, tmp_path: Path) -> None:
    name = f"t-{secrets.token_hex(3)}"
    marker = tmp_path / "marker.txt"
    queue = JobQueue(
        database.app, pm=new_plugin_manager(extra=[jobs_helper]), name=name, heartbeat=2, sweep_every=1
    )
    env = {**os.environ, "JOB_DB_URL": database.app, "JOB_QUEUE": name}
    proc = subprocess.Popen(
        [sys.executable, "-c", jobs_helper.WORKER_SCRIPT],
        cwd=REPO,
        env=env,  # noqa: S603
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        key = await queue.enqueue("test.langsam", marker=str(marker), seconds=300)
        for _ in range(200):  # wait until the first worker has started the job
            if marker.exists() and "start 1" in marker.read_text():
                break
            await asyncio.sleep(0.1)
        assert "start 1" in marker.read_text()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    try:
        # a new worker (the "restart") finds the job without heartbeat and runs it again
        await queue.start_worker(concurrency=1)
        job = await queue.wait(key, within=60)
        assert job.result == "fertig", (job.status, job.error)
        assert marker.read_text().splitlines() == ["start 1", "start 2", "done 2"]
    finally:
        await queue.close()


async def test_a_blocking_job_does_not_stall_the_web_app(
    test_settings: Any, database: Any, tmp_path: Path
) -> None:
    # Jobs other tests left in the shared queue (e.g. index updates) would take the worker's
    # slots; this test is about the app staying responsive, so it starts from an empty queue.
    from sqlalchemy.ext.asyncio import create_async_engine

    from core.jobs import QUEUE_NAME
    from web.app import create_app

    cleaner = create_async_engine(database.app)
    async with cleaner.begin() as conn:
        await conn.execute(text("DELETE FROM saq_jobs WHERE queue = :q"), {"q": QUEUE_NAME})
    await cleaner.dispose()
    pm = new_plugin_manager(extra=[jobs_helper])
    app = create_app(test_settings, plugin_manager=pm, run_worker=True)
    producer = JobQueue(database.app, pm=pm, name=QUEUE_NAME)
    marker = tmp_path / "blockiert.txt"
    try:
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            key = await producer.enqueue("test.blockierend", marker=str(marker), seconds=4)
            for _ in range(200):
                if marker.exists():
                    break
                await asyncio.sleep(0.05)
            assert marker.exists()
            started = time.monotonic()
            assert (await client.get("/health")).status_code == 200
            assert time.monotonic() - started < 2.0  # the job blocks its own loop, not the app's
            assert (await producer.wait(key, within=30)).result == "fertig"
    finally:
        await producer.close()
