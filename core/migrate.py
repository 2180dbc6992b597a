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

    return _with_implied_heads(url, asyncio.run(_read()))


def _with_implied_heads(url: str, stored: list[str]) -> list[str]:
    """Add the heads a stored revision implies through ``depends_on``.

    Alembic keeps only the dependent revision in ``alembic_version`` (``0200_strategy``
    depends on ``0100_measures``: only ``0200_strategy`` is stored), although the other
    branch's head is applied, too.
    """
    if not stored:
        return stored
    script = ScriptDirectory.from_config(alembic_config(url))
    revision_map = script.revision_map
    applied = {r.revision for r in revision_map._get_ancestor_nodes(  # noqa: SLF001 - no public API
        revision_map.get_revisions(tuple(stored)), include_dependencies=True)}
    return sorted(set(stored) | {h for h in script.get_heads() if h in applied})


def heads(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return sorted(script.get_heads())


def history_text(url: str) -> str:
    buf = io.StringIO()
    cfg = alembic_config(url)
    cfg.stdout = buf
    command.history(cfg)
    return buf.getvalue()
