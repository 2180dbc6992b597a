"""Demo content for "Stadt Dorsten (Demo)": platform accounts, fees, a few payments.

The ePayBL account points at the local sandbox (``kommpass serve`` starts it in demo mode);
the pmPayment account is left half-filled so the completeness display has something to show.
Seed 000 (Dorsten) budgets "Bezahlplattform … Transaktionskosten im lfd. Betrieb"; seed 002
describes the Reitkennzeichen flow, hence the fee schedule for that service.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.models import utcnow
from core.online_services.models import OnlineService
from plugins.epayment.protocol import Notification
from plugins.epayment.sandbox.process import sandbox_url
from plugins.epayment.service import accounts, fees, payments

FEES: dict[str, dict[str, Any]] = {
    "reitkennzeichen": {
        "fee_kind": "schedule",
        "schedule": "Reitkennzeichen: 25,00\nReitplakette: 15,00",
        "kostenstelle": "3200",
        "kostentraeger": "122010",
        "haushaltsstelle": "1.122.01",
    },
    "fischereischein": {
        "fee_kind": "schedule",
        "schedule": "Fischereischein (5 Jahre): 40,00\nJugendfischereischein: 10,00",
        "kostenstelle": "3200",
        "kostentraeger": "122020",
        "haushaltsstelle": "1.122.02",
    },
    "einbürgerung": {
        "fee_kind": "fixed",
        "fee": "255,00",
        "kostenstelle": "3300",
        "kostentraeger": "122030",
        "haushaltsstelle": "1.122.03",
    },
}


def _encryption_key() -> str | None:
    from core.settings import get_settings

    settings = get_settings()
    if settings.encryption_key:
        return settings.encryption_key
    path = settings.data_dir / "secrets.json"  # written by ``kommpass serve`` before the demo seed runs
    if path.exists():
        return str(json.loads(path.read_text()).get("encryption_key") or "") or None
    return None


async def seed(session: AsyncSession, tenant_id: uuid.UUID, *, encryption_key: str | None = None) -> None:
    key = encryption_key or _encryption_key()
    epaybl = await accounts.save_account(
        session,
        tenant_id,
        "epaybl",
        {
            "provider": "sandbox",
            "stage": "integration",
            "endpoint_url": sandbox_url(),
            "mandant_integration": "DOR-INT-0815",
            "mandant_production": "DOR-0815",
            "bewirtschafter": "4711",
            "haushaltsstelle": "1.122.00",
            "objektnummer": "OBJ-2024-01",
            "kz_prefix": "DOR",
            "kz_length": "14",
            "kontierung": "Sachkonto:8\nKostenstelle:6\nKostenträger:8",
            "booking_text": "Gebühr Stadt Dorsten",
            "payment_methods": ["kreditkarte", "paypal", "sepa_lastschrift", "echtzeitueberweisung"],
            "cost_fixed_cents": "25",
            "cost_percent_bp": "120",
        },
        encryption_key=key,
    )
    if key:
        await accounts.set_secret(
            session, tenant_id, epaybl.id, secrets.token_urlsafe(32), encryption_key=key
        )
    await accounts.save_account(
        session,
        tenant_id,
        "pmpayment",
        {
            "provider": "sandbox",
            "stage": "integration",
            "merchant_id": "05562012",
            "kz_prefix": "PM",
            "booking_text": "Gebühr Stadt Dorsten (pmPayment)",
            "payment_methods": ["kreditkarte", "paypal"],
        },
    )
    services = (
        await session.scalars(select(OnlineService).where(OnlineService.tenant_id == tenant_id))
    ).all()
    chosen = []
    for service in services:
        title = (service.title or "").lower()
        for needle, spec in FEES.items():
            if needle in title and not any(s.id == service.id for s, _ in chosen):
                chosen.append((service, spec))
    for service, spec in chosen:
        await fees.save_fee(
            session, tenant_id, service.id, {**spec, "charges_fee": "1", "account_id": str(epaybl.id)}
        )
    # A few historical payments so the dashboard, export and reconciliation have content.
    now = utcnow()
    for i, (outcome, cents) in enumerate(
        [("paid", 2500), ("paid", 1500), ("cancelled", 2500), ("paid", 3000), ("failed", 1300)]
    ):
        created = now - dt.timedelta(days=6 - i, hours=2)
        payment = await payments.create_payment(
            session,
            tenant_id,
            account=epaybl,
            amount_cents=cents,
            service_title=chosen[0][0].title if chosen else "Gebühr",
            now=created,
        )
        payment.provider_reference = f"SBX-DEMO-{i}"
        payment.status = "pending"
        await payments.apply_notification(
            session,
            tenant_id,
            "sandbox",
            Notification(
                event_id=f"demo-{payment.id}",
                kassenzeichen=payment.kassenzeichen,
                reference=payment.reference,
                provider_reference=f"SBX-DEMO-{i}",
                status=outcome,
                amount_cents=cents,
                currency="EUR",
                payment_method="kreditkarte" if i % 2 == 0 else "paypal",
            ),
            now=created + dt.timedelta(minutes=3),
        )
