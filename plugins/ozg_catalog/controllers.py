"""Routes of the OZG catalogue plugin: browser, detail pages, versions/diffs, gap analysis.

All routes sit in the plugin's Router (``web.app.collect_routes``), so they answer 404 for a
tenant that switched the plugin off – HTML, htmx and JSON alike.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import msgspec
from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog import service
from core.catalog.rules import TYPE_LABELS
from tenants.context import Identity
from tenants.models import Role
from web.auth import requires_editor, requires_viewer
from web.deps import CurrentIdentity, DbSession
from web.rendering import fragment, is_htmx, page

GAP_PAGE_SIZE = 50
SORTS = {
    "themenfeld": "Themenfeld",
    "name": "Name",
    "ozg_id": "OZG-ID",
    "leistungen": "Anzahl LeiKa-Leistungen",
    "lebenslage": "Lebenslage",
}


def _filter(request: Request[Any, Any, Any], relevant_for: str | None = None) -> service.CatalogFilter:
    q = request.query_params
    try:
        page_no = int(q.get("seite", "1") or 1)
    except ValueError:
        page_no = 1
    return service.CatalogFilter(
        q=(q.get("q") or "")[:200],
        themenfeld=q.get("themenfeld") or "",
        lebenslage=q.get("lebenslage") or "",
        leika_type=q.get("typ") or "",
        sdg=q.get("sdg") or "",
        municipal=q.get("kommunal") == "1",
        relevant_for=relevant_for,
        page=page_no,
    )


async def _browser(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, *, relevant: bool
) -> Template:
    municipality_type = (
        await service.tenant_municipality_type(db, identity.require_tenant()) if relevant else None
    )
    flt = _filter(request, relevant_for=municipality_type if relevant else None)
    if relevant and flt.relevant_for is None:
        flt = service.CatalogFilter(**{**asdict(flt), "relevant_for": ""})
    result = await service.search(db, flt)
    ctx = {
        "flt": flt,
        "result": result,
        "relevant": relevant,
        "type_labels": TYPE_LABELS,
        "base_url": "/katalog/fuer-uns" if relevant else "/katalog",
        "version": await service.current_version(db),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "katalog-ergebnisse":
        return fragment(request, "ozg_catalog/browser.html", "results", ctx)
    ctx["facets"] = await service.facets(db)
    return page(request, "ozg_catalog/browser.html", ctx)


@get("/katalog", guards=[requires_viewer], name="catalog.browser")
async def browser(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return await _browser(request, db, identity, relevant=False)


@get("/katalog/fuer-uns", guards=[requires_viewer], name="catalog.relevant")
async def relevant(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    return await _browser(request, db, identity, relevant=True)


@get("/katalog/leistung/{key:str}", guards=[requires_viewer], name="catalog.leika")
async def leika_detail(
    request: Request[Any, Any, Any], db: DbSession, key: FromPath[str]
) -> Template:
    leika, ozg, siblings = await service.leika_detail(db, key)
    return page(
        request,
        "ozg_catalog/leika.html",
        {
            "leika": leika,
            "ozg": ozg,
            "siblings": siblings,
            "legal": service.legal_basis_links(leika.legal_basis),
            "type_labels": TYPE_LABELS,
        },
    )


@get("/katalog/ozg/{ozg_id:str}", guards=[requires_viewer], name="catalog.ozg")
async def ozg_detail(
    request: Request[Any, Any, Any], db: DbSession, ozg_id: FromPath[str]
) -> Template:
    ozg, leika = await service.ozg_detail(db, ozg_id)
    return page(request, "ozg_catalog/ozg.html", {"ozg": ozg, "leika": leika})


@get("/katalog/versionen", guards=[requires_viewer], name="catalog.versions")
async def versions(request: Request[Any, Any, Any], db: DbSession) -> Template:
    from web.controllers.plugins_admin import render_versions

    return await render_versions(
        request, db, base="/katalog/versionen", back=("/katalog", "Zurück zum Katalog")
    )


@get("/katalog/versionen/{version_id:int}", guards=[requires_viewer], name="catalog.version")
async def version_diff(
    request: Request[Any, Any, Any], db: DbSession, version_id: FromPath[int]
) -> Template:
    from web.controllers.plugins_admin import render_version_diff

    return await render_version_diff(request, db, version_id, base="/katalog/versionen")


# --- gap analysis ---------------------------------------------------------------------------------
@get("/katalog/lueckenanalyse", guards=[requires_viewer], name="catalog.gaps")
async def gaps(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    tenant_id = identity.require_tenant()
    sort = request.query_params.get("sortierung") or "themenfeld"
    sort = sort if sort in SORTS else "themenfeld"
    municipality_type = await service.tenant_municipality_type(db, tenant_id)
    analysis = await service.gap_analysis(db, tenant_id, municipality_type, sort=sort)
    try:
        page_no = int(request.query_params.get("seite", "1") or 1)
    except ValueError:
        page_no = 1
    pages = max(1, -(-len(analysis.gaps) // GAP_PAGE_SIZE))
    page_no = min(max(1, page_no), pages)
    ctx = {
        "analysis": analysis,
        "gaps_page": analysis.gaps[(page_no - 1) * GAP_PAGE_SIZE : page_no * GAP_PAGE_SIZE],
        "gap_page": page_no,
        "gap_pages": pages,
        "sort": sort,
        "sorts": SORTS,
        "chart_spec": _coverage_chart(analysis),
        "chart_rows": [
            [c.themenfeld, c.total, c.online, c.covered - c.online, f"{c.percent:.1f} %".replace(".", ",")]
            for c in analysis.by_themenfeld
        ],
        "can_edit": identity.has_role(Role.EDITOR),
    }
    if is_htmx(request) and request.headers.get("hx-target") == "luecken-liste":
        return fragment(request, "ozg_catalog/gaps.html", "gap_list", ctx)
    return page(request, "ozg_catalog/gaps.html", ctx)


def _coverage_chart(a: service.GapAnalysis) -> dict[str, Any]:
    """Stacked bars per Themenfeld: share online (status U) and share with a service in work."""
    return {
        "type": "bar",
        "data": {
            "labels": [c.themenfeld for c in a.by_themenfeld],
            "datasets": [
                {
                    "label": "online (umgesetzt) in %",
                    "data": [c.online_percent for c in a.by_themenfeld],
                    "backgroundColor": "#0b5394",
                },
                {
                    "label": "in Planung/Einführung in %",
                    "data": [c.in_progress_percent for c in a.by_themenfeld],
                    "backgroundColor": "#9fc5e8",
                },
            ],
        },
        "options": {
            "indexAxis": "y",
            "scales": {
                "x": {"stacked": True, "min": 0, "max": 100, "title": {"display": True, "text": "%"}},
                "y": {"stacked": True},
            },
            "plugins": {"legend": {"display": True, "position": "bottom"}},
        },
    }


@post(
    "/katalog/lueckenanalyse/{ozg_id:str}/massnahme", guards=[requires_editor], name="catalog.gap_to_measure"
)
async def gap_to_measure(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    ozg_id: FromPath[str],
) -> Any:
    from web.controllers.auth import actor_of

    created = await service.gap_to_measure(db, identity.require_tenant(), ozg_id, actor_of(request, identity))
    return _created(request, f"Maßnahme {created.number} „{created.title}“ angelegt.", "/massnahmen")


@post(
    "/katalog/lueckenanalyse/{ozg_id:str}/online-dienst",
    guards=[requires_editor],
    name="catalog.gap_to_online_service",
)
async def gap_to_online_service(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    ozg_id: FromPath[str],
) -> Any:
    from web.controllers.auth import actor_of

    created = await service.gap_to_online_service(
        db, identity.require_tenant(), ozg_id, actor_of(request, identity)
    )
    return _created(
        request, f"Online-Dienst {created.number} „{created.title}“ als geplant angelegt.", "/online-dienste"
    )


def _created(request: Request[Any, Any, Any], message: str, target: str) -> Any:
    if is_htmx(request):
        return fragment(
            request, "ozg_catalog/gaps.html", "gap_created", {"message": message, "target": target}
        )
    return Redirect(path="/katalog/lueckenanalyse", status_code=303)


# --- JSON API ---------------------------------------------------------------------------------------
class LeikaRead(msgspec.Struct):
    key: str
    leika_key: str | None
    name: str
    leika_type: str
    municipal: bool
    ozg_id: str | None
    ozg_name: str | None
    themenfeld: str | None
    lebenslage: str | None
    sdg1: bool
    sdg2: bool


class LeikaPage(msgspec.Struct):
    total: int
    page: int
    pages: int
    items: list[LeikaRead]


@get("/api/v1/katalog/leistungen", guards=[requires_viewer], name="catalog.api.search")
async def api_search(request: Request[Any, Any, Any], db: DbSession) -> LeikaPage:
    result = await service.search(db, _filter(request))
    return LeikaPage(
        total=result.total,
        page=result.page,
        pages=result.pages,
        items=[
            LeikaRead(
                key=leika.key,
                leika_key=leika.leika_key,
                name=leika.name,
                leika_type=leika.leika_type,
                municipal=leika.municipal,
                ozg_id=leika.ozg_id,
                ozg_name=ozg.name if ozg else None,
                themenfeld=ozg.themenfeld if ozg else None,
                lebenslage=ozg.lebenslage if ozg else None,
                sdg1=leika.sdg1,
                sdg2=leika.sdg2,
            )
            for leika, ozg in result.items
        ],
    )


class CoverageRead(msgspec.Struct):
    total: int
    covered: int
    percent: float
    gaps: list[str]


@get("/api/v1/katalog/lueckenanalyse", guards=[requires_viewer], name="catalog.api.gaps")
async def api_gaps(db: DbSession, identity: CurrentIdentity) -> CoverageRead:
    tenant_id = identity.require_tenant()
    a = await service.gap_analysis(db, tenant_id, await service.tenant_municipality_type(db, tenant_id))
    return CoverageRead(total=a.total, covered=a.covered, percent=a.percent, gaps=[g.ozg_id for g in a.gaps])


ROUTES: list[Any] = [
    browser,
    relevant,
    leika_detail,
    ozg_detail,
    versions,
    version_diff,
    gaps,
    gap_to_measure,
    gap_to_online_service,
    api_search,
    api_gaps,
]
