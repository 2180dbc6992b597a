"""Liveness, readiness and health (checks the database)."""

from __future__ import annotations

import time
from typing import Any

from litestar import MediaType, Response, get
from litestar.datastructures import State
from sqlalchemy import text


@get("/live", media_type=MediaType.JSON, include_in_schema=False, sync_to_thread=False)
def live() -> dict[str, str]:
    """The process is up (no dependencies checked)."""
    return {"status": "ok"}


@get(["/health", "/ready"], media_type=MediaType.JSON, tags=["Betrieb"])
async def health(state: State) -> Response[dict[str, Any]]:
    """The app can serve requests: the database answers."""
    started = time.perf_counter()
    try:
        async with state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - health reports any failure as 503
        return Response({"status": "unavailable", "database": "error", "detail": type(exc).__name__},
                        status_code=503)
    return Response({"status": "ok", "database": "ok",
                     "database_ms": round((time.perf_counter() - started) * 1000, 1)})


from web.metrics import metrics  # noqa: E402

ROUTES = [live, health, metrics]
