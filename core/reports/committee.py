"""The committee report (Bericht an den Haupt- und Finanzausschuss), as seed 004 shows it.

The report is built once as plain data (sections with paragraphs, tables and lists) and
rendered the same way as a web page, a PDF and an XLSX workbook. Plugins contribute
sections through ``kommpass_register_report_sections`` (only those switched on for the tenant).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import NotFound
from core.measures.models import Measure, MeasureProgress
from core.measures.service import natural_key
from core.online_services.models import OnlineService, OnlineServiceStatus
from core.reporting.models import ReportingDate
from core.reporting.service import ReportingService
from core.reporting.status import STATUS_LABELS, STATUSES
from core.reports.stats import measure_figures, measures_by_reported_year, period_label, service_figures
from core.tenancy import owned_by

log = structlog.get_logger("kommpass.reports")
WINDOW = 4


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    #: The last row is a total ("Gesamtergebnis").
    has_total: bool = False


@dataclass
class ItemList:
    title: str
    items: list[str]


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    lists: list[ItemList] = field(default_factory=list)
    plugin: str | None = None
    #: Optional template of a plugin section (HTML only).
    template: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class CommitteeReport:
    tenant_name: str
    reporting_date: ReportingDate
    previous: ReportingDate | None
    dates: list[ReportingDate]
    sections: list[Section]

    @property
    def title(self) -> str:
        return "Digitalisierung – aktueller Stand"

    @property
    def subtitle(self) -> str:
        return f"Bericht für den Haupt- und Finanzausschuss, Stichtag {self.reporting_date.label}"


def _status_rows(dates: list[ReportingDate], value: Any) -> list[list[Any]]:
    rows = [[s] + [value(rd, s) for rd in dates] for s in STATUSES]
    rows.append(["Gesamtergebnis"] + [value(rd, None) for rd in dates])
    return rows


def _by_title(items: list[tuple[str, str | None]]) -> list[str]:
    return [
        f"{title} ({number})" if number else title
        for number, title in sorted(((n, t) for t, n in items), key=lambda x: natural_key(x[0] or ""))
    ]


async def build(
    session: AsyncSession, tenant_id: uuid.UUID, tenant_name: str, reporting_date_id: uuid.UUID | None = None
) -> CommitteeReport:
    all_dates = await ReportingService(session, tenant_id).list()
    if not all_dates:
        raise NotFound("Es gibt noch keinen Berichtstermin. Bitte legen Sie zuerst einen an.")
    if reporting_date_id is None:
        rd = all_dates[-1]
    else:
        found = [d for d in all_dates if d.id == reporting_date_id]
        if not found:
            raise NotFound("Dieser Berichtstermin existiert nicht.")
        rd = found[0]
    idx = all_dates.index(rd)
    dates = all_dates[max(0, idx - WINDOW + 1) : idx + 1]
    previous = all_dates[idx - 1] if idx > 0 else None
    labels = [period_label(d) for d in dates]

    mf = await measure_figures(session, tenant_id)
    sf = await service_figures(session, tenant_id)
    sections: list[Section] = []

    # --- measure plan: progress sums and counts per status --------------------------------
    sums = Table(
        "Entwicklung der Projektfortschritte (Summe)",
        ["Projektstatus"] + [f"Summe Projektfortschritte {lbl}" for lbl in labels],
        _status_rows(dates, lambda d, s: mf.sum(d, s)),
        has_total=True,
    )
    counts = Table(
        "Entwicklung der Projektfortschritte (Anzahl Maßnahmen)",
        ["Projektstatus"] + [f"Anzahl Maßnahmen {lbl}" for lbl in labels],
        _status_rows(dates, lambda d, s: mf.count(d, s)),
        has_total=True,
    )
    paragraphs = [
        "Zweimal jährlich werden die Projektfortschritte erhoben (Berichtstermine zum 31.03. und 30.09.); "
        "Skala 0–10: 0–3 in Planung (P), 4–7 in Einführung (E), 8–10 umgesetzt (U).",
        "Bei Erstellung des Maßnahmenplans bereits umgesetzte Maßnahmen "
        "(Jahr der Meldung z. B. „2020-U(10)“) "
        "sind in diesen Zahlen nicht enthalten.",
    ]
    if previous is not None and previous in dates:
        delta = mf.count(rd, "U") - mf.count(previous, "U")
        paragraphs.append(
            f"Die Summe der Projektfortschritte lag zum {rd.label} bei {mf.sum(rd)} "
            f"(zum {previous.label}: {mf.sum(previous)}). Die Zahl der umgesetzten Maßnahmen hat sich "
            f"seit dem vorigen Berichtstermin um {delta:+d} verändert."
        )
    sections.append(
        Section("measures_progress", "Maßnahmenplan – Projektfortschritte", paragraphs, [sums, counts])
    )

    # --- newly done, newly reported ---------------------------------------------------------
    progress_rows = await session.execute(
        select(Measure.number, Measure.title, MeasureProgress.reporting_date_id, MeasureProgress.status)
        .join(
            MeasureProgress,
            (MeasureProgress.tenant_id == Measure.tenant_id) & (MeasureProgress.measure_id == Measure.id),
        )
        .where(
            owned_by(Measure, tenant_id),
            MeasureProgress.reporting_date_id.in_([rd.id] + ([previous.id] if previous else [])),
        )
    )
    status_at: dict[tuple[str, uuid.UUID], str | None] = {}
    titles: dict[str, str | None] = {}
    for number, title, rd_id, status in progress_rows:
        status_at[(number, rd_id)] = status
        titles[number] = title
    newly_done = [
        (titles[n], n)
        for (n, rid), st in status_at.items()
        if rid == rd.id and st == "U" and (previous is None or status_at.get((n, previous.id)) != "U")
    ]
    by_year = await measures_by_reported_year(session, tenant_id)
    new_measures = list(
        await session.execute(
            select(Measure.title, Measure.number).where(
                owned_by(Measure, tenant_id),
                Measure.reported_year_number == rd.date.year,
                Measure.title.is_not(None),
            )
        )
    )
    year_table = Table(
        "Maßnahmen nach Jahr der Meldung",
        ["Jahr der Meldung", "Anzahl Maßnahmen"],
        [[y, n] for y, n in by_year] + [["Gesamtergebnis", sum(n for _, n in by_year)]],
        has_total=True,
    )
    period = f"{period_label(previous)} – {period_label(rd)}" if previous else period_label(rd)
    sections.append(
        Section(
            "measures_new",
            "Maßnahmenplan – neue und umgesetzte Maßnahmen",
            [
                f"Im Jahr {rd.date.year} wurden {len(new_measures)} neue Maßnahmen gemeldet.",
                f"Im aktuellen Berichtszeitraum ({period}) haben {len(newly_done)} Maßnahmen den Status "
                "„umgesetzt“ erreicht.",
            ],
            [year_table],
            [
                ItemList(
                    f"Im Jahr {rd.date.year} neu gemeldete Maßnahmen",
                    _by_title([(t, n) for t, n in new_measures]),
                ),
                ItemList(f"Im Berichtszeitraum ({period}) umgesetzte Maßnahmen", _by_title(newly_done)),
            ],
        )
    )

    # --- online services ----------------------------------------------------------------------
    svc_dates = [d for d in dates if sf.count(d) > 0][-2:] or [rd]
    svc_table = Table(
        "Aktueller Projektstatus der Online-Dienste",
        ["Projektstatus"] + [f"Anzahl Stand {period_label(d)}" for d in svc_dates],
        _status_rows(svc_dates, lambda d, s: sf.count(d, s)),
        has_total=True,
    )
    svc_rows = await session.execute(
        select(
            OnlineService.number,
            OnlineService.title,
            OnlineServiceStatus.reporting_date_id,
            OnlineServiceStatus.status,
        )
        .join(
            OnlineServiceStatus,
            (OnlineServiceStatus.tenant_id == OnlineService.tenant_id)
            & (OnlineServiceStatus.online_service_id == OnlineService.id),
        )
        .where(
            owned_by(OnlineService, tenant_id),
            OnlineServiceStatus.reporting_date_id.in_([rd.id] + ([previous.id] if previous else [])),
        )
    )
    svc_at: dict[tuple[str, uuid.UUID], str] = {}
    svc_titles: dict[str, str | None] = {}
    for number, title, rd_id, status in svc_rows:
        svc_at[(number, rd_id)] = status
        svc_titles[number] = title
    prev_of = (lambda n: svc_at.get((n, previous.id))) if previous else (lambda n: None)
    new_done = [
        (svc_titles[n] or n, n)
        for (n, rid), st in svc_at.items()
        if rid == rd.id and st == "U" and prev_of(n) != "U"
    ]
    new_intro = [
        (svc_titles[n] or n, n)
        for (n, rid), st in svc_at.items()
        if rid == rd.id and st == "E" and prev_of(n) not in ("E", "U")
    ]
    since = f"seit {period_label(previous)}" if previous else f"zum {rd.label}"
    sections.append(
        Section(
            "online_services",
            "Programm Online-Dienste",
            [
                f"Zum {rd.label} sind {sf.count(rd, 'U')} Online-Dienste umgesetzt, "
                f"{sf.count(rd, 'E')} in Einführung "
                f"und {sf.count(rd, 'P')} in Planung.",
                f"Im Berichtszeitraum haben {len(new_done)} Online-Dienste den Status „umgesetzt“ erreicht.",
            ],
            [svc_table],
            [
                ItemList(f"Neue Online-Dienste {since} – umgesetzt", _by_title(new_done)),
                ItemList(f"Neue Online-Dienste {since} – in Einführung", _by_title(new_intro)),
            ],
        )
    )
    return CommitteeReport(
        tenant_name=tenant_name, reporting_date=rd, previous=previous, dates=dates, sections=sections
    )


async def add_plugin_sections(
    report: CommitteeReport,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    pm: Any,
    enabled: set[str] | None,
    identity: Any = None,
) -> None:
    """Append the sections of plugins switched on for the tenant (in ``order``)."""
    from plugins.manager import results_by_plugin
    from plugins.types import RenderContext

    contributed = []
    for plugin_name, items in results_by_plugin(pm, "kommpass_register_report_sections"):
        if plugin_name is not None and enabled is not None and plugin_name not in enabled:
            continue
        for section in items or []:
            contributed.append((plugin_name, section))
    contributed.sort(key=lambda x: (x[1].order, x[1].title))
    for plugin_name, section in contributed:
        ctx = RenderContext(
            session=session, tenant_id=tenant_id, identity=identity, reporting_date=report.reporting_date
        )
        try:
            async with session.begin_nested():
                data = await section.load(ctx) or {}
        except Exception:
            log.warning("report.section_failed", section=section.key, plugin=plugin_name, exc_info=True)
            data = {"paragraphs": ["Dieser Abschnitt konnte nicht erstellt werden."]}
        tables = [
            Table(t.get("title", ""), list(t.get("columns", [])), [list(r) for r in t.get("rows", [])])
            for t in data.get("tables", [])
        ]
        lists = [ItemList(li.get("title", ""), list(li.get("items", []))) for li in data.get("lists", [])]
        report.sections.append(
            Section(
                section.key,
                section.title,
                list(data.get("paragraphs", [])),
                tables,
                lists,
                plugin=plugin_name,
                template=section.template,
                context=data,
            )
        )


STATUS_TEXT = STATUS_LABELS
