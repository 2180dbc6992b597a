"""The ``kommpass`` command-line tool.

Commands that touch the database resolve it like the server does: ``DATABASE_URL`` if set,
otherwise the embedded PostgreSQL in the data directory (started for the command and stopped
afterwards, unless a running ``kommpass serve`` already started it).
Errors end with a one-line German message on stderr and a non-zero exit code.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from core.errors import Conflict, DomainError, ValidationFailed
from core.settings import Settings, get_settings

T = TypeVar("T")


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Fehler: {message}", err=True)
    sys.exit(code)


def run_with_db(fn: Callable[[Any], Awaitable[T]], *, settings: Settings | None = None) -> T:
    """Run ``fn(sessionmaker)`` against the app role, handling domain errors as one line."""
    from core.db import create_engine, make_sessionmaker
    from core.runtime import runtime

    with runtime(settings or get_settings()) as rt:

        async def main() -> T:
            engine = create_engine(rt.app_url, pool_size=2, max_overflow=2)
            try:
                return await fn(make_sessionmaker(engine))
            finally:
                await engine.dispose()

        try:
            return asyncio.run(main())
        except ValidationFailed as exc:
            fail("; ".join(e.message for e in exc.errors) or exc.message)
        except DomainError as exc:
            fail(exc.message)
    raise AssertionError("unreachable")


@click.group(help="Kommpass – Digitalisierungsstrategie für Kommunen.")
def cli() -> None:
    from core.logging import configure_logging

    settings = get_settings()
    configure_logging(fmt=settings.log_format, level=settings.log_level)


# --- serve ------------------------------------------------------------------------------
@cli.command(help="Startet die Web-Anwendung (ohne DATABASE_URL mit eingebetteter PostgreSQL).")
@click.option("--host", default=None, help="Adresse (Standard 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (Standard 8000).")
@click.option("--no-demo", is_flag=True, help="Keinen Demo-Mandanten anlegen.")
def serve(host: str | None, port: int | None, no_demo: bool) -> None:
    import dataclasses

    import uvicorn

    from core import migrate
    from core.bootstrap import on_start
    from core.runtime import runtime
    from plugins.manager import get_plugin_manager
    from web.app import create_app

    settings = get_settings()
    if host or port:
        web = dataclasses.replace(settings.web, host=host or settings.web.host, port=port or settings.web.port)
        if not any(k == "KOMMPASS_BASE_URL" for k in __import__("os").environ):
            web = dataclasses.replace(web, base_url=f"http://{web.host}:{web.port}")
        settings = dataclasses.replace(settings, web=web)
    pm = get_plugin_manager()
    with runtime(settings) as rt:
        migrate.upgrade(rt.migration_url)
        asyncio.run(on_start(rt.app_url, rt.settings, pm, demo=not no_demo and not rt.settings.web.production))
        demo_login = None
        if not no_demo and rt.settings.web.demo_login and not rt.settings.web.production:
            from tenants.demo import start_demo_login

            demo_login = start_demo_login(rt.app_url, rt.settings)
        sandbox = None
        if not no_demo and not rt.settings.web.production:  # e-payment sandbox (its own process)
            from plugins.epayment.sandbox.process import start_for_demo

            sandbox = start_for_demo()
        app = create_app(rt.settings, database_url=rt.app_url, plugin_manager=pm,
                         run_worker=__import__("os").environ.get("KOMMPASS_INPROCESS_WORKER", "1") != "0")
        click.echo(f"Kommpass läuft auf {rt.settings.web.base_url}  (Beenden mit Strg+C)")
        # uvicorn shuts down gracefully on SIGTERM and then raises the signal again; with the
        # default action the process would end there, skipping the clean-up below (sandbox,
        # demo login, embedded PostgreSQL). Ending by SystemExit runs it.
        signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
        try:
            uvicorn.run(app, host=rt.settings.web.host, port=rt.settings.web.port, log_config=None,
                        access_log=False, timeout_graceful_shutdown=10)
        finally:
            if sandbox is not None:
                from plugins.epayment.sandbox.process import stop_sandbox

                stop_sandbox(sandbox)
            if demo_login is not None:
                demo_login.stop()


# --- db ---------------------------------------------------------------------------------
@cli.group(help="Datenbankschema (Alembic-Migrationen).")
def db() -> None:
    pass


@db.command("upgrade", help="Bringt das Schema auf den neuesten Stand.")
def db_upgrade() -> None:
    from core import migrate
    from core.runtime import runtime

    with runtime(get_settings()) as rt:
        migrate.upgrade(rt.migration_url)
        click.echo("Schema aktuell: " + ", ".join(migrate.current(rt.migration_url)))


@db.command("current", help="Zeigt den Stand des Schemas.")
@click.option("--json", "as_json", is_flag=True)
def db_current(as_json: bool) -> None:
    from core import migrate
    from core.runtime import runtime

    with runtime(get_settings()) as rt:
        current = migrate.current(rt.migration_url)
        heads = migrate.heads(rt.migration_url)
    if as_json:
        click.echo(json.dumps({"current": current, "heads": heads, "up_to_date": sorted(current) == sorted(heads)}))
    else:
        click.echo("\n".join(current) if current else "(leer – noch keine Migration angewandt)")
        if sorted(current) != sorted(heads):
            click.echo("Ausstehend: " + ", ".join(sorted(set(heads) - set(current))))


# --- tenants ----------------------------------------------------------------------------
@cli.group(help="Mandanten (Kommunen) verwalten.")
def tenants() -> None:
    pass


@tenants.command("create", help="Legt einen Mandanten an.")
@click.option("--name", required=True, help="Name, z. B. „Stadt Dorsten“.")
@click.option("--slug", required=True, help="Kürzel für Adressen, z. B. „dorsten“.")
@click.option("--ags", required=True, help="Amtlicher Gemeindeschlüssel (8 Ziffern).")
@click.option("--ars", default=None, help="Amtlicher Regionalschlüssel (12 Ziffern).")
@click.option("--type", "municipality_type", required=True,
              type=click.Choice(["kreisfreie_stadt", "kreis", "grosse_kreisangehoerige_stadt",
                                 "mittlere_kreisangehoerige_stadt", "kreisangehoerige_gemeinde"]),
              help="Gemeindetyp.")
@click.option("--size-class", type=int, default=None, help="Größenklasse 1–7 (KGSt).")
@click.option("--population", type=int, default=None)
@click.option("--email-domain", "email_domains", multiple=True, help="E-Mail-Domain (mehrfach möglich).")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als JSON.")
def tenants_create(name: str, slug: str, ags: str, ars: str | None, municipality_type: str,
                   size_class: int | None, population: int | None, email_domains: tuple[str, ...],
                   as_json: bool) -> None:
    import msgspec

    from core.audit.service import Actor, record_platform
    from core.db import platform_session
    from tenants.schemas import TenantCreate
    from tenants.service import TenantService, to_read, validate_tenant

    data = TenantCreate(name=name, slug=slug, ags=ags, ars=ars, municipality_type=municipality_type,
                        size_class=size_class, population=population, email_domains=list(email_domains))
    errors = validate_tenant(data)
    if errors:  # fail before touching (or starting) the database
        fail("; ".join(e.message for e in errors))

    async def create(sessionmaker: Any) -> Any:
        async with platform_session(sessionmaker) as session:
            tenant = await TenantService(session).create(data)
            await record_platform(session, action="tenant.create", actor=Actor(label="cli"),
                                  subject_tenant_id=tenant.id, details={"slug": tenant.slug})
            return to_read(tenant)

    try:
        tenant = run_with_db(create)
    except Conflict as exc:  # pragma: no cover - handled in run_with_db
        fail(exc.message)
    if as_json:
        click.echo(msgspec.json.encode(tenant).decode())
    else:
        click.echo(f"Mandant „{tenant.name}“ angelegt (Kürzel {tenant.slug}, AGS {tenant.ags}).")


@tenants.command("list", help="Listet die Mandanten.")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als JSON.")
def tenants_list(as_json: bool) -> None:
    import msgspec

    from core.db import platform_session
    from tenants.service import TenantService, to_read

    async def list_(sessionmaker: Any) -> Any:
        async with platform_session(sessionmaker) as session:
            return [to_read(t) for t in await TenantService(session).list()]

    rows = run_with_db(list_)
    if as_json:
        click.echo(msgspec.json.encode(rows).decode())
        return
    if not rows:
        click.echo("Keine Mandanten.")
    for t in rows:
        click.echo(f"{t.slug:<24} {t.ags}  {t.municipality_type:<32} {t.name}{'' if t.is_active else ' (deaktiviert)'}")


@tenants.command("export", help="Sichert einen Mandanten mit allen Daten in eine Datei (gzip-JSON).")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def tenants_export(slug: str, file: str) -> None:
    from pathlib import Path

    from core.backup import export_tenant, write_export

    async def run(sessionmaker: Any) -> dict[str, Any]:
        return await export_tenant(sessionmaker, slug)

    data = run_with_db(run)
    write_export(data, Path(file))
    rows = sum(len(v) for v in data["tables"].values())
    click.echo(f"Mandant „{slug}“ gesichert: {rows} Zeilen aus {len(data['tables'])} Tabellen → {file}")


@tenants.command("import", help="Stellt einen gesicherten Mandanten wieder her (optional als neuer Mandant).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--slug", "new_slug", default=None, help="Als neuer Mandant mit diesem Kürzel anlegen.")
@click.option("--name", "new_name", default=None, help="Name des neuen Mandanten.")
def tenants_import(file: str, new_slug: str | None, new_name: str | None) -> None:
    from pathlib import Path

    from core.backup import import_tenant, read_export

    try:
        data = read_export(Path(file))
    except ValidationFailed as exc:
        fail("; ".join(e.message for e in exc.errors))

    async def run(sessionmaker: Any) -> Any:
        return await import_tenant(sessionmaker, data, new_slug=new_slug, new_name=new_name)

    tenant_id = run_with_db(run)
    click.echo(f"Mandant „{new_slug or data['tenant']['slug']}“ wiederhergestellt (ID {tenant_id}).")


def _register_plugin_commands() -> None:
    from plugins.manager import get_plugin_manager

    get_plugin_manager().hook.kommpass_register_commands(cli=cli)


def main() -> None:
    _register_plugin_commands()
    cli()


if __name__ == "__main__":
    main()
