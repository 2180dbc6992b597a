"""Use cases spanning several transactions: the applicant's payment start and provider notifications.

Both run without a logged-in user. The tenant is found from a globally unique key
(``epayment_tenant_for_key``), never from the caller's word, and every read and write then
runs in a transaction bound to that tenant (row-level security holds). Calls to the provider
happen outside database transactions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import bind_context, platform_session, tenant_session
from core.errors import FieldError, NotFound, ValidationFailed
from core.online_services.models import OnlineService
from plugins.epayment.models import Payment, PaymentAccount, ServiceFee
from plugins.epayment.protocol import (
    MalformedNotification,
    PaymentProvider,
    ProviderError,
    StartRequest,
)
from plugins.epayment.service.accounts import provider_account
from plugins.epayment.service.common import bind_tenant_now, tenant_for_key
from plugins.epayment.service.payments import (
    NotificationResult,
    apply_notification,
    create_payment,
    lock_payment,
    mark_start_failed,
    mark_started,
)

log = structlog.get_logger("kommpass.epayment")


@dataclass(frozen=True)
class PublicService:
    tenant_id: uuid.UUID
    tenant_name: str
    key: str
    title: str
    number: str
    options: list[dict[str, Any]]  # [{"index", "label", "cents"}]
    ready: bool


async def _plugin_enabled(session: AsyncSession, tenant_id: uuid.UUID) -> bool:
    from plugins.settings import enabled_plugins

    return "epayment" in await enabled_plugins(session, tenant_id)


async def _tenant_name(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    from tenants.models import Tenant

    return str(await session.scalar(select(Tenant.name).where(Tenant.id == tenant_id)) or "")


async def public_service(sessionmaker: async_sessionmaker[AsyncSession], key: str) -> PublicService:
    """The applicant-facing view of a fee-charging online service (404 if unknown or free)."""
    async with platform_session(sessionmaker) as session:
        tenant_id = await tenant_for_key(session, "svc:" + key)
    if tenant_id is None:
        raise NotFound("Dieser Bezahldienst ist nicht bekannt.")
    async with tenant_session(sessionmaker, tenant_id) as session:
        if not await _plugin_enabled(session, tenant_id):
            raise NotFound("Dieser Bezahldienst ist nicht bekannt.")
        row = (
            (
                await session.execute(
                    select(ServiceFee, OnlineService)
                    .join(
                        OnlineService,
                        (OnlineService.tenant_id == ServiceFee.tenant_id)
                        & (OnlineService.id == ServiceFee.online_service_id),
                    )
                    .where(ServiceFee.tenant_id == tenant_id, ServiceFee.public_key == key)
                )
            )
            .tuples()
            .first()
        )
        if row is None or not row[0].charges_fee:
            raise NotFound("Dieser Bezahldienst ist nicht bekannt.")
        fee, service = row
        account = None
        if fee.account_id:
            account = await session.scalar(
                select(PaymentAccount).where(
                    PaymentAccount.tenant_id == tenant_id, PaymentAccount.id == fee.account_id
                )
            )
        name = await _tenant_name(session, tenant_id)
    if fee.fee_kind == "fixed":
        options = [{"index": 0, "label": service.title or service.number, "cents": fee.fee_cents or 0}]
    else:
        options = [
            {"index": i, "label": item["label"], "cents": int(item["cents"])}
            for i, item in enumerate(fee.schedule or [])
        ]
    ready = bool(account and account.secret_encrypted and account.endpoint_url)
    return PublicService(
        tenant_id, name, key, service.title or service.number, service.number, options, ready
    )


async def start_service_payment(
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: dict[str, PaymentProvider],
    *,
    key: str,
    option: int,
    base_url: str,
    encryption_key: str | None,
    applicant_reference: str | None = None,
) -> str:
    """Create the payment, register it at the provider, return the provider's payment page URL."""
    view = await public_service(sessionmaker, key)
    if not 0 <= option < len(view.options):
        raise ValidationFailed([FieldError("option", "Bitte eine Gebühr auswählen.")])
    if applicant_reference and len(applicant_reference) > 100:
        raise ValidationFailed([FieldError("applicant_reference", "Höchstens 100 Zeichen.")])
    tenant_id = view.tenant_id
    async with tenant_session(sessionmaker, tenant_id) as session:
        fee = await session.scalar(
            select(ServiceFee).where(ServiceFee.tenant_id == tenant_id, ServiceFee.public_key == key)
        )
        account = await session.scalar(
            select(PaymentAccount).where(
                PaymentAccount.tenant_id == tenant_id, PaymentAccount.id == (fee.account_id if fee else None)
            )
        )
        if fee is None or account is None:
            raise NotFound("Dieser Bezahldienst ist nicht bekannt.")
        provider = providers.get(account.provider)
        if provider is None:
            raise ValidationFailed([FieldError("account", "Der Zahlungsdienst ist derzeit nicht verfügbar.")])
        chosen = view.options[option]
        creds = provider_account(account, encryption_key)
        payment = await create_payment(
            session,
            tenant_id,
            account=account,
            amount_cents=chosen["cents"],
            fee=fee,
            service_title=view.title,
            description=f"{account.booking_text or 'Gebühr'} {view.title} – {chosen['label']}"
            if view.options and len(view.options) > 1
            else f"{account.booking_text or 'Gebühr'} {view.title}",
            applicant_reference=applicant_reference,
        )
        base = base_url.rstrip("/")
        request = StartRequest(
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            kassenzeichen=payment.kassenzeichen,
            reference=payment.reference,
            description=payment.description or "",
            return_url=f"{base}/epayment/pay/status/{payment.reference}",
            notify_url=f"{base}/epayment/notify/{provider.name}",
        )
        payment_id = payment.id
    try:
        result = await provider.start_payment(creds, request)
    except ProviderError as exc:
        async with tenant_session(sessionmaker, tenant_id) as session:
            await mark_start_failed(session, tenant_id, payment_id, str(exc))
        log.warning(
            "epayment.start_failed", tenant_id=str(tenant_id), payment_id=str(payment_id), reason=str(exc)
        )
        raise
    async with tenant_session(sessionmaker, tenant_id) as session:
        await mark_started(session, tenant_id, payment_id, result.provider_reference)
    log.info("epayment.started", tenant_id=str(tenant_id), payment_id=str(payment_id), provider=provider.name)
    return result.redirect_url


async def public_payment(sessionmaker: async_sessionmaker[AsyncSession], reference: str) -> dict[str, Any]:
    """What the applicant's return page shows: state, amount, Kassenzeichen, service."""
    async with platform_session(sessionmaker) as session:
        tenant_id = await tenant_for_key(session, "ref:" + reference)
    if tenant_id is None:
        raise NotFound("Diese Zahlung ist nicht bekannt.")
    async with tenant_session(sessionmaker, tenant_id) as session:
        payment = await session.scalar(
            select(Payment).where(Payment.tenant_id == tenant_id, Payment.reference == reference)
        )
        if payment is None:
            raise NotFound("Diese Zahlung ist nicht bekannt.")
        name = await _tenant_name(session, tenant_id)
    return {
        "status": payment.status,
        "amount_cents": payment.amount_cents,
        "kassenzeichen": payment.kassenzeichen,
        "service_title": payment.service_title,
        "tenant_name": name,
        "reference": reference,
    }


async def handle_notification(
    sessionmaker: async_sessionmaker[AsyncSession],
    providers: dict[str, PaymentProvider],
    provider_name: str,
    headers: dict[str, str],
    body: bytes,
    *,
    encryption_key: str | None,
) -> NotificationResult:
    """Verify and apply a provider notification, in one transaction.

    The transaction starts without a tenant, asks ``epayment_tenant_for_key`` for the tenant
    of the Kassenzeichen and binds that tenant transaction-locally (``set_config(…, true)``)
    before touching any tenant table. Raises NotFound (unknown provider or Kassenzeichen),
    ``InvalidSignature`` or ``MalformedNotification``; in those cases nothing is written.
    """
    provider = providers.get(provider_name)
    if provider is None:
        raise NotFound("Unbekannter Zahlungsdienst.")
    kassenzeichen = provider.notification_key(headers, body)
    async with sessionmaker() as session:
        bind_context(session, tenant_id=None)
        async with session.begin():
            tenant_id = await tenant_for_key(session, "kz:" + kassenzeichen)
            if tenant_id is None:
                raise NotFound("Kassenzeichen unbekannt.")
            await bind_tenant_now(session, tenant_id)
            found = await lock_payment(session, tenant_id, provider_name, kassenzeichen)
            if found is None:
                raise NotFound("Kassenzeichen unbekannt.")
            payment, account = found
            notification = provider.verify_notification(
                provider_account(account, encryption_key), headers, body
            )
            if notification.kassenzeichen != kassenzeichen:  # pragma: no cover - same body parsed twice
                raise MalformedNotification("Kassenzeichen widersprüchlich.")
            return await apply_notification(session, tenant_id, provider_name, notification, locked=payment)
