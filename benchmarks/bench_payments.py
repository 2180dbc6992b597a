"""Throughput of the e-payment notification endpoint over HTTP on loopback.

Starts an embedded PostgreSQL (temporary directory), migrates it, runs the app under uvicorn in
its own process, creates a tenant with an ePayBL account and ``--payments`` payments, then fires
signed notifications at ``/epayment/notify/sandbox``: per payment one "pending" and the final
state ``--duplicates`` times (duplicates), all shuffled (out of order) and sent with
``--concurrency`` requests in flight. Checks that every payment ends in exactly one final state
and is booked at most once, and prints notifications/second and latencies.

    python benchmarks/bench_payments.py [--payments 50] [--duplicates 3] [--rounds 5] [--concurrency 200]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def serve(port: int) -> None:
    """Child process: the app under uvicorn (settings from the environment)."""
    import uvicorn

    from core.logging import configure_logging
    from core.settings import Settings
    from web.app import create_app

    settings = Settings.from_env()
    configure_logging(fmt="console", level="WARNING")
    uvicorn.run(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        log_config=None,
    )


async def run(args: argparse.Namespace, app_url: str, key: str, base: str) -> None:
    import httpx
    from sqlalchemy import func, select

    from core.db import create_engine, make_sessionmaker, tenant_session
    from plugins.epayment.models import Booking, Payment
    from plugins.epayment.service import accounts, payments
    from tests.integration.epayment.helpers import notification, setup_tenant, signed

    if True:
        engine = create_engine(app_url, pool_size=4, max_overflow=2)
        sm = make_sessionmaker(engine)
        setup = await setup_tenant(sm, key)
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        latencies: list[float] = []
        total_sent = 0
        elapsed_total = 0.0
        for round_no in range(args.rounds):
            # a fresh client per round: keep-alive connections idle during the setup may be closed
            async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:
                async with tenant_session(sm, setup.tenant.id) as session:
                    account = await accounts.get_account(session, setup.tenant.id, setup.account_id)
                    created = []
                    for i in range(args.payments):
                        p = await payments.create_payment(
                            session, setup.tenant.id, account=account, amount_cents=1000 + i
                        )
                        p.provider_reference = f"SBX-B{round_no}-{i}"
                        created.append(p)
                finals = {
                    p.id: random.choice(  # noqa: S311 - test data
                        ["paid", "paid", "failed", "cancelled"]
                    )
                    for p in created
                }
                bodies = []
                for p in created:
                    bodies += [notification(p, "pending")] + [notification(p, finals[p.id])] * args.duplicates
                random.shuffle(bodies)
                requests = [signed(setup.secret, b) for b in bodies]
                gate = asyncio.Semaphore(args.concurrency)

                async def send(raw: bytes, headers: dict[str, str], gate: asyncio.Semaphore = gate) -> int:
                    async with gate:
                        t0 = time.perf_counter()
                        r = await client.post(f"{base}/epayment/notify/sandbox", content=raw, headers=headers)
                        latencies.append(time.perf_counter() - t0)
                        return r.status_code

                t0 = time.perf_counter()
                codes = await asyncio.gather(*(send(raw, h) for raw, h in requests))
                elapsed = time.perf_counter() - t0
                elapsed_total += elapsed
                total_sent += len(requests)
                assert all(c == 200 for c in codes), sorted(set(codes))
                async with tenant_session(sm, setup.tenant.id) as session:
                    ids = [p.id for p in created]
                    states = dict(
                        (
                            await session.execute(
                                select(Payment.id, Payment.status).where(
                                    Payment.tenant_id == setup.tenant.id, Payment.id.in_(ids)
                                )
                            )
                        )
                        .tuples()
                        .all()
                    )
                    booked = dict(
                        (
                            await session.execute(
                                select(Booking.payment_id, func.count())
                                .where(Booking.tenant_id == setup.tenant.id, Booking.payment_id.in_(ids))
                                .group_by(Booking.payment_id)
                            )
                        )
                        .tuples()
                        .all()
                    )
                assert states == finals, "a payment did not end in its final state"
                assert booked == {pid: 1 for pid, s in finals.items() if s == "paid"}, "booked more than once"
                print(
                    f"round {round_no + 1}: {len(requests)} notifications for {len(created)} payments "
                    f"in {elapsed:.2f} s = {len(requests) / elapsed:.0f}/s (all final, paid booked once)"
                )
        await engine.dispose()
        lat = sorted(latencies)
        rate = total_sent / elapsed_total
        print(
            f"total: {total_sent} notifications in {elapsed_total:.2f} s = {rate:.0f} notifications/s; "
            f"latency p50 {statistics.median(lat) * 1000:.0f} ms, "
            f"p95 {lat[int(len(lat) * 0.95) - 1] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms "
            f"(concurrency {args.concurrency}, app DB pool {args.pool})"
        )


def bench(args: argparse.Namespace) -> None:
    import httpx
    import structlog

    from core import migrate
    from core.embedded import EmbeddedPostgres
    from tests.integration.epayment.live import free_port

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    tmp = Path(tempfile.mkdtemp(prefix="kommpass-bench-"))
    pg = EmbeddedPostgres(tmp)
    urls = pg.start()
    proc = None
    try:
        os.environ["KOMMPASS_APP_ROLE"] = "kommpass_app"
        migrate.upgrade(urls.migration, app_role="kommpass_app")
        key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": urls.app,
            "DATABASE_MIGRATION_URL": urls.migration,
            "KOMMPASS_SECRET_KEY": secrets.token_urlsafe(48),
            "KOMMPASS_ENCRYPTION_KEY": key,
            "KOMMPASS_BASE_URL": f"http://127.0.0.1:{port}",
            "KOMMPASS_LOG_LEVEL": "WARNING",
            "KOMMPASS_DB_POOL_SIZE": str(args.pool),
            "KOMMPASS_DATA_DIR": str(tmp / "data"),
        }
        proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env, cwd=ROOT)  # noqa: S603
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        asyncio.run(run(args, urls.app, key, base))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        pg.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=50)
    parser.add_argument("--duplicates", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--pool", type=int, default=10)
    parser.add_argument("--serve", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    bench(args)


if __name__ == "__main__":
    main()
