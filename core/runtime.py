"""Resolving where the database is and the generated secrets, for the CLI and the server.

With no ``DATABASE_URL`` the embedded PostgreSQL in the data directory is started (and
stopped again by whoever started it). Secrets that are not configured are generated once
and kept in the data directory (mode 0600), so sessions and encrypted values survive
restarts.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from core.embedded import EmbeddedPostgres
from core.settings import DatabaseSettings, Settings, WebSettings


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    app_url: str
    migration_url: str
    embedded: EmbeddedPostgres | None


def _load_or_create_secrets(data_dir: Path) -> dict[str, str]:
    path = data_dir / "secrets.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    data_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "secret_key": secrets.token_urlsafe(48),
        "encryption_key": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    tmp.chmod(0o600)
    tmp.replace(path)
    return data


def with_secrets(settings: Settings) -> Settings:
    if settings.web.secret_key and settings.encryption_key:
        return settings
    if settings.web.production:
        missing = [n for n, v in (("KOMMPASS_SECRET_KEY", settings.web.secret_key),
                                  ("KOMMPASS_ENCRYPTION_KEY", settings.encryption_key)) if not v]
        raise SystemExit(f"Produktionsbetrieb: {', '.join(missing)} muss gesetzt sein.")
    generated = _load_or_create_secrets(settings.data_dir)
    return replace(
        settings,
        web=replace(settings.web, secret_key=settings.web.secret_key or generated["secret_key"]),
        encryption_key=settings.encryption_key or generated["encryption_key"],
    )


@contextmanager
def runtime(settings: Settings, *, stop_embedded: bool = True) -> Iterator[Runtime]:
    """Yield the resolved runtime; an embedded server started here is stopped on exit."""
    settings = with_secrets(settings)
    if settings.database.url:
        yield Runtime(settings, settings.database.url, settings.database.migration_url or settings.database.url, None)
        return
    server = EmbeddedPostgres(settings.data_dir)
    was_running = server.is_running()
    urls = server.start()
    os.environ.setdefault("KOMMPASS_APP_ROLE", "kommpass_app")
    resolved = replace(settings, database=replace(settings.database, url=urls.app, migration_url=urls.migration))
    try:
        yield Runtime(resolved, urls.app, urls.migration, server)
    finally:
        if stop_embedded and not was_running:
            server.stop()


__all__ = ["DatabaseSettings", "Runtime", "WebSettings", "runtime", "with_secrets"]
