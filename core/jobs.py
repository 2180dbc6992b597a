"""The job queue: SAQ with its PostgreSQL backend (psycopg 3).

Why SAQ: it is a small asyncio library with a real PostgreSQL backend (``SELECT … FOR UPDATE
SKIP LOCKED`` plus ``LISTEN/NOTIFY``), cron schedules, retries, timeouts, heartbeats and
de-duplication by job key – all we need, without a second server (Redis). Its tables
(``saq_jobs``, ``saq_stats``) are created by the migration ``0300_catalog`` with the migration
role; the app role only gets DML, so SAQ's own ``init_db`` (which would ``CREATE TABLE``) is
skipped here.

What a caller may rely on:

* Tasks come from the hook ``kommpass_register_jobs`` (``plugins.types.JobDefinition``); a
  task is an ``async`` function taking keyword arguments (JSON-serialisable values). If it
  declares a parameter ``ctx`` it gets a ``JobContext`` (sessionmaker, settings, job key).
* ``await enqueue("name", **kwargs)`` puts a job in the queue (from a request handler, a CLI
  command or another job). Pass ``key=`` to de-duplicate: a job with the same key that is
  still queued or running is not enqueued twice.
* A worker runs inside ``kommpass serve`` (started and stopped by the app lifespan, on a thread
  with its own event loop, so CPU-heavy jobs do not stall web requests) and as
  ``kommpass worker`` for production (one or more processes; jobs are handed out with
  ``SKIP LOCKED``, so each runs once at a time).
* No job is lost when a worker dies: a running job sends a heartbeat; when the heartbeat
  stops, the next sweep (of any worker, also after a restart) puts the job back in the queue
  (up to ``retries`` attempts). Tasks must therefore be idempotent (the catalogue sync is:
  re-running it with unchanged data writes nothing).
* Timings: ``KOMMPASS_JOB_HEARTBEAT`` (seconds without heartbeat after which a running job
  counts as lost, default 60; read where jobs are enqueued, it travels with the job) and
  ``KOMMPASS_JOB_SWEEP_EVERY`` (how often a worker looks for lost jobs, default 15). A job
  of a killed worker is back in the queue after about heartbeat + sweep + 5 s; the fault
  tests shorten both.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import threading
import weakref
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pluggy
import sqlalchemy as sa
import structlog
from saq import CronJob, Worker
from saq.queue.postgres import PostgresQueue
from sqlalchemy.dialects.postgresql import JSONB

from core.models import Base
from plugins.types import JobDefinition

log = structlog.get_logger(__name__)

QUEUE_NAME = "kommpass"
#: Seconds without heartbeat after which a running job counts as lost (its worker died).
DEFAULT_HEARTBEAT = 60
#: How often a running job sends its heartbeat.
HEARTBEAT_EVERY = 10
DEFAULT_RETRIES = 3
#: How often a worker sweeps for lost jobs (seconds).
DEFAULT_SWEEP_EVERY = 15


def _env_seconds(name: str, default: int) -> int:
    value = os.environ.get(name)
    return max(1, int(value)) if value else default


# The SAQ tables, declared so that the migration test sees models == migrations.
saq_jobs = sa.Table(
    "saq_jobs",
    Base.metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column(
        "lock_key", sa.Integer, nullable=False, server_default=sa.text("nextval('saq_jobs_lock_key_seq')")
    ),
    sa.Column("job", sa.LargeBinary, nullable=False),
    sa.Column("queue", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("priority", sa.SmallInteger, nullable=False, server_default="0"),
    sa.Column("group_key", sa.Text),
    sa.Column(
        "scheduled", sa.BigInteger, nullable=False, server_default=sa.text("EXTRACT(EPOCH FROM NOW())")
    ),
    sa.Column("expire_at", sa.BigInteger),
    sa.Index("saq_jobs_status_queue_group_key_idx", "status", "queue", "group_key"),
    sa.Index("saq_jobs_status_queue_priority_scheduled_idx", "status", "queue", "priority", "scheduled"),
)
saq_stats = sa.Table(
    "saq_stats",
    Base.metadata,
    sa.Column("worker_id", sa.Text, primary_key=True),
    sa.Column("stats", JSONB),
    sa.Column("expire_at", sa.BigInteger),
    sa.Column("metadata", JSONB),
    sa.Column("queue_key", sa.Text),
    sa.Index("saq_stats_expire_at_idx", "expire_at"),
    sa.Index("saq_stats_queue_key_idx", "queue_key"),
)


@dataclass(frozen=True)
class JobContext:
    """What a task may declare as ``ctx``."""

    sessionmaker: Any
    settings: Any
    job_key: str
    attempt: int


class _Queue(PostgresQueue):
    """SAQ's PostgreSQL queue without its self-migration (the tables come from Alembic)."""

    async def init_db(self) -> None:
        return None


def psycopg_url(url: str) -> str:
    """``postgresql+asyncpg://…`` (SQLAlchemy) → ``postgresql://…`` (psycopg)."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def job_definitions(pm: pluggy.PluginManager) -> dict[str, JobDefinition]:
    """All tasks the plugins register, by name (a duplicate name fails loudly)."""
    out: dict[str, JobDefinition] = {}
    for result in pm.hook.kommpass_register_jobs():
        for definition in result or []:
            if definition.name in out:
                raise RuntimeError(f"Job „{definition.name}“ ist doppelt registriert.")
            out[definition.name] = definition
    return out


class JobQueue:
    """One connection to the queue; connects lazily on first use."""

    def __init__(
        self,
        database_url: str,
        *,
        pm: pluggy.PluginManager | None = None,
        sessionmaker: Any = None,
        settings: Any = None,
        name: str = QUEUE_NAME,
        heartbeat: int | None = None,
        sweep_every: int | None = None,
        max_connections: int = 4,
    ) -> None:
        from plugins.manager import get_plugin_manager

        self.database_url = database_url
        self.name = name
        self.max_connections = max_connections
        self.pm = pm or get_plugin_manager()
        self.definitions = job_definitions(self.pm)
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.heartbeat = heartbeat or _env_seconds("KOMMPASS_JOB_HEARTBEAT", DEFAULT_HEARTBEAT)
        self.sweep_every = sweep_every or _env_seconds("KOMMPASS_JOB_SWEEP_EVERY", DEFAULT_SWEEP_EVERY)
        self.queue = _Queue(url=psycopg_url(database_url), name=name, min_size=1, max_size=max_connections)
        self._lock = asyncio.Lock()
        self._worker: Worker | None = None
        self._thread: WorkerThread | None = None
        self._worker_task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        async with self._lock:
            await self.queue.connect()

    async def close(self) -> None:
        await self.stop_worker()
        with contextlib.suppress(Exception):
            await self.queue.disconnect()

    # -- enqueueing ---------------------------------------------------------------------------
    async def enqueue(
        self, name: str, *, key: str | None = None, scheduled: int = 0, **kwargs: Any
    ) -> str | None:
        """Enqueue task ``name`` with ``kwargs``; returns the job key (None: already queued)."""
        definition = self.definitions.get(name)
        if definition is None:
            raise KeyError(f"Unbekannter Job „{name}“.")
        await self.connect()
        job_kwargs: dict[str, Any] = {
            "timeout": definition.timeout,
            "heartbeat": self.heartbeat,
            "retries": DEFAULT_RETRIES,
            "kwargs": kwargs,
        }
        if key:
            job_kwargs["key"] = key
        if scheduled:
            job_kwargs["scheduled"] = scheduled
        from saq.job import Job

        job = await self.queue.enqueue(Job(function=name, **job_kwargs))
        return job.key if job else None

    async def status(self, key: str) -> str | None:
        await self.connect()
        job = await self.queue.job(key)
        return job.status.value if job else None

    async def wait(self, key: str, within: float = 30.0) -> Any:
        """Wait until job ``key`` has finished; returns the job (for tests and the CLI)."""
        await self.connect()
        job = await self.queue.job(key)
        if job is None:
            raise KeyError(key)
        await job.refresh(until_complete=within)
        return job

    # -- the worker ---------------------------------------------------------------------------
    def _wrap(self, definition: JobDefinition) -> Callable[..., Awaitable[Any]]:
        wants_ctx = "ctx" in inspect.signature(definition.function).parameters
        fn = definition.function

        async def run(saq_ctx: dict[str, Any], **kwargs: Any) -> Any:
            job = saq_ctx.get("job")
            if wants_ctx:
                kwargs["ctx"] = JobContext(
                    self.sessionmaker, self.settings, job.key if job else "", job.attempts if job else 0
                )
            return await fn(**kwargs)

        run.__qualname__ = definition.name  # SAQ names functions (and cron jobs) by __qualname__
        run.__name__ = definition.name
        return run

    def make_worker(
        self,
        *,
        concurrency: int = 2,
        burst: bool = False,
        handle_signals: bool = True,
        poll_interval: float = 1.0,
    ) -> Worker:
        functions = [(d.name, self._wrap(d)) for d in self.definitions.values()]
        cron_jobs = [
            CronJob(
                self._wrap(d),
                cron=d.cron,
                timeout=d.timeout,
                heartbeat=self.heartbeat,
                retries=DEFAULT_RETRIES,
            )
            for d in self.definitions.values()
            if d.cron
        ]
        heartbeats: dict[str, asyncio.Task[None]] = {}

        async def beat(job: Any) -> None:
            # The job's own heartbeat (set where it was enqueued), not this worker's setting: a
            # job with a shorter heartbeat than the worker's would otherwise be swept while alive.
            every = min(HEARTBEAT_EVERY, max(1, (job.heartbeat or self.heartbeat) // 3))
            while True:
                await asyncio.sleep(every)
                with contextlib.suppress(Exception):
                    await job.update()

        async def before(ctx: dict[str, Any]) -> None:
            job = ctx.get("job")
            if job is not None and job.heartbeat:
                heartbeats[job.key] = asyncio.create_task(beat(job))

        async def after(ctx: dict[str, Any]) -> None:
            job = ctx.get("job")
            task = heartbeats.pop(job.key, None) if job is not None else None
            if task is not None:
                task.cancel()

        worker = Worker(
            self.queue,
            functions=functions,
            cron_jobs=cron_jobs,
            concurrency=concurrency,
            before_process=[before],
            after_process=[after],
            burst=burst,
            dequeue_timeout=1.0 if burst else 0.0,
            poll_interval=poll_interval,
            timers={"sweep": self.sweep_every, "schedule": 5, "worker_info": 10, "abort": 1},
            shutdown_grace_period_s=10,
        )
        if not handle_signals:
            worker.SIGNALS = []  # inside uvicorn: its own signal handling stops the lifespan
        return worker

    async def start_worker(self, *, concurrency: int = 2) -> None:
        """Run a worker in the background (``kommpass serve``).

        The worker gets a thread with its own event loop, database engine and queue
        connection: a CPU-heavy job (an index build) must not stall the web server's loop.
        """
        self._thread = WorkerThread(self, concurrency=concurrency)
        await asyncio.to_thread(self._thread.start)
        log.info("jobs.worker_started", jobs=sorted(self.definitions), thread=True)

    async def stop_worker(self) -> None:
        if self._thread is not None:
            await asyncio.to_thread(self._thread.stop)
            self._thread = None
        if self._worker is not None:
            _skip_grace_when_idle(self._worker)
            with contextlib.suppress(Exception):
                await self._worker.stop()
        if self._worker_task is not None:
            self._worker_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._worker_task
        self._worker = None
        self._worker_task = None

    async def run_worker(self, *, concurrency: int = 2, burst: bool = False) -> None:
        """Run a worker in the foreground until SIGINT/SIGTERM (``kommpass worker``)."""
        from core.registry import import_all_models

        # A task may use any model (a measure's relationships name tenants, org units …):
        # without all mappers known, the first such query fails in a worker process (the web
        # app imports them all anyway).
        import_all_models()
        await self.connect()
        worker = self.make_worker(concurrency=concurrency, burst=burst)
        log.info("jobs.worker_started", jobs=sorted(self.definitions), burst=burst)
        original_stop = worker.stop

        async def stop() -> None:
            _skip_grace_when_idle(worker)
            await original_stop()

        worker.stop = stop  # type: ignore[method-assign]
        await worker.start()


def _skip_grace_when_idle(worker: Worker) -> None:
    """SAQ waits the whole grace period even for idle dequeue loops; only running jobs need it.

    A job still running after the grace period is cancelled and put back into the queue
    (``retry``), so stopping never loses a job.
    """
    if not worker.job_task_contexts:
        worker._shutdown_grace_period_s = 0


# --- the process-wide queue ---------------------------------------------------------------------
#: The queue ``enqueue()`` uses, per event loop (the web app's loop, a worker thread's loop):
#: psycopg pools are bound to the loop they were opened in.
_defaults: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, JobQueue] = weakref.WeakKeyDictionary()


def set_default_queue(queue: JobQueue | None) -> None:
    """Make ``queue`` the one ``enqueue()`` uses in the running event loop (the app lifespan,
    the worker and ``kommpass worker`` do)."""
    loop = asyncio.get_running_loop()
    if queue is None:
        _defaults.pop(loop, None)
    else:
        _defaults[loop] = queue


def get_default_queue() -> JobQueue:
    """The queue of the running event loop; ``RuntimeError`` when there is none (tests, CLI)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    queue = _defaults.get(loop) if loop is not None else None
    if queue is None:
        raise RuntimeError("Keine Job-Warteschlange konfiguriert (kommpass serve / kommpass worker).")
    return queue


async def enqueue(name: str, *, key: str | None = None, **kwargs: Any) -> str | None:
    """Enqueue task ``name`` on the process-wide queue; returns the job key."""
    return await get_default_queue().enqueue(name, key=key, **kwargs)


def worker_concurrency() -> int:
    return max(1, int(os.environ.get("KOMMPASS_WORKER_CONCURRENCY", "2")))


__all__ = [
    "Iterable",
    "JobContext",
    "JobQueue",
    "enqueue",
    "get_default_queue",
    "job_definitions",
    "psycopg_url",
    "set_default_queue",
    "worker_concurrency",
]


class WorkerThread:
    """A worker on its own thread and event loop, with its own engine and queue connection."""

    def __init__(self, parent: JobQueue, *, concurrency: int = 2) -> None:
        self.parent = parent
        self.concurrency = concurrency
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="kommpass-jobs", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._started.wait(timeout):
            raise RuntimeError("Job-Worker startet nicht.")
        if self._error is not None:
            raise RuntimeError(f"Job-Worker startet nicht: {self._error}") from self._error

    def stop(self, timeout: float = 15.0) -> None:
        if self._loop is not None and self._stop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start(); a crash after start is logged
            self._error = exc
            self._started.set()
            log.exception("jobs.worker_thread_failed")

    async def _main(self) -> None:
        from core.db import create_engine, make_sessionmaker

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        p = self.parent
        engine = create_engine(p.database_url, pool_size=2, max_overflow=2)
        queue = JobQueue(
            p.database_url,
            pm=p.pm,
            sessionmaker=make_sessionmaker(engine),
            settings=p.settings,
            name=p.name,
            heartbeat=p.heartbeat,
            sweep_every=p.sweep_every,
            max_connections=p.max_connections,
        )
        set_default_queue(queue)
        try:
            await queue.connect()
            worker = queue.make_worker(concurrency=self.concurrency, handle_signals=False)
            queue._worker = worker
            queue._worker_task = asyncio.create_task(worker.start())
            self._started.set()
            await self._stop.wait()
        finally:
            await queue.close()
            await engine.dispose()
