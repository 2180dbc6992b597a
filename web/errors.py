"""One mapping from domain errors to HTTP, for HTML, htmx and JSON alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
)

from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from tenants.context import Identity

log = structlog.get_logger("kommpass.web")

STATUS: dict[type[DomainError], int] = {
    NotFound: HTTP_404_NOT_FOUND,
    Forbidden: HTTP_403_FORBIDDEN,
    Conflict: HTTP_409_CONFLICT,
    ValidationFailed: HTTP_422_UNPROCESSABLE_ENTITY,
}

TITLES = {
    401: "Anmeldung erforderlich",
    403: "Keine Berechtigung",
    404: "Nicht gefunden",
    409: "Konflikt",
    422: "Ungültige Eingabe",
    500: "Interner Fehler",
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _identity(request: Request[Any, Any, Any]) -> Identity | None:
    user = request.scope.get("user")
    return user if isinstance(user, Identity) else None


def _respond(request: Request[Any, Any, Any], status: int, message: str, extra: dict[str, Any]) -> Response[Any]:
    if wants_json(request):
        return Response(content={"status_code": status, "detail": message, **extra}, status_code=status,
                        media_type=MediaType.JSON)
    block = "content" if request.headers.get("hx-request") == "true" else None
    from jinja2_fragments.litestar import HTMXBlockTemplate

    ctx = {"status": status, "title": TITLES.get(status, "Fehler"), "message": message, **extra}
    if block:
        return HTMXBlockTemplate(template_name="errors/error.html", block_name=block, context=ctx,
                                 status_code=status)  # type: ignore[return-value]
    return Template(template_name="errors/error.html", context=ctx, status_code=status)  # type: ignore[return-value]


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = next((code for cls, code in STATUS.items() if isinstance(exc, cls)), 400)
    identity = _identity(request)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = [{"field": e.field, "row": e.row, "message": e.message} for e in exc.errors]
    if isinstance(exc, Conflict):
        extra["current"] = exc.current
    if status in (403, 404):
        # Denied and cross-tenant requests leave a trace (the audit entry is written by the
        # after_exception hook of the identity layer).
        log.warning(
            "request.denied" if status == 403 else "request.not_found",
            status=status,
            path=request.url.path,
            method=request.method,
            user_id=str(identity.user_id) if identity else None,
            tenant_id=str(identity.tenant_id) if identity and identity.tenant_id else None,
            reason=exc.message,
        )
    return _respond(request, status, exc.message, extra)


def not_authorized_handler(request: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[Any]:
    if wants_json(request):
        return _respond(request, HTTP_401_UNAUTHORIZED, exc.detail or TITLES[401], {})
    target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=HTTP_401_UNAUTHORIZED, headers={"HX-Redirect": target})
    return Redirect(path=target, status_code=303)  # type: ignore[return-value]


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    message = exc.detail or TITLES.get(status, "Fehler")
    if isinstance(exc, NotFoundException):
        message = "Die Seite wurde nicht gefunden."
        log.info("request.not_found", path=request.url.path, method=request.method)
    elif isinstance(exc, PermissionDeniedException):
        message = exc.detail or TITLES[403]
    extra: dict[str, Any] = {}
    if status == 400 and getattr(exc, "extra", None):
        extra["errors"] = exc.extra
    return _respond(request, status, message, extra)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("request.failed", path=request.url.path, method=request.method)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR,
                    "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.", {})


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    NotAuthorizedException: not_authorized_handler,
    HTTPException: http_exception_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: internal_error_handler,
}
