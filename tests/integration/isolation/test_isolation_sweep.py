"""Isolation sweep: every route of the app (plugins included) that takes an id is called by
a user of tenant A with tenant B's ids, with every method it accepts. Each answer must be
404 and B's data must be unchanged afterwards.

A route with a path parameter this sweep does not know fails the test: a new route must be
added to ``PARAM_TABLES`` (an id of a tenant table) or ``NOT_TENANT_IDS`` (with a reason).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.backup import export_tenant
from core.db import tenant_session
from plugins.manager import call_async, get_plugin_manager
from tenants.models import Role, Tenant
from tests.factories import create_tenant, csrf_headers, login

#: (route regex, parameter) → tenant table whose ``id`` the parameter names. The first
#: matching entry wins; ``.*`` entries are the defaults by parameter name.
PARAM_TABLES: list[tuple[str, str, str]] = [
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/goals/", "item_id", "strategy_goals"),
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/building-blocks/", "item_id", "building_blocks"),
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/architecture/", "item_id", "architecture_components"),
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/indicators/", "item_id", "goal_indicators"),
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/maturity/", "item_id", "maturity_assessments"),
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/recommendations/", "item_id", "recommendations"),
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/swot/", "item_id", "swot_items"),
    (r"/strateg[a-z]+/\{strategy_id:uuid\}/values/", "item_id", "indicator_values"),
    (r"/strategie/\{strategy_id:uuid\}/\{slug:str\}/", "item_id", "building_blocks"),
    (r"/dms/aktenarten/", "item_id", "dms_file_types"),
    (r"/dms/produkte/", "item_id", "dms_products"),
    (r"/assistent/dokumente/", "document_id", "assistant_documents"),
    (r".*", "measure_id", "measures"),
    (r".*", "service_id", "online_services"),
    (r".*", "reporting_date_id", "reporting_dates"),
    (r".*", "unit_id", "org_units"),
    (r".*", "line_id", "budget_lines"),
    (r".*", "entry_id", "budget_entries"),
    (r".*", "strategy_id", "strategies"),
    (r".*", "other_id", "strategies"),
    (r".*", "type_id", "dms_file_types"),
    (r".*", "product_id", "dms_products"),
    (r".*", "rollout_id", "dms_rollouts"),
    (r".*", "volume_id", "dms_document_volumes"),
    (r".*", "payment_id", "epayment_payments"),
    (r".*", "account_id", "epayment_accounts"),
    (r".*", "invitation_id", "invitations"),
    (r".*", "user_id", "memberships.user_id"),
    (r".*", "publication_id", "assistant_documents"),
]

#: Parameters that are not ids of tenant data, with the reason.
NOT_TENANT_IDS: dict[str, str] = {
    "file_path": "static files",
    "path": "OpenAPI schema files",
    "slug": "a login slug (public) or the section name of a strategy (fixed list)",
    "provider_id": "OIDC callback / KAAW provider administration (platform)",
    "tenant_id": "KAAW administration of tenants (platform role, tested by the role matrix)",
    "key": "LeiKa key or payment page key: shared catalogue / public payer page",
    "ozg_id": "shared catalogue",
    "version_id": "shared catalogue version",
    "provider": "payment provider name of the signed notification endpoint (public)",
    "reference": "public payment status page of the payer",
    "platform": "payment platform name (ePayBL, pmPayment) of the caller's own tenant",
}

#: Routes that are platform-wide (KAAW) or public by design.
SKIP_PREFIXES = ("/static", "/schema", "/api/v1/admin", "/admin", "/auth/", "/login", "/katalog/versionen",
                 "/assistent/netzwerk")

PARAM = re.compile(r"\{(\w+):(\w+)\}")


def table_for(path: str, param: str) -> str | None:
    for route_re, name, table in PARAM_TABLES:
        if name == param and re.search(route_re, path):
            return table
    return None


async def ids_of(sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant, table: str) -> list[str]:
    table_name, _, column = table.partition(".")
    column = column or "id"
    async with tenant_session(sessionmaker, tenant.id) as s:
        rows = (await s.execute(text(f'SELECT "{column}" FROM "{table_name}" LIMIT 3'))).scalars().all()
    return [str(r) for r in rows]


def sample_body(app: Litestar, path: str, method: str) -> dict[str, Any] | None:
    """A minimal valid JSON body from the OpenAPI schema, so that writes reach the lookup."""
    schema = app.openapi_schema.to_schema()
    op = schema.get("paths", {}).get(PARAM.sub(lambda m: "{" + m.group(1) + "}", path), {}).get(method.lower())
    if not op or "requestBody" not in op:
        return None
    content = op["requestBody"].get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return _instance(media.get("schema", {}), schema)


def required_query(app: Litestar, path: str, method: str) -> dict[str, Any]:
    """Required query parameters (e.g. ``version`` of a DELETE) with sample values."""
    schema = app.openapi_schema.to_schema()
    op = schema.get("paths", {}).get(PARAM.sub(lambda m: "{" + m.group(1) + "}", path), {}).get(method.lower())
    params = (op or {}).get("parameters", [])
    return {p["name"]: _instance(p.get("schema", {}), schema) for p in params
            if p.get("in") == "query" and p.get("required")}


def _instance(s: dict[str, Any], root: dict[str, Any], depth: int = 0) -> Any:
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[-1]
        return _instance(root["components"]["schemas"][name], root, depth + 1)
    for key in ("oneOf", "anyOf"):
        if key in s:
            options = [o for o in s[key] if o.get("type") != "null"]
            return _instance(options[0] if options else {}, root, depth + 1)
    if "enum" in s:
        return s["enum"][0]
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "string")
    if t == "object" or "properties" in s:
        if depth > 4:
            return {}
        return {k: _instance(v, root, depth + 1) for k, v in s.get("properties", {}).items()
                if k in s.get("required", [])}
    if t == "array":
        return []
    if t == "integer":
        return max(1, s.get("minimum", 1))
    if t == "number":
        return 1
    if t == "boolean":
        return False
    fmt = s.get("format")
    if fmt == "uuid":
        return str(uuid.uuid4())
    if fmt == "date":
        return dt.date.today().isoformat()
    if fmt == "date-time":
        return dt.datetime.now(dt.UTC).isoformat()
    return "x"


async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> Tenant:
    tenant = await create_tenant(sessionmaker)
    async with tenant_session(sessionmaker, tenant.id) as session:
        await call_async(get_plugin_manager().hook.kommpass_on_demo_seed, session=session, tenant_id=tenant.id)
    return tenant


async def test_every_id_route_answers_404_for_another_tenants_ids(
    app: Litestar, client: AsyncTestClient[Litestar], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant_a = await seeded(sessionmaker)
    tenant_b = await seeded(sessionmaker)
    # B's member exists so that "user_id" routes have a real id of B.
    async with AsyncTestClient(app=app) as other:
        await login(other, sessionmaker, tenant=tenant_b, role=Role.VIEWER)
    before = await export_tenant(sessionmaker, tenant_b.slug)

    await login(client, sessionmaker, tenant=tenant_a, role=Role.TENANT_ADMIN)
    headers = await csrf_headers(client)

    unknown: list[str] = []
    failures: list[str] = []
    covered: set[str] = set()
    without_real_id: set[str] = set()
    calls = 0
    for route in app.routes:
        path = route.path
        params = PARAM.findall(path)
        if not params or path.startswith(SKIP_PREFIXES):
            continue
        values: dict[str, str] = {}
        skip = False
        for name, _kind in params:
            table = table_for(path, name)
            if table is None:
                if name in NOT_TENANT_IDS:
                    if name == "slug":
                        values[name] = "bausteine"
                        continue
                    skip = True
                    break
                unknown.append(f"{path}: {{{name}}}")
                skip = True
                break
            ids = await ids_of(sessionmaker, tenant_b, table)
            if not ids:
                without_real_id.add(f"{name} ({table})")
                ids = [str(uuid.uuid4())]
            values[name] = ids[0]
        if skip:
            continue
        url = PARAM.sub(lambda m: values[m.group(1)], path)
        for method in sorted(set(getattr(route, "methods", set())) - {"HEAD", "OPTIONS"}):
            calls += 1
            is_api = path.startswith("/api/")
            kwargs: dict[str, Any] = {"headers": {**headers, "accept": "application/json" if is_api else "text/html"}}
            if method in ("POST", "PUT", "PATCH"):
                body = sample_body(app, path, method) if is_api else None
                if is_api:
                    kwargs["json"] = body if body is not None else {}
                else:
                    kwargs["data"] = {"version": "1", "title": "fremd", "reason": "Test", "role": "viewer"}
            if is_api:
                kwargs["params"] = required_query(app, path, method)
            response = await client.request(method, url, follow_redirects=False, **kwargs)
            covered.add(f"{method} {path}")
            if response.status_code != 404:
                failures.append(f"{method} {url} ({path}) → {response.status_code}: {response.text[:160]}")

    assert not unknown, "routes with parameters the sweep does not know:\n" + "\n".join(sorted(set(unknown)))
    assert not failures, f"{len(failures)} of {calls} cross-tenant calls did not answer 404:\n" + "\n".join(failures)
    after = await export_tenant(sessionmaker, tenant_b.slug)
    assert after["tables"] == before["tables"], "tenant B's data changed"
    assert len(covered) >= 50, f"only {len(covered)} route/method pairs covered"
    print(f"\nisolation sweep: {len(covered)} route/method pairs, {calls} calls; "
          f"parameters without a real id of B: {sorted(without_real_id) or 'none'}")
