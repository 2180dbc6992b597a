"""``python -m plugins.epayment.sandbox --host 127.0.0.1 --port 8002``"""

from __future__ import annotations

import argparse
import os
import signal

import uvicorn

from core.processes import end_with_parent
from plugins.epayment.sandbox.server import create_sandbox_app


def main() -> None:
    parser = argparse.ArgumentParser(description="E-Payment-Sandbox (lokaler Test-Zahlungsdienst)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--base-url", default=None)
    args = parser.parse_args()
    base = args.base_url or f"http://{args.host}:{args.port}"
    # Ends with ``kommpass serve`` (or the test that started it), even when that is killed hard.
    end_with_parent(lambda: os.kill(os.getpid(), signal.SIGTERM))
    uvicorn.run(
        create_sandbox_app(base), host=args.host, port=args.port, log_level="warning", access_log=False
    )


if __name__ == "__main__":
    main()
