"""End to end over HTTP on loopback: the app under uvicorn, the sandbox as its own process.

An applicant starts a payment on the app's page, is redirected to the sandbox's payment page,
pays (or cancels, or lets it fail); the sandbox sends the signed notification to the app; the
applicant returns to the status page; the booking appears in the day's export.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from core.db import tenant_session
from core.settings import Settings
from plugins.epayment.models import Booking, Payment
from plugins.epayment.sandbox.process import start_sandbox, stop_sandbox
from plugins.epayment.service import accounts, payments
from tenants.models import Role
from tests.factories import login
from tests.integration.epayment.helpers import notification, setup_tenant, signed
from tests.integration.epayment.live import app_server, csrf_field, free_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    port = free_port()
    proc = start_sandbox("127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_sandbox(proc)


@pytest.fixture(scope="module")
def live_url(test_settings: Settings) -> Iterator[str]:
    with app_server(test_settings, pool_size=10) as base:
        yield base


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30.0) as client:
        yield client


async def pay_through_sandbox(
    http: httpx.AsyncClient, live_url: str, public_key: str, action: str, option: str = "0"
) -> tuple[httpx.Response, str]:
    start_page = await http.get(f"{live_url}/epayment/pay/{public_key}")
    assert start_page.status_code == 200 and "Weiter zur Bezahlung" in start_page.text
    started = await http.post(
        f"{live_url}/epayment/pay/{public_key}",
        data={**csrf_field(start_page.text), "option": option, "applicant_reference": "ANTRAG-42"},
    )
    assert started.status_code == 303, started.text
    provider_page_url = started.headers["location"]
    assert provider_page_url.startswith("http://127.0.0.1:") and "/pay/SBX-" in provider_page_url
    provider_page = await http.get(provider_page_url)
    assert provider_page.status_code == 200 and "Sandbox-Bezahlseite" in provider_page.text
    kassenzeichen = re.search(r"<dt>Kassenzeichen</dt><dd>([^<]+)</dd>", provider_page.text).group(1)  # type: ignore[union-attr]
    done = await http.post(provider_page_url, data={"action": action, "method": "paypal"})
    assert done.status_code == 303
    back = await http.get(done.headers["location"])
    return back, kassenzeichen


@pytest.mark.parametrize(
    ("action", "status", "text", "booked"),
    [
        ("pay", "paid", "Ihre Zahlung ist eingegangen", 1),
        ("cancel", "cancelled", "Sie haben die Zahlung abgebrochen", 0),
        ("fail", "failed", "Die Zahlung ist fehlgeschlagen", 0),
    ],
)
async def test_applicant_payment_through_the_sandbox(
    http: httpx.AsyncClient,
    live_url: str,
    sandbox_url: str,
    sessionmaker: Any,
    test_settings: Settings,
    action: str,
    status: str,
    text: str,
    booked: int,
) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "", endpoint=sandbox_url)
    back, kassenzeichen = await pay_through_sandbox(http, live_url, setup.public_key, action, option="1")
    assert back.status_code == 200 and text in back.text and kassenzeichen in back.text
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        payment = await session.scalar(
            select(Payment).where(
                Payment.tenant_id == setup.tenant.id, Payment.kassenzeichen == kassenzeichen
            )
        )
        assert payment is not None
        assert payment.status == status and payment.amount_cents == 1500 and not payment.flagged
        assert payment.applicant_reference == "ANTRAG-42" and payment.provider_reference.startswith("SBX-")
        assert payment.payment_method == "paypal"
        count = await session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.tenant_id == setup.tenant.id, Booking.payment_id == payment.id)
        )
        assert count == booked
    # The day's booking export (as staff of the town), CSV and XML.
    staff = httpx.AsyncClient(timeout=30.0)
    try:
        await login(staff, sessionmaker, tenant=setup.tenant, role=Role.VIEWER)  # type: ignore[arg-type]
        today = dt.datetime.now(dt.UTC).astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")).date()
        csv_export = await staff.get(
            f"{live_url}/epayment/buchungen/export.csv", params={"tag": today.isoformat()}
        )
        xml_export = await staff.get(
            f"{live_url}/epayment/buchungen/export.xml",
            params={"tag": today.isoformat(), "haushaltsstelle": "1.122.01"},
        )
        # Asking the sandbox for its view of the payment (reconciliation of a single payment).
        assert csv_export.status_code == 200 and xml_export.status_code == 200
        assert (kassenzeichen in csv_export.text) is bool(booked)
        assert (kassenzeichen in xml_export.text) is bool(booked)
        if booked:
            assert (
                "15,00" in csv_export.text
                and '<xf:betrag waehrung="EUR">15.00</xf:betrag>' in xml_export.text
            )
    finally:
        await staff.aclose()
    # A replay of the sandbox's notification changes nothing.
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        account = await accounts.get_account(session, setup.tenant.id, setup.account_id)
    from plugins.epayment.plugin import SANDBOX

    provider_view = await SANDBOX.query_status(
        accounts.provider_account(account, test_settings.encryption_key), payment.provider_reference or ""
    )
    assert provider_view.status == status
    replay = await http.post(f"{sandbox_url}/api/payments/{payment.provider_reference}/resend")
    assert replay.status_code == 200 and replay.json()["status"] == 200
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        again = await payments.get_payment(session, setup.tenant.id, payment.id)
        assert again.status == status
        assert (
            await session.scalar(
                select(func.count())
                .select_from(Booking)
                .where(Booking.tenant_id == setup.tenant.id, Booking.payment_id == payment.id)
            )
            == booked
        )


async def test_bad_signature_unknown_kassenzeichen_and_mismatch_over_http(
    http: httpx.AsyncClient,
    live_url: str,
    sessionmaker: Any,
    test_settings: Settings,
) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        account = await accounts.get_account(session, setup.tenant.id, setup.account_id)
        p = await payments.create_payment(session, setup.tenant.id, account=account, amount_cents=2500)
    url = f"{live_url}/epayment/notify/sandbox"
    raw, headers = signed("ganz-anderes-geheimnis", notification(p, "paid"))
    assert (await http.post(url, content=raw, headers=headers)).status_code == 400
    raw, headers = signed(setup.secret, notification(p, "paid", kassenzeichen="XX0000000000"))
    assert (await http.post(url, content=raw, headers=headers)).status_code == 404
    raw, headers = signed(setup.secret, notification(p, "paid", amount=2400))
    response = await http.post(url, content=raw, headers=headers)
    assert response.status_code == 200 and response.json()["outcome"] == "mismatch"
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        stored = await payments.get_payment(session, setup.tenant.id, p.id)
        assert stored.status == "initiated" and stored.flagged and "Betrag" in (stored.flag_reason or "")


async def test_load_200_concurrent_notifications_for_50_payments(
    http: httpx.AsyncClient,
    live_url: str,
    sessionmaker: Any,
    test_settings: Settings,
) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "")
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        account = await accounts.get_account(session, setup.tenant.id, setup.account_id)
        created = []
        for i in range(50):
            p = await payments.create_payment(
                session, setup.tenant.id, account=account, amount_cents=1000 + i
            )
            p.provider_reference = f"SBX-LOAD-{i}"
            created.append(p)
    outcomes = ["paid", "paid", "failed", "cancelled"]
    finals = {p.id: random.choice(outcomes) for p in created}  # noqa: S311 - test data
    bodies: list[bytes | Any] = []
    for p in created:
        # one "pending", the final state three times (duplicates): 4 per payment, 200 in all
        bodies += [notification(p, "pending")] + [notification(p, finals[p.id])] * 3
    random.shuffle(bodies)  # out of order: a "pending" may arrive after the final state
    requests = [signed(setup.secret, b) for b in bodies]
    results = await asyncio.gather(
        *(http.post(f"{live_url}/epayment/notify/sandbox", content=raw, headers=h) for raw, h in requests)
    )
    assert [r.status_code for r in results] == [200] * 200
    outcomes = [r.json()["outcome"] for r in results]
    assert outcomes.count("applied") >= 50 and outcomes.count("duplicate") == 100
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        rows = (
            (
                await session.execute(
                    select(Payment.id, Payment.status, Payment.flagged).where(
                        Payment.tenant_id == setup.tenant.id
                    )
                )
            )
            .tuples()
            .all()
        )
        bookings = (
            (
                await session.execute(
                    select(Booking.payment_id, func.count())
                    .where(Booking.tenant_id == setup.tenant.id)
                    .group_by(Booking.payment_id)
                )
            )
            .tuples()
            .all()
        )
    assert {pid: status for pid, status, _ in rows} == finals
    assert not any(flagged for _, _, flagged in rows)
    assert dict(bookings) == {pid: 1 for pid, final in finals.items() if final == "paid"}


async def test_api_start_and_provider_query_by_staff(
    http: httpx.AsyncClient, live_url: str, sandbox_url: str, sessionmaker: Any, test_settings: Settings
) -> None:
    setup = await setup_tenant(sessionmaker, test_settings.encryption_key or "", endpoint=sandbox_url)
    staff = httpx.AsyncClient(timeout=30.0)
    try:
        await login(staff, sessionmaker, tenant=setup.tenant, role=Role.EDITOR)  # type: ignore[arg-type]
        page = await staff.get(f"{live_url}/epayment/dienste/{setup.service_id}")
        token = csrf_field(page.text)["_csrf_token"]
        started = await staff.post(
            f"{live_url}/api/v1/epayment/services/{setup.service_id}/payments",
            json={"option": 0, "applicant_reference": "FV-7"},
            headers={"x-csrftoken": token},
        )
        assert started.status_code == 201, started.text
        redirect = started.json()["redirect_url"]
        assert redirect.startswith(sandbox_url + "/pay/SBX-")
        await http.post(redirect, data={"action": "pay", "method": "kreditkarte"})
        listed = (await staff.get(f"{live_url}/api/v1/epayment/payments")).json()
        payment = next(p for p in listed if p["provider_reference"] == redirect.rsplit("/", 1)[1])
        assert payment["status"] == "paid" and payment["amount_cents"] == 2500
        queried = await staff.post(
            f"{live_url}/epayment/zahlungen/{payment['id']}/abfrage", data={"_csrf_token": token}
        )
        assert queried.status_code == 200 and "Status: paid" in queried.text
        status_fragment = await http.get(
            f"{live_url}/epayment/pay/status/{payment['reference']}", headers={"hx-request": "true"}
        )
        assert status_fragment.status_code == 200 and "<html" not in status_fragment.text
        assert "eingegangen" in status_fragment.text
    finally:
        await staff.aclose()
