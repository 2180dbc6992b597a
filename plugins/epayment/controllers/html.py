"""HTML pages of the e-payment plugin (German UI, htmx, KERN)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound, ValidationFailed
from plugins.epayment.controllers.common import (
    actor_of,
    encryption_key,
    parse_day,
    parse_uuid,
    parse_year,
    providers,
)
from plugins.epayment.protocol import ProviderError
from plugins.epayment.service import accounting, accounts, fees, payments
from plugins.epayment.service.common import euro, today_local
from tenants.context import Identity
from web.auth import requires_editor, requires_kaaw_admin, requires_tenant_admin, requires_viewer
from web.deps import CurrentIdentity, DbSession
from web.rendering import page

FORM_FIELDS_MULTI = ("payment_methods",)


async def _form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        data[key] = form.getall(key) if key in FORM_FIELDS_MULTI else form.get(key)
    return data


def _base_ctx(**kw: Any) -> dict[str, Any]:
    return {"euro": euro, "PLATFORMS": accounts.PLATFORMS, "STATE_LABELS": payments.STATE_LABELS, **kw}


@get("/epayment", guards=[requires_viewer])
async def overview(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    tenant_id = identity.require_tenant()
    existing = {a.platform: a for a in await accounts.list_accounts(db, tenant_id)}
    platforms = [
        {
            "key": key,
            "label": label,
            "account": existing.get(key),
            "completeness": accounts.completeness(existing.get(key), key),
        }
        for key, label in accounts.PLATFORMS.items()
    ]
    counts = await payments.status_counts(db, tenant_id)
    flagged = await payments.list_payments(db, tenant_id, flagged=True, limit=20)
    return page(
        request, "epayment/overview.html", _base_ctx(platforms=platforms, counts=counts, flagged=flagged)
    )


# --- onboarding ------------------------------------------------------------------------------
def _account_form_ctx(
    platform: str,
    account: Any,
    values: dict[str, Any] | None,
    errors: dict[str, str],
    provider_choices: list[tuple[str, str]],
) -> dict[str, Any]:
    if values is None:
        values = (
            accounts.account_view(account)
            if account
            else {
                "stage": "integration",
                "provider": "sandbox",
                "payment_methods": [],
                "kontierung": [],
                "cost_fixed_cents": 0,
                "cost_percent_bp": 0,
            }
        )
        values["kontierung"] = "\n".join(f"{k['name']}:{k['length']}" for k in values.get("kontierung") or [])
    values.pop("secret", None)  # a secret never goes back into a page, not even after a failed submit
    return _base_ctx(
        platform=platform,
        platform_label=accounts.PLATFORMS[platform],
        account=account,
        values=values,
        errors=errors,
        specs=accounts.field_specs(platform),
        stages=list(accounts.STAGES.items()),
        methods=list(accounts.PAYMENT_METHODS.items()),
        providers=provider_choices,
        completeness=accounts.completeness(account, platform),
        secret_set=bool(account and account.secret_encrypted),
        secret_set_at=account.secret_set_at if account else None,
    )


def _platform(platform: str) -> str:
    if platform not in accounts.PLATFORMS:
        raise NotFound("Diese Bezahlplattform gibt es nicht.")
    return platform


@get("/epayment/plattformen/{platform:str}", guards=[requires_tenant_admin])
async def account_form(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    platform: FromPath[str],
) -> Template:
    tenant_id = identity.require_tenant()
    account = await accounts.account_for_platform(db, tenant_id, _platform(platform))
    choices = [(n, p.label) for n, p in sorted(providers(request).items())]
    return page(
        request, "epayment/account_form.html", _account_form_ctx(platform, account, None, {}, choices)
    )


@post("/epayment/plattformen/{platform:str}", guards=[requires_tenant_admin])
async def account_save(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    platform: FromPath[str],
) -> Any:
    tenant_id = identity.require_tenant()
    _platform(platform)
    data = await _form(request)
    known = set(providers(request))
    try:
        version = int(data["version"]) if data.get("version") else None
        await accounts.save_account(
            db,
            tenant_id,
            platform,
            data,
            actor=actor_of(request, identity),
            encryption_key=encryption_key(request),
            known_providers=known,
            version=version,
        )
    except ValidationFailed as exc:
        await db.rollback()
        account = await accounts.account_for_platform(db, tenant_id, platform)
        choices = [(n, p.label) for n, p in sorted(providers(request).items())]
        ctx = _account_form_ctx(platform, account, dict(data), exc.as_dict(), choices)
        return page(request, "epayment/account_form.html", ctx, status_code=422)
    return Redirect(path=f"/epayment/plattformen/{platform}?gespeichert=1", status_code=303)


@post("/epayment/plattformen/{platform:str}/geheimnis", guards=[requires_tenant_admin])
async def account_rotate_secret(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    platform: FromPath[str],
) -> Any:
    tenant_id = identity.require_tenant()
    account = await accounts.account_for_platform(db, tenant_id, _platform(platform))
    if account is None:
        raise NotFound("Bitte zuerst die Stammdaten der Plattform speichern.")
    data = await _form(request)
    try:
        await accounts.set_secret(
            db,
            tenant_id,
            account.id,
            str(data.get("secret") or ""),
            encryption_key=encryption_key(request) or "",
            actor=actor_of(request, identity),
        )
    except ValidationFailed as exc:
        await db.rollback()
        account = await accounts.account_for_platform(db, tenant_id, platform)
        choices = [(n, p.label) for n, p in sorted(providers(request).items())]
        ctx = _account_form_ctx(platform, account, None, exc.as_dict(), choices)
        return page(request, "epayment/account_form.html", ctx, status_code=422)
    return Redirect(path=f"/epayment/plattformen/{platform}?geheimnis=1", status_code=303)


# --- fees per online service ---------------------------------------------------------------------
@get("/epayment/dienste", guards=[requires_viewer])
async def service_list(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    tenant_id = identity.require_tenant()
    rows = await fees.list_services(db, tenant_id)
    return page(request, "epayment/services.html", _base_ctx(rows=rows, fee_label=fees.fee_label))


def _fee_ctx(
    row: fees.ServiceRow, account_list: list[Any], values: dict[str, Any] | None, errors: dict[str, str]
) -> dict[str, Any]:
    if values is None:
        fee = row.fee
        values = {
            "charges_fee": bool(fee and fee.charges_fee),
            "fee_kind": fee.fee_kind if fee else "fixed",
            "fee": euro(fee.fee_cents).replace(" €", "") if fee and fee.fee_cents else "",
            "schedule": "\n".join(
                f"{i['label']}: {euro(int(i['cents'])).replace(' €', '')}"
                for i in (fee.schedule if fee else []) or []
            ),
            "kostenstelle": fee.kostenstelle if fee else "",
            "kostentraeger": fee.kostentraeger if fee else "",
            "haushaltsstelle": fee.haushaltsstelle if fee else "",
            "account_id": str(fee.account_id) if fee and fee.account_id else "",
            "version": fee.version if fee else "",
        }
    return _base_ctx(
        row=row,
        values=values,
        errors=errors,
        account_choices=[(str(a.id), accounts.PLATFORMS[a.platform]) for a in account_list],
    )


@get("/epayment/dienste/{service_id:str}", guards=[requires_viewer])
async def fee_form(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[str],
) -> Template:
    tenant_id = identity.require_tenant()
    row = await fees.get_service(db, tenant_id, parse_uuid(service_id))
    account_list = await accounts.list_accounts(db, tenant_id)
    return page(request, "epayment/fee_form.html", _fee_ctx(row, account_list, None, {}))


@post("/epayment/dienste/{service_id:str}", guards=[requires_editor])
async def fee_save(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    service_id: FromPath[str],
) -> Any:
    tenant_id = identity.require_tenant()
    sid = parse_uuid(service_id)
    data = await _form(request)
    try:
        version = int(data["version"]) if data.get("version") else None
        await fees.save_fee(db, tenant_id, sid, data, actor=actor_of(request, identity), version=version)
    except ValidationFailed as exc:
        await db.rollback()
        row = await fees.get_service(db, tenant_id, sid)
        account_list = await accounts.list_accounts(db, tenant_id)
        data["charges_fee"] = str(data.get("charges_fee", "")).lower() in ("1", "true", "on", "ja")
        return page(
            request,
            "epayment/fee_form.html",
            _fee_ctx(row, account_list, data, exc.as_dict()),
            status_code=422,
        )
    return Redirect(path="/epayment/dienste?gespeichert=1", status_code=303)


# --- payments ------------------------------------------------------------------------------------
@get("/epayment/zahlungen", guards=[requires_viewer])
async def payment_list(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    status: FromQuery[str | None] = None,
    markiert: FromQuery[str | None] = None,
) -> Template:
    tenant_id = identity.require_tenant()
    status = status if status in payments.STATE_LABELS else None
    rows = await payments.list_payments(db, tenant_id, status=status, flagged=True if markiert else None)
    return page(
        request, "epayment/payments.html", _base_ctx(rows=rows, status=status, markiert=bool(markiert))
    )


@get("/epayment/zahlungen/{payment_id:str}", guards=[requires_viewer])
async def payment_detail(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    payment_id: FromPath[str],
) -> Template:
    tenant_id = identity.require_tenant()
    payment = await payments.get_payment(db, tenant_id, parse_uuid(payment_id))
    events = await payments.payment_events(db, tenant_id, payment.id)
    return page(
        request, "epayment/payment_detail.html", _base_ctx(p=payment, events=events, provider_state=None)
    )


@post("/epayment/zahlungen/{payment_id:str}/markierung", guards=[requires_editor])
async def payment_flag(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    payment_id: FromPath[str],
) -> Redirect:
    tenant_id = identity.require_tenant()
    data = await _form(request)
    payment = await payments.flag_payment(
        db,
        tenant_id,
        parse_uuid(payment_id),
        flagged=data.get("flagged") == "1",
        reason=(str(data.get("reason") or "")[:300] or None),
        actor=actor_of(request, identity),
    )
    return Redirect(path=f"/epayment/zahlungen/{payment.id}", status_code=303)


@post("/epayment/zahlungen/{payment_id:str}/abfrage", guards=[requires_editor])
async def payment_query(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    payment_id: FromPath[str],
) -> Template:
    """Ask the provider for its view of the payment (reconciliation of a stuck payment)."""
    tenant_id = identity.require_tenant()
    payment = await payments.get_payment(db, tenant_id, parse_uuid(payment_id))
    account = await payments.account_of(db, tenant_id, payment)
    provider = providers(request).get(account.provider)
    state: dict[str, Any]
    if provider is None or not payment.provider_reference:
        state = {"error": "Für diese Zahlung gibt es beim Zahlungsdienst keinen Vorgang."}
    else:
        try:
            result = await provider.query_status(
                accounts.provider_account(account, encryption_key(request)), payment.provider_reference
            )
            state = {"status": result.status, "amount_cents": result.amount_cents}
        except ProviderError as exc:
            state = {"error": str(exc)}
    events = await payments.payment_events(db, tenant_id, payment.id)
    return page(
        request, "epayment/payment_detail.html", _base_ctx(p=payment, events=events, provider_state=state)
    )


# --- bookings, exports, reconciliation, costs ---------------------------------------------------------
@get("/epayment/buchungen", guards=[requires_viewer])
async def booking_day(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    tag: FromQuery[str | None] = None,
    haushaltsstelle: FromQuery[str | None] = None,
) -> Template:
    tenant_id = identity.require_tenant()
    day = parse_day(tag)
    rows = await accounting.bookings(db, tenant_id, day=day, haushaltsstelle=haushaltsstelle or None)
    summary = await accounting.day_summary(db, tenant_id, day)
    return page(
        request,
        "epayment/bookings.html",
        _base_ctx(day=day, rows=rows, summary=summary, haushaltsstelle=haushaltsstelle or ""),
    )


async def _export_rows(
    db: AsyncSession, identity: Identity, tag: str | None, haushaltsstelle: str | None
) -> Any:
    tenant_id = identity.require_tenant()
    day = parse_day(tag)
    return day, await accounting.bookings(db, tenant_id, day=day, haushaltsstelle=haushaltsstelle or None)


def _export_name(day: dt.date, haushaltsstelle: str | None, ext: str) -> str:
    suffix = "".join(c for c in (haushaltsstelle or "") if c.isalnum() or c in "-_.")
    return f"buchungen-{day.isoformat()}{'-' + suffix if suffix else ''}.{ext}"


@get("/epayment/buchungen/export.csv", guards=[requires_viewer])
async def booking_csv(
    db: DbSession,
    identity: CurrentIdentity,
    tag: FromQuery[str | None] = None,
    haushaltsstelle: FromQuery[str | None] = None,
) -> Response[str]:
    day, rows = await _export_rows(db, identity, tag, haushaltsstelle)
    return Response(
        accounting.bookings_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "content-disposition": f'attachment; filename="{_export_name(day, haushaltsstelle, "csv")}"'
        },
    )


@get("/epayment/buchungen/export.xml", guards=[requires_viewer])
async def booking_xml(
    db: DbSession,
    identity: CurrentIdentity,
    tag: FromQuery[str | None] = None,
    haushaltsstelle: FromQuery[str | None] = None,
) -> Response[bytes]:
    from tenants.models import Tenant

    day, rows = await _export_rows(db, identity, tag, haushaltsstelle)
    tenant = await db.get(Tenant, identity.require_tenant())
    body = accounting.bookings_xml(
        rows,
        tenant_name=tenant.name if tenant else "",
        ags=tenant.ags if tenant else None,
        day=day,
        haushaltsstelle=haushaltsstelle or None,
    )
    return Response(
        body,
        media_type="application/xml",
        headers={
            "content-disposition": f'attachment; filename="{_export_name(day, haushaltsstelle, "xml")}"'
        },
    )


@get("/epayment/abgleich", guards=[requires_viewer])
async def reconciliation(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    von: FromQuery[str | None] = None,
    bis: FromQuery[str | None] = None,
) -> Template:
    tenant_id = identity.require_tenant()
    today = today_local()
    date_from = parse_day(von, "von", today - dt.timedelta(days=30))
    date_to = parse_day(bis, "bis", today)
    result = await accounting.reconcile(db, tenant_id, date_from=date_from, date_to=date_to)
    return page(request, "epayment/reconciliation.html", _base_ctx(r=result))


@get("/epayment/kosten", guards=[requires_viewer])
async def costs(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    jahr: FromQuery[str | None] = None,
) -> Template:
    tenant_id = identity.require_tenant()
    year = parse_year(jahr)
    return page(request, "epayment/costs.html", await _costs_ctx(db, tenant_id, year, {}))


async def _costs_ctx(db: AsyncSession, tenant_id: Any, year: int, errors: dict[str, str]) -> dict[str, Any]:
    from plugins.epayment.service import budget_feed

    rows = await accounting.monthly_costs(db, tenant_id, year)
    lines = await budget_feed.budget_lines(db, tenant_id)
    return _base_ctx(
        year=year,
        rows=rows,
        total=sum(r["cost_cents"] for r in rows),
        lines=lines,
        suggested=budget_feed.suggested_line(lines),
        errors=errors,
    )


@post("/epayment/kosten/finanzplan", guards=[requires_editor])
async def costs_to_budget(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Any:
    """Transaction costs of a year → running actuals of a budget line (through the budget service)."""
    from plugins.epayment.service import budget_feed

    tenant_id = identity.require_tenant()
    data = await _form(request)
    year = parse_year(str(data.get("jahr") or ""))
    if not data.get("line_id"):
        ctx = await _costs_ctx(
            db, tenant_id, year, {"line_id": "Bitte eine Position des Finanzplans wählen."}
        )
        return page(request, "epayment/costs.html", ctx, status_code=422)
    result = await budget_feed.feed_budget(
        db, tenant_id, line_id=parse_uuid(str(data["line_id"])), year=year, actor=actor_of(request, identity)
    )
    return Redirect(path=f"/epayment/kosten?jahr={year}&uebernommen={result['cost_cents']}", status_code=303)


@get("/epayment/kaaw", guards=[requires_kaaw_admin], opt={"platform_route": True})
async def kaaw_overview(request: Request[Any, Any, Any], identity: CurrentIdentity) -> Template:
    rows = await accounting.onboarding_overview(request.app.state.sessionmaker)
    return page(request, "epayment/kaaw.html", _base_ctx(rows=rows))


ROUTES: list[Any] = [
    overview,
    account_form,
    account_save,
    account_rotate_secret,
    service_list,
    fee_form,
    fee_save,
    payment_list,
    payment_detail,
    payment_flag,
    payment_query,
    booking_day,
    booking_csv,
    booking_xml,
    reconciliation,
    costs,
    costs_to_budget,
    kaaw_overview,
]
