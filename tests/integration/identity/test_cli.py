"""``kommpass identity …`` commands against the test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.crypto import decrypt
from core.db import platform_session, tenant_session
from core.embedded import DatabaseUrls
from core.secret_rotation import rotate_stored_secrets
from core.settings import Settings
from tenants.identity import MemberService, ProviderService, stored_secrets
from tenants.models import IdentityProvider, User
from tests.factories import create_tenant


def run_cli(
    database: DatabaseUrls, settings: Settings, tmp: Path, *args: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database.app,
        "DATABASE_MIGRATION_URL": database.migration,
        "KOMMPASS_LOG_LEVEL": "WARNING",
        "KOMMPASS_DATA_DIR": str(tmp),
        "KOMMPASS_ENCRYPTION_KEY": settings.encryption_key or "",
        "KOMMPASS_SECRET_KEY": "x" * 40,
        **(extra or {}),
    }
    return subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-m", "web.cli", "identity", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.process
async def test_cli_configures_provider_invites_and_grants_kaaw_admin(
    database: DatabaseUrls,
    test_settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    tenant = await create_tenant(sessionmaker)
    secret = "cli-geheim-" + uuid.uuid4().hex
    r = run_cli(
        database,
        test_settings,
        tmp_path,
        "add-provider",
        "--tenant",
        tenant.slug,
        "--name",
        "Dienstkonto",
        "--issuer",
        "https://login.example/realms/x",
        "--client-id",
        "kp",
        "--client-secret-env",
        "KP_SECRET",
        "--json",
        extra={"KP_SECRET": secret},
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["client_secret_set"] is True and secret not in r.stdout
    assert out["redirect_uri"].endswith(f"/auth/callback/{out['id']}")
    async with tenant_session(sessionmaker, tenant.id) as s:
        provider = await s.scalar(select(IdentityProvider).where(IdentityProvider.tenant_id == tenant.id))
        assert provider is not None
        assert decrypt(provider.client_secret_encrypted or "", test_settings.encryption_key or "") == secret

    r = run_cli(
        database, test_settings, tmp_path, "invite", "--tenant", tenant.slug, "--email", "Chef@X.example"
    )
    assert r.returncode == 0, r.stderr
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert [i.email for i in await MemberService(s).invitations(tenant.id)] == ["chef@x.example"]

    subject = uuid.uuid4().hex
    r = run_cli(
        database,
        test_settings,
        tmp_path,
        "grant-kaaw-admin",
        "--issuer",
        "https://login.example/realms/x",
        "--subject",
        subject,
    )
    assert r.returncode == 0, r.stderr
    async with platform_session(sessionmaker) as s:
        user = await s.scalar(select(User).where(User.subject == subject))
        assert user is not None and user.is_kaaw_admin

    bad = run_cli(
        database, test_settings, tmp_path, "invite", "--tenant", "gibt-es-nicht", "--email", "a@b.example"
    )
    assert bad.returncode != 0 and len([x for x in bad.stderr.splitlines() if x.strip()]) == 1


async def test_key_rotation_re_encrypts_provider_secrets(
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
) -> None:
    from cryptography.fernet import Fernet

    from core.audit.service import Actor
    from tenants.schemas_identity import ProviderWrite

    tenant = await create_tenant(sessionmaker)
    old_key = test_settings.encryption_key or ""
    async with tenant_session(sessionmaker, tenant.id) as s:
        await ProviderService(s, old_key).create(
            tenant.id,
            ProviderWrite(name="A", issuer="https://a.example", client_id="a", client_secret="s1"),  # noqa: S106
            actor=Actor(label="test"),
        )
    new_key = Fernet.generate_key().decode()
    both = f"{new_key},{old_key}"
    assert await rotate_stored_secrets(sessionmaker, both, stored_secrets, tenant_ids=[tenant.id]) == 1
    async with tenant_session(sessionmaker, tenant.id) as s:
        provider = (await ProviderService(s, new_key).list(tenant.id))[0]
        assert ProviderService(s, new_key).secret_of(provider) == "s1"  # readable with the new key alone


async def test_key_rotation_without_the_old_key_names_the_secret_and_writes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    test_settings: Settings,
) -> None:
    """The usual slip when rotating: the old key left out of KOMMPASS_ENCRYPTION_KEY."""
    from cryptography.fernet import Fernet

    from core.audit.service import Actor
    from core.crypto import SecretUnreadable
    from tenants.schemas_identity import ProviderWrite

    old_key = test_settings.encryption_key or ""
    stray_key = Fernet.generate_key().decode()  # a secret stored under a key nobody has any more
    tenants = [await create_tenant(sessionmaker), await create_tenant(sessionmaker)]
    for tenant, key, name in ((tenants[0], old_key, "Keycloak"), (tenants[1], stray_key, "ADFS")):
        async with tenant_session(sessionmaker, tenant.id) as s:
            await ProviderService(s, key).create(
                tenant.id,
                ProviderWrite(name=name, issuer=f"https://{name.lower()}.example", client_id="c",
                              client_secret="geheim"),  # noqa: S106
                actor=Actor(label="test"),
            )

    async def tokens() -> list[str]:
        out = []
        for tenant in tenants:
            async with tenant_session(sessionmaker, tenant.id) as s:
                out += [p.client_secret_encrypted for p in await ProviderService(s, old_key).list(tenant.id)]
        return out

    before = await tokens()
    new_key = Fernet.generate_key().decode()
    with pytest.raises(SecretUnreadable) as err:
        await rotate_stored_secrets(
            sessionmaker, f"{new_key},{old_key}", stored_secrets, tenant_ids=[t.id for t in tenants]
        )
    assert f"{tenants[1].slug}: Anmeldeanbieter „ADFS“" in err.value.message
    assert "Keycloak" not in err.value.message
    assert "nichts wurde geändert" in err.value.message
    assert await tokens() == before  # the readable one was not re-encrypted either

