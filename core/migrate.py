"""Running the Alembic migrations programmatically (``kommpass db upgrade|current``).

The version locations are the core's ``migrations/versions`` plus every folder a plugin
returns from ``kommpass_register_migrations``. Each area and plugin keeps its own branch
(``branch_labels``) depending on the foundation revision, so we always upgrade to
``heads``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent
APP_ROLE_ENV = "KOMMPASS_APP_ROLE"


def _version_locations() -> list[str]:
    locations = [str(MIGRATIONS_DIR / "versions")]
    try:
        from plugins.manager import get_plugin_manager

        for result in get_plugin_manager().hook.kommpass_register_migrations():
            for path in result or []:
                locations.append(str(path))
    except ImportError:  # plugin layer not importable: core migrations only
        pass
    return locations


def alembic_config(url: str, *, app_role: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_locations", os.pathsep.join(_version_locations()))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["app_role"] = app_role or os.environ.get(APP_ROLE_ENV, "kommpass_app")
    return cfg


def upgrade(url: str, revision: str = "heads", *, app_role: str | None = None) -> None:
    command.upgrade(alembic_config(url, app_role=app_role), revision)


def current(url: str) -> list[str]:
    """The revisions the database is at (one per branch)."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def _read() -> list[str]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                heads = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads())
                return sorted(heads)
        finally:
            await engine.dispose()

    return asyncio.run(_read())


def heads(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return sorted(script.get_heads())


def history_text(url: str) -> str:
    buf = io.StringIO()
    cfg = alembic_config(url)
    cfg.stdout = buf
    command.history(cfg)
    return buf.getvalue()
