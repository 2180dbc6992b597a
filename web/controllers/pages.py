"""Static pages that must be reachable without login (accessibility statement)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from web.rendering import page


@get("/barrierefreiheit", name="accessibility_statement", include_in_schema=False)
async def accessibility_statement(request: Request[Any, Any, Any]) -> Template:
    """Erklärung zur Barrierefreiheit (BITV 2.0 § 7 / EU-Richtlinie 2016/2102)."""
    return page(request, "pages/barrierefreiheit.html", {})


ROUTES = [accessibility_statement]
