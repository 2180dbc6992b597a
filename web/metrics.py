"""Prometheus metrics: request count and latency per route template, plus process metrics.

``/metrics`` is meant for the internal network (restrict it at the load balancer); with
``KOMMPASS_METRICS_TOKEN`` set it also requires ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import os
import time
from typing import Any

from litestar import Request, Response, get
from litestar.types import Message, Scope
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

REQUESTS = Counter("kommpass_http_requests_total", "HTTP requests", ["method", "route", "status"],
                   registry=REGISTRY)
LATENCY = Histogram(
    "kommpass_http_request_duration_seconds", "HTTP request duration", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10), registry=REGISTRY,
)


def route_template(scope: Scope) -> str:
    handler = scope.get("route_handler")
    paths = getattr(handler, "paths", None)
    if paths:
        return sorted(paths)[0]
    return "unmatched"


def observe(scope: Scope, message: Message) -> None:
    """Called from ``before_send`` for ``http.response.start``."""
    started = scope.get("state", {}).get("started_at")  # type: ignore[union-attr]
    route = route_template(scope)
    if route.startswith("/static"):
        return
    method = scope.get("method", "GET")
    REQUESTS.labels(method, route, str(message["status"])).inc()
    if started is not None:
        LATENCY.labels(method, route).observe(time.perf_counter() - started)


@get("/metrics", include_in_schema=False)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    token = os.environ.get("KOMMPASS_METRICS_TOKEN")
    if token and request.headers.get("authorization") != f"Bearer {token}":
        return Response(b"unauthorized\n", status_code=401, media_type="text/plain")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
