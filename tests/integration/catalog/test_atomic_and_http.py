"""A killed sync leaves the previous version complete; HTTP sources with conditional requests."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.catalog.models import CatalogVersion, LeikaLeistung
from core.catalog.sync import sync_catalog

REPO = Path(__file__).resolve().parents[3]

KILL_SCRIPT = """
import asyncio, os, sys, time
from core.db import create_engine, make_sessionmaker
from core.catalog.sync import sync_catalog

def progress(stage):
    print(stage, flush=True)
    if stage == "wrote:leika_leistung":
        time.sleep(600)   # half-way: entries written, transaction not committed

async def main():
    engine = create_engine(os.environ["CAT_URL"], pool_size=1, max_overflow=0)
    await sync_catalog(make_sessionmaker(engine), sys.argv[1:], on_progress=progress)

asyncio.run(main())
"""


@pytest.mark.process
async def test_sync_killed_half_way_leaves_previous_version_complete(
    synced_db: Any, synced_sessionmaker: Any, catalog_files: tuple[Path, Path], tmp_path: Path
) -> None:
    ozg, leika = catalog_files
    variant = tmp_path / "leika.csv"
    lines = leika.read_text(encoding="utf-8").splitlines(keepends=True)
    # every name changed and 1,000 rows removed: a big write that we interrupt
    changed = [lines[0]] + [ln.replace(";", ";X ", 1) for ln in lines[1:4250]]
    variant.write_text("".join(changed), encoding="utf-8")

    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", KILL_SCRIPT, str(ozg), str(variant)],
        cwd=REPO,
        env={**os.environ, "CAT_URL": synced_db.app},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        stages = []
        for line in proc.stdout:
            stages.append(line.strip())
            if line.strip() == "wrote:leika_leistung":
                break
        assert "wrote:leika_leistung" in stages, stages
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    async with synced_sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(CatalogVersion)) == 1
        assert await s.scalar(select(func.count()).select_from(LeikaLeistung)) == 5249
        assert (
            await s.scalar(
                select(func.count()).select_from(LeikaLeistung).where(LeikaLeistung.name.like("X %"))
            )
            == 0
        )
    # the lock died with the connection: the next sync runs and finds nothing to do
    result = await sync_catalog(synced_sessionmaker, catalog_files)
    assert (result.added, result.changed, result.removed) == (0, 0, 0) and result.version == 1


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files with ETag and Last-Modified; answers conditional requests with 304."""

    requests: list[dict[str, str]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        path = Path(self.directory) / self.path.lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        last_modified = formatdate(stat.st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def http_catalogue(catalog_files: tuple[Path, Path]) -> Iterator[str]:
    directory = catalog_files[0].parent
    _Handler.requests = []
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: _Handler(*a, directory=str(directory))
    )  # type: ignore[misc]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_http_source_syncs_the_same_and_second_sync_is_a_304(
    catalog_sessionmaker: Any, http_catalogue: str
) -> None:
    urls = [f"{http_catalogue}/ozg-leistungen.csv", f"{http_catalogue}/leika-leistungen.csv"]
    first = await sync_catalog(catalog_sessionmaker, urls)
    assert first.counts["ozg_leistungen"] == 557 and first.counts["leika_leistungen"] == 5249
    assert first.counts["leika_mit_schluessel"] == 4813 and first.counts["leika_ohne_ozg"] == 26
    assert first.counts["themenfelder"] == 14 and first.counts["lebenslagen"] == 55
    assert all("if-none-match" not in r for r in _Handler.requests)

    _Handler.requests.clear()
    second = await sync_catalog(catalog_sessionmaker, urls)
    assert len(_Handler.requests) == 2
    assert all(r.get("if-none-match") and r.get("if-modified-since") for r in _Handler.requests)
    assert sorted(second.not_modified) == sorted(urls)
    assert (second.added, second.changed, second.removed) == (0, 0, 0)
    assert not second.created and second.version == first.version


async def test_unreachable_url_and_http_error_are_reported(
    catalog_sessionmaker: Any, http_catalogue: str
) -> None:
    from core.catalog.sources import SourceError

    with pytest.raises(SourceError, match="HTTP 404"):
        await sync_catalog(catalog_sessionmaker, [f"{http_catalogue}/gibtsnicht.csv"])
    with pytest.raises(SourceError):
        await sync_catalog(catalog_sessionmaker, ["ftp://example.org/x.csv"])
