"""Payment state machine and notification handling against the real database."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session, tenant_session
from core.errors import NotFound
from core.models import utcnow
from core.settings import Settings
from plugins.epayment.models import Booking, Payment, PaymentRoute
from plugins.epayment.protocol import InvalidSignature
from plugins.epayment.sandbox.provider import SandboxProvider
from plugins.epayment.service import accounting, accounts, payments
from plugins.epayment.service.common import tenant_for_key, today_local
from plugins.epayment.service.flows import handle_notification
from tests.integration.epayment.helpers import notification, setup_tenant, signed

PROVIDERS: dict[str, Any] = {"sandbox": SandboxProvider()}


async def new_payment(
    sessionmaker: async_sessionmaker[AsyncSession], setup: Any, cents: int = 2500, **kw: Any
) -> Payment:
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        account = await accounts.get_account(session, setup.tenant.id, setup.account_id)
        payment = await payments.create_payment(
            session, setup.tenant.id, account=account, amount_cents=cents, **kw
        )
        payment.provider_reference = f"SBX-{payment.reference[:8]}"
        return payment


async def notify(sessionmaker: Any, settings: Settings, setup: Any, body: dict[str, Any]) -> Any:
    raw, headers = signed(setup.secret, body)
    headers = {k.lower(): v for k, v in headers.items()}
    return await handle_notification(
        sessionmaker, PROVIDERS, "sandbox", headers, raw, encryption_key=settings.encryption_key
    )


async def state(sessionmaker: Any, setup: Any, payment_id: Any) -> tuple[str, bool, int]:
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        p = await payments.get_payment(session, setup.tenant.id, payment_id)
        booked = await session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.tenant_id == setup.tenant.id, Booking.payment_id == payment_id)
        )
        return p.status, p.flagged, int(booked or 0)


async def test_kassenzeichen_has_prefix_length_and_check_digit(
    sessionmaker: Any, test_settings: Settings
) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, setup)
    assert p.kassenzeichen.startswith("KP") and len(p.kassenzeichen) == 14
    body = p.kassenzeichen[2:-1]
    assert payments.check_digit(body) == p.kassenzeichen[-1]
    assert p.status == "initiated" and p.haushaltsstelle == "1.122.00"


async def test_paid_notification_books_once_and_duplicates_change_nothing(
    sessionmaker: Any, test_settings: Settings
) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, setup)
    first = await notify(sessionmaker, test_settings, setup, notification(p, "paid"))
    again = await notify(sessionmaker, test_settings, setup, notification(p, "paid"))
    late_pending = await notify(sessionmaker, test_settings, setup, notification(p, "pending"))
    late_failed = await notify(sessionmaker, test_settings, setup, notification(p, "failed"))
    assert (first.outcome, again.outcome, late_pending.outcome, late_failed.outcome) == (
        "applied",
        "duplicate",
        "ignored",
        "ignored",
    )
    assert await state(sessionmaker, setup, p.id) == ("paid", False, 1)


async def test_amount_mismatch_is_flagged_not_paid(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, setup)
    result = await notify(sessionmaker, test_settings, setup, notification(p, "paid", amount=100))
    assert result.outcome == "mismatch"
    assert await state(sessionmaker, setup, p.id) == ("initiated", True, 0)


async def test_reference_mismatch_is_flagged(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, setup)
    result = await notify(sessionmaker, test_settings, setup, notification(p, "paid", reference="fremd"))
    assert result.outcome == "mismatch"
    assert await state(sessionmaker, setup, p.id) == ("initiated", True, 0)


async def test_bad_signature_and_unknown_kassenzeichen(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, setup)
    raw, headers = signed("falsches-geheimnis-1234567", notification(p, "paid"))
    with pytest.raises(InvalidSignature):
        await handle_notification(
            sessionmaker,
            PROVIDERS,
            "sandbox",
            {k.lower(): v for k, v in headers.items()},
            raw,
            encryption_key=test_settings.encryption_key,
        )
    assert await state(sessionmaker, setup, p.id) == ("initiated", False, 0)
    with pytest.raises(NotFound):
        await notify(
            sessionmaker, test_settings, setup, notification(p, "paid", kassenzeichen="KP000000000000")
        )


async def test_old_signature_is_rejected(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, setup)
    raw, headers = signed(setup.secret, notification(p, "paid"), timestamp=int(utcnow().timestamp()) - 3600)
    with pytest.raises(InvalidSignature):
        await handle_notification(
            sessionmaker,
            PROVIDERS,
            "sandbox",
            {k.lower(): v for k, v in headers.items()},
            raw,
            encryption_key=test_settings.encryption_key,
        )


async def test_paid_after_expiry_is_flagged_for_review(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, setup, ttl=dt.timedelta(seconds=-1))
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        assert await payments.expire_payments(session, setup.tenant.id) == 1
    result = await notify(sessionmaker, test_settings, setup, notification(p, "paid"))
    assert result.outcome == "ignored"
    assert await state(sessionmaker, setup, p.id) == ("expired", True, 0)


async def test_expire_job_closes_only_overdue_open_payments(
    sessionmaker: Any, test_settings: Settings
) -> None:
    from plugins.epayment.integration import expire_payments_job

    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    overdue = await new_payment(sessionmaker, setup, ttl=dt.timedelta(seconds=-5))
    fresh = await new_payment(sessionmaker, setup)

    class Ctx:
        pass

    ctx = Ctx()
    ctx.sessionmaker = sessionmaker  # type: ignore[attr-defined]
    result = await expire_payments_job(ctx)
    assert result["expired"] >= 1
    assert (await state(sessionmaker, setup, overdue.id))[0] == "expired"
    assert (await state(sessionmaker, setup, fresh.id))[0] == "initiated"


async def test_concurrent_notifications_book_each_payment_once(
    sessionmaker: Any, test_settings: Settings
) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    created = [await new_payment(sessionmaker, setup, cents=1000 + i) for i in range(10)]
    bodies = []
    for i, p in enumerate(created):
        final = "paid" if i % 3 else "cancelled"
        bodies += [
            notification(p, final),
            notification(p, "pending"),
            notification(p, final),
            notification(p, final),
        ]
    results = await asyncio.gather(*(notify(sessionmaker, test_settings, setup, b) for b in bodies))
    assert sum(1 for r in results if r.outcome == "applied") >= 10
    for i, p in enumerate(created):
        status, flagged, booked = await state(sessionmaker, setup, p.id)
        assert status == ("paid" if i % 3 else "cancelled") and not flagged
        assert booked == (1 if status == "paid" else 0)


async def test_routes_are_invisible_to_the_app_role_without_the_function(
    sessionmaker: Any, test_settings: Settings
) -> None:
    a = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    b = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p = await new_payment(sessionmaker, b)
    async with platform_session(sessionmaker) as session:
        assert (await session.scalars(select(PaymentRoute))).all() == []  # RLS: no tenant → nothing
        assert await tenant_for_key(session, "kz:" + p.kassenzeichen) == b.tenant.id
        assert await tenant_for_key(session, "kz:unbekannt") is None
    async with tenant_session(sessionmaker, a.tenant.id) as session:
        keys = (await session.scalars(select(PaymentRoute.route_key))).all()
        assert "kz:" + p.kassenzeichen not in keys
        assert (
            await session.scalar(
                text("SELECT count(*) FROM epayment_payments WHERE tenant_id = :b"), {"b": b.tenant.id}
            )
            == 0
        )


async def test_reconciliation_lists_flagged_and_unbooked(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    ok = await new_payment(sessionmaker, setup)
    bad = await new_payment(sessionmaker, setup)
    await notify(sessionmaker, test_settings, setup, notification(ok, "paid"))
    await notify(sessionmaker, test_settings, setup, notification(bad, "paid", amount=1))
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        # a booking removed by hand (e.g. a failed import) shows up as "paid, not booked"
        await session.execute(text("DELETE FROM epayment_bookings WHERE payment_id = :p"), {"p": ok.id})
    today = today_local()
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        result = await accounting.reconcile(
            session,
            setup.tenant.id,
            date_from=today - dt.timedelta(days=1),
            date_to=today + dt.timedelta(days=1),
        )
    kinds = {(d.kind, d.kassenzeichen) for d in result["differences"]}
    assert ("unbooked", ok.kassenzeichen) in kinds and ("flagged", bad.kassenzeichen) in kinds


async def test_monthly_costs_and_exports(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    p1 = await new_payment(sessionmaker, setup, cents=2500)
    p2 = await new_payment(sessionmaker, setup, cents=1500)
    for p in (p1, p2):
        await notify(sessionmaker, test_settings, setup, notification(p, "paid"))
    today = today_local()
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        costs = await accounting.monthly_costs(session, setup.tenant.id, payments_local_year := today.year)
        rows = await accounting.bookings(session, setup.tenant.id, day=today)
    assert payments_local_year == today.year
    month = next(c for c in costs if c["month"] == today.month)
    assert month["count"] == 2 and month["sum_cents"] == 4000 and month["cost_cents"] == 2 * 25 + 40
    csv_text = accounting.bookings_csv(rows)
    assert "Kassenzeichen" in csv_text and p1.kassenzeichen in csv_text and "25,00" in csv_text
    xml = accounting.bookings_xml(
        rows, tenant_name="Stadt X", ags="05562012", day=today, haushaltsstelle=None
    ).decode()
    assert "<xf:summe" in xml and "40.00" in xml and p2.kassenzeichen in xml
