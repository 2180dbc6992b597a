"""Dashboard and measure-plan page under load, plus the 1,000-row import.

Generates 50 tenants × 250 measures × 130 online services × 8 reporting dates in an
embedded PostgreSQL, starts the app (one uvicorn process) on loopback and measures, each
request as a logged-in editor of one of the tenants (rotating):

1. **kalt** – the first view of each tenant's page after the start (nothing rendered yet;
   the same work as the first view after a change), 20 at a time;
2. **warm** – ``--clients`` concurrent clients (keep-alive connections, no pause) for
   ``--seconds`` per page: p50/p95/p99/max, requests per second and the server's CPU time
   per request (target: p95 ≤ 150 ms with 20 clients);
3. **gemischt** – both pages read by the same clients while a writer changes progress values
   over the JSON API (``--writes-per-second``, spread over ten tenants): every write makes that
   tenant's next views render anew;
4. the import of a 1,000-row measure plan (target ≤ 5 s).

The load comes from ``wrk`` (Debian package ``wrk``) when installed – a C load generator
that leaves the CPU to the server; otherwise from Python clients (httpx), which on a 2-core
machine take about as much CPU per request as the server and so measure mostly themselves.
Prints the figures.

Usage: ``python benchmarks/bench_pages.py [--tenants 50] [--measures 250] [--services 130]
[--dates 8] [--clients 20] [--seconds 20] [--requests 400] [--writes-per-second 2]
[--python-client] [--no-import]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import print_import, run_import_benchmark
from measures_common import (
    csrf_token,
    free_port,
    generate,
    login_tokens,
    measure_pages,
    percentile,
    start_database,
    start_server,
)

HERE = Path(__file__).resolve().parent
PAGES = (("Übersicht /", "/"), ("Maßnahmenplan", "/massnahmen"))
TARGET_MS = 150.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_wrk(
    port: int, tokens: list[str], paths: list[str], *, clients: int, seconds: int
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(tokens))
        tokens_file = f.name
    try:
        proc = await asyncio.create_subprocess_exec(
            "wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s",
            "-s", str(HERE / "wrk_sessions.lua"), f"http://127.0.0.1:{port}",
            env={**os.environ, "TOKENS_FILE": tokens_file, "WRK_PATHS": ",".join(paths)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
    finally:
        os.unlink(tokens_file)
    match = re.search(r"RESULT (.*)", out.decode())
    if match is None:
        raise RuntimeError(f"wrk lieferte kein Ergebnis: {out.decode()} {err.decode()}")
    result = {k: float(v) for k, v in (kv.split("=") for kv in match.group(1).split())}
    if result["non2xx"] or result["errors"]:
        raise RuntimeError(f"{paths}: {result['non2xx']:.0f} Antworten ≠ 2xx, {result['errors']:.0f} Fehler")
    result["rps"] = result["requests"] / result["seconds"]
    return result


async def run_python(
    port: int, tokens: list[str], paths: list[str], *, clients: int, requests: int
) -> dict[str, float]:
    start = time.perf_counter()
    lat: list[float] = []
    for path in paths:
        lat += await measure_pages(port, tokens, path, clients=clients, requests=requests // len(paths))
    wall = time.perf_counter() - start
    return {
        "requests": len(lat), "seconds": wall, "p50": percentile(lat, 50), "p95": percentile(lat, 95),
        "p99": percentile(lat, 99), "max": max(lat), "mean": statistics.mean(lat), "rps": len(lat) / wall,
    }


async def load(args: argparse.Namespace, port: int, tokens: list[str], paths: list[str]) -> dict[str, float]:
    if args.use_wrk:
        return await run_wrk(port, tokens, paths, clients=args.clients, seconds=args.seconds)
    return await run_python(port, tokens, paths, clients=args.clients, requests=args.requests)


async def first_views(port: int, tokens: list[str], path: str) -> list[float]:
    """One request per tenant (its first view), 20 at a time."""
    return await measure_pages(port, tokens, path, clients=min(20, len(tokens)), requests=len(tokens))


async def writer(port: int, tokens: list[str], per_second: float, stop: asyncio.Event) -> list[float]:
    """Progress changes over the API at ``per_second``, round-robin over the tenants."""
    import httpx

    targets = []
    clients = []
    for token in tokens:
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60,
                                   cookies={"kommpass_session": token})
        clients.append(client)
        headers = {"x-csrftoken": await csrf_token(client)}
        dates = (await client.get("/api/v1/reporting-dates")).json()
        open_date = next(d["id"] for d in dates if d.get("state") == "open")
        measures = (await client.get("/api/v1/measures")).json()
        targets.append((client, headers, open_date, {m["id"]: m["version"] for m in measures[:50]}))
    latencies: list[float] = []
    n = 0
    try:
        while not stop.is_set():
            client, headers, open_date, versions = targets[n % len(targets)]
            measure = list(versions)[n // len(targets) % len(versions)]
            started = time.perf_counter()
            resp = await client.put(
                f"/api/v1/measures/{measure}/progress/{open_date}",
                json={"version": versions[measure], "value": str(n % 11)}, headers=headers,
            )
            latencies.append((time.perf_counter() - started) * 1000)
            if resp.status_code != 200:
                raise RuntimeError(f"Schreiben: HTTP {resp.status_code}: {resp.text[:300]}")
            versions[measure] = resp.json()["version"]
            n += 1
            await asyncio.sleep(max(0.0, 1 / per_second - (time.perf_counter() - started)))
    finally:
        for client in clients:
            await client.aclose()
    return latencies


def row(label: str, r: dict[str, float], cpu_ms: float | None, target: bool) -> str:
    verdict = ("erfüllt" if r["p95"] <= TARGET_MS else "nicht erfüllt") if target else ""
    cpu = f"{cpu_ms:8.1f}" if cpu_ms is not None else f"{'–':>8}"
    return (f"{label:<16}{r['p50']:9.1f}{r['p95']:9.1f}{r['p99']:9.1f}{r['max']:9.1f}{r['rps']:9.1f}"
            f"{cpu}   {verdict}")


async def run(args: argparse.Namespace, port: int, pid: int, tokens: list[str]) -> None:
    print("Kalt: erster Aufruf je Mandant nach dem Start (nichts gerendert), 20 gleichzeitig")
    print(f"{'Seite':<20}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for label, path in PAGES:
        lat = await first_views(port, tokens, path)
        print(f"{label + ' kalt':<20}{percentile(lat, 50):9.1f}{percentile(lat, 95):9.1f}{max(lat):9.1f}")

    how = (f"wrk, {args.seconds} s je Seite" if args.use_wrk
           else f"Python-Clients (httpx), {args.requests} Anfragen je Seite")
    print(f"\nWarm: {args.clients} gleichzeitige Clients ohne Pause ({how}); "
          f"Rechner: {os.cpu_count()} Kerne, Last vorher {os.getloadavg()[0]:.1f}")
    print(f"{'Seite':<16}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}{'CPU ms':>8}"
          f"   Ziel p95 ≤ {TARGET_MS:.0f} ms  (CPU ms: Server-CPU je Anfrage)")
    for label, path in PAGES:
        cpu0 = cpu_seconds(pid)
        r = await load(args, port, tokens, [path])
        print(row(label, r, (cpu_seconds(pid) - cpu0) * 1000 / r["requests"], target=True), flush=True)

    if args.writes_per_second > 0:
        stop = asyncio.Event()
        writes = asyncio.create_task(writer(port, tokens[:10], args.writes_per_second, stop))
        await asyncio.sleep(1)
        try:
            r = await load(args, port, tokens, [path for _, path in PAGES])
        finally:
            stop.set()
        lat = await writes
        print(f"\nGemischt: beide Seiten lesen ({args.clients} Clients) und {args.writes_per_second:g} "
              f"Fortschritts-Änderungen/s über die API (je Änderung rendert der Mandant neu)")
        print(f"{'':<16}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>9}")
        print(row("Lesen gemischt", r, None, target=False))
        p50, p95, p99 = (percentile(lat, p) for p in (50, 95, 99))
        print(f"{'Schreiben':<16}{p50:9.1f}{p95:9.1f}{p99:9.1f}{max(lat):9.1f}   ({len(lat)} Änderungen)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--measures", type=int, default=250)
    parser.add_argument("--services", type=int, default=130)
    parser.add_argument("--dates", type=int, default=8)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=20, help="per page (wrk)")
    parser.add_argument("--requests", type=int, default=400, help="per page (Python clients)")
    parser.add_argument("--writes-per-second", type=float, default=2.0)
    parser.add_argument("--python-client", action="store_true", help="Python clients even with wrk")
    parser.add_argument("--no-import", action="store_true")
    args = parser.parse_args()
    args.use_wrk = not args.python_client and shutil.which("wrk") is not None
    if not args.use_wrk and not args.python_client:
        print("Hinweis: wrk ist nicht installiert (apt-get install wrk); Last kommt von Python-Clients.")

    db = start_database()
    server = None
    try:
        t0 = time.perf_counter()
        tenants = asyncio.run(
            generate(db.app_url, tenants=args.tenants, measures=args.measures, services=args.services,
                     dates=args.dates)
        )
        tokens = asyncio.run(login_tokens(db.app_url, [t for t, _ in tenants]))
        print(
            f"Daten: {args.tenants} Mandanten × {args.measures} Maßnahmen × {args.services} Online-Dienste × "
            f"{args.dates} Berichtstermine erzeugt in {time.perf_counter() - t0:.1f} s"
        )
        port = free_port()
        server = start_server(db.app_url, port, db.tmp)
        asyncio.run(run(args, port, server.pid, tokens))
        if not args.no_import:
            # into a tenant of its own: the generated tenants' past rounds are closed
            [(empty, _slug)] = asyncio.run(generate(db.app_url, tenants=1, measures=0, services=0, dates=1))
            [token] = asyncio.run(login_tokens(db.app_url, [empty]))
            print()
            print_import(asyncio.run(run_import_benchmark(port, token, 1000, args.dates)))
        print(f"Last nachher: {os.getloadavg()[0]:.1f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        db.server.stop()


if __name__ == "__main__":
    main()
