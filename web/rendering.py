"""Rendering pages: a full page normally, only the named block for htmx requests."""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.response import Template


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def page(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = "content",
    status_code: int = 200,
) -> Template:
    """Render ``template``; an htmx request gets only ``block`` (jinja2-fragments)."""
    ctx = dict(context or {})
    if block and is_htmx(request):
        return HTMXBlockTemplate(template_name=template, block_name=block, context=ctx, status_code=status_code)
    return Template(template_name=template, context=ctx, status_code=status_code)


def fragment(
    request: Request[Any, Any, Any], template: str, block: str, context: dict[str, Any] | None = None,
    *, status_code: int = 200,
) -> Template:
    """Always render just ``block`` of ``template`` (for htmx targets)."""
    return HTMXBlockTemplate(template_name=template, block_name=block, context=dict(context or {}),
                             status_code=status_code)
