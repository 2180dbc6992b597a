"""E-payment pages and API through the app: roles, forms, secrets, cross-tenant isolation."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import structlog
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import tenant_session
from core.settings import Settings
from plugins.epayment.service import accounts, payments
from plugins.settings import set_plugin_enabled
from tenants.models import Role
from tests.factories import csrf_headers, login
from tests.integration.epayment.helpers import Setup, notification, setup_tenant, signed


async def make_payment(sessionmaker: Any, setup: Setup, cents: int = 2500) -> Any:
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        account = await accounts.get_account(session, setup.tenant.id, setup.account_id)
        p = await payments.create_payment(
            session, setup.tenant.id, account=account, amount_cents=cents, service_title="Reitkennzeichen"
        )
        p.provider_reference = "SBX-" + p.reference[:6]
        return p


@pytest.fixture
async def two(sessionmaker: async_sessionmaker[AsyncSession], test_settings: Settings) -> tuple[Setup, Setup]:
    a = await setup_tenant(sessionmaker, test_settings.encryption_key or "", name="Stadt Aheim")
    b = await setup_tenant(sessionmaker, test_settings.encryption_key or "", name="Stadt Beheim")
    return a, b


async def test_pages_render_for_viewer_in_german(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, _ = two
    p = await make_payment(sessionmaker, a)
    await login(client, sessionmaker, tenant=a.tenant, role=Role.VIEWER)
    for url, needle in [
        ("/epayment", "Anbindung an Bezahlplattformen"),
        ("/epayment/dienste", "Reitkennzeichen"),
        (f"/epayment/dienste/{a.service_id}", "Haushaltsstelle"),
        ("/epayment/zahlungen", p.kassenzeichen),
        (f"/epayment/zahlungen/{p.id}", "Meldungen"),
        ("/epayment/buchungen", "Summen je Haushaltsstelle"),
        ("/epayment/abgleich", "Abgleich"),
        ("/epayment/kosten", "Transaktionskosten"),
    ]:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert needle in response.text, url
    assert (await client.get("/epayment/plattformen/epaybl")).status_code == 403
    headers = await csrf_headers(client)
    assert (
        await client.post(f"/epayment/dienste/{a.service_id}", data={"charges_fee": "1"}, headers=headers)
    ).status_code == 403


async def test_onboarding_form_validates_and_never_shows_the_secret(
    client: AsyncTestClient[Any], sessionmaker: Any, test_settings: Settings, two: tuple[Setup, Setup]
) -> None:
    a, _ = two
    await login(client, sessionmaker, tenant=a.tenant, role=Role.TENANT_ADMIN)
    headers = await csrf_headers(client)
    new_secret = "pm-geheimnis-" + "x7" * 12
    with structlog.testing.capture_logs() as logs:
        bad = await client.post(
            "/epayment/plattformen/pmpayment",
            headers=headers,
            data={
                "provider": "sandbox",
                "stage": "integration",
                "endpoint_url": "ftp://falsch",
                "kz_length": "3",
                "secret": new_secret,
            },
        )
        assert bad.status_code == 422
        assert "http:// oder https://" in bad.text and "6 bis 30" in bad.text
        assert new_secret not in bad.text
        ok = await client.post(
            "/epayment/plattformen/pmpayment",
            headers=headers,
            follow_redirects=False,
            data={
                "provider": "sandbox",
                "stage": "integration",
                "endpoint_url": "http://127.0.0.1:9",
                "merchant_id": "05562012",
                "kz_prefix": "PM",
                "kz_length": "12",
                "booking_text": "Gebühr",
                "payment_methods": ["kreditkarte", "paypal"],
                "secret": new_secret,
            },
        )
        assert ok.status_code == 303
        page = await client.get("/epayment/plattformen/pmpayment")
        rotated = "rotiert-" + "y9" * 12
        rotate = await client.post(
            "/epayment/plattformen/pmpayment/geheimnis",
            headers=headers,
            data={"secret": rotated},
            follow_redirects=False,
        )
        assert rotate.status_code == 303
        api = await client.get("/api/v1/epayment/accounts")
        overview = await client.get("/epayment")
    assert page.status_code == 200 and "(gesetzt)" in page.text and "100 %" in page.text
    assert api.status_code == 200
    pm = next(x for x in api.json() if x["platform"] == "pmpayment")
    assert pm["secret_set"] is True and pm["completeness"]["percent"] == 100 and "secret" not in pm
    everything = page.text + api.text + overview.text + json.dumps(logs, default=str)
    for secret in (new_secret, rotated, a.secret):
        assert secret not in everything
    async with tenant_session(sessionmaker, a.tenant.id) as session:
        account = await accounts.account_for_platform(session, a.tenant.id, "pmpayment")
        assert account is not None and rotated not in (account.secret_encrypted or "")
        creds = accounts.provider_account(account, test_settings.encryption_key)
        assert creds.secret == rotated and rotated not in repr(creds)


async def test_api_account_write_is_write_only_for_the_secret(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, _ = two
    await login(client, sessionmaker, tenant=a.tenant, role=Role.TENANT_ADMIN)
    headers = await csrf_headers(client)
    secret = "api-geheimnis-" + "z" * 20
    response = await client.put(
        "/api/v1/epayment/accounts/pmpayment",
        headers=headers,
        json={
            "endpoint_url": "http://127.0.0.1:9",
            "merchant_id": "1",
            "kz_prefix": "PM",
            "kz_length": 12,
            "booking_text": "x",
            "payment_methods": ["paypal"],
            "secret": secret,
        },
    )
    assert response.status_code == 200, response.text
    assert secret not in response.text and response.json()["secret_set"] is True
    body = {"endpoint_url": "http://127.0.0.1:9", "merchant_id": "1", "version": 1}
    assert (
        await client.put("/api/v1/epayment/accounts/pmpayment", headers=headers, json=body)
    ).status_code == 200
    stale = await client.put("/api/v1/epayment/accounts/pmpayment", headers=headers, json=body)
    assert stale.status_code == 409 and "current" in stale.json()
    invalid = await client.put("/api/v1/epayment/accounts/pmpayment", headers=headers, json={"kz_length": 99})
    assert invalid.status_code == 422
    assert any(e["field"] == "kz_length" for e in invalid.json()["errors"])


async def test_fee_form_saves_schedule_and_shows_errors(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, _ = two
    await login(client, sessionmaker, tenant=a.tenant, role=Role.EDITOR)
    headers = await csrf_headers(client)
    bad = await client.post(
        f"/epayment/dienste/{a.service_id}",
        headers=headers,
        data={"charges_fee": "1", "fee_kind": "fixed", "fee": "abc", "kostenstelle": "K1"},
    )
    assert bad.status_code == 422 and "Betrag" in bad.text and 'value="K1"' in bad.text
    ok = await client.post(
        f"/epayment/dienste/{a.service_id}",
        headers=headers,
        follow_redirects=False,
        data={
            "charges_fee": "1",
            "fee_kind": "fixed",
            "fee": "12,50",
            "account_id": str(a.account_id),
            "haushaltsstelle": "1.200.00",
        },
    )
    assert ok.status_code == 303
    api = (await client.get(f"/api/v1/epayment/services/{a.service_id}")).json()
    assert api["fee_cents"] == 1250 and api["haushaltsstelle"] == "1.200.00"


async def test_every_route_is_404_for_another_tenants_ids(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, b = two
    pb = await make_payment(sessionmaker, b)
    await login(client, sessionmaker, tenant=a.tenant, role=Role.TENANT_ADMIN)
    headers = await csrf_headers(client)
    gets = [
        f"/epayment/dienste/{b.service_id}",
        f"/epayment/zahlungen/{pb.id}",
        f"/api/v1/epayment/services/{b.service_id}",
        f"/api/v1/epayment/payments/{pb.id}",
    ]
    for url in gets:
        assert (await client.get(url)).status_code == 404, url
    posts = [
        (f"/epayment/dienste/{b.service_id}", {"charges_fee": "1", "fee": "1,00"}),
        (f"/epayment/zahlungen/{pb.id}/markierung", {"flagged": "1"}),
        (f"/epayment/zahlungen/{pb.id}/abfrage", {}),
    ]
    for url, data in posts:
        assert (await client.post(url, data=data, headers=headers)).status_code == 404, url
    api_writes = [
        ("put", f"/api/v1/epayment/services/{b.service_id}", {"charges_fee": False}),
        ("post", f"/api/v1/epayment/services/{b.service_id}/payments", {"option": 0}),
        ("post", f"/api/v1/epayment/accounts/{b.account_id}/secret", {"secret": "x" * 20}),
    ]
    for method, url, body in api_writes:
        assert (await getattr(client, method)(url, json=body, headers=headers)).status_code == 404, url
    # Lists and exports of tenant A never contain tenant B's data.
    for url in [
        "/epayment/zahlungen",
        "/api/v1/epayment/payments",
        "/epayment/buchungen/export.csv",
        "/epayment/buchungen/export.xml",
        "/api/v1/epayment/services",
        "/api/v1/epayment/accounts",
        "/epayment/abgleich",
        "/api/v1/epayment/reconciliation",
        "/api/v1/epayment/bookings",
        "/api/v1/epayment/costs",
        "/epayment/kosten",
        "/epayment",
    ]:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert pb.kassenzeichen not in response.text and str(b.service_id) not in response.text, url
        assert str(b.account_id) not in response.text, url
    # B's data is unchanged.
    async with tenant_session(sessionmaker, b.tenant.id) as session:
        p = await payments.get_payment(session, b.tenant.id, pb.id)
        assert not p.flagged


async def test_plugin_switched_off_hides_pages_and_public_pay_page(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, _ = two
    async with tenant_session(sessionmaker, a.tenant.id) as session:
        await set_plugin_enabled(session, a.tenant.id, "epayment", False)
    assert (await client.get(f"/epayment/pay/{a.public_key}")).status_code == 404
    await login(client, sessionmaker, tenant=a.tenant, role=Role.VIEWER)
    assert (await client.get("/epayment")).status_code == 404
    assert (await client.get("/api/v1/epayment/payments")).status_code == 404


async def test_notify_endpoint_status_codes_and_logging(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup], caplog: Any
) -> None:
    a, _ = two
    p = await make_payment(sessionmaker, a)
    caplog.set_level(logging.INFO)
    with structlog.testing.capture_logs() as logs:
        raw, headers = signed("nicht-das-geheimnis-123", notification(p, "paid"))
        bad = await client.post("/epayment/notify/sandbox", content=raw, headers=headers)
        raw, headers = signed(a.secret, notification(p, "paid", kassenzeichen="KP99999999999"))
        unknown = await client.post("/epayment/notify/sandbox", content=raw, headers=headers)
        other_provider = await client.post("/epayment/notify/gibtsnicht", content=raw, headers=headers)
        malformed = await client.post(
            "/epayment/notify/sandbox", content=b"{kaputt", headers={"content-type": "application/json"}
        )
        raw, headers = signed(
            a.secret, notification(p, "paid", amount=p.amount_cents + 1, event="evt-falsch")
        )
        mismatch = await client.post("/epayment/notify/sandbox", content=raw, headers=headers)
        raw, headers = signed(a.secret, notification(p, "paid"))
        ok = await client.post("/epayment/notify/sandbox", content=raw, headers=headers)
        dup = await client.post("/epayment/notify/sandbox", content=raw, headers=headers)
    assert bad.status_code == 400 and unknown.status_code == 404 and other_provider.status_code == 404
    assert malformed.status_code == 400
    assert mismatch.status_code == 200 and mismatch.json()["outcome"] == "mismatch"
    assert ok.json() == {"outcome": "applied", "status": "paid"} and dup.json()["outcome"] == "duplicate"
    events = [e["event"] for e in logs]
    assert "epayment.notify_bad_signature" in events and "epayment.notify_unknown" in events
    assert a.secret not in json.dumps(logs, default=str) + caplog.text
    async with tenant_session(sessionmaker, a.tenant.id) as session:
        stored = await payments.get_payment(session, a.tenant.id, p.id)
        assert stored.status == "paid" and stored.flagged  # the earlier mismatch stays on record


async def test_kaaw_overview_shows_aggregates_only(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, b = two
    await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    page = await client.get("/epayment/kaaw")
    assert page.status_code == 200
    assert "Stadt Aheim" in page.text and "vollständig" in page.text
    assert "1.122.00" not in page.text and a.secret not in page.text  # no account details
    api = await client.get("/api/v1/epayment/overview")
    assert api.status_code == 200
    row = next(r for r in api.json() if r["tenant_id"] == str(b.tenant.id))
    assert row["platforms"]["epaybl"]["percent"] == 100 and row["platforms"]["pmpayment"] is None


async def test_kaaw_overview_is_forbidden_for_tenant_users(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, _ = two
    await login(client, sessionmaker, tenant=a.tenant, role=Role.TENANT_ADMIN)
    assert (await client.get("/epayment/kaaw")).status_code == 403
    assert (await client.get("/api/v1/epayment/overview")).status_code == 403


async def test_public_routes_do_not_cross_tenants(
    client: AsyncTestClient[Any], sessionmaker: Any, two: tuple[Setup, Setup]
) -> None:
    a, b = two
    pb = await make_payment(sessionmaker, b)
    # A's secret cannot move B's payment: the signature is checked with the secret of the
    # tenant that owns the Kassenzeichen.
    raw, headers = signed(a.secret, notification(pb, "paid"))
    assert (await client.post("/epayment/notify/sandbox", content=raw, headers=headers)).status_code == 400
    assert (await client.get("/epayment/pay/status/unbekannt")).status_code == 404
    assert (await client.get("/epayment/pay/unbekannt")).status_code == 404
    status = await client.get(f"/epayment/pay/status/{pb.reference}")
    assert status.status_code == 200 and "Stadt Beheim" in status.text and "Stadt Aheim" not in status.text
    async with tenant_session(sessionmaker, b.tenant.id) as session:
        assert (await payments.get_payment(session, b.tenant.id, pb.id)).status == "initiated"
    # A logged-in user of A sees the public page of B's service only as the public sees it.
    await login(client, sessionmaker, tenant=a.tenant, role=Role.TENANT_ADMIN)
    page = await client.get(f"/epayment/pay/{b.public_key}")
    assert page.status_code == 200 and "Stadt Beheim" in page.text and "1.122.01" not in page.text
