"""The committee report: ``/berichte/ausschuss`` as web page, PDF and XLSX, and
``/api/v1/reports/committee`` as JSON; plugin sections for plugins enabled for the tenant."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from core.reporting.service import ReportingService
from core.reports.committee import CommitteeReport, add_plugin_sections, build
from core.reports.render import report_pdf, report_xlsx
from tenants.context import Identity
from web.auth import requires_viewer
from web.controllers.measures_common import file_response, parse_uuid
from web.deps import CurrentIdentity, DbSession
from web.rendering import page

TAGS = ["Berichte"]


async def _report(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, stichtag: str | None
) -> CommitteeReport:
    tenant_id = identity.require_tenant()
    try:
        rd_id = parse_uuid(stichtag, "stichtag")
    except Exception:
        raise NotFound("Dieser Berichtstermin existiert nicht.") from None
    report = await build(db, tenant_id, identity.tenant_name or "", rd_id)
    await add_plugin_sections(
        report,
        db,
        tenant_id,
        request.app.state.plugin_manager,
        getattr(request.state, "enabled_plugins", set()),
        identity,
    )
    return report


def _filename(report: CommitteeReport, ext: str) -> str:
    return f"Ausschussbericht-{report.reporting_date.date.isoformat()}.{ext}"


@get("/berichte", guards=[requires_viewer], name="reports.index", include_in_schema=False)
async def index() -> Redirect:
    return Redirect("/berichte/ausschuss", status_code=303)


@get("/berichte/ausschuss", guards=[requires_viewer], name="reports.committee", include_in_schema=False)
async def committee(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    stichtag: FromQuery[str | None] = None,
) -> Template:
    dates = await ReportingService(db, identity.require_tenant()).list()
    if not dates:
        return page(request, "reports/committee.html", {"report": None, "dates": []})
    report = await _report(request, db, identity, stichtag)
    return page(request, "reports/committee.html", {"report": report, "dates": list(reversed(dates))})


@get(
    "/berichte/ausschuss.pdf",
    guards=[requires_viewer],
    name="reports.committee_pdf",
    media_type="application/pdf",
    include_in_schema=False,
)
async def committee_pdf(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    stichtag: FromQuery[str | None] = None,
) -> Response[bytes]:
    import anyio

    report = await _report(request, db, identity, stichtag)
    template = request.app.template_engine.get_template("reports/committee_pdf.html")
    html = template.render(report=report, request=request)
    pdf = await anyio.to_thread.run_sync(report_pdf, html)
    return file_response(pdf, _filename(report, "pdf"), "application/pdf")


@get(
    "/berichte/ausschuss.xlsx",
    guards=[requires_viewer],
    name="reports.committee_xlsx",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    include_in_schema=False,
)
async def committee_xlsx(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    stichtag: FromQuery[str | None] = None,
) -> Response[bytes]:
    report = await _report(request, db, identity, stichtag)
    return file_response(report_xlsx(report), _filename(report, "xlsx"))


def _jsonable(report: CommitteeReport) -> dict[str, Any]:
    return {
        "title": report.title,
        "subtitle": report.subtitle,
        "tenant": report.tenant_name,
        "reporting_date": {
            "id": str(report.reporting_date.id),
            "date": report.reporting_date.date.isoformat(),
        },
        "previous": report.previous.date.isoformat() if report.previous else None,
        "dates": [d.date.isoformat() for d in report.dates],
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "plugin": s.plugin,
                "paragraphs": s.paragraphs,
                "tables": [dataclasses.asdict(t) for t in s.tables],
                "lists": [dataclasses.asdict(li) for li in s.lists],
            }
            for s in report.sections
        ],
    }


@get("/api/v1/reports/committee", guards=[requires_viewer], tags=TAGS, operation_id="committeeReport")
async def committee_api(
    request: Request[Any, Any, Any],
    db: DbSession,
    identity: CurrentIdentity,
    reporting_date_id: FromQuery[uuid.UUID | None] = None,
) -> dict[str, Any]:
    """The committee report for a reporting date (default: the latest) as data."""
    return _jsonable(
        await _report(request, db, identity, str(reporting_date_id) if reporting_date_id else None)
    )


ROUTES: list[Any] = [index, committee, committee_pdf, committee_xlsx, committee_api]
