"""JSON API ``/api/v1/epayment/…``: same services and guards as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import NotFound
from plugins.epayment.controllers.common import (
    actor_of,
    encryption_key,
    parse_day,
    parse_uuid,
    parse_year,
    providers,
    settings_of,
)
from plugins.epayment.schemas import (
    AccountRead,
    AccountWrite,
    BookingRead,
    DifferenceRead,
    FeeRead,
    FeeWrite,
    MonthlyCost,
    OverviewRow,
    PaymentRead,
    PaymentStart,
    PaymentStarted,
    Reconciliation,
    SecretWrite,
    convert,
)
from plugins.epayment.service import accounting, accounts, fees, flows, payments
from plugins.epayment.service.common import today_local
from web.auth import requires_editor, requires_kaaw_admin, requires_tenant_admin, requires_viewer
from web.deps import CurrentIdentity, DbSession

PREFIX = "/api/v1/epayment"


def _account(a: Any) -> AccountRead:
    return convert(accounts.account_view(a), AccountRead)  # type: ignore[no-any-return]


@get(f"{PREFIX}/accounts", guards=[requires_viewer])
async def list_accounts(
    db: DbSession, identity: CurrentIdentity
) -> list[AccountRead]:
    return [_account(a) for a in await accounts.list_accounts(db, identity.require_tenant())]


@put(f"{PREFIX}/accounts/{{platform:str}}", guards=[requires_tenant_admin])
async def save_account(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    platform: FromPath[str],
    data: JSONBody[AccountWrite],
) -> AccountRead:
    payload = msgspec.structs.asdict(data)
    payload["kontierung"] = [msgspec.structs.asdict(k) for k in data.kontierung]
    version = payload.pop("version")
    account = await accounts.save_account(
        db,
        identity.require_tenant(),
        platform,
        payload,
        actor=actor_of(request, identity),
        encryption_key=encryption_key(request),
        known_providers=set(providers(request)),
        version=version,
    )
    return _account(account)


@post(f"{PREFIX}/accounts/{{account_id:str}}/secret", guards=[requires_tenant_admin])
async def rotate_secret(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    account_id: FromPath[str],
    data: JSONBody[SecretWrite],
) -> AccountRead:
    account = await accounts.set_secret(
        db,
        identity.require_tenant(),
        parse_uuid(account_id),
        data.secret,
        encryption_key=encryption_key(request) or "",
        actor=actor_of(request, identity),
    )
    return _account(account)


def _fee(row: fees.ServiceRow) -> FeeRead:
    if row.fee is None:
        return FeeRead(
            online_service_id=str(row.service.id),
            service_number=row.service.number,
            service_title=row.service.title,
            charges_fee=False,
            fee_kind="fixed",
            fee_cents=None,
            schedule=[],
            kostenstelle=None,
            kostentraeger=None,
            haushaltsstelle=None,
            account_id=None,
        )
    return convert(fees.fee_view(row.fee, row.service), FeeRead)  # type: ignore[no-any-return]


@get(f"{PREFIX}/services", guards=[requires_viewer])
async def list_fees(db: DbSession, identity: CurrentIdentity) -> list[FeeRead]:
    return [_fee(r) for r in await fees.list_services(db, identity.require_tenant())]


@get(f"{PREFIX}/services/{{service_id:str}}", guards=[requires_viewer])
async def read_fee(
    db: DbSession, identity: CurrentIdentity, service_id: FromPath[str]
) -> FeeRead:
    return _fee(await fees.get_service(db, identity.require_tenant(), parse_uuid(service_id)))


@put(f"{PREFIX}/services/{{service_id:str}}", guards=[requires_editor])
async def save_fee(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[str],
    data: JSONBody[FeeWrite],
) -> FeeRead:
    tenant_id = identity.require_tenant()
    payload = msgspec.structs.asdict(data)
    payload["schedule"] = [msgspec.structs.asdict(i) for i in data.schedule]
    version = payload.pop("version")
    await fees.save_fee(
        db, tenant_id, parse_uuid(service_id), payload, actor=actor_of(request, identity), version=version
    )
    return _fee(await fees.get_service(db, tenant_id, parse_uuid(service_id)))


@post(f"{PREFIX}/services/{{service_id:str}}/payments", guards=[requires_editor])
async def start_payment(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[str],
    data: JSONBody[PaymentStart],
) -> PaymentStarted:
    """Start a payment for a fee-charging service (e.g. from a Fachverfahren or a portal)."""
    row = await fees.get_service(db, identity.require_tenant(), parse_uuid(service_id))
    if row.fee is None or not row.fee.charges_fee:
        raise NotFound("Für diesen Online-Dienst ist keine Gebühr hinterlegt.")
    await db.commit()
    url = await flows.start_service_payment(
        request.app.state.sessionmaker,
        providers(request),
        key=row.fee.public_key,
        option=data.option,
        base_url=settings_of(request).web.base_url,
        encryption_key=encryption_key(request),
        applicant_reference=data.applicant_reference,
    )
    return PaymentStarted(redirect_url=url)


@get(f"{PREFIX}/payments", guards=[requires_viewer])
async def list_payments(
    db: DbSession,
    identity: CurrentIdentity,
    status: FromQuery[str | None] = None,
    flagged: FromQuery[bool | None] = None,
) -> list[PaymentRead]:
    rows = await payments.list_payments(db, identity.require_tenant(), status=status, flagged=flagged)
    return [convert(payments.payment_view(p), PaymentRead) for p in rows]


@get(f"{PREFIX}/payments/{{payment_id:str}}", guards=[requires_viewer])
async def read_payment(
    db: DbSession, identity: CurrentIdentity, payment_id: FromPath[str]
) -> PaymentRead:
    p = await payments.get_payment(db, identity.require_tenant(), parse_uuid(payment_id))
    return convert(payments.payment_view(p), PaymentRead)  # type: ignore[no-any-return]


@get(f"{PREFIX}/bookings", guards=[requires_viewer])
async def list_bookings(
    db: DbSession,
    identity: CurrentIdentity,
    day: FromQuery[str | None] = None,
    haushaltsstelle: FromQuery[str | None] = None,
) -> list[BookingRead]:
    rows = await accounting.bookings(
        db, identity.require_tenant(), day=parse_day(day, "day"), haushaltsstelle=haushaltsstelle or None
    )
    return [
        BookingRead(
            booking_date=b.booking_date.isoformat(),
            kassenzeichen=b.kassenzeichen,
            amount_cents=b.amount_cents,
            currency=b.currency,
            haushaltsstelle=b.haushaltsstelle,
            kostenstelle=b.kostenstelle,
            kostentraeger=b.kostentraeger,
            booking_text=b.booking_text,
            payment_method=b.payment_method,
            payment_id=str(b.payment_id),
        )
        for b, _ in rows
    ]


@get(f"{PREFIX}/reconciliation", guards=[requires_viewer])
async def reconciliation(
    db: DbSession,
    identity: CurrentIdentity,
    date_from: FromQuery[str | None] = None,
    date_to: FromQuery[str | None] = None,
) -> Reconciliation:
    today = today_local()
    r = await accounting.reconcile(
        db,
        identity.require_tenant(),
        date_from=parse_day(date_from, "date_from", today - dt.timedelta(days=30)),
        date_to=parse_day(date_to, "date_to", today),
    )
    return Reconciliation(
        date_from=r["date_from"].isoformat(),
        date_to=r["date_to"].isoformat(),
        paid_count=r["paid_count"],
        paid_cents=r["paid_cents"],
        booked_count=r["booked_count"],
        booked_cents=r["booked_cents"],
        differences=[
            DifferenceRead(
                kind=d.kind,
                label=d.label,
                kassenzeichen=d.kassenzeichen,
                payment_id=str(d.payment_id) if d.payment_id else None,
                payment_cents=d.payment_cents,
                booking_cents=d.booking_cents,
                detail=d.detail,
            )
            for d in r["differences"]
        ],
    )


@get(f"{PREFIX}/costs", guards=[requires_viewer])
async def monthly_costs(
    db: DbSession, identity: CurrentIdentity, year: FromQuery[str | None] = None
) -> list[MonthlyCost]:
    rows = await accounting.monthly_costs(db, identity.require_tenant(), parse_year(year))
    return [convert(r, MonthlyCost) for r in rows]


@get(f"{PREFIX}/overview", guards=[requires_kaaw_admin], opt={"platform_route": True})
async def kaaw_overview(
    request: Request[Any, Any, Any], identity: CurrentIdentity
) -> list[OverviewRow]:
    return [
        convert(r, OverviewRow) for r in await accounting.onboarding_overview(request.app.state.sessionmaker)
    ]


ROUTES: list[Any] = [
    list_accounts,
    save_account,
    rotate_secret,
    list_fees,
    read_fee,
    save_fee,
    start_payment,
    list_payments,
    read_payment,
    list_bookings,
    reconciliation,
    monthly_costs,
    kaaw_overview,
]
