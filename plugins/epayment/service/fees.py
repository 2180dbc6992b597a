"""Fees of online services: fee yes/no, fixed amount or a small schedule, accounting fields."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor, diff, record
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.online_services.models import OnlineService
from plugins.epayment.models import PaymentAccount, ServiceFee
from plugins.epayment.service.common import claim_route, euro, new_token, parse_euro

MAX_SCHEDULE = 10
MAX_FEE_CENTS = 10_000_000


@dataclass(frozen=True)
class ServiceRow:
    service: OnlineService
    fee: ServiceFee | None


def fee_view(fee: ServiceFee, service: OnlineService | None = None) -> dict[str, Any]:
    return {
        "id": str(fee.id),
        "online_service_id": str(fee.online_service_id),
        "service_number": service.number if service else None,
        "service_title": service.title if service else None,
        "account_id": str(fee.account_id) if fee.account_id else None,
        "charges_fee": fee.charges_fee,
        "fee_kind": fee.fee_kind,
        "fee_cents": fee.fee_cents,
        "schedule": list(fee.schedule or []),
        "kostenstelle": fee.kostenstelle,
        "kostentraeger": fee.kostentraeger,
        "haushaltsstelle": fee.haushaltsstelle,
        "public_key": fee.public_key,
        "version": fee.version,
    }


def fee_label(fee: ServiceFee | None) -> str:
    if fee is None or not fee.charges_fee:
        return "gebührenfrei"
    if fee.fee_kind == "fixed":
        return euro(fee.fee_cents)
    amounts = [int(item["cents"]) for item in fee.schedule or []]
    return f"{euro(min(amounts))} – {euro(max(amounts))}" if amounts else "Staffel (leer)"


async def list_services(session: AsyncSession, tenant_id: uuid.UUID) -> list[ServiceRow]:
    services = (
        await session.scalars(
            select(OnlineService).where(OnlineService.tenant_id == tenant_id).order_by(OnlineService.number)
        )
    ).all()
    fees = {
        f.online_service_id: f
        for f in (await session.scalars(select(ServiceFee).where(ServiceFee.tenant_id == tenant_id))).all()
    }
    return [ServiceRow(s, fees.get(s.id)) for s in services]


async def get_service(session: AsyncSession, tenant_id: uuid.UUID, service_id: uuid.UUID) -> ServiceRow:
    service = await session.scalar(
        select(OnlineService).where(OnlineService.tenant_id == tenant_id, OnlineService.id == service_id)
    )
    if service is None:
        raise NotFound("Der Online-Dienst wurde nicht gefunden.")
    fee = await session.scalar(
        select(ServiceFee).where(
            ServiceFee.tenant_id == tenant_id, ServiceFee.online_service_id == service_id
        )
    )
    return ServiceRow(service, fee)


async def get_fee(session: AsyncSession, tenant_id: uuid.UUID, fee_id: uuid.UUID) -> ServiceFee:
    fee = await session.scalar(
        select(ServiceFee).where(ServiceFee.tenant_id == tenant_id, ServiceFee.id == fee_id)
    )
    if fee is None:
        raise NotFound("Die Gebührenangabe wurde nicht gefunden.")
    return fee


def _parse_schedule(raw: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if isinstance(raw, str):
        entries: list[tuple[str, str]] = []
        for line in raw.splitlines():
            if line.strip():
                label, _, amount = line.rpartition(":")
                entries.append((label.strip(), amount.strip()))
    else:
        entries = [
            (str(e.get("label", "")).strip(), str(e.get("amount", e.get("cents", "")))) for e in raw or []
        ]
        if raw and all("cents" in e for e in raw):
            entries = [
                (str(e.get("label", "")).strip(), f"{int(e['cents']) // 100},{int(e['cents']) % 100:02d}")
                for e in raw
            ]
    for row, (label, amount) in enumerate(entries, start=1):
        try:
            cents = parse_euro(amount)
        except ValueError:
            cents = None
        if not label or not cents or cents > MAX_FEE_CENTS:
            errors.append(
                FieldError(
                    "schedule", f"Staffel Zeile {row}: „Bezeichnung: Betrag in Euro“ angeben.", row=row
                )
            )
            continue
        items.append({"label": label[:120], "cents": cents})
    if len(items) > MAX_SCHEDULE:
        errors.append(FieldError("schedule", f"Höchstens {MAX_SCHEDULE} Staffelpositionen."))
    return items


async def save_fee(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    service_id: uuid.UUID,
    data: dict[str, Any],
    *,
    actor: Actor = SYSTEM,
    version: int | None = None,
) -> ServiceFee:
    row = await get_service(session, tenant_id, service_id)
    errors: list[FieldError] = []
    charges = str(data.get("charges_fee", "")).lower() in ("1", "true", "on", "ja", "yes")
    kind = str(data.get("fee_kind") or "fixed")
    if kind not in ("fixed", "schedule"):
        errors.append(FieldError("fee_kind", "Bitte feste Gebühr oder Staffel wählen."))
    fee_cents: int | None = None
    if data.get("fee_cents") not in (None, ""):
        try:
            fee_cents = int(data["fee_cents"])
        except (TypeError, ValueError):
            errors.append(FieldError("fee", "Betrag: bitte in Euro angeben, z. B. 25,00."))
    else:
        try:
            fee_cents = parse_euro(data.get("fee"))
        except ValueError:
            errors.append(FieldError("fee", "Betrag: bitte in Euro angeben, z. B. 25,00."))
    if fee_cents is not None and not 0 < fee_cents <= MAX_FEE_CENTS:
        errors.append(FieldError("fee", "Bitte einen Betrag größer 0 und höchstens 100.000 € angeben."))
        fee_cents = None
    schedule = _parse_schedule(data.get("schedule") or [], errors)
    account_id: uuid.UUID | None = None
    if data.get("account_id"):
        try:
            account_id = uuid.UUID(str(data["account_id"]))
        except ValueError:
            errors.append(FieldError("account_id", "Bitte eine Bezahlplattform wählen."))
        else:
            exists = await session.scalar(
                select(PaymentAccount.id).where(
                    PaymentAccount.tenant_id == tenant_id, PaymentAccount.id == account_id
                )
            )
            if exists is None:
                errors.append(FieldError("account_id", "Bitte eine Bezahlplattform wählen."))
    if charges:
        if kind == "fixed" and (not fee_cents or fee_cents <= 0 or fee_cents > MAX_FEE_CENTS):
            errors.append(FieldError("fee", "Bitte einen Betrag größer 0 angeben."))
        if kind == "schedule" and not schedule:
            errors.append(FieldError("schedule", "Bitte mindestens eine Staffelposition angeben."))
        if account_id is None:
            errors.append(
                FieldError("account_id", "Bitte die Bezahlplattform wählen, über die gezahlt wird.")
            )
    accounting = {}
    for name, label, limit in (
        ("kostenstelle", "Kostenstelle", 40),
        ("kostentraeger", "Kostenträger", 40),
        ("haushaltsstelle", "Haushaltsstelle", 60),
    ):
        value = str(data.get(name) or "").strip() or None
        if value and len(value) > limit:
            errors.append(FieldError(name, f"{label}: höchstens {limit} Zeichen."))
        accounting[name] = value
    if errors:
        raise ValidationFailed(errors)
    fee = row.fee
    if fee is not None and version is not None and fee.version != version:
        raise Conflict("Die Gebührenangabe wurde inzwischen geändert.", current=fee_view(fee, row.service))
    old = fee_view(fee, row.service) if fee else {}
    if fee is None:
        key = new_token(12)
        while not await claim_route(session, tenant_id, "svc:" + key):
            key = new_token(12)
        fee = ServiceFee(tenant_id=tenant_id, online_service_id=service_id, public_key=key)
        session.add(fee)
    fee.charges_fee = charges
    fee.fee_kind = kind
    fee.fee_cents = fee_cents if kind == "fixed" else None
    fee.schedule = schedule if kind == "schedule" else []
    fee.account_id = account_id
    for key_, value in accounting.items():
        setattr(fee, key_, value)
    await session.flush()
    new = fee_view(fee, row.service)
    old.pop("version", None)
    new_cmp = dict(new)
    new_cmp.pop("version", None)
    await record(
        session,
        tenant_id=tenant_id,
        action="epayment.fee." + ("update" if old else "create"),
        actor=actor,
        entity_type="epayment_service_fee",
        entity_id=fee.id,
        changes=diff(old, new_cmp),
    )
    return fee
