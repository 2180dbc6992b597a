"""CLI commands of the identity area (auto-registered as a ``core.<area>.hooks`` module).

``kommpass identity …``: configure a tenant's OIDC provider, invite a person, make a user
KAAW admin (the bootstrap in production, where no demo accounts exist), re-encrypt stored
secrets after a key rotation.
"""

from __future__ import annotations

import os
from typing import Any

import click

from plugins.hookspecs import hookimpl


@hookimpl
def kommpass_register_commands(cli: click.Group) -> None:
    cli.add_command(identity)


@click.group(help="Anmeldung und Rollen: Identitätsanbieter, Einladungen, KAAW-Administration.")
def identity() -> None:
    pass


def _settings() -> Any:
    from core.runtime import with_secrets
    from core.settings import get_settings

    return with_secrets(get_settings())


@identity.command("add-provider", help="Trägt den OIDC-Anbieter eines Mandanten ein.")
@click.option("--tenant", "slug", required=True, help="Kürzel des Mandanten.")
@click.option("--name", required=True, help="Bezeichnung auf der Anmeldeseite.")
@click.option("--issuer", required=True, help="Issuer-URL (exakt wie im Discovery-Dokument).")
@click.option("--client-id", required=True)
@click.option(
    "--client-secret-env",
    default=None,
    help="Name der Umgebungsvariable mit dem Client-Geheimnis (nie auf der Kommandozeile).",
)
@click.option("--json", "as_json", is_flag=True)
def add_provider(
    slug: str, name: str, issuer: str, client_id: str, client_secret_env: str | None, as_json: bool
) -> None:
    from core.audit.service import Actor
    from core.db import platform_session, tenant_session
    from tenants.identity import ProviderService, provider_read
    from tenants.schemas_identity import ProviderWrite
    from tenants.service import TenantService
    from web.cli import fail, run_with_db

    settings = _settings()
    secret = os.environ.get(client_secret_env) if client_secret_env else None
    if client_secret_env and not secret:
        fail(f"Umgebungsvariable {client_secret_env} ist leer.")

    async def run(sessionmaker: Any) -> Any:
        async with platform_session(sessionmaker) as s:
            tenant = await TenantService(s).get_by_slug(slug)
        async with tenant_session(sessionmaker, tenant.id) as s:
            p = await ProviderService(s, settings.encryption_key, production=settings.web.production).create(
                tenant.id,
                ProviderWrite(name=name, issuer=issuer, client_id=client_id, client_secret=secret),
                actor=Actor(label="cli"),
            )
            return provider_read(p, settings.web.base_url)

    read = run_with_db(run, settings=settings)
    if as_json:
        import msgspec

        click.echo(msgspec.json.encode(read).decode())
    else:
        click.echo(f"Anbieter „{read.name}“ eingetragen. Rücksprungadresse: {read.redirect_uri}")


@identity.command("invite", help="Lädt eine Person per E-Mail mit einer Rolle in einen Mandanten ein.")
@click.option("--tenant", "slug", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["viewer", "editor", "tenant_admin"]), default="tenant_admin")
def invite(slug: str, email: str, role: str) -> None:
    from core.audit.service import Actor
    from core.db import platform_session, tenant_session
    from tenants.identity import MemberService
    from tenants.schemas_identity import InvitationWrite
    from tenants.service import TenantService
    from web.cli import run_with_db

    async def run(sessionmaker: Any) -> Any:
        async with platform_session(sessionmaker) as s:
            tenant = await TenantService(s).get_by_slug(slug)
        async with tenant_session(sessionmaker, tenant.id) as s:
            return await MemberService(s).invite(
                tenant.id, InvitationWrite(email=email, role=role), actor=Actor(label="cli")
            )

    inv = run_with_db(run, settings=_settings())
    click.echo(f"Einladung für {inv.email} ({role}) angelegt, gültig bis {inv.expires_at:%d.%m.%Y}.")


@identity.command("grant-kaaw-admin", help="Macht die Person (Issuer + Subject) zur KAAW-Administration.")
@click.option("--issuer", required=True)
@click.option("--subject", required=True)
@click.option("--email", default=None)
def grant_kaaw_admin(issuer: str, subject: str, email: str | None) -> None:
    from core.audit.service import Actor
    from core.db import platform_session
    from tenants.identity import UserAdminService
    from web.cli import run_with_db

    async def run(sessionmaker: Any) -> None:
        async with platform_session(sessionmaker) as s:
            users = UserAdminService(s)
            user = await users.upsert(issuer=issuer, subject=subject, email=email, display_name=None)
            await users.set_kaaw_admin(user.id, True, actor=Actor(label="cli"))

    run_with_db(run, settings=_settings())
    click.echo("KAAW-Administration erteilt.")


@identity.command(
    "rotate-secrets", help="Verschlüsselt gespeicherte Anbieter-Geheimnisse mit dem ersten Schlüssel neu."
)
def rotate_secrets() -> None:
    from core.secret_rotation import rotate_stored_secrets
    from tenants.identity import stored_secrets
    from web.cli import run_with_db

    settings = _settings()
    count = run_with_db(
        lambda sm: rotate_stored_secrets(sm, settings.encryption_key or "", stored_secrets), settings=settings
    )
    click.echo(f"{count} Geheimnisse neu verschlüsselt.")
