"""Login, logout and tenant switching (replaced by the OIDC implementation)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from web.rendering import page


@get("/login", name="login")
async def login_page(request: Request[Any, Any, Any]) -> Template:
    return page(request, "auth/login.html", {"next": request.query_params.get("next", "/")})


ROUTES = [login_page]
