"""Jinja environment: German formatting filters and layout globals."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
from pathlib import Path
from typing import Any

import pluggy
from jinja2 import Environment, pass_context
from markupsafe import Markup

from core.settings import Settings
from plugins.manager import results_by_plugin
from plugins.types import NavItem
from tenants.context import Identity
from tenants.models import ROLE_LABELS, Role
from web.navigation import build_navigation

STATIC_DIR = Path(__file__).resolve().parent / "static"


@functools.cache
def static_url(name: str) -> str:
    """``/static/<name>?v=<content hash>``: a changed file gets a new URL, so browsers never
    keep an old script or style sheet after an update."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def format_number(value: Any, digits: int = 0) -> str:
    """German number format: 1.234,5."""
    if value is None or value == "":
        return "–"
    number = float(value) if not isinstance(value, decimal.Decimal) else value
    text = f"{number:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def format_eur(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return "–"
    return f"{format_number(value, digits)} €"


def format_date(value: Any, fmt: str = "%d.%m.%Y") -> str:
    if value is None:
        return "–"
    if isinstance(value, dt.datetime):
        return value.strftime(fmt + (" %H:%M" if fmt == "%d.%m.%Y" else ""))
    if isinstance(value, dt.date):
        return value.strftime(fmt)
    return str(value)


def format_percent(value: Any, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{format_number(float(value), digits)} %"


def configure_environment(env: Environment, *, settings: Settings, pm: pluggy.PluginManager) -> None:
    plugin_nav: list[NavItem] = []
    for plugin_name, items in results_by_plugin(pm, "kommpass_register_navigation"):
        for item in items or []:
            plugin_nav.append(NavItem(item.label, item.href, item.order, item.min_role, plugin_name, item.key))

    @pass_context
    def navigation(ctx: Any) -> list[NavItem]:
        request = ctx.get("request")
        user = request.scope.get("user") if request is not None else None
        if not isinstance(user, Identity):
            return []
        enabled = getattr(request.state, "enabled_plugins", set()) or set()
        return build_navigation(user, plugin_nav, enabled)

    @pass_context
    def current_identity(ctx: Any) -> Identity | None:
        request = ctx.get("request")
        user = request.scope.get("user") if request is not None else None
        return user if isinstance(user, Identity) else None

    @pass_context
    def is_active(ctx: Any, href: str) -> bool:
        request = ctx.get("request")
        if request is None:
            return False
        path = request.url.path
        return path == href if href == "/" else path == href or path.startswith(href + "/")

    def role_label(role: Role | str | None) -> str:
        if role is None:
            return "–"
        return ROLE_LABELS.get(Role(role), str(role))

    env.globals.update(
        navigation=navigation,
        current_identity=current_identity,
        is_active=is_active,
        role_label=role_label,
        static_url=static_url,
        app_settings=settings,
        demo_mode=settings.web.demo_login,
    )
    env.filters.update(
        number=format_number,
        eur=format_eur,
        date=format_date,
        percent=format_percent,
        safe_json=lambda v: Markup(__import__("json").dumps(v, default=str).replace("</", "<\\/")),
    )
