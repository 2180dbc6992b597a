"""Data revisions: how often a tenant's data (or the shared reference data) has changed.

A deferred trigger on every tracked table (``migrations.rls.track_revisions``) advances
``data_revisions.revision`` for the written row's tenant once per committing transaction,
inside that transaction. So a reader that sees revision *n* sees all data written up to
*n*, whatever process or tool wrote it (app, CLI, job worker, several instances, psql).

What it is for: a page may cache what it computed from a tenant's data under the revision
read *before* the data (``web.page_cache``). A later write advances the revision; the next
request reads the new number, misses the cache and recomputes. Reading the revision first
matters: the data read afterwards is at least that new, never older.

The platform scope (the nil UUID) counts writes to the shared catalogue and the KAAW
network's published documents.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.revisions.models import DataRevision

#: Scope of the reference data shared by all tenants.
PLATFORM_SCOPE = uuid.UUID(int=0)


@dataclass(frozen=True, slots=True)
class Revisions:
    """The tenant's and the platform's revision as read at one moment (0: never written)."""

    tenant: int
    platform: int


async def read_revisions(session: AsyncSession, tenant_id: uuid.UUID) -> Revisions:
    rows = dict(
        (
            await session.execute(
                select(DataRevision.scope_id, DataRevision.revision).where(
                    DataRevision.scope_id.in_((tenant_id, PLATFORM_SCOPE))
                )
            )
        )
        .tuples()
        .all()
    )
    return Revisions(tenant=rows.get(tenant_id, 0), platform=rows.get(PLATFORM_SCOPE, 0))
