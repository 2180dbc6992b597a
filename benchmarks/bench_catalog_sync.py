"""Benchmark: catalogue sync of the bundled OZG/LeiKa snapshot.

Starts a throw-away embedded PostgreSQL (or uses ``KOMMPASS_BENCH_ADMIN_URL``), creates and
migrates a fresh database with separate owner and app roles, then times

1. the first full sync into the empty catalogue (target ≤ 10 s),
2. a no-change re-sync of the same files (target ≤ 3 s),
3. a re-sync with one changed name and one removed row.

Run: ``.venv/bin/python benchmarks/bench_catalog_sync.py [--runs N]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.catalog.sync import sync_catalog
from core.db import create_engine, make_sessionmaker
from core.embedded import EmbeddedPostgres, asyncpg_url, provision
from plugins.ozg_catalog.plugin import SNAPSHOT


def fresh_database(admin_url: str) -> str:
    from core import migrate

    suffix = secrets.token_hex(3)
    name, owner, app = f"kp_bench_{suffix}", f"kp_bench_owner_{suffix}", f"kp_bench_app_{suffix}"
    owner_pw, app_pw = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    provision(
        admin_url, database=name, owner_role=owner, owner_password=owner_pw, app_role=app, app_password=app_pw
    )
    host, port = admin_url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)
    migrate.upgrade(asyncpg_url(owner, owner_pw, host, int(port), name), app_role=app)
    return asyncpg_url(app, app_pw, host, int(port), name)


def variant(tmp: Path) -> Path:
    lines = SNAPSHOT[1].read_text(encoding="utf-8").splitlines(keepends=True)
    out = []
    for line in lines:
        if line.startswith("99001002004000;"):
            continue
        if line.startswith("99102013002000;"):
            line = line.replace("Hundesteuer Festsetzung", "Hundesteuer Festsetzung (geändert)", 1)
        out.append(line)
    path = tmp / "leika-variant.csv"
    path.write_text("".join(out), encoding="utf-8")
    return path


async def run(app_url: str, runs: int, tmp: Path) -> None:
    engine = create_engine(app_url, pool_size=2, max_overflow=0)
    sm = make_sessionmaker(engine)
    try:
        t = time.perf_counter()
        first = await sync_catalog(sm, SNAPSHOT)
        first_s = time.perf_counter() - t
        c = first.counts
        print(
            f"first full sync:      {first_s:6.2f} s  (target ≤ 10 s)  -> version {first.version}: "
            f"{c['ozg_leistungen']} OZG, {c['leika_leistungen']} LeiKa, {c['themenfelder']} Themenfelder, "
            f"{c['lebenslagen']} Lebenslagen, {first.added} entries added"
        )
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            again = await sync_catalog(sm, SNAPSHOT)
            times.append(time.perf_counter() - t)
            assert (again.added, again.changed, again.removed) == (0, 0, 0) and not again.created
        print(
            f"no-change re-sync:    {statistics.median(times):6.2f} s  (target ≤ 3 s)   "
            f"median of {runs}, min {min(times):.2f} s, max {max(times):.2f} s"
        )
        t = time.perf_counter()
        changed = await sync_catalog(sm, [SNAPSHOT[0], variant(tmp)])
        print(
            f"1 changed + 1 removed: {time.perf_counter() - t:5.2f} s  -> version {changed.version}: "
            f"{changed.added} added, {changed.changed} changed, {changed.removed} removed"
        )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"CPU cores: {os.cpu_count()}")
    tmp = Path(tempfile.mkdtemp(prefix="kommpass-bench-"))
    admin = os.environ.get("KOMMPASS_BENCH_ADMIN_URL")
    server = None
    if not admin:
        server = EmbeddedPostgres(tmp / "pg")
        admin = server.start().admin
    try:
        asyncio.run(run(fresh_database(admin), args.runs, tmp))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
