"""Models and migrations agree: autogenerate finds nothing to do after ``upgrade heads``."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from core import migrate
from core.embedded import DatabaseUrls
from core.registry import import_all_models


async def test_models_match_migrations(owner_engine: AsyncEngine) -> None:
    metadata = import_all_models()

    def diff(conn):  # type: ignore[no-untyped-def]
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, metadata)

    async with owner_engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == [], "models and migrations differ:\n" + "\n".join(map(str, differences))


def test_database_is_at_every_head(database: DatabaseUrls) -> None:
    assert migrate.current(database.migration) == migrate.heads(database.migration)
