"""Controllers of this area (filled in by the area's implementation)."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
