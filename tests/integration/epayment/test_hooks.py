"""The plugin's hooks: providers, jobs, widget, report section, budget feed, demo seed, CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from core.db import tenant_session
from core.embedded import DatabaseUrls
from core.settings import Settings
from plugins.epayment.integration import load_report_section, load_widget
from plugins.epayment.models import PaymentAccount, ServiceFee
from plugins.epayment.protocol import PaymentProvider
from plugins.epayment.providers import providers_from
from plugins.epayment.service import accounts, payments
from plugins.epayment.service.common import today_local
from plugins.manager import get_plugin_manager
from plugins.types import RenderContext
from tenants.models import Role
from tests.factories import create_tenant, csrf_headers, login
from tests.integration.epayment.helpers import notification, setup_tenant
from tests.integration.epayment.test_payments_service import PROVIDERS, notify


def test_sandbox_provider_is_registered_and_implements_the_protocol() -> None:
    providers = providers_from(get_plugin_manager())
    assert isinstance(providers["sandbox"], PaymentProvider)


def test_expiry_job_is_scheduled() -> None:
    jobs = [j for result in get_plugin_manager().hook.kommpass_register_jobs() for j in result or []]
    job = next(j for j in jobs if j.name == "epayment.expire_payments")
    assert job.cron == "*/5 * * * *"


async def paid_setup(sessionmaker: Any, settings: Settings) -> Any:
    setup = await setup_tenant(sessionmaker, settings.encryption_key or "")
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        account = await accounts.get_account(session, setup.tenant.id, setup.account_id)
        p = await payments.create_payment(session, setup.tenant.id, account=account, amount_cents=10000)
    await notify(sessionmaker, settings, setup, notification(p, "paid"))
    return setup


async def test_widget_and_report_section(sessionmaker: Any, test_settings: Settings) -> None:
    setup = await paid_setup(sessionmaker, test_settings)
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        widget = await load_widget(RenderContext(session=session, tenant_id=setup.tenant.id))
        section = await load_report_section(RenderContext(session=session, tenant_id=setup.tenant.id))
    assert widget["counts"]["paid"] == 1 and widget["platforms"] == [("ePayBL", 100)]
    assert "1 Online-Zahlungen über 100,00 €" in section["paragraphs"][0]
    costs = section["tables"][1]
    assert costs["rows"][0][2] == 1 and costs["rows"][0][4] == "1,25 €"  # 25 ct fixed + 1 % of 100 €


async def test_dashboard_shows_the_widget(
    client: AsyncTestClient[Any], sessionmaker: Any, test_settings: Settings
) -> None:
    setup = await paid_setup(sessionmaker, test_settings)
    await login(client, sessionmaker, tenant=setup.tenant, role=Role.VIEWER)
    response = await client.get("/")
    assert response.status_code == 200
    assert "E-Payment" in response.text and "Zum E-Payment" in response.text


async def test_transaction_costs_feed_the_budget_plan(
    client: AsyncTestClient[Any], sessionmaker: Any, test_settings: Settings
) -> None:
    from core.budget import service as budget

    setup = await paid_setup(sessionmaker, test_settings)
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        line = await budget.create_line(
            session,
            setup.tenant.id,
            {"number": "005", "title": "Bezahlplattform inkl. Transaktionskosten im lfd. Betrieb"},
        )
    await login(client, sessionmaker, tenant=setup.tenant, role=Role.EDITOR)
    page = await client.get("/epayment/kosten")
    assert page.status_code == 200 and "Bezahlplattform" in page.text
    headers = await csrf_headers(client)
    year = today_local().year
    for _ in range(2):  # twice: the second run updates the same year, no duplicate
        response = await client.post(
            "/epayment/kosten/finanzplan",
            headers=headers,
            follow_redirects=False,
            data={"jahr": str(year), "line_id": str(line.id)},
        )
        assert response.status_code == 303, response.text[response.text.find("inhalt") :][:3000]
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        view = await budget.get_line(session, setup.tenant.id, line.id)
    assert [(e.year, str(e.actual_running)) for e in view.entries] == [(year, "1.25")]
    other = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, other.id) as session:
        foreign = await budget.create_line(session, other.id, {"number": "001", "title": "Fremd"})
    response = await client.post(
        "/epayment/kosten/finanzplan", headers=headers, data={"jahr": str(year), "line_id": str(foreign.id)}
    )
    assert response.status_code == 404


async def test_demo_seed_builds_accounts_fees_and_payments(
    sessionmaker: Any, test_settings: Settings
) -> None:
    from core.online_services.models import OnlineService
    from plugins.epayment.demo import seed

    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as session:
        session.add(
            OnlineService(tenant_id=tenant.id, number="OD 013", title="Reitkennzeichen und -plaketten")
        )
        await session.flush()
        await seed(session, tenant.id, encryption_key=test_settings.encryption_key)
    async with tenant_session(sessionmaker, tenant.id) as session:
        platforms = {a.platform: a for a in (await session.scalars(select(PaymentAccount))).all()}
        fee = await session.scalar(select(ServiceFee))
        counts = await payments.status_counts(session, tenant.id)
    assert accounts.completeness(platforms["epaybl"], "epaybl")["percent"] == 100
    assert accounts.completeness(platforms["pmpayment"], "pmpayment")["percent"] < 100
    assert fee is not None and fee.charges_fee and [i["cents"] for i in fee.schedule] == [2500, 1500]
    assert counts == {"paid": 3, "cancelled": 1, "failed": 1}


def run_cli(database: DatabaseUrls, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "DATABASE_MIGRATION_URL": database.migration,
        "KOMMPASS_LOG_LEVEL": "WARNING",
        "KOMMPASS_ENCRYPTION_KEY": settings.encryption_key or "",
        "KOMMPASS_SECRET_KEY": settings.web.secret_key or "",
    }
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "web.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.process
async def test_cli_overview_export_and_expire(
    database: DatabaseUrls, sessionmaker: Any, test_settings: Settings
) -> None:
    setup = await paid_setup(sessionmaker, test_settings)
    overview = run_cli(database, test_settings, "epayment", "overview", "--json")
    assert overview.returncode == 0, overview.stderr
    rows = json.loads(overview.stdout)["tenants"]
    assert next(r for r in rows if r["slug"] == setup.tenant.slug)["paid_count"] == 1
    export = run_cli(
        database, test_settings, "epayment", "export", "--mandant", setup.tenant.slug, "--format", "xml"
    )
    assert export.returncode == 0 and "<xf:anzahlBuchungen>1</xf:anzahlBuchungen>" in export.stdout
    expire = run_cli(database, test_settings, "epayment", "expire", "--json")
    assert expire.returncode == 0 and "expired" in json.loads(expire.stdout)
    bad = run_cli(database, test_settings, "epayment", "export", "--mandant", "gibt-es-nicht")
    assert bad.returncode != 0 and len([ln for ln in bad.stderr.splitlines() if ln.strip()]) == 1
    rotated = run_cli(database, test_settings, "epayment", "rotate-keys", "--json")
    assert rotated.returncode == 0 and json.loads(rotated.stdout)["reencrypted"] >= 1
    assert setup.secret not in overview.stdout + export.stdout + rotated.stdout + rotated.stderr


__all__ = ["PROVIDERS"]


async def test_committee_report_has_the_epayment_section(
    client: AsyncTestClient[Any], sessionmaker: Any, test_settings: Settings
) -> None:
    from core.reporting.service import ReportingService

    setup = await paid_setup(sessionmaker, test_settings)
    async with tenant_session(sessionmaker, setup.tenant.id) as session:
        await ReportingService(session, setup.tenant.id).open_round(dt.date(today_local().year, 3, 31))
    await login(client, sessionmaker, tenant=setup.tenant, role=Role.VIEWER)
    response = await client.get("/berichte/ausschuss")
    assert response.status_code == 200
    assert "E-Payment" in response.text and "Transaktionskosten" in response.text
    assert "1 Online-Zahlungen über 100,00 €" in response.text
