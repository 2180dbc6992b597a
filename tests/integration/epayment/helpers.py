"""Test data for the e-payment plugin: a tenant with an online service, an account and a fee."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.online_services.models import OnlineService
from plugins.epayment import signing
from plugins.epayment.service import accounts, fees
from tenants.models import Tenant
from tests.factories import create_tenant


@dataclass
class Setup:
    tenant: Tenant
    service_id: uuid.UUID
    account_id: uuid.UUID
    fee_id: uuid.UUID
    public_key: str
    secret: str


async def setup_tenant(
    sessionmaker: async_sessionmaker[AsyncSession],
    encryption_key: str,
    *,
    endpoint: str = "http://127.0.0.1:9",
    fee: dict[str, Any] | None = None,
    name: str | None = None,
) -> Setup:
    tenant = await create_tenant(sessionmaker, name=name)
    secret = "s3cr3t-" + secrets.token_urlsafe(24)
    async with tenant_session(sessionmaker, tenant.id) as session:
        service = OnlineService(
            tenant_id=tenant.id,
            number=f"OD {secrets.randbelow(999):03d}",
            title="Reitkennzeichen und -plaketten",
            epayment=True,
        )
        session.add(service)
        await session.flush()
        account = await accounts.save_account(
            session,
            tenant.id,
            "epaybl",
            {
                "provider": "sandbox",
                "stage": "integration",
                "endpoint_url": endpoint,
                "mandant_integration": f"M-{secrets.token_hex(4)}",
                "mandant_production": "M-PROD",
                "bewirtschafter": "4711",
                "haushaltsstelle": "1.122.00",
                "objektnummer": "OBJ-1",
                "kz_prefix": "KP",
                "kz_length": "14",
                "kontierung": "Sachkonto:8",
                "booking_text": "Gebühr",
                "payment_methods": ["kreditkarte", "paypal"],
                "cost_fixed_cents": "25",
                "cost_percent_bp": "100",
                "secret": secret,
            },
            encryption_key=encryption_key,
        )
        saved = await fees.save_fee(
            session,
            tenant.id,
            service.id,
            fee
            or {
                "charges_fee": "1",
                "fee_kind": "schedule",
                "schedule": "Reitkennzeichen: 25,00\nReitplakette: 15,00",
                "haushaltsstelle": "1.122.01",
                "kostenstelle": "3200",
                "kostentraeger": "122010",
                "account_id": str(account.id),
            },
        )
        return Setup(tenant, service.id, account.id, saved.id, saved.public_key, secret)


def signed(
    secret: str, body: dict[str, Any] | bytes, *, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    import json

    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw, {
        "content-type": "application/json",
        signing.HEADER: signing.sign(secret, raw, timestamp=timestamp),
    }


def notification(
    payment: Any,
    status: str,
    *,
    event: str | None = None,
    amount: int | None = None,
    reference: str | None = None,
    kassenzeichen: str | None = None,
) -> dict[str, Any]:
    return {
        "event_id": event or f"{payment.provider_reference or 'tx'}:{status}",
        "merchant_id": "M",
        "kassenzeichen": kassenzeichen or payment.kassenzeichen,
        "reference": reference or payment.reference,
        "transaction_id": payment.provider_reference or "tx",
        "status": status,
        "amount_cents": payment.amount_cents if amount is None else amount,
        "currency": "EUR",
        "payment_method": "kreditkarte",
    }
