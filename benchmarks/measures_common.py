"""Shared parts of the measures-area benchmarks: an embedded PostgreSQL with generated
tenants, a uvicorn server on loopback, logged-in clients and a 1,000-row measure plan.

Also runnable as ``python benchmarks/measures_common.py serve --url … --port …`` (the
server process the benchmarks start).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import io
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SECRET = "benchmark-secret-" + "x" * 40


@dataclass
class Database:
    server: Any
    app_url: str
    migration_url: str
    tmp: Path


def start_database() -> Database:
    from core import migrate
    from core.embedded import EmbeddedPostgres

    tmp = Path(tempfile.mkdtemp(prefix="kommpass-bench-"))
    server = EmbeddedPostgres(tmp / "pg")
    urls = server.start()
    migrate.upgrade(urls.migration)
    return Database(server, urls.app, urls.migration, tmp)


def stichtage(n: int, last: dt.date = dt.date(2025, 9, 30)) -> list[dt.date]:
    out = [last]
    while len(out) < n:
        d = out[-1]
        out.append(dt.date(d.year, 3, 31) if d.month == 9 else dt.date(d.year - 1, 9, 30))
    return sorted(out)


async def generate(
    app_url: str, *, tenants: int, measures: int, services: int, dates: int, seed: int = 4
) -> list[tuple[uuid.UUID, str]]:
    """Tenants with org units, measures with progress at every date, online services with status."""
    from sqlalchemy import insert

    from core.db import create_engine, make_sessionmaker, platform_session, tenant_session
    from core.measures.models import Measure, MeasureProgress
    from core.online_services.models import OnlineService, OnlineServiceStatus
    from core.orgunits.models import OrgUnit
    from core.reporting.models import ReportingDate
    from core.reporting.status import status_for
    from tenants.schemas import TenantCreate
    from tenants.service import TenantService

    rng = random.Random(seed)  # noqa: S311 - test data
    engine = create_engine(app_url, pool_size=4, max_overflow=0)
    sm = make_sessionmaker(engine)
    out = []
    try:
        for t in range(tenants):
            slug = f"bench-{t:03d}-{secrets.token_hex(2)}"
            async with platform_session(sm) as s:
                tenant = await TenantService(s).create(
                    TenantCreate(
                        name=f"Benchstadt {t}",
                        slug=slug,
                        ags="05562012",
                        municipality_type="mittlere_kreisangehoerige_stadt",
                    )
                )
            tid = tenant.id
            async with tenant_session(sm, tid) as s:
                bas = [
                    {
                        "tenant_id": tid,
                        "id": uuid.uuid4(),
                        "kind": "geschaeftskreis",
                        "code": code,
                        "name": f"Geschäftskreis {code}",
                        "parent_id": None,
                    }
                    for code in ("I", "II", "III", "IV", "V", "VI", "VII")
                ]
                dss = [
                    {
                        "tenant_id": tid,
                        "id": uuid.uuid4(),
                        "kind": "dienststelle",
                        "code": f"{i}.{j}",
                        "name": f"Dienststelle {i}.{j}",
                        "parent_id": bas[i]["id"],
                    }
                    for i in range(len(bas))
                    for j in range(1, 5)
                ]
                await s.execute(insert(OrgUnit), bas)
                await s.execute(insert(OrgUnit), dss)
                rds = [
                    {
                        "tenant_id": tid,
                        "id": uuid.uuid4(),
                        "date": d,
                        "state": "closed" if k < dates - 1 else "open",
                    }
                    for k, d in enumerate(stichtage(dates))
                ]
                await s.execute(insert(ReportingDate), rds)
                ms, progress = [], []
                for n in range(measures):
                    ds = rng.choice(dss)
                    done = rng.random() < 0.3
                    year = rng.choice((2020, 2021, 2022, 2023, 2024))
                    mid = uuid.uuid4()
                    ms.append(
                        {
                            "tenant_id": tid,
                            "id": mid,
                            "number": f"MP {n + 1:03d}",
                            "business_area_id": ds["parent_id"],
                            "department_id": ds["id"],
                            "reported_year": "2020-U(10)" if done else str(year),
                            "reported_year_number": 2020 if done else year,
                            "title": f"Digitalisierungsprojekt {n + 1}",
                            "description": "Beschreibung der Maßnahme " * 3,
                            "introduction": str(year + 1),
                            "building_block_key": None,
                        }
                    )
                    value = 10 if done else rng.randint(0, 3)
                    for rd in rds:
                        if not done:
                            value = min(10, value + rng.choice((0, 0, 1, 1, 2)))
                        progress.append(
                            {
                                "tenant_id": tid,
                                "id": uuid.uuid4(),
                                "measure_id": mid,
                                "reporting_date_id": rd["id"],
                                "progress": value,
                                "code": None,
                                "status": status_for(value),
                            }
                        )
                if ms:
                    await s.execute(insert(Measure), ms)
                if progress:
                    await s.execute(insert(MeasureProgress), progress)
                os_rows, statuses = [], []
                for n in range(services):
                    ds = rng.choice(dss)
                    sid = uuid.uuid4()
                    linked = rng.choice(ms) if rng.random() < 0.4 else None
                    os_rows.append(
                        {
                            "tenant_id": tid,
                            "id": sid,
                            "number": f"OD {n + 1:03d}",
                            "business_area_id": ds["parent_id"],
                            "department_id": ds["id"],
                            "title": f"Online-Dienst {n + 1} beantragen",
                            "implementation_type": rng.choice(
                                ("eigenes Antragsmanagement", "Externe Portale", "Fachverfahren/Webdienste")
                            ),
                            "measure_number": linked["number"] if linked else None,
                            "measure_id": linked["id"] if linked else None,
                            "ozg_ids": [],
                            "leika_keys": [],
                            "ozg_maturity": rng.randint(0, 4),
                            "epayment": rng.random() < 0.3,
                        }
                    )
                    level = 0
                    for rd in rds:
                        level = min(2, level + (1 if rng.random() < 0.2 else 0))
                        statuses.append(
                            {
                                "tenant_id": tid,
                                "id": uuid.uuid4(),
                                "online_service_id": sid,
                                "reporting_date_id": rd["id"],
                                "status": "PEU"[level],
                            }
                        )
                if os_rows:
                    await s.execute(insert(OnlineService), os_rows)
                if statuses:
                    await s.execute(insert(OnlineServiceStatus), statuses)
            out.append((tid, slug))
    finally:
        await engine.dispose()
    return out


async def login_tokens(app_url: str, tenant_ids: list[uuid.UUID]) -> list[str]:
    """A server-side session (editor) per tenant; the token is the session cookie."""
    from core.db import create_engine, make_sessionmaker, platform_session, tenant_session
    from tenants.models import Membership, Role, User
    from tenants.sessions import SessionService

    engine = create_engine(app_url, pool_size=2, max_overflow=0)
    sm = make_sessionmaker(engine)
    tokens = []
    try:
        for tid in tenant_ids:
            async with platform_session(sm) as s:
                user = User(
                    issuer="https://bench.invalid",
                    subject=uuid.uuid4().hex,
                    email=f"{uuid.uuid4().hex[:8]}@bench.invalid",
                    display_name="Benchmark",
                )
                s.add(user)
                await s.flush()
                uid = user.id
            async with tenant_session(sm, tid) as s:
                s.add(Membership(tenant_id=tid, user_id=uid, role=Role.EDITOR.value))
            async with platform_session(sm) as s:
                tokens.append(await SessionService(s).create(user_id=uid, tenant_id=tid))
    finally:
        await engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(app_url: str, port: int, tmp: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "serve",
            "--url",
            app_url,
            "--port",
            str(port),
            "--data-dir",
            str(tmp),
        ],
        cwd=str(ROOT),
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("Der Benchmark-Server ist nicht gestartet.") from None
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("Der Benchmark-Server antwortet nicht.")


def serve(url: str, port: int, data_dir: str) -> None:
    import uvicorn

    from core.logging import configure_logging
    from core.settings import DatabaseSettings, Settings, WebSettings
    from web.app import create_app

    configure_logging(fmt="console", level="WARNING")
    settings = Settings(
        database=DatabaseSettings(url=url, pool_size=20, max_overflow=5),
        web=WebSettings(
            host="127.0.0.1",
            port=port,
            secret_key=SECRET,
            environment="development",
            base_url=f"http://127.0.0.1:{port}",
            demo_login=False,
        ),
        data_dir=Path(data_dir),
        encryption_key=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        log_level="WARNING",
    )
    app = create_app(settings, database_url=url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False, log_level="warning")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


async def measure_pages(
    port: int, tokens: list[str], path: str, *, clients: int, requests: int
) -> list[float]:
    """``requests`` GETs of ``path`` by ``clients`` concurrent clients (each its own tenant
    session, rotating over the tenants); returns latencies in ms."""
    import httpx

    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(i)

    async def worker(n: int) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=180) as client:
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                token = tokens[(n + i) % len(tokens)]
                start = time.perf_counter()
                resp = await client.get(path, cookies={"kommpass_session": token})
                latencies.append((time.perf_counter() - start) * 1000)
                if resp.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {resp.status_code}")

    await asyncio.gather(*(worker(n) for n in range(clients)))
    return latencies


def plan_xlsx(rows: int, dates: list[dt.date], seed: int = 7) -> bytes:
    """A measure plan in the layout of the example file with ``rows`` measures."""
    from openpyxl import Workbook

    from core.measures.excel import HEADERS_BEFORE, progress_header, status_header
    from core.reporting.status import status_for

    rng = random.Random(seed)  # noqa: S311 - test data
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([*HEADERS_BEFORE, *[progress_header(d) for d in dates], status_header(dates[-1])])
    for n in range(rows):
        gk = ["I", "II", "III", "IV", "V", "VI", "VII"][n * 7 // rows]
        first = n == 0 or gk != ["I", "II", "III", "IV", "V", "VI", "VII"][(n - 1) * 7 // rows]
        values: list[Any] = [
            gk if first else None,
            f"Geschäftskreis {gk}" if first else None,
            f"{gk}.{n % 5}",
            f"Dienststelle {gk}.{n % 5}",
            f"MP {n + 1:04d}",
            str(rng.choice((2021, 2022, 2023))),
            f"Projekt {n + 1}",
            "Beschreibung " * 4,
            "2026",
        ]
        value = rng.randint(0, 3)
        progress = []
        for k in range(len(dates)):
            if k < 2 and rng.random() < 0.2:
                progress.append("(Leer)")
                continue
            value = min(10, value + rng.choice((0, 1, 2)))
            progress.append(value)
        last = progress[-1]
        ws.append([*values, *progress, status_for(last) if isinstance(last, int) else None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def csrf_token(client: Any) -> str:
    await client.get("/login")
    token = client.cookies.get("kommpass_csrf")
    assert token, "no CSRF cookie"
    return str(token)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    args = parser.parse_args()
    serve(args.url, args.port, args.data_dir)


if __name__ == "__main__":
    main()
