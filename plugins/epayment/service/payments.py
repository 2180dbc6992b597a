"""Payments as a state machine and the handling of provider notifications.

States: initiated → pending → paid | failed | cancelled | expired. Final states never change.
Every notification is handled inside one transaction holding the payment's row lock
(``SELECT … FOR UPDATE``): duplicates (same provider event id) are recorded once and change
nothing, out-of-order "pending" after a final state is ignored, and a payment is booked at
most once (unique booking per payment, inserted with ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import SYSTEM, Actor, record
from core.calendar import local_date
from core.errors import FieldError, NotFound, ValidationFailed
from core.models import utcnow
from plugins.epayment.models import (
    FINAL_STATES,
    Booking,
    Payment,
    PaymentAccount,
    PaymentNotification,
    ServiceFee,
)
from plugins.epayment.protocol import Notification
from plugins.epayment.service.common import claim_route, new_token

DEFAULT_TTL = dt.timedelta(minutes=60)
STATE_LABELS = {
    "initiated": "angelegt",
    "pending": "in Bearbeitung",
    "paid": "bezahlt",
    "failed": "fehlgeschlagen",
    "cancelled": "abgebrochen",
    "expired": "abgelaufen",
}


@dataclass(frozen=True)
class NotificationResult:
    outcome: str  # applied | duplicate | ignored | mismatch
    status: str
    payment_id: uuid.UUID


def check_digit(digits: str) -> str:
    """Modulo-10 check digit with weights 2,1 from the right (Luhn)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def make_kassenzeichen(prefix: str | None, length: int | None) -> str:
    prefix = (prefix or "").upper()
    length = length or max(12, len(prefix) + 8)
    body = "".join(secrets.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return prefix + body + check_digit(body)


def payment_view(p: Payment) -> dict[str, Any]:
    return {
        "id": str(p.id),
        "kassenzeichen": p.kassenzeichen,
        "reference": p.reference,
        "amount_cents": p.amount_cents,
        "currency": p.currency,
        "status": p.status,
        "status_label": STATE_LABELS[p.status],
        "provider": p.provider,
        "provider_reference": p.provider_reference,
        "payment_method": p.payment_method,
        "service_title": p.service_title,
        "online_service_id": str(p.online_service_id) if p.online_service_id else None,
        "description": p.description,
        "haushaltsstelle": p.haushaltsstelle,
        "kostenstelle": p.kostenstelle,
        "kostentraeger": p.kostentraeger,
        "flagged": p.flagged,
        "flag_reason": p.flag_reason,
        "created_at": p.created_at.isoformat() if p.created_at else None,
        "expires_at": p.expires_at.isoformat() if p.expires_at else None,
        "final_at": p.final_at.isoformat() if p.final_at else None,
    }


async def create_payment(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    account: PaymentAccount,
    amount_cents: int,
    fee: ServiceFee | None = None,
    service_title: str | None = None,
    description: str | None = None,
    applicant_reference: str | None = None,
    currency: str = "EUR",
    ttl: dt.timedelta = DEFAULT_TTL,
    actor: Actor = SYSTEM,
    now: dt.datetime | None = None,
) -> Payment:
    """A new payment in state ``initiated`` with a globally unique Kassenzeichen and reference."""
    if amount_cents <= 0:
        raise ValidationFailed([FieldError("amount", "Der Betrag muss größer 0 sein.")])
    if account.tenant_id != tenant_id:
        raise NotFound("Das Bezahlplattform-Konto wurde nicht gefunden.")
    now = now or utcnow()
    for _ in range(20):
        kassenzeichen = make_kassenzeichen(account.kz_prefix, account.kz_length)
        if await claim_route(session, tenant_id, "kz:" + kassenzeichen):
            break
    else:  # pragma: no cover - 20 collisions in a row means the number space is exhausted
        raise ValidationFailed([FieldError("kz_length", "Kein freies Kassenzeichen – Länge erhöhen.")])
    reference = new_token(18)
    while not await claim_route(session, tenant_id, "ref:" + reference):  # pragma: no cover
        reference = new_token(18)
    payment = Payment(
        tenant_id=tenant_id,
        account_id=account.id,
        service_fee_id=fee.id if fee else None,
        online_service_id=fee.online_service_id if fee else None,
        service_title=service_title,
        kassenzeichen=kassenzeichen,
        reference=reference,
        amount_cents=amount_cents,
        currency=currency,
        description=(description or account.booking_text or service_title or "Gebühr")[:300],
        applicant_reference=applicant_reference,
        status="initiated",
        provider=account.provider,
        haushaltsstelle=(fee.haushaltsstelle if fee and fee.haushaltsstelle else account.haushaltsstelle),
        kostenstelle=fee.kostenstelle if fee else None,
        kostentraeger=fee.kostentraeger if fee else None,
        expires_at=now + ttl,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="epayment.payment.create",
        actor=actor,
        entity_type="epayment_payment",
        entity_id=payment.id,
        changes={
            "status": [None, "initiated"],
            "amount_cents": [None, amount_cents],
            "kassenzeichen": [None, kassenzeichen],
        },
    )
    return payment


async def mark_started(
    session: AsyncSession, tenant_id: uuid.UUID, payment_id: uuid.UUID, provider_reference: str
) -> None:
    """After the provider accepted the start: initiated → pending (a faster notification wins)."""
    await session.execute(
        update(Payment)
        .where(Payment.tenant_id == tenant_id, Payment.id == payment_id, Payment.provider_reference.is_(None))
        .values(provider_reference=provider_reference)
    )
    result = await session.execute(
        update(Payment)
        .where(Payment.tenant_id == tenant_id, Payment.id == payment_id, Payment.status == "initiated")
        .values(status="pending", updated_at=utcnow())
    )
    if result.rowcount:  # type: ignore[attr-defined]
        await record(
            session,
            tenant_id=tenant_id,
            action="epayment.payment.pending",
            entity_type="epayment_payment",
            entity_id=payment_id,
            changes={"status": ["initiated", "pending"]},
        )


async def mark_start_failed(
    session: AsyncSession, tenant_id: uuid.UUID, payment_id: uuid.UUID, reason: str
) -> None:
    result = await session.execute(
        update(Payment)
        .where(Payment.tenant_id == tenant_id, Payment.id == payment_id, Payment.status == "initiated")
        .values(status="failed", final_at=utcnow(), flag_reason=reason[:500], updated_at=utcnow())
    )
    if result.rowcount:  # type: ignore[attr-defined]
        await record(
            session,
            tenant_id=tenant_id,
            action="epayment.payment.failed",
            entity_type="epayment_payment",
            entity_id=payment_id,
            changes={"status": ["initiated", "failed"]},
            reason=reason,
        )


async def get_payment(session: AsyncSession, tenant_id: uuid.UUID, payment_id: uuid.UUID) -> Payment:
    payment = await session.scalar(
        select(Payment).where(Payment.tenant_id == tenant_id, Payment.id == payment_id)
    )
    if payment is None:
        raise NotFound("Die Zahlung wurde nicht gefunden.")
    return payment


async def payment_by_reference(session: AsyncSession, tenant_id: uuid.UUID, reference: str) -> Payment:
    payment = await session.scalar(
        select(Payment).where(Payment.tenant_id == tenant_id, Payment.reference == reference)
    )
    if payment is None:
        raise NotFound("Die Zahlung wurde nicht gefunden.")
    return payment


async def list_payments(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    status: str | None = None,
    flagged: bool | None = None,
    day: dt.date | None = None,
    limit: int = 200,
) -> list[Payment]:
    stmt = select(Payment).where(Payment.tenant_id == tenant_id)
    if status:
        stmt = stmt.where(Payment.status == status)
    if flagged is not None:
        stmt = stmt.where(Payment.flagged.is_(flagged))
    if day is not None:
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=2)
        stmt = stmt.where(
            Payment.created_at >= start, Payment.created_at < start + dt.timedelta(days=1, hours=4)
        )
    rows = (await session.scalars(stmt.order_by(Payment.created_at.desc()).limit(limit))).all()
    return list(rows)


async def status_counts(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, int]:
    rows = (
        (
            await session.execute(
                select(Payment.status, func.count())
                .where(Payment.tenant_id == tenant_id)
                .group_by(Payment.status)
            )
        )
        .tuples()
        .all()
    )
    return {status: count for status, count in rows}


async def payment_events(
    session: AsyncSession, tenant_id: uuid.UUID, payment_id: uuid.UUID
) -> list[PaymentNotification]:
    rows = await session.scalars(
        select(PaymentNotification)
        .where(PaymentNotification.tenant_id == tenant_id, PaymentNotification.payment_id == payment_id)
        .order_by(PaymentNotification.received_at)
    )
    return list(rows)


def _flag(payment: Payment, reason: str) -> None:
    payment.flagged = True
    payment.flag_reason = ((payment.flag_reason + "; ") if payment.flag_reason else "") + reason


async def lock_payment(
    session: AsyncSession, tenant_id: uuid.UUID, provider: str, kassenzeichen: str
) -> tuple[Payment, PaymentAccount] | None:
    """The payment with this Kassenzeichen and its account, the payment row locked (FOR UPDATE)."""
    row = (
        (
            await session.execute(
                select(Payment, PaymentAccount)
                .join(
                    PaymentAccount,
                    (PaymentAccount.tenant_id == Payment.tenant_id)
                    & (PaymentAccount.id == Payment.account_id),
                )
                .where(
                    Payment.tenant_id == tenant_id,
                    Payment.kassenzeichen == kassenzeichen,
                    Payment.provider == provider,
                )
                .with_for_update(of=Payment)
            )
        )
        .tuples()
        .first()
    )
    return (row[0], row[1]) if row else None


def _decide(payment: Payment, n: Notification) -> tuple[str, str | None, str | None, str]:
    """(outcome, detail, flag reason, new status) for a notification about a locked payment."""
    mismatches = []
    if n.amount_cents != payment.amount_cents or n.currency != payment.currency:
        mismatches.append(
            f"Betrag {n.amount_cents} {n.currency} statt {payment.amount_cents} {payment.currency}"
        )
    if n.reference != payment.reference:
        mismatches.append("Referenz passt nicht zum Kassenzeichen")
    if payment.provider_reference and n.provider_reference != payment.provider_reference:
        mismatches.append("Transaktionsnummer des Zahlungsdienstes passt nicht")
    if mismatches:
        detail = "; ".join(mismatches)
        return "mismatch", detail, f"Meldung „{n.status}“ abgewiesen: {detail}", payment.status
    if payment.status in FINAL_STATES:
        if n.status == "paid" and payment.status != "paid":
            detail = f"Zahlung nach Status „{STATE_LABELS[payment.status]}“ gemeldet"
            return "ignored", detail, detail + " – bitte klären (ggf. erstatten)", payment.status
        return "ignored", "Zahlung ist bereits abgeschlossen", None, payment.status
    if n.status == "pending":
        if payment.status == "initiated":
            return "applied", None, None, "pending"
        return "ignored", "bereits in Bearbeitung", None, payment.status
    return "applied", None, None, n.status


async def apply_notification(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    provider: str,
    notification: Notification,
    *,
    now: dt.datetime | None = None,
    locked: Payment | None = None,
) -> NotificationResult:
    """Apply a *verified* notification. Raises NotFound for an unknown Kassenzeichen.

    The payment row is locked for the whole transaction, so concurrent notifications about
    the same payment run one after the other; the journal's unique event id makes a
    duplicate a no-op, and the booking is unique per payment.
    """
    now = now or utcnow()
    payment = locked
    if payment is None:
        found = await lock_payment(session, tenant_id, provider, notification.kassenzeichen)
        if found is None:
            raise NotFound("Kassenzeichen unbekannt.")
        payment = found[0]
    outcome, detail, flag, new_status = _decide(payment, notification)
    inserted = await session.scalar(
        pg_insert(PaymentNotification)
        .values(
            tenant_id=tenant_id,
            id=uuid.uuid4(),
            payment_id=payment.id,
            provider=provider,
            event_id=notification.event_id[:100],
            reported_status=notification.status,
            amount_cents=notification.amount_cents,
            outcome=outcome,
            detail=detail,
            received_at=now,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "provider", "event_id"])
        .returning(PaymentNotification.id)
    )
    if inserted is None:
        return NotificationResult("duplicate", payment.status, payment.id)
    old_status = payment.status
    if flag:
        _flag(payment, flag)
    if new_status != old_status:
        payment.status = new_status
        if new_status in FINAL_STATES:
            payment.final_at = now
            payment.payment_method = notification.payment_method or payment.payment_method
            payment.provider_reference = payment.provider_reference or notification.provider_reference
        if new_status == "paid":
            await session.execute(
                pg_insert(Booking)
                .values(
                    tenant_id=tenant_id,
                    id=uuid.uuid4(),
                    payment_id=payment.id,
                    booking_date=local_date(now),
                    amount_cents=payment.amount_cents,
                    currency=payment.currency,
                    kassenzeichen=payment.kassenzeichen,
                    haushaltsstelle=payment.haushaltsstelle,
                    kostenstelle=payment.kostenstelle,
                    kostentraeger=payment.kostentraeger,
                    booking_text=payment.description,
                    payment_method=payment.payment_method,
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["tenant_id", "payment_id"])
            )
    if new_status != old_status or flag:
        payment.updated_at = now
        await record(
            session,
            tenant_id=tenant_id,
            action=f"epayment.payment.{outcome}",
            actor=Actor(label=f"Zahlungsdienst {provider}"),
            entity_type="epayment_payment",
            entity_id=payment.id,
            changes={"status": [old_status, new_status]} if new_status != old_status else {},
            reason=detail,
        )
    await session.flush()
    return NotificationResult(outcome, payment.status, payment.id)


async def expire_payments(
    session: AsyncSession, tenant_id: uuid.UUID, *, now: dt.datetime | None = None
) -> int:
    """Close open payments past their expiry (scheduled job); locked rows are left for next time."""
    now = now or utcnow()
    rows = (
        await session.scalars(
            select(Payment)
            .where(
                Payment.tenant_id == tenant_id,
                Payment.status.in_(("initiated", "pending")),
                Payment.expires_at < now,
            )
            .with_for_update(skip_locked=True)
        )
    ).all()
    for payment in rows:
        old = payment.status
        payment.status = "expired"
        payment.final_at = now
        payment.updated_at = now
        await record(
            session,
            tenant_id=tenant_id,
            action="epayment.payment.expired",
            entity_type="epayment_payment",
            entity_id=payment.id,
            changes={"status": [old, "expired"]},
        )
    await session.flush()
    return len(rows)


async def flag_payment(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    payment_id: uuid.UUID,
    *,
    flagged: bool,
    reason: str | None = None,
    actor: Actor = SYSTEM,
) -> Payment:
    """Set or clear the review flag by hand (clearing documents who resolved it)."""
    payment = await get_payment(session, tenant_id, payment_id)
    old = (payment.flagged, payment.flag_reason)
    payment.flagged = flagged
    if flagged:
        _flag(payment, reason or "manuell markiert")
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="epayment.payment.flag" if flagged else "epayment.payment.unflag",
        actor=actor,
        entity_type="epayment_payment",
        entity_id=payment.id,
        changes={"flagged": [old[0], flagged]},
        reason=reason,
    )
    return payment


async def account_of(session: AsyncSession, tenant_id: uuid.UUID, payment: Payment) -> PaymentAccount:
    account = await session.scalar(
        select(PaymentAccount).where(
            PaymentAccount.tenant_id == tenant_id, PaymentAccount.id == payment.account_id
        )
    )
    if account is None:  # pragma: no cover - FK
        raise NotFound("Das Bezahlplattform-Konto wurde nicht gefunden.")
    return account
