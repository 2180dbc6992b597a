"""Shared helpers of the DMS pages: the service for a request, form values, choices."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import Actor
from core.errors import FieldError, ValidationFailed
from plugins.dms.models import INBOX_MODES, INTEGRATIONS, SCANNING_MODES, STATUS_LABELS, STATUSES
from plugins.dms.service import DmsService, unit_label
from tenants.context import Identity

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: German names of the fields in the change history.
FIELD_LABELS = {
    "file_type_id": "Aktenart",
    "org_unit_id": "Organisationseinheit",
    "product_id": "DMS-Produkt",
    "designation": "Bezeichnung im Bericht",
    "status": "Status",
    "planned_on": "geplant ab",
    "introduction_on": "Einführung begonnen",
    "live_on": "umgesetzt am",
    "integration": "Anbindung",
    "procedure_name": "Fachverfahren",
    "procedure_vendor": "Hersteller",
    "procedure_interface": "Schnittstelle",
    "inbox": "Posteingang",
    "workflow_approval": "Freigabe",
    "workflow_acknowledgement": "Kenntnisnahme",
    "workflow_cosigning": "Mitzeichnung",
    "scanning_resiscan": "TR-RESISCAN",
    "scanning_mode": "Scannen",
    "archive_audit_proof": "revisionssicher",
    "archive_long_term": "Langzeitarchivierung",
    "users_trained": "geschulte Personen",
    "measure_id": "Maßnahme",
    "budget_line_ids": "Finanzplan",
    "notes": "Bemerkung",
}
ACTION_LABELS = {
    "dms.rollout.create": "angelegt",
    "dms.rollout.update": "geändert",
    "dms.rollout.delete": "gelöscht",
}


def actor_of(request: Request[Any, Any, Any], identity: Identity) -> Actor:
    return Actor(
        user_id=identity.user_id,
        label=identity.email or identity.display_name,
        ip=request.client.host if request.client else None,
        request_id=getattr(request.state, "request_id", None),
    )


def service_for(request: Request[Any, Any, Any], db: AsyncSession, identity: Identity) -> DmsService:
    return DmsService(db, identity.require_tenant(), actor_of(request, identity))


def see_other(path: str) -> Redirect:
    return Redirect(path=path, status_code=303)


def errors_of(exc: ValidationFailed | list[FieldError]) -> dict[str, str]:
    items = exc.errors if isinstance(exc, ValidationFailed) else exc
    out: dict[str, str] = {}
    for e in items:
        out.setdefault(e.field, e.message)
    return out


async def choices(service: DmsService) -> dict[str, Any]:
    return {
        "file_types": [(str(t.id), t.name) for t in await service.file_types()],
        "units": [
            (str(u.id), unit_label(u) if not u.code else f"{u.code} {u.name or ''}".strip())
            for u in await service.org_units()
        ],
        "products": [
            (str(p.id), p.name + (f" {p.product_version}" if p.product_version else ""))
            for p in await service.products()
        ],
        "measures": [(str(m.id), f"{m.number} {m.title}") for m in await service.measures()],
        "budget_lines": [(str(b.id), f"{b.number} {b.title}") for b in await service.budget_lines()],
        "statuses": [(s, STATUS_LABELS[s]) for s in STATUSES],
        "integrations": list(INTEGRATIONS.items()),
        "inbox_modes": list(INBOX_MODES.items()),
        "scanning_modes": list(SCANNING_MODES.items()),
    }


def form_values(data: Any) -> dict[str, Any]:
    import msgspec

    values = msgspec.to_builtins(data)
    return {k: ("" if v is None else v) for k, v in values.items()}
