"""ASGI middleware: request id + structured-log context, security headers."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("kommpass.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    # Scripts only from our own static files: no inline scripts anywhere (charts read their
    # data from data-attributes / JSON script blocks of type application/json).
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:; "
        "base-uri 'self'"
    ),
}


def request_context_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_ID.match(incoming or "") else uuid.uuid4().hex
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = request_id  # type: ignore[index]
        state["started_at"] = time.perf_counter()  # type: ignore[index]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        try:
            await app(scope, receive, send)
        finally:
            path = scope.get("path", "")
            if not path.startswith("/static"):
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=path,
                    status=scope.get("state", {}).get("status_code", 0),  # type: ignore[union-attr]
                    duration_ms=round((time.perf_counter() - start) * 1000, 1),
                )

    return middleware


async def before_send(message: Message, scope: Scope) -> None:
    """Runs for every response, error responses of the exception middleware included."""
    if message["type"] == "http.response.start":
        state = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["status_code"] = message["status"]  # type: ignore[index]
        from web.metrics import observe

        observe(scope, message)
        headers = MutableScopeHeaders.from_message(message)
        request_id = state.get("request_id")  # type: ignore[union-attr]
        if request_id:
            headers["x-request-id"] = request_id
        for key, value in SECURITY_HEADERS.items():
            if key not in headers:
                headers[key] = value
