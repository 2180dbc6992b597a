"""Overview page (figures, trend, progress per unit, timeline), Excel import/export and the
KAAW network view."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Template

from core import calendar
from core.errors import ValidationFailed
from plugins.dms import charts
from plugins.dms.models import STATUS_CODES, STATUS_LABELS
from plugins.dms.pages.common import XLSX, service_for
from web.auth import requires_editor, requires_kaaw_admin, requires_viewer
from web.deps import CurrentIdentity, DbSession
from web.rendering import page


# --- overview ----------------------------------------------------------------------------
@get("/dms", name="dms:index", guards=[requires_viewer])
async def index(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    service = service_for(request, db, identity)
    await service.ensure_initialized()
    indicator = await service.indicator()
    rollouts = await service.rollout_rows()
    progress = await service.progress_by_unit()
    return page(
        request,
        "dms/index.html",
        {
            "indicator": indicator,
            "counts": await service.status_counts(),
            "labels": STATUS_LABELS,
            "codes": STATUS_CODES,
            "trend": charts.trend_chart(indicator),
            "progress": progress,
            "progress_chart": charts.progress_chart(progress),
            "timeline": charts.timeline_chart(rollouts),
            "rollout_count": len(rollouts),
            "active": "index",
        },
    )


# --- Excel import / export -----------------------------------------------------------------
@get("/dms/export.xlsx", name="dms:export", guards=[requires_viewer])
async def export_xlsx(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Response[bytes]:
    from plugins.dms.excel import export_workbook

    content = await export_workbook(service_for(request, db, identity))
    name = f"dms-einfuehrung-{identity.tenant_slug or 'mandant'}-{calendar.today():%Y-%m-%d}.xlsx"
    return Response(
        content=content, media_type=XLSX, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@get("/dms/import", name="dms:import_form", guards=[requires_editor])
async def import_form(request: Request[Any, Any, Any], identity: CurrentIdentity) -> Template:
    return page(request, "dms/import.html", {"result": None, "active": "import"})


@post("/dms/import", name="dms:import", guards=[requires_editor])
async def import_upload(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Template:
    from plugins.dms.excel import import_workbook

    form = await request.form()
    upload = form.get("datei")
    dry_run = str(form.get("probelauf") or "").lower() in ("1", "on", "true")
    if upload is None or not hasattr(upload, "read"):
        return page(
            request,
            "dms/import.html",
            {"result": None, "active": "import", "error": "Bitte wählen Sie eine Excel-Datei (.xlsx) aus."},
            status_code=422,
        )
    content = await upload.read()
    service = service_for(request, db, identity)
    try:
        result = await import_workbook(service, content, dry_run=dry_run)
    except ValidationFailed as exc:
        await db.rollback()
        return page(
            request,
            "dms/import.html",
            {"result": None, "errors": exc.errors, "active": "import", "error": exc.message},
            status_code=422,
        )
    return page(request, "dms/import.html", {"result": result, "active": "import"})


# --- KAAW network (aggregates across tenants) ------------------------------------------------
@get("/dms/netzwerk", name="dms:network", guards=[requires_kaaw_admin], opt={"platform_route": True})
async def network(request: Request[Any, Any, Any], identity: CurrentIdentity) -> Template:
    from plugins.dms.network import network_overview

    overview = await network_overview(request.app.state.sessionmaker)
    return page(request, "dms/network.html", {"overview": overview, "active": "network"})
