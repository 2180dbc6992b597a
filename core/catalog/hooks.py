"""Core hooks of the catalogue and job-queue area (registered automatically, like every
``core.<area>.hooks`` module): the ``kommpass worker`` command."""

from __future__ import annotations

from typing import Any

import click

from plugins.hookspecs import hookimpl


@click.command("worker", help="Startet den Job-Worker (Katalogabgleich, Indexaufbau …) bis Strg+C.")
@click.option("--concurrency", type=int, default=None, help="Gleichzeitige Jobs (Standard 2).")
@click.option("--burst", is_flag=True, help="Nur die anstehenden Jobs abarbeiten und dann beenden.")
def worker(concurrency: int | None, burst: bool) -> None:
    from core.jobs import JobQueue, set_default_queue, worker_concurrency
    from web.cli import run_with_db

    async def run(sessionmaker: Any) -> None:
        from core.settings import get_settings

        url = str(sessionmaker.kw["bind"].url.render_as_string(hide_password=False))
        queue = JobQueue(url, sessionmaker=sessionmaker, settings=get_settings())
        set_default_queue(queue)
        try:
            await queue.run_worker(concurrency=concurrency or worker_concurrency(), burst=burst)
        finally:
            await queue.close()

    run_with_db(run)


@hookimpl
def kommpass_register_commands(cli: Any) -> None:
    cli.add_command(worker)
