"""Re-encrypting stored secrets after a key change (``KOMMPASS_ENCRYPTION_KEY=new,old``).

Each area lists its encrypted values per tenant (identity providers, payment platforms);
``rotate_stored_secrets`` re-encrypts them with the first key – all or nothing: when any
secret opens with none of the configured keys (typically the old key was left out of the
list), nothing is written and the error names every such secret by tenant and label.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.crypto import SecretUnreadable, cipher


@dataclass(frozen=True)
class StoredSecret:
    """One encrypted value, ``holder.<attribute>``; ``label`` names it in messages."""

    label: str
    holder: Any
    attribute: str


SecretsOf = Callable[[AsyncSession, uuid.UUID], Awaitable[list[StoredSecret]]]


async def rotate_stored_secrets(
    sessionmaker: async_sessionmaker[AsyncSession],
    raw_keys: str,
    secrets_of: SecretsOf,
    *,
    tenant_ids: Sequence[uuid.UUID] | None = None,
) -> int:
    """Re-encrypt every secret ``secrets_of`` lists with the first key, for all tenants (or
    ``tenant_ids``); returns how many. Raises ``SecretUnreadable`` (nothing written) when a
    secret opens with none of the keys."""
    from core.db import platform_session, tenant_session
    from tenants.models import Tenant

    keys = cipher(raw_keys)
    async with platform_session(sessionmaker) as session:
        stmt = select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        if tenant_ids is not None:
            stmt = stmt.where(Tenant.id.in_(list(tenant_ids)))
        tenants = (await session.execute(stmt)).all()

    unreadable: list[str] = []
    for tenant_id, slug in tenants:
        async with tenant_session(sessionmaker, tenant_id) as session:
            for secret in await secrets_of(session, tenant_id):
                try:
                    keys.decrypt(getattr(secret.holder, secret.attribute).encode())
                except InvalidToken:
                    unreadable.append(f"{slug}: {secret.label}")
    if unreadable:
        raise SecretUnreadable(
            f"{len(unreadable)} gespeicherte(s) Geheimnis(se) lassen sich mit keinem Schlüssel aus "
            f"KOMMPASS_ENCRYPTION_KEY öffnen ({'; '.join(unreadable)}); nichts wurde geändert. "
            "Beim Schlüsselwechsel gehört der alte Schlüssel hinter den neuen: "
            "KOMMPASS_ENCRYPTION_KEY=neu,alt."
        )

    count = 0
    for tenant_id, _slug in tenants:
        async with tenant_session(sessionmaker, tenant_id) as session:
            for secret in await secrets_of(session, tenant_id):
                token = getattr(secret.holder, secret.attribute)
                setattr(secret.holder, secret.attribute, keys.rotate(token.encode()).decode())
                count += 1
    return count
