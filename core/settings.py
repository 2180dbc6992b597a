"""Settings, read once from the environment.

Grouped as small frozen dataclasses (database, web, paths). ``get_settings()`` caches the
result; tests build their own ``Settings`` and pass it explicitly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import platformdirs

_TRUE = {"1", "true", "yes", "on"}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class DatabaseSettings:
    #: Connection of the application role (owns nothing, subject to row-level security).
    #: ``None`` means: start the embedded PostgreSQL server.
    url: str | None = None
    #: Connection of the migration role (owns the schema). Defaults to ``url``.
    migration_url: str | None = None
    pool_size: int = 10
    max_overflow: int = 10
    echo: bool = False

    @property
    def embedded(self) -> bool:
        return self.url is None


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8000
    #: "development" allows plain-HTTP cookies and the demo login; "production" forbids both.
    environment: str = "development"
    #: Base URL the app is reached at (used for OIDC redirect URIs).
    base_url: str = "http://127.0.0.1:8000"
    #: Secret for CSRF tokens and cookie signing. Generated and stored in the data dir when unset.
    secret_key: str | None = None
    #: Enables the local demo OIDC provider (never in production).
    demo_login: bool = True

    @property
    def production(self) -> bool:
        return self.environment == "production"


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    web: WebSettings = field(default_factory=WebSettings)
    #: Where the embedded database, generated secrets and indexes live (kept between runs).
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("kommpass")))
    #: Key for encrypting secrets at rest (Fernet, urlsafe base64). Generated when unset.
    encryption_key: str | None = None
    log_format: str = "console"
    log_level: str = "INFO"

    @classmethod
    def from_env(cls) -> Settings:
        environment = _env("KOMMPASS_ENV", "development") or "development"
        host = _env("KOMMPASS_HOST", "127.0.0.1") or "127.0.0.1"
        port = int(_env("KOMMPASS_PORT", "8000") or "8000")
        production = environment == "production"
        demo_default = "0" if production else "1"
        url = _env("DATABASE_URL")
        return cls(
            database=DatabaseSettings(
                url=url,
                migration_url=_env("DATABASE_MIGRATION_URL", url),
                pool_size=int(_env("KOMMPASS_DB_POOL_SIZE", "10") or "10"),
                echo=(_env("KOMMPASS_DB_ECHO", "0") or "0").lower() in _TRUE,
            ),
            web=WebSettings(
                host=host,
                port=port,
                environment=environment,
                base_url=_env("KOMMPASS_BASE_URL", f"http://{host}:{port}") or f"http://{host}:{port}",
                secret_key=_env("KOMMPASS_SECRET_KEY"),
                demo_login=(not production)
                and (_env("KOMMPASS_DEMO_LOGIN", demo_default) or demo_default).lower() in _TRUE,
            ),
            data_dir=Path(_env("KOMMPASS_DATA_DIR") or platformdirs.user_data_dir("kommpass")),
            encryption_key=_env("KOMMPASS_ENCRYPTION_KEY"),
            log_format=_env("KOMMPASS_LOG_FORMAT", "json" if production else "console") or "console",
            log_level=_env("KOMMPASS_LOG_LEVEL", "INFO") or "INFO",
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
