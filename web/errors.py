"""One mapping from domain errors to HTTP, for HTML, htmx and JSON alike."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
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
    503: "Vorübergehend nicht verfügbar",
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


def database_unavailable_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Lost or refused database connections (restart, failover) are 503, not 500.

    Nothing of the request was committed: its transaction died with the connection. The
    pool (``pool_pre_ping``) replaces broken connections, so the next request works again.
    """
    if not _is_connection_error(exc):
        return internal_error_handler(request, exc)
    log.warning("database.unavailable", path=request.url.path, method=request.method, error=type(exc).__name__)
    response = _respond(request, 503, "Die Datenbank ist vorübergehend nicht erreichbar. Bitte versuchen Sie es "
                                      "in einigen Sekunden erneut.", {})
    response.headers["retry-after"] = "5"
    return response


def _is_connection_error(exc: BaseException) -> bool:
    import asyncpg
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, DBAPIError) and (exc.connection_invalidated or isinstance(exc, InterfaceError | OperationalError)):
        return True
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, asyncpg.exceptions.ConnectionDoesNotExistError | asyncpg.exceptions.CannotConnectNowError
                      | asyncpg.exceptions.AdminShutdownError | ConnectionError | OSError):
            return True
        current = current.__cause__ or current.__context__
    return False


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("request.failed", path=request.url.path, method=request.method)
    return _respond(request, HTTP_500_INTERNAL_SERVER_ERROR,
                    "Ein interner Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.", {})


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    NotAuthorizedException: not_authorized_handler,
    HTTPException: http_exception_handler,
    HTTP_500_INTERNAL_SERVER_ERROR: database_unavailable_handler,
}
