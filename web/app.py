"""The Litestar application factory."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pluggy
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Router
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from core.db import create_engine, make_sessionmaker
from core.errors import NotFound
from core.settings import Settings, get_settings
from plugins.manager import get_plugin_manager, plugin_infos, results_by_plugin
from web.auth import PUBLIC_PATHS, SESSION_COOKIE, SessionAuthMiddleware
from web.controllers.auth import audit_denied_request
from web.deps import dependencies
from web.errors import EXCEPTION_HANDLERS
from web.middleware import before_send, request_context_middleware
from web.page_cache import PageCache
from web.templating import configure_environment

WEB_DIR = Path(__file__).parent
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

#: Controller modules of the core areas; each exports ``ROUTES`` (HTML and JSON handlers).
CONTROLLER_MODULES: tuple[str, ...] = (
    "web.controllers.health",
    "web.controllers.pages",
    "web.controllers.home",
    "web.controllers.auth",
    "web.controllers.admin",
    "web.controllers.tenant_admin",
    "web.controllers.strategy",
    "web.controllers.budget",
    "web.controllers.measures",
    "web.controllers.online_services",
    "web.controllers.orgunits",
    "web.controllers.reporting",
    "web.controllers.reports",
    "web.controllers.assistant",
    "web.controllers.plugins_admin",
)


def plugin_guard(plugin_name: str) -> Any:
    """Routes of a plugin answer 404 for tenants that switched the plugin off."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if handler.opt.get("platform_route"):  # KAAW-level pages of a plugin: not tied to one tenant
            return
        enabled = getattr(connection.state, "enabled_plugins", None)
        if enabled is not None and plugin_name not in enabled:
            raise NotFound("Diese Funktion ist für Ihre Kommune nicht freigeschaltet.")

    guard.__name__ = f"plugin_enabled_{plugin_name}"
    return guard


def collect_routes(pm: pluggy.PluginManager) -> list[Any]:
    handlers: list[Any] = []
    for module_name in CONTROLLER_MODULES:
        handlers.extend(importlib.import_module(module_name).ROUTES)
    for plugin_name, routes in results_by_plugin(pm, "kommpass_register_routes"):
        if not routes:
            continue
        if plugin_name is None:
            handlers.extend(routes)
        else:
            handlers.append(
                Router(path="/", route_handlers=list(routes), guards=[plugin_guard(plugin_name)],
                       opt={"plugin": plugin_name})
            )
    return handlers


def template_dirs(pm: pluggy.PluginManager) -> list[Path]:
    dirs = [TEMPLATE_DIR]
    for result in pm.hook.kommpass_register_template_dirs():
        dirs.extend(Path(p) for p in result or [])
    return dirs


def create_app(settings: Settings | None = None, *, database_url: str | None = None,
               plugin_manager: pluggy.PluginManager | None = None, run_worker: bool = False) -> Litestar:
    """Build the app. ``database_url`` (app role) overrides the settings' URL."""
    settings = settings or get_settings()
    pm = plugin_manager or get_plugin_manager()
    url = database_url or settings.database.url
    if url is None:
        raise RuntimeError("create_app needs a database URL (``kommpass serve`` provides one).")
    secret = settings.web.secret_key or ""
    if len(secret) < 32:
        raise RuntimeError("KOMMPASS_SECRET_KEY must be at least 32 characters.")

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = create_engine(url, pool_size=settings.database.pool_size,
                               max_overflow=settings.database.max_overflow, echo=settings.database.echo)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        # The job queue (core.jobs): enqueue() works everywhere; the worker runs in-process
        # only when asked (``kommpass serve``), production may run ``kommpass worker`` instead.
        from core.jobs import JobQueue, set_default_queue

        jobs = JobQueue(url, pm=pm, sessionmaker=app.state.sessionmaker, settings=settings)
        app.state.jobs = jobs
        set_default_queue(jobs)
        if run_worker:
            await jobs.start_worker()
        try:
            yield
        finally:
            await jobs.close()
            await engine.dispose()

    environment = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(pm)]),
        autoescape=select_autoescape(["html", "xml"]),
        enable_async=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    configure_environment(environment, settings=settings, pm=pm)
    secure_cookies = settings.web.production or settings.web.base_url.startswith("https://")

    app = Litestar(
        route_handlers=[
            *collect_routes(pm),
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False),
        ],
        lifespan=[lifespan],
        before_send=[before_send],
        after_exception=[audit_denied_request],
        dependencies=dependencies(),
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            request_context_middleware,
            DefineMiddleware(SessionAuthMiddleware, exclude=[f"^{p}" for p in PUBLIC_PATHS]),
        ],
        csrf_config=CSRFConfig(
            secret=secret,
            cookie_name="kommpass_csrf",
            header_name="x-csrftoken",
            cookie_secure=secure_cookies,
            cookie_httponly=False,
            cookie_samesite="lax",
            exclude=["/auth/callback", "/epayment/notify"],
        ),
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment)),
        openapi_config=OpenAPIConfig(
            title="Kommpass API",
            version="0.1.0",
            description="JSON-API von Kommpass. Dieselben Regeln wie die Oberfläche: Mandant aus der Sitzung, "
            "Rollenprüfung, Konflikte bei veralteten Ständen (409).",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        debug=False,
    )
    app.state.settings = settings
    app.state.page_cache = PageCache()
    app.state.plugin_manager = pm
    app.state.plugin_infos = plugin_infos(pm)
    app.state.secure_cookies = secure_cookies
    app.state.session_cookie = SESSION_COOKIE
    return app
