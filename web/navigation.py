"""The main menu: core entries plus plugin entries, filtered by role and plugin switches."""

from __future__ import annotations

from plugins.types import NavItem
from tenants.context import Identity
from tenants.models import Role

#: Core menu entries (URL prefixes are fixed here; areas own what is below them).
CORE_NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Übersicht", "/", order=10, key="dashboard"),
    NavItem("Strategie", "/strategie", order=20, key="strategy"),
    NavItem("Maßnahmenplan", "/massnahmen", order=30, key="measures"),
    NavItem("Online-Dienste", "/online-dienste", order=40, key="online_services"),
    NavItem("Organisationseinheiten", "/organisationseinheiten", order=42, key="org_units"),
    NavItem("Finanzplan", "/finanzplan", order=50, key="budget"),
    NavItem("Berichtstermine", "/berichtstermine", order=60, key="reporting"),
    NavItem("Ausschussbericht", "/berichte/ausschuss", order=65, key="report"),
    NavItem("Assistent", "/assistent", order=80, key="assistant"),
    NavItem("Benutzer & Rollen", "/verwaltung", order=90, min_role="tenant_admin", key="tenant_admin"),
    NavItem("Protokoll", "/verwaltung/protokoll", order=95, min_role="tenant_admin", key="audit"),
)
ADMIN_NAVIGATION: tuple[NavItem, ...] = (
    NavItem("KAAW-Administration", "/admin", order=200, min_role="kaaw_admin", key="kaaw_admin"),
)


def visible(item: NavItem, identity: Identity, enabled: set[str]) -> bool:
    if item.plugin is not None and item.plugin not in enabled:
        return False
    if item.min_role == "kaaw_admin":
        return identity.is_kaaw_admin
    if identity.tenant_id is None:
        return False
    return identity.has_role(Role(item.min_role))


def build_navigation(identity: Identity, plugin_items: list[NavItem], enabled: set[str]) -> list[NavItem]:
    items = [*CORE_NAVIGATION, *plugin_items, *ADMIN_NAVIGATION]
    return sorted((i for i in items if visible(i, identity, enabled)), key=lambda i: (i.order, i.label))
