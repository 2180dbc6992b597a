"""The plugin system: discovery, check_pending, per-tenant switches (404, menu, widgets),
the KAAW admin page, and every hook of the example plugin."""

from __future__ import annotations

import types
import uuid
from typing import Any

import click
import pluggy
import pytest
from click.testing import CliRunner

from core.db import tenant_session
from plugins.hookspecs import hookimpl
from plugins.manager import call_async, new_plugin_manager, plugin_infos, results_by_plugin
from plugins.settings import enabled_plugins, set_plugin_enabled, switch_plugin
from tenants.models import Role
from tests.example_plugin import plugin as example
from tests.factories import create_tenant, csrf_headers, login


async def _only(sessionmaker: Any, tenant_id: uuid.UUID, keep: set[str]) -> None:
    """Switch off every other plugin for the tenant: the tests look at one plugin at a time."""
    async with tenant_session(sessionmaker, tenant_id) as s:
        for info in plugin_infos():
            if info.switchable and info.name not in keep:
                await set_plugin_enabled(s, tenant_id, info.name, False)


def test_builtin_plugins_come_from_the_entry_point_group() -> None:
    pm = new_plugin_manager()
    dists = {name for name, _dist in ((p, d) for p, d in pm.list_plugin_distinfo())}
    names = {info.name for info in plugin_infos(pm)}
    assert {"ozg_catalog", "dms", "epayment"} <= names
    assert len(dists) >= 3  # registered through setuptools entry points, like third-party plugins


def test_misspelled_hook_implementation_fails_loudly() -> None:
    bad = types.ModuleType("bad_plugin")

    @hookimpl
    def kommpass_register_rutes() -> list[Any]:  # typo: no such hook
        return []

    bad.kommpass_register_rutes = kommpass_register_rutes  # type: ignore[attr-defined]
    with pytest.raises(pluggy.PluginValidationError):
        new_plugin_manager(load_entry_points=False, extra=[bad])


def test_wrong_argument_name_fails_at_registration() -> None:
    bad = types.ModuleType("bad_args")

    @hookimpl
    def kommpass_register_commands(group: Any) -> None:  # the spec's argument is ``cli``
        pass

    bad.kommpass_register_commands = kommpass_register_commands  # type: ignore[attr-defined]
    with pytest.raises(pluggy.PluginValidationError):
        new_plugin_manager(load_entry_points=False, extra=[bad])


async def test_kommpass_register_routes_navigation_widgets_follow_the_tenant_switch(
    example_client: Any, sessionmaker: Any, example_pm: Any
) -> None:
    tenant = await create_tenant(sessionmaker)
    await _only(sessionmaker, tenant.id, keep={"beispiel", "ozg_catalog"})
    await login(example_client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    page = await example_client.get("/beispiel")
    assert page.status_code == 200 and "Hallo aus dem Beispiel-Plugin" in page.text
    assert 'href="/beispiel"' in page.text  # kommpass_register_navigation
    assert (await example_client.get("/api/v1/beispiel")).json() == {"plugin": "beispiel"}
    dashboard = await example_client.get("/")
    assert "Beispiel-Widget für" in dashboard.text  # kommpass_register_dashboard_widgets

    async with tenant_session(sessionmaker, tenant.id) as s:
        await set_plugin_enabled(s, tenant.id, "beispiel", False, example_pm)
    assert (await example_client.get("/beispiel")).status_code == 404
    assert (await example_client.get("/beispiel", headers={"hx-request": "true"})).status_code == 404
    api = await example_client.get("/api/v1/beispiel")
    assert api.status_code == 404 and "detail" in api.json()
    dashboard = await example_client.get("/")
    assert 'href="/beispiel"' not in dashboard.text
    assert "Beispiel-Widget" not in dashboard.text

    # another tenant keeps it
    other = await create_tenant(sessionmaker)
    await login(example_client, sessionmaker, tenant=other, role=Role.VIEWER)
    assert (await example_client.get("/beispiel")).status_code == 200


async def test_ozg_catalog_switched_off_hides_katalog_routes_and_menu(client: Any, sessionmaker: Any) -> None:
    tenant = await create_tenant(sessionmaker)
    await _only(sessionmaker, tenant.id, keep={"ozg_catalog"})
    await login(client, sessionmaker, tenant=tenant, role=Role.VIEWER)
    page = await client.get("/katalog")
    assert page.status_code == 200 and 'href="/katalog"' in page.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        await set_plugin_enabled(s, tenant.id, "ozg_catalog", False)
    for path in ("/katalog", "/katalog/lueckenanalyse", "/katalog/versionen", "/api/v1/katalog/leistungen"):
        assert (await client.get(path)).status_code == 404, path
    assert (await client.get("/katalog", headers={"hx-request": "true"})).status_code == 404
    dashboard = await client.get("/")
    assert 'href="/katalog"' not in dashboard.text and "OZG-Abdeckung" not in dashboard.text


async def test_admin_plugins_page_lists_plugins_and_switches_per_tenant(
    client: Any, sessionmaker: Any
) -> None:
    tenant = await create_tenant(sessionmaker, name="Stadt Schalterhausen")
    await login(client, sessionmaker, tenant=None, role=None, is_kaaw_admin=True)
    page = await client.get("/admin/plugins")
    assert page.status_code == 200
    assert "OZG-/LeiKa-Katalog" in page.text and "DMS-Einführung" in page.text
    assert "Stadt Schalterhausen" in page.text
    response = await client.post(
        f"/admin/plugins/schalter/{tenant.id}/dms",
        data={"enabled": "0"},
        headers={**await csrf_headers(client), "hx-request": "true"},
    )
    assert response.status_code == 200
    assert "gespeichert" in response.text and "Einschalten" in response.text and "<html" not in response.text
    async with tenant_session(sessionmaker, tenant.id) as s:
        assert "dms" not in await enabled_plugins(s, tenant.id)
    # unknown plugin or tenant: 404
    h = await csrf_headers(client)
    assert (
        await client.post(f"/admin/plugins/schalter/{tenant.id}/gibtsnicht", data={"enabled": "1"}, headers=h)
    ).status_code == 404
    assert (
        await client.post(f"/admin/plugins/schalter/{uuid.uuid4()}/dms", data={"enabled": "1"}, headers=h)
    ).status_code == 404


async def test_admin_plugins_page_is_for_kaaw_admins_only(client: Any, sessionmaker: Any) -> None:
    tenant = await create_tenant(sessionmaker)
    await login(client, sessionmaker, tenant=tenant, role=Role.TENANT_ADMIN)
    assert (await client.get("/admin/plugins")).status_code == 403
    r = await client.post(
        f"/admin/plugins/schalter/{tenant.id}/dms", data={"enabled": "0"}, headers=await csrf_headers(client)
    )
    assert r.status_code == 403


async def test_switch_is_audited(sessionmaker: Any) -> None:
    from sqlalchemy import select

    from core.audit.models import AuditEvent
    from core.audit.service import Actor

    tenant = await create_tenant(sessionmaker)
    await switch_plugin(sessionmaker, tenant.id, "epayment", False, actor=Actor(label="test"))
    async with tenant_session(sessionmaker, tenant.id) as s:
        events = (
            await s.scalars(
                select(AuditEvent).where(
                    AuditEvent.tenant_id == tenant.id, AuditEvent.action == "plugin.switch"
                )
            )
        ).all()
    assert events and events[0].changes == {"enabled": [True, False]}


# --- each remaining hook of the example plugin ---------------------------------------------------
def test_kommpass_plugin_info(example_pm: Any) -> None:
    infos = {i.name: i for i in plugin_infos(example_pm)}
    assert infos["beispiel"].version == "1.2.3"


def test_kommpass_register_template_dirs(example_pm: Any) -> None:
    from web.app import template_dirs

    assert example.HERE / "templates" in template_dirs(example_pm)


def test_kommpass_register_migrations_feeds_the_alembic_version_locations() -> None:
    from core import migrate
    from plugins.manager import get_plugin_manager

    folders = [str(p) for r in get_plugin_manager().hook.kommpass_register_migrations() for p in (r or [])]
    assert set(folders) <= set(migrate._version_locations())


def _only_example() -> pluggy.PluginManager:
    from plugins import hookspecs

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(example)
    pm.check_pending()
    return pm


def test_kommpass_register_commands() -> None:
    group = click.Group("kommpass")
    _only_example().hook.kommpass_register_commands(cli=group)
    assert set(group.commands) == {"beispiel"}
    result = CliRunner().invoke(group, ["beispiel", "--json"])
    assert result.exit_code == 0 and result.output.strip() == '{"gruss": "Hallo"}'


async def test_kommpass_register_report_sections(example_pm: Any) -> None:
    from plugins.types import RenderContext

    sections = {
        s.key: (plugin, s)
        for plugin, items in results_by_plugin(example_pm, "kommpass_register_report_sections")
        for s in items
    }
    plugin, section = sections["beispiel"]
    assert plugin == "beispiel"
    assert "ozg_coverage" in sections
    data = await section.load(RenderContext(session=None, tenant_id=uuid.uuid4()))  # type: ignore[arg-type]
    assert data["tables"][0]["rows"] == [[1]]


async def test_kommpass_register_document_sources(example_pm: Any) -> None:
    sources = [s for r in example_pm.hook.kommpass_register_document_sources() for s in r]
    docs = await next(s for s in sources if s.kind == "beispiel").documents(None, None)
    assert docs[0].text == "Ein Beispieltext."


def test_kommpass_register_catalog_sources(example_pm: Any) -> None:
    from core.catalog.sources import CatalogSource

    sources = [s for r in example_pm.hook.kommpass_register_catalog_sources() for s in r]
    assert any(isinstance(s, CatalogSource) and s.name == "plugin:beispiel" for s in sources)


def test_kommpass_register_payment_providers(example_pm: Any) -> None:
    providers = [p for r in example_pm.hook.kommpass_register_payment_providers() for p in r]
    assert any(getattr(p, "key", None) == "beispiel" for p in providers)


def test_kommpass_register_embedding_backends(example_pm: Any) -> None:
    backends = [b for r in example_pm.hook.kommpass_register_embedding_backends() for b in r]
    b = next(b for b in backends if getattr(b, "name", None) == "beispiel")
    assert b.embed(["abc"]) == [[3.0, 0.0, 1.0]]


def test_kommpass_register_answer_generators(example_pm: Any) -> None:
    gens = [g for r in example_pm.hook.kommpass_register_answer_generators() for g in r]
    assert any(getattr(g, "name", None) == "beispiel" for g in gens)


def test_kommpass_register_jobs(example_pm: Any) -> None:
    from core.jobs import job_definitions

    defs = job_definitions(example_pm)
    assert defs["beispiel.verdoppeln"].cron == "0 4 * * *"
    assert "catalog.sync" in defs


async def test_kommpass_on_demo_seed_and_on_startup(test_settings: Any) -> None:
    example_pm = _only_example()
    example.EVENTS.clear()
    tenant_id = uuid.uuid4()
    await call_async(example_pm.hook.kommpass_on_demo_seed, session=None, tenant_id=tenant_id)
    await call_async(example_pm.hook.kommpass_on_startup, sessionmaker=None, settings=test_settings)
    assert ("demo_seed", tenant_id) in example.EVENTS
    assert ("startup", test_settings) in example.EVENTS
