"""The tenant dashboard (Übersicht): measures and online services by status per reporting
date, progress sums per status (as the committee report's tables), goals against targets,
budget totals, plus widgets contributed by plugins."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from litestar import Request, Response, get
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.measures.models import Measure
from core.online_services.models import OnlineService
from core.reporting.models import ReportingDate
from core.reporting.service import ReportingService
from core.reporting.status import STATUS_LABELS, STATUSES
from core.reports.adapters import budget_summary, goals_vs_targets
from core.reports.stats import StatusFigures, measure_figures, period_label, service_figures
from core.tenancy import owned_by
from plugins.manager import results_by_plugin
from plugins.types import RenderContext
from tenants.context import Identity
from web.deps import CurrentIdentity, DbSession
from web.page_cache import NO_STORE, cached_page, shared_template_context
from web.rendering import page

log = structlog.get_logger("kommpass.web")
#: Reporting dates shown on the dashboard (the latest ones).
DATES_SHOWN = 8
COLOURS = {"P": "#c62828", "E": "#f9a825", "U": "#2e7d32"}


async def load_widgets(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity
) -> tuple[list[dict[str, Any]], bool]:
    """Widgets of the plugins switched on for the tenant, each with its loaded context, and
    whether one of them failed (then the page is not cached)."""
    if identity.tenant_id is None:
        return [], False
    enabled = getattr(request.state, "enabled_plugins", set())
    pm = request.app.state.plugin_manager
    widgets = []
    failed = False
    for plugin_name, items in results_by_plugin(pm, "kommpass_register_dashboard_widgets"):
        if plugin_name is not None and plugin_name not in enabled:
            continue
        for widget in items or []:
            ctx = RenderContext(session=db, tenant_id=identity.tenant_id, identity=identity)
            try:
                async with db.begin_nested():
                    context = await widget.load(ctx)
                html = render_widget(request, widget.template, context or {})
            except Exception:
                log.warning("dashboard.widget_failed", widget=widget.key, plugin=plugin_name, exc_info=True)
                context, html = {}, Markup('<p class="kern-body">Derzeit nicht verfügbar.</p>')
                failed = True
            widgets.append({"widget": widget, "context": context, "html": html})
    return sorted(widgets, key=lambda w: (w["widget"].order, w["widget"].title)), failed


def render_widget(request: Request[Any, Any, Any], template: str, context: dict[str, Any]) -> Markup:
    """Render a widget template with its context both as ``ctx`` and as top-level names
    (plugins use either form). The output goes into the page cache: the CSRF token is the
    store's placeholder."""
    tpl = request.app.template_engine.get_template(template)
    return Markup(  # noqa: S704 - output of an autoescaping template
        tpl.render({**context, "ctx": context, **shared_template_context(request)})
    )


def status_chart(
    title: str,
    dates: list[ReportingDate],
    figures: StatusFigures,
    *,
    sums: bool = False,
) -> dict[str, Any]:
    """A stacked bar chart (Chart.js config) and the same numbers as a table."""
    labels = [period_label(d) for d in dates]
    value = figures.sum if sums else figures.count
    datasets = [
        {
            "label": f"{s} – {STATUS_LABELS[s]}",
            "data": [value(d, s) for d in dates],
            "backgroundColor": COLOURS[s],
            "stack": "status",
        }
        for s in STATUSES
    ]
    spec = {
        "type": "bar",
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}},
            "plugins": {"legend": {"position": "bottom"}},
        },
    }
    columns = ["Projektstatus", *labels]
    rows = [[f"{s} ({STATUS_LABELS[s]})", *[value(d, s) for d in dates]] for s in STATUSES]
    rows.append(["Gesamtergebnis", *[value(d) for d in dates]])
    return {"title": title, "spec": spec, "columns": columns, "rows": rows}


@get("/", name="dashboard", include_in_schema=False)
async def dashboard(
    request: Request[Any, Any, Any], db: DbSession, identity: CurrentIdentity
) -> Response[Any]:
    if identity.tenant_id is None:
        return page(request, "home/no_tenant.html", {})
    tenant_id = identity.tenant_id

    async def load() -> dict[str, Any]:
        return await dashboard_context(request, db, identity, tenant_id)

    enabled = frozenset(getattr(request.state, "enabled_plugins", ()) or ())
    return await cached_page(
        request, page="dashboard", template="home/dashboard.html", context=load,
        variant=(identity.role, identity.acting_as, enabled),
    )


async def dashboard_context(
    request: Request[Any, Any, Any], db: AsyncSession, identity: Identity, tenant_id: uuid.UUID
) -> dict[str, Any]:
    """Everything the dashboard shows, loaded from the database."""
    all_dates = await ReportingService(db, tenant_id).list()
    dates = all_dates[-DATES_SHOWN:]
    mf = await measure_figures(db, tenant_id)
    sf = await service_figures(db, tenant_id)
    counts = (
        await db.execute(
            select(
                select(func.count())
                .select_from(Measure)
                .where(owned_by(Measure, tenant_id))
                .scalar_subquery(),
                select(func.count())
                .select_from(OnlineService)
                .where(owned_by(OnlineService, tenant_id))
                .scalar_subquery(),
            )
        )
    ).one()
    n_measures, n_services = counts[0], counts[1]
    latest = dates[-1] if dates else None
    open_round = next((d for d in reversed(all_dates) if not d.is_closed), None)
    svc_dates = [d for d in dates if sf.count(d) > 0]
    charts = []
    if dates:
        charts.append(
            {
                "id": "chart-massnahmen-anzahl",
                **status_chart("Maßnahmen nach Status je Berichtstermin", dates, mf),
            }
        )
        charts.append(
            {
                "id": "chart-massnahmen-summe",
                **status_chart("Summe der Projektfortschritte je Status", dates, mf, sums=True),
            }
        )
    if svc_dates:
        charts.append(
            {
                "id": "chart-online-dienste",
                **status_chart("Online-Dienste nach Status je Berichtstermin", svc_dates, sf),
            }
        )
    goals = await goals_vs_targets(db, tenant_id)
    budget = await budget_summary(db, tenant_id)
    budget_chart = None
    if budget:
        years = budget["years"]
        budget_chart = {
            "id": "chart-finanzplan",
            "title": "Finanzplan: geplant und Ist je Jahr",
            "spec": {
                "type": "bar",
                "data": {
                    "labels": [str(y) for y, _, _ in years],
                    "datasets": [
                        {
                            "label": "geplant (€)",
                            "data": [float(p or 0) for _, p, _ in years],
                            "backgroundColor": "#24365c",
                        },
                        {
                            "label": "Ist (€)",
                            "data": [float(a or 0) for _, _, a in years],
                            "backgroundColor": "#8aa1c8",
                        },
                    ],
                },
                "options": {"plugins": {"legend": {"position": "bottom"}}},
            },
            "columns": ["Jahr", "geplant (€)", "Ist (€)"],
            "rows": [
                [y, f"{float(p or 0):,.0f}".replace(",", "."), f"{float(a or 0):,.0f}".replace(",", ".")]
                for y, p, a in years
            ],
        }
    widgets, widget_failed = await load_widgets(request, db, identity)
    return {
        NO_STORE: widget_failed,
        "widgets": widgets,
        "dates": dates,
        "latest": latest,
        "open_round": open_round,
        "mf": mf,
        "sf": sf,
        "n_measures": n_measures or 0,
        "n_services": n_services or 0,
        "charts": charts,
        "goals": goals,
        "budget": budget,
        "budget_chart": budget_chart,
        "status_labels": STATUS_LABELS,
        "statuses": STATUSES,
        "period_label": period_label,
    }


ROUTES = [dashboard]
