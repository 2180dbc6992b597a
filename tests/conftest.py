"""Shared fixtures: a real PostgreSQL (embedded, or ``KOMMPASS_TEST_ADMIN_URL``), migrated
once per test session, the app and an HTTP client.

Tests never use SQLite or mocks for the database. Each test creates its own tenants with
unique slugs (``tests.factories``), so tests do not need to clean up after each other.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.db import create_engine, make_sessionmaker
from core.embedded import DatabaseUrls, EmbeddedPostgres, asyncpg_url, provision
from core.settings import DatabaseSettings, Settings, WebSettings

pytest_plugins = ["tests.live"]

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():  # CI clones the repo with shared/ beside it
    SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# One encryption key for the whole test session – the app under test, code that reads the
# environment (demo seeds, CLI subprocesses) and the tests all encrypt and decrypt with it.
os.environ.setdefault("KOMMPASS_ENCRYPTION_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
TEST_APP_ROLE = "kp_test_app"
TEST_OWNER_ROLE = "kp_test_owner"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    assert SHARED.exists(), f"shared/ not found next to the repository ({SHARED})"
    return SHARED


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Superuser URL of a PostgreSQL server: external if configured, else embedded."""
    external = os.environ.get("KOMMPASS_TEST_ADMIN_URL")
    if external:
        yield external
        return
    tmp = Path(tempfile.mkdtemp(prefix="kommpass-test-pg-"))
    server = EmbeddedPostgres(tmp)
    urls = server.start()
    try:
        yield urls.admin
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database(pg_admin_url: str) -> DatabaseUrls:
    """A fresh, migrated database with distinct owner and app roles."""
    from core import migrate

    name = f"kommpass_test_{secrets.token_hex(4)}"
    owner_pw, app_pw = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    provision(pg_admin_url, database=name, owner_role=TEST_OWNER_ROLE, owner_password=owner_pw,
              app_role=TEST_APP_ROLE, app_password=app_pw)
    host_port = pg_admin_url.split("@", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    urls = DatabaseUrls(
        admin=pg_admin_url.rsplit("/", 1)[0] + f"/{name}",
        migration=asyncpg_url(TEST_OWNER_ROLE, owner_pw, host, int(port), name),
        app=asyncpg_url(TEST_APP_ROLE, app_pw, host, int(port), name),
    )
    migrate.upgrade(urls.migration, app_role=TEST_APP_ROLE)
    return urls


@pytest.fixture(scope="session")
async def engine(database: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    eng = create_engine(database.app, pool_size=5, max_overflow=5)
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture(scope="session")
async def owner_engine(database: DatabaseUrls) -> AsyncIterator[AsyncEngine]:
    """The migration role: for catalogue inspection in tests only, never for app code."""
    eng = create_engine(database.migration, pool_size=2, max_overflow=2)
    yield eng
    await eng.dispose()


@pytest.fixture(scope="session")
def test_settings(database: DatabaseUrls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database=DatabaseSettings(url=database.app, migration_url=database.migration, pool_size=5),
        web=WebSettings(secret_key=secrets.token_urlsafe(48), environment="development",
                        base_url="http://testserver.local", demo_login=False),
        data_dir=tmp_path_factory.mktemp("data"),
        encryption_key=os.environ["KOMMPASS_ENCRYPTION_KEY"],
    )


@pytest.fixture(scope="session")
def app(test_settings: Settings) -> Litestar:
    from web.app import create_app

    return create_app(test_settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://testserver.local") as c:
        yield c


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser tests last: they start servers and are the slowest.
    items.sort(key=lambda i: 1 if i.get_closest_marker("browser") else 0)


__all__ = ["asyncio", "replace"]
