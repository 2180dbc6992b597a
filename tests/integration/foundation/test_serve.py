"""``kommpass serve`` ends cleanly on SIGTERM (as systemd, Docker or a terminal's kill send
it): the helper processes it started – demo login provider, e-payment sandbox – end too."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from core.embedded import DatabaseUrls, asyncpg_url, provision
from tests.conftest import TEST_APP_ROLE, TEST_OWNER_ROLE


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.process
def test_sigterm_ends_serve_and_its_helper_processes(
    pg_admin_url: str, database: DatabaseUrls, tmp_path: Path
) -> None:
    from core import migrate

    # A database of its own (serve seeds the demo tenant into it), with the test session's
    # roles and passwords: provisioning sets the passwords, and other tests' pools use them.
    name = f"kommpass_serve_{secrets.token_hex(4)}"
    owner_pw = make_url(database.migration).password
    app_pw = make_url(database.app).password
    assert owner_pw and app_pw
    provision(pg_admin_url, database=name, owner_role=TEST_OWNER_ROLE, owner_password=owner_pw,
              app_role=TEST_APP_ROLE, app_password=app_pw)
    host, port = pg_admin_url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)
    migration_url = asyncpg_url(TEST_OWNER_ROLE, owner_pw, host, int(port), name)
    migrate.upgrade(migration_url, app_role=TEST_APP_ROLE)
    web_port, sandbox_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": asyncpg_url(TEST_APP_ROLE, app_pw, host, int(port), name),
        "DATABASE_MIGRATION_URL": migration_url,
        "KOMMPASS_APP_ROLE": TEST_APP_ROLE,
        "KOMMPASS_DATA_DIR": str(tmp_path),
        "KOMMPASS_PORT": str(web_port),
        "KOMMPASS_BASE_URL": f"http://127.0.0.1:{web_port}",
        "KOMMPASS_EPAYMENT_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
        "KOMMPASS_INPROCESS_WORKER": "0",  # no index build in the background
        "KOMMPASS_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "serve"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, "serve ended before it answered"
            try:
                if httpx.get(f"http://127.0.0.1:{web_port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        helpers = _children(proc.pid)
        assert len(helpers) >= 2, "demo login provider and e-payment sandbox run as child processes"
        assert httpx.get(f"http://127.0.0.1:{sandbox_port}/health", timeout=2).status_code == 200

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) in (0, 128 + signal.SIGTERM)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in helpers if _alive(pid)], "helper processes outlived serve"
    finally:
        if proc.poll() is None:
            proc.kill()
