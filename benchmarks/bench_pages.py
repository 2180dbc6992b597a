"""Dashboard and measure-plan page under load, plus the 1,000-row import.

Generates 50 tenants × 250 measures × 130 online services × 8 reporting dates in an
embedded PostgreSQL, starts the app with uvicorn on loopback and measures with 20
concurrent HTTP clients (each request as a logged-in editor of one of the tenants):
``/`` (dashboard) and ``/massnahmen`` (measure plan), p50/p95/max (target p95 ≤ 150 ms);
then the import of a 1,000-row measure plan (target ≤ 5 s). Prints the figures.

Usage: ``python benchmarks/bench_pages.py [--tenants 50] [--measures 250] [--services 130]
[--dates 8] [--clients 20] [--requests 400] [--no-import]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import print_import, run_import_benchmark
from measures_common import (
    free_port,
    generate,
    login_tokens,
    measure_pages,
    percentile,
    start_database,
    start_server,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--measures", type=int, default=250)
    parser.add_argument("--services", type=int, default=130)
    parser.add_argument("--dates", type=int, default=8)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400, help="requests per page")
    parser.add_argument("--no-import", action="store_true")
    args = parser.parse_args()

    db = start_database()
    server = None
    try:
        t0 = time.perf_counter()
        tenants = asyncio.run(
            generate(
                db.app_url,
                tenants=args.tenants,
                measures=args.measures,
                services=args.services,
                dates=args.dates,
            )
        )
        tokens = asyncio.run(login_tokens(db.app_url, [t for t, _ in tenants]))
        print(
            f"Daten: {args.tenants} Mandanten × {args.measures} Maßnahmen × {args.services} Online-Dienste × "
            f"{args.dates} Berichtstermine erzeugt in {time.perf_counter() - t0:.1f} s"
        )
        port = free_port()
        server = start_server(db.app_url, port, db.tmp)
        # warm-up: templates compiled, connections opened
        asyncio.run(measure_pages(port, tokens, "/", clients=4, requests=20))
        asyncio.run(measure_pages(port, tokens, "/massnahmen", clients=4, requests=20))
        print(
            f"Last: {args.clients} gleichzeitige Clients, je Seite {args.requests} Anfragen "
            f"(Rechner: {os.cpu_count()} Kerne, Last vorher {os.getloadavg()[0]:.1f})"
        )
        print(
            f"{'Seite':<14}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'mean ms':>9}{'req/s':>8}"
            "   Ziel p95 ≤ 150 ms"
        )
        for label, path in (("Übersicht /", "/"), ("Maßnahmenplan", "/massnahmen")):
            start = time.perf_counter()
            lat = asyncio.run(measure_pages(port, tokens, path, clients=args.clients, requests=args.requests))
            wall = time.perf_counter() - start
            p95 = percentile(lat, 95)
            print(
                f"{label:<14}{percentile(lat, 50):9.1f}{p95:9.1f}{max(lat):9.1f}{statistics.mean(lat):9.1f}"
                f"{len(lat) / wall:8.1f}   {'erfüllt' if p95 <= 150 else 'nicht erfüllt'}"
            )
        if not args.no_import:
            # into a tenant of its own: the generated tenants' past rounds are closed
            [(empty, _slug)] = asyncio.run(generate(db.app_url, tenants=1, measures=0, services=0, dates=1))
            [token] = asyncio.run(login_tokens(db.app_url, [empty]))
            print_import(asyncio.run(run_import_benchmark(port, token, 1000, args.dates)))
        print(f"Last nachher: {os.getloadavg()[0]:.1f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        db.server.stop()


if __name__ == "__main__":
    main()
