"""Rendered pages kept per tenant and data revision (the dashboard and the measure plan).

The busiest pages show a tenant's data as of its last change. They render their blocks once
per *data revision* (``core.revisions``: advanced in the same transaction as every write,
by whatever process wrote) and serve the stored HTML until the next change:

* the key holds the page, the tenant, the tenant's and the platform's revision read by the
  authentication middleware *before* any data of the request, and a *variant* (role, plugin
  switches, query parameters, the day …: everything besides the data the HTML depends on);
* what the user may not share with others – the CSRF token – is rendered as a random
  placeholder and put in per response; the layout (name, navigation) is rendered per request;
* one entry per page, tenant and variant: a newer revision replaces the older entry, and the
  whole store is bounded in bytes (least recently used out first).

Each app process keeps its own store (several instances stay correct: the revision lives
in the database).
"""

from __future__ import annotations

import asyncio
import html
import os
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any

from jinja2 import ChoiceLoader, DictLoader, Environment
from jinja2_fragments import render_block
from litestar import Request, Response
from litestar.enums import MediaType
from litestar.response import Template
from litestar.utils.scope.state import ScopeState
from markupsafe import Markup
from prometheus_client import Counter

from core import calendar
from core.revisions import Revisions
from web.metrics import REGISTRY
from web.rendering import is_htmx

#: Blocks of ``base.html`` a page may fill; the ones a page defines are stored.
LAYOUT_BLOCKS = ("title", "head", "messages", "content")
WRAPPER = "_cached_page.html"
#: A context with this key set true is shown but not stored (e.g. a widget failed for now).
NO_STORE = "_page_cache_no_store"
DEFAULT_MAX_BYTES = int(os.environ.get("KOMMPASS_PAGE_CACHE_MB", "64")) * 1024 * 1024

LOOKUPS = Counter(
    "kommpass_page_cache_lookups_total", "Page cache lookups", ["page", "result"], registry=REGISTRY
)


@dataclass(frozen=True, slots=True)
class Entry:
    revisions: Revisions
    blocks: dict[str, str]
    size: int


class PageCache:
    """Rendered blocks by (page, tenant, variant), each valid for one data revision."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        #: Stands in for the CSRF token in stored HTML; random per process, so page content
        #: typed by users cannot contain it.
        self.token_placeholder = f"kp-csrf-{secrets.token_hex(16)}"
        self.separator = f"<!--kp-block-{secrets.token_hex(16)}-->"
        self._capture: Environment | None = None
        #: Renders in progress, by (key, revisions): concurrent requests wait for them.
        self.pending: dict[tuple[Hashable, Revisions], asyncio.Future[dict[str, str]]] = {}

    def capture_environment(self, env: Environment) -> Environment:
        """``env`` with a ``base.html`` that renders nothing but the layout blocks, each
        followed by ``separator`` (an overlay: same filters, globals and loader otherwise)."""
        if self._capture is None:
            layout = "".join(f"{{% block {b} %}}{{% endblock %}}{self.separator}" for b in LAYOUT_BLOCKS)
            self._capture = env.overlay(loader=ChoiceLoader([DictLoader({"base.html": layout}), env.loader]))
        return self._capture

    def get(self, key: Hashable, revisions: Revisions) -> dict[str, str] | None:
        entry = self._entries.get(key)
        if entry is None or entry.revisions != revisions:
            return None
        self._entries.move_to_end(key)
        return entry.blocks

    def put(self, key: Hashable, revisions: Revisions, blocks: dict[str, str]) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= old.size
        size = sum(len(v) for v in blocks.values())
        if size > self.max_bytes // 4:
            return  # one huge page ("alle" of a very long plan) must not push out all others
        self._entries[key] = Entry(revisions, blocks, size)
        self.bytes += size
        while self.bytes > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self.bytes -= dropped.size


def shared_template_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """``request``, ``csrf_input`` and ``csrf_token()`` for HTML that goes into the store:
    the CSRF token is the placeholder ``cached_page`` replaces per response. Use it for every
    piece rendered inside a cached page (dashboard widgets too)."""
    placeholder = request.app.state.page_cache.token_placeholder
    return {
        "request": request,
        "csrf_input": Markup(f'<input type="hidden" name="_csrf_token" value="{placeholder}" />'),  # noqa: S704
        "csrf_token": lambda: placeholder,
    }


class _RenderFailed(Exception):
    """The request rendering a page for others failed or was cancelled."""


async def _render_once(
    cache: PageCache, key: Hashable, revisions: Revisions | None, request: Request[Any, Any, Any],
    template: str, partial: str | None, context: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, str]:
    """Load and render; with ``revisions``, store the result and let concurrent requests for
    the same key and revisions share it while it is being made."""
    if revisions is None:
        return _render_blocks(request, template, partial, await context())
    future: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
    cache.pending[(key, revisions)] = future
    try:
        ctx = await context()
        blocks = _render_blocks(request, template, partial, ctx)
    except BaseException:
        # Waiters render for themselves (this request may only have been cancelled).
        future.set_exception(_RenderFailed())
        future.exception()  # retrieved: no "never retrieved" warning when nobody waited
        raise
    finally:
        cache.pending.pop((key, revisions), None)
    if not ctx.get(NO_STORE):
        cache.put(key, revisions, blocks)
    future.set_result(blocks)
    return blocks


def _render_blocks(
    request: Request[Any, Any, Any], template: str, block: str | None, context: dict[str, Any]
) -> dict[str, str]:
    """The page's layout blocks (or just ``block``), rendered with ``context``.

    Layout blocks come from rendering the whole page template against a stand-in
    ``base.html`` that only separates its blocks, so everything the page template does at
    its top level (imports of macros, ``set``) takes effect – rendering a block on its own
    would skip that. A block nested deeper (an htmx target) is rendered on its own.
    """
    cache: PageCache = request.app.state.page_cache
    env = request.app.template_engine.engine
    ctx = {**context, **shared_template_context(request)}
    if block is not None and block not in LAYOUT_BLOCKS:
        return {block: render_block(env, template, block, **ctx)}
    parts = cache.capture_environment(env).get_template(template).render(ctx).split(cache.separator)
    blocks = dict(zip(LAYOUT_BLOCKS, parts, strict=False))
    own = env.get_template(template).blocks
    return {block: blocks[block]} if block else {name: text for name, text in blocks.items() if name in own}


async def cached_page(
    request: Request[Any, Any, Any],
    *,
    page: str,
    template: str,
    variant: tuple[Any, ...],
    context: Callable[[], Awaitable[dict[str, Any]]],
    block: str | None = None,
) -> Response[Any]:
    """The page ``template`` with the data ``context()`` loads, from the store when the
    tenant's data have not changed since it was rendered for the same ``variant``.

    ``block`` set: only that block (an htmx target). Without ``block``, an htmx request gets
    the ``content`` block and a normal request the whole page. Requests without a tenant or
    without revisions (no authenticated tenant) are rendered directly.
    """
    cache: PageCache = request.app.state.page_cache
    revisions: Revisions | None = getattr(request.state, "revisions", None)
    identity = request.scope.get("user")
    tenant_id = getattr(identity, "tenant_id", None)
    partial = block or ("content" if is_htmx(request) else None)
    key = (page, tenant_id, partial, calendar.today(), *variant)
    cacheable = revisions is not None and tenant_id is not None
    blocks = cache.get(key, revisions) if cacheable else None
    if blocks is not None:
        LOOKUPS.labels(page, "hit").inc()
    elif cacheable and (pending := cache.pending.get((key, revisions))) is not None:
        # The same page of the same data is being rendered for another request: wait for it
        # instead of rendering it twice (after a change, many views of a tenant come at once).
        LOOKUPS.labels(page, "shared").inc()
        try:
            blocks = await asyncio.shield(pending)
        except _RenderFailed:
            blocks = await _render_once(cache, key, revisions, request, template, partial, context)
    else:
        LOOKUPS.labels(page, "miss").inc()
        blocks = await _render_once(
            cache, key, revisions if cacheable else None, request, template, partial, context
        )
    token = html.escape(ScopeState.from_scope(request.scope).csrf_token or "")
    filled = {name: Markup(text.replace(cache.token_placeholder, token)) for name, text in blocks.items()}  # noqa: S704
    if partial:
        return Response(content=filled[partial], media_type=MediaType.HTML)
    return Template(template_name=WRAPPER, context={"blocks": filled})
