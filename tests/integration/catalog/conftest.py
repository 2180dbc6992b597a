"""Catalogue tests run against databases of their own.

The catalogue tables are global (no tenant), so tests that sync would see each other's data
in the shared test database. Each test that needs an empty catalogue gets a fresh database,
cloned in ~0.1 s from a migrated template (``CREATE DATABASE … TEMPLATE``), with its own owner
and app roles – the same role split as production.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import create_engine, make_sessionmaker
from core.embedded import DatabaseUrls, asyncpg_url, provision


@dataclass(frozen=True)
class CatalogTemplate:
    admin_dsn: str
    host: str
    port: int
    name: str
    owner: str
    owner_pw: str
    app: str
    app_pw: str


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def catalog_template(pg_admin_url: str) -> Iterator[CatalogTemplate]:
    from core import migrate

    suffix = secrets.token_hex(3)
    tmpl = CatalogTemplate(
        admin_dsn=_dsn(pg_admin_url),
        host="",
        port=0,
        name=f"kp_cat_tmpl_{suffix}",
        owner=f"kp_cat_owner_{suffix}",
        owner_pw=secrets.token_urlsafe(16),
        app=f"kp_cat_app_{suffix}",
        app_pw=secrets.token_urlsafe(16),
    )
    host_port = pg_admin_url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    tmpl = CatalogTemplate(**{**tmpl.__dict__, "host": host, "port": int(port)})
    provision(
        pg_admin_url,
        database=tmpl.name,
        owner_role=tmpl.owner,
        owner_password=tmpl.owner_pw,
        app_role=tmpl.app,
        app_password=tmpl.app_pw,
    )
    migrate.upgrade(asyncpg_url(tmpl.owner, tmpl.owner_pw, host, int(port), tmpl.name), app_role=tmpl.app)
    yield tmpl


async def clone_database(tmpl: CatalogTemplate) -> DatabaseUrls:
    name = f"kp_cat_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(tmpl.admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tmpl.name}" OWNER "{tmpl.owner}"')
    finally:
        await conn.close()
    return DatabaseUrls(
        admin=tmpl.admin_dsn.rsplit("/", 1)[0] + f"/{name}",
        migration=asyncpg_url(tmpl.owner, tmpl.owner_pw, tmpl.host, tmpl.port, name),
        app=asyncpg_url(tmpl.app, tmpl.app_pw, tmpl.host, tmpl.port, name),
    )


async def drop_database(tmpl: CatalogTemplate, urls: DatabaseUrls) -> None:
    name = urls.app.rsplit("/", 1)[1]
    conn = await asyncpg.connect(tmpl.admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
async def catalog_db(catalog_template: CatalogTemplate) -> AsyncIterator[DatabaseUrls]:
    """A fresh, migrated, empty database for one test."""
    urls = await clone_database(catalog_template)
    try:
        yield urls
    finally:
        await drop_database(catalog_template, urls)


@pytest.fixture
async def catalog_sessionmaker(catalog_db: DatabaseUrls) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(catalog_db.app, pool_size=3, max_overflow=2)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def catalog_files(shared_dir: Path) -> tuple[Path, Path]:
    base = shared_dir / "data" / "ozg-katalog"
    return base / "ozg-leistungen.csv", base / "leika-leistungen.csv"


@pytest.fixture(scope="session")
async def synced_template(
    catalog_template: CatalogTemplate, catalog_files: tuple[Path, Path]
) -> CatalogTemplate:
    """A template database holding the synced shared catalogue (version 1)."""
    from core.catalog.sync import sync_catalog

    urls = await clone_database(catalog_template)
    engine = create_engine(urls.app, pool_size=2, max_overflow=0)
    try:
        await sync_catalog(make_sessionmaker(engine), catalog_files)
    finally:
        await engine.dispose()
    return CatalogTemplate(**{**catalog_template.__dict__, "name": urls.app.rsplit("/", 1)[1]})


@pytest.fixture
async def synced_db(synced_template: CatalogTemplate) -> AsyncIterator[DatabaseUrls]:
    """A fresh database with the shared catalogue already synced (version 1)."""
    urls = await clone_database(synced_template)
    try:
        yield urls
    finally:
        await drop_database(synced_template, urls)


@pytest.fixture
async def synced_sessionmaker(synced_db: DatabaseUrls) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(synced_db.app, pool_size=3, max_overflow=2)
    try:
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def synced_client(synced_db: DatabaseUrls, test_settings):  # type: ignore[no-untyped-def]
    """An app (and client) on a database with the synced catalogue."""
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from core.settings import DatabaseSettings
    from web.app import create_app

    settings = replace(
        test_settings,
        database=DatabaseSettings(url=synced_db.app, migration_url=synced_db.migration, pool_size=3),
    )
    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        yield client
