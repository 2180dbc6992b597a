"""Form handling the strategy editor and the budget plan share: the posted fields, the version
the editor started from, and what an edit form shows after a failed save."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import Request

from core.errors import Conflict, ValidationFailed
from core.strategy.kinds import FieldSpec, display


async def form_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form fields without the CSRF token."""
    return {k: v for k, v in (await request.form()).items() if k != "_csrf_token"}


def form_version(form: dict[str, Any]) -> int | None:
    """The version the editor started from; ``None`` when missing or not a number (the
    service then answers 422 on ``version``)."""
    try:
        return int(form.get("version", ""))
    except ValueError:
        return None


def current_rows(specs: Sequence[FieldSpec], obj: Any) -> list[tuple[str, str]]:
    """``(label, value)`` of each field of ``obj`` as it is stored now."""
    return [(f.label, display(f, getattr(obj, f.name))) for f in specs]


def failed_save(
    exc: ValidationFailed | Conflict, form: dict[str, Any], specs: Sequence[FieldSpec], obj: Any
) -> tuple[dict[str, Any], int]:
    """The context of an edit form after a failed save, and its status: the user's values with
    one message per field (422), or, when someone else saved first, also their state and
    version (409) so that saving again overwrites knowingly."""
    if isinstance(exc, Conflict):
        return {
            "values": form,
            "errors": {},
            "conflict": exc.message,
            "current": current_rows(specs, obj),
            "version": obj.version,
        }, 409
    return {
        "values": form,
        "errors": exc.as_dict(),
        "conflict": None,
        "current": None,
        "version": form.get("version"),
    }, 422
