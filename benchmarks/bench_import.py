"""Import of a 1,000-row measure plan over HTTP (target ≤ 5 s).

Usage: ``python benchmarks/bench_import.py [--rows 1000] [--dates 8]``. Starts an embedded
PostgreSQL and the app with uvicorn on loopback, uploads the generated plan to
``POST /api/v1/measures/import`` (dry run, first import, unchanged re-import) and prints
the times. ``run_import_benchmark`` is reused by ``bench_pages.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measures_common import (
    csrf_token,
    free_port,
    generate,
    login_tokens,
    plan_xlsx,
    start_database,
    start_server,
    stichtage,
)


async def run_import_benchmark(port: int, token: str, rows: int, dates: int) -> dict[str, Any]:
    import httpx

    content = plan_xlsx(rows, stichtage(dates))
    out: dict[str, Any] = {"rows": rows, "bytes": len(content)}
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", timeout=120, cookies={"kommpass_session": token}
    ) as client:
        headers = {"x-csrftoken": await csrf_token(client)}
        for label, params in (("dry_run", {"dry_run": "true"}), ("import", {}), ("reimport", {})):
            start = time.perf_counter()
            resp = await client.post(
                "/api/v1/measures/import",
                params=params,
                headers=headers,
                files={"data": ("plan.xlsx", content, "application/octet-stream")},
            )
            elapsed = time.perf_counter() - start
            body = resp.json()
            if resp.status_code != 200:
                raise RuntimeError(f"import {label}: HTTP {resp.status_code}: {str(body)[:500]}")
            out[label] = {
                "seconds": round(elapsed, 3),
                "created": body["created"],
                "updated": body["updated"],
                "unchanged": body["unchanged"],
            }
    return out


def print_import(result: dict[str, Any]) -> None:
    print(f"Import Maßnahmenplan mit {result['rows']} Zeilen ({result['bytes'] / 1024:.0f} KiB), Ziel ≤ 5 s:")
    for label in ("dry_run", "import", "reimport"):
        r = result[label]
        print(
            f"  {label:<9} {r['seconds']:6.2f} s  (neu {r['created']}, geändert {r['updated']}, "
            f"unverändert {r['unchanged']})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--dates", type=int, default=8)
    args = parser.parse_args()
    db = start_database()
    server = None
    try:
        [(tenant_id, _slug)] = asyncio.run(generate(db.app_url, tenants=1, measures=0, services=0, dates=1))
        [token] = asyncio.run(login_tokens(db.app_url, [tenant_id]))
        port = free_port()
        server = start_server(db.app_url, port, db.tmp)
        print_import(asyncio.run(run_import_benchmark(port, token, args.rows, args.dates)))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        db.server.stop()


if __name__ == "__main__":
    main()
