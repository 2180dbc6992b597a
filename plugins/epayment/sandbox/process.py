"""Starting and stopping the sandbox server as its own process (``kommpass serve`` demo, tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx

DEFAULT_PORT = 8002  # 8001 is the demo login (web port + 1)


def sandbox_url() -> str:
    """Where the demo's sandbox runs (``KOMMPASS_EPAYMENT_SANDBOX_URL``)."""
    return os.environ.get("KOMMPASS_EPAYMENT_SANDBOX_URL", f"http://127.0.0.1:{DEFAULT_PORT}").rstrip("/")


def start_sandbox(
    host: str = "127.0.0.1", port: int = DEFAULT_PORT, *, timeout: float = 20.0
) -> subprocess.Popen[bytes]:
    """Start the sandbox and wait until it answers ``/health``."""
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "plugins.epayment.sandbox", "--host", host, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    url = f"http://{host}:{port}/health"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise RuntimeError(f"E-Payment-Sandbox ist nicht gestartet: {err.strip()[-300:]}")
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_sandbox(proc)
    raise RuntimeError("E-Payment-Sandbox antwortet nicht.")


def stop_sandbox(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def start_for_demo() -> subprocess.Popen[bytes] | None:
    """Start the sandbox for ``kommpass serve`` in demo mode; a failure only logs (demo still runs)."""
    from urllib.parse import urlsplit

    import structlog

    parts = urlsplit(sandbox_url())
    try:
        proc = start_sandbox(parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORT)
    except RuntimeError as exc:
        structlog.get_logger(__name__).warning("epayment.sandbox_not_started", reason=str(exc))
        return None
    structlog.get_logger(__name__).info("epayment.sandbox_started", url=sandbox_url())
    return proc
