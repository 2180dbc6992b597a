"""Helpers shared by the controllers of the measures area (measures, online services,
reporting dates, reports): the audit actor, form parsing, file responses."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request, Response

from core.audit.service import Actor
from core.errors import FieldError, ValidationFailed
from core.excel.writing import XLSX_MEDIA_TYPE
from tenants.context import Identity
from tenants.models import Role


def actor_of(request: Request[Any, Any, Any], identity: Identity) -> Actor:
    return Actor(
        user_id=identity.user_id,
        label=identity.email or identity.display_name,
        ip=request.client.host if request.client else None,
        request_id=request.scope.get("state", {}).get("request_id"),
    )


def can_edit(identity: Identity) -> bool:
    return identity.has_role(Role.EDITOR)


def parse_uuid(value: str | None, field: str = "id") -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(errors=[FieldError(field, "Ungültige Auswahl.")]) from None


def parse_version(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            errors=[FieldError("version", "Der Bearbeitungsstand fehlt. Bitte laden Sie die Seite neu.")]
        ) from None


def parse_int(value: str | None, field: str, message: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationFailed(errors=[FieldError(field, message)]) from None


def file_response(content: bytes, filename: str, media_type: str = XLSX_MEDIA_TYPE) -> Response[bytes]:
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename.encode("ascii", "ignore").decode()}"; '
            f"filename*=UTF-8''{quote(filename)}",
        },
    )


def errors_by_field(exc: ValidationFailed) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


def wants_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"
