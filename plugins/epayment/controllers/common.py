"""Helpers shared by the e-payment handlers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from litestar import Request

from core.audit.service import Actor
from core.errors import FieldError, NotFound, ValidationFailed
from plugins.epayment.protocol import PaymentProvider
from plugins.epayment.providers import providers_from
from plugins.epayment.service.common import today_local
from tenants.context import Identity


def actor_of(request: Request[Any, Any, Any], identity: Identity) -> Actor:
    client = request.client.host if request.client else None
    return Actor(
        user_id=identity.user_id,
        label=identity.email or identity.display_name,
        ip=client,
        request_id=request.scope.get("state", {}).get("request_id"),
    )  # type: ignore[union-attr]


def settings_of(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.settings


def encryption_key(request: Request[Any, Any, Any]) -> str | None:
    return settings_of(request).encryption_key  # type: ignore[no-any-return]


def providers(request: Request[Any, Any, Any]) -> dict[str, PaymentProvider]:
    return providers_from(request.app.state.plugin_manager)


def parse_uuid(value: str) -> uuid.UUID:
    """Path ids: anything that is not a UUID is simply not found (no 400 that leaks formats)."""
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound("Nicht gefunden.") from exc


def parse_day(value: str | None, field: str = "tag", default: dt.date | None = None) -> dt.date:
    if not value:
        return default or today_local()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed([FieldError(field, "Bitte ein Datum im Format JJJJ-MM-TT angeben.")]) from exc


def parse_year(value: str | None) -> int:
    if not value:
        return today_local().year
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise ValidationFailed([FieldError("jahr", "Bitte ein Jahr zwischen 2000 und 2100 angeben.")])
    return int(value)
