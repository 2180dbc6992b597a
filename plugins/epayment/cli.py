"""``kommpass epayment …`` commands."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click

from plugins.epayment.service.common import today_local
from web.cli import fail, run_with_db


@click.group(help="E-Payment: Übersicht, Ablauf offener Zahlungen, Buchungsexport, Sandbox.")
def epayment() -> None:
    pass


@epayment.command("overview", help="Welche Kommunen sind an welche Bezahlplattform angebunden (KAAW-Sicht).")
@click.option("--json", "as_json", is_flag=True)
def overview(as_json: bool) -> None:
    from plugins.epayment.service.accounting import onboarding_overview

    rows = run_with_db(onboarding_overview)
    if as_json:
        click.echo(json.dumps({"tenants": rows}))
        return
    for row in rows:
        parts = [
            f"{p}: {'–' if v is None else str(v['percent']) + ' %'}" for p, v in row["platforms"].items()
        ]
        click.echo(f"{row['slug']:<24} {'  '.join(parts)}  bezahlt: {row['paid_count']}")


@epayment.command("expire", help="Schließt abgelaufene offene Zahlungen (sonst alle 5 Minuten als Job).")
@click.option("--json", "as_json", is_flag=True)
def expire(as_json: bool) -> None:
    from plugins.epayment.integration import expire_payments_job

    class Ctx:
        def __init__(self, sessionmaker: Any) -> None:
            self.sessionmaker = sessionmaker

    result = run_with_db(lambda sm: expire_payments_job(Ctx(sm)))
    click.echo(
        json.dumps(result) if as_json else f"{result['expired']} Zahlung(en) als abgelaufen geschlossen."
    )


@epayment.command(
    "export", help="Buchungen eines Tages als CSV oder XML (XFinanz-Stil) auf die Standardausgabe."
)
@click.option("--mandant", "slug", required=True, help="Kürzel des Mandanten.")
@click.option("--tag", "day", default=None, help="Buchungstag JJJJ-MM-TT (Standard: heute).")
@click.option("--haushaltsstelle", default=None)
@click.option("--format", "fmt", type=click.Choice(["csv", "xml"]), default="csv")
def export(slug: str, day: str | None, haushaltsstelle: str | None, fmt: str) -> None:
    from core.db import platform_session, tenant_session
    from plugins.epayment.service import accounting
    from tenants.service import TenantService

    try:
        booking_day = dt.date.fromisoformat(day) if day else today_local()
    except ValueError:
        fail("Bitte den Tag im Format JJJJ-MM-TT angeben.")
        return

    async def run(sm: Any) -> bytes:
        async with platform_session(sm) as session:
            tenant = await TenantService(session).get_by_slug(slug)
        async with tenant_session(sm, tenant.id) as session:
            rows = await accounting.bookings(
                session, tenant.id, day=booking_day, haushaltsstelle=haushaltsstelle
            )
        if fmt == "csv":
            return accounting.bookings_csv(rows).encode("utf-8")
        return accounting.bookings_xml(
            rows, tenant_name=tenant.name, ags=tenant.ags, day=booking_day, haushaltsstelle=haushaltsstelle
        )

    sys.stdout.buffer.write(run_with_db(run))


@epayment.command("rotate-keys", help="Verschlüsselt gespeicherte Geheimnisse mit dem ersten Schlüssel neu.")
@click.option("--json", "as_json", is_flag=True)
def rotate_keys(as_json: bool) -> None:
    from core.runtime import with_secrets
    from core.secret_rotation import rotate_stored_secrets
    from core.settings import get_settings
    from plugins.epayment.service.accounts import stored_secrets

    key = with_secrets(get_settings()).encryption_key or ""
    count = run_with_db(lambda sm: rotate_stored_secrets(sm, key, stored_secrets))
    click.echo(json.dumps({"reencrypted": count}) if as_json else f"{count} Geheimnis(se) neu verschlüsselt.")


@epayment.command("sandbox", help="Startet die E-Payment-Sandbox im Vordergrund.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8002, type=int)
def sandbox(host: str, port: int) -> None:
    import uvicorn

    from plugins.epayment.sandbox.server import create_sandbox_app

    click.echo(f"E-Payment-Sandbox läuft auf http://{host}:{port}")
    uvicorn.run(create_sandbox_app(f"http://{host}:{port}"), host=host, port=port, log_level="warning")
