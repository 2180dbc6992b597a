"""A real uvicorn server of the app (in a thread) and the sandbox process, on loopback."""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from core.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def app_server(settings: Settings, *, pool_size: int = 10) -> Iterator[str]:
    """Run the Kommpass app with uvicorn on a free loopback port; yields its base URL."""
    from web.app import create_app

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = dataclasses.replace(
        settings,
        web=dataclasses.replace(settings.web, base_url=base, port=port),
        database=dataclasses.replace(settings.database, pool_size=pool_size),
    )
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
            limit_concurrency=1000,
            backlog=2048,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=0.5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:  # pragma: no cover
        server.should_exit = True
        raise RuntimeError("app server did not start")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def csrf_field(html: str) -> dict[str, Any]:
    import re

    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "CSRF field missing"
    return {"_csrf_token": match.group(1)}
