"""Helper processes started by ``kommpass serve`` (demo login, e-payment sandbox)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable


def end_with_parent(stop: Callable[[], None], *, interval: float = 1.0) -> None:
    """Call ``stop`` once the process that started this one is gone – also when it was
    killed hard and could not stop its children itself (no orphaned helper processes)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        stop()

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
