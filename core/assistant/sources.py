"""What goes into which index.

* ``catalog``: every OZG-Leistung and LeiKa service (``core.assistant.catalog``).
* ``tenant:<id>``: the tenant's strategies (every version, every part), imported strategy
  documents, measures, online services, budget lines, and documents plugins contribute
  (``kommpass_register_document_sources``; only plugins switched on for the tenant). Read in
  a tenant-bound session, filtered by tenant explicitly as well.
* ``network``: sections published to the KAAW network (copies in platform tables).

Areas that are not installed are skipped (``ImportError``), so the assistant works with
whatever the deployment has.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.assistant.documents import Passage, catalog_passages
from core.assistant.models import NetworkDocument, NetworkSection, StrategyDocument, StrategySection

log = structlog.get_logger(__name__)

CATALOG = "catalog"
NETWORK = "network"


def tenant_scope(tenant_id: uuid.UUID | str) -> str:
    return f"tenant:{tenant_id}"


def _join(*parts: Any) -> str:
    return "\n".join(str(p).strip() for p in parts if p not in (None, "") and str(p).strip())


async def catalog_source(session: AsyncSession | None) -> list[Passage]:
    from core.assistant.catalog import load_catalog

    ozg, leika = await load_catalog(session)
    return catalog_passages(ozg, leika)


# --- tenant sources -------------------------------------------------------------------------
async def _strategies(session: AsyncSession, tenant_id: uuid.UUID) -> list[Passage]:
    from core.strategy import models as sm

    out: list[Passage] = []
    tid = str(tenant_id)
    strategies = (await session.scalars(select(sm.Strategy).where(sm.Strategy.tenant_id == tenant_id))).all()
    fields = (
        ("introduction", "Einleitung"),
        ("vision", "Vision"),
        ("digitalisation_definition", "Begriffsbestimmung Verwaltungsdigitalisierung"),
        ("initial_situation", "Ausgangslage"),
        ("challenges", "Herausforderungen"),
        ("conclusion", "Fazit"),
    )
    for s in strategies:
        name = f"{s.title} {s.label}".strip()
        url = f"/strategie/{s.id}"
        meta = {"strategy_id": str(s.id), "version": s.label, "status": s.status}
        for attr, label in fields:
            text = getattr(s, attr, "") or ""
            if text.strip():
                out.append(
                    Passage(
                        "strategy",
                        f"{s.id}:{attr}",
                        f"{name} – {label}",
                        _join(name, label, text),
                        url,
                        tid,
                        (name, label),
                        meta,
                    )
                )

        async def rows(model: Any, strategy: Any = s) -> list[Any]:
            return list(
                (
                    await session.scalars(
                        select(model).where(model.tenant_id == tenant_id, model.strategy_id == strategy.id)
                    )
                ).all()
            )

        for g in await rows(sm.Goal):
            indicators = (
                await session.scalars(
                    select(sm.Indicator).where(
                        sm.Indicator.tenant_id == tenant_id, sm.Indicator.goal_id == g.id
                    )
                )
            ).all()
            ind_text = "; ".join(
                f"{i.name}: Ziel {i.target_value if i.target_value is not None else '–'} {i.unit}"
                f"{' bis ' + i.due_date.strftime('%d.%m.%Y') if i.due_date else ''}"
                for i in indicators
            )
            out.append(
                Passage(
                    "strategy",
                    f"{s.id}:goal:{g.id}",
                    f"{name} – Kernziel: {g.title}",
                    _join(name, "Kernziel", g.title, g.description, ind_text and "Kennzahlen: " + ind_text),
                    url,
                    tid,
                    (name, "Kernziele"),
                    meta,
                )
            )
        for b in await rows(sm.BuildingBlock):
            out.append(
                Passage(
                    "strategy",
                    f"{s.id}:block:{b.id}",
                    f"{name} – Lösungsbaustein {b.code}: {b.title}",
                    _join(
                        name,
                        f"Lösungsbaustein {b.code}: {b.title}",
                        b.description,
                        b.stakeholders and "Anspruchsgruppen: " + "; ".join(b.stakeholders),
                        b.benefits and "Nutzen: " + "; ".join(b.benefits),
                        b.measures and "Maßnahmen: " + "; ".join(b.measures),
                        b.risks and "Risiken: " + "; ".join(b.risks),
                        b.resources and "Ressourcen: " + b.resources,
                        b.responsible and "Verantwortlich: " + b.responsible,
                    ),
                    url,
                    tid,
                    (name, "Lösungsbausteine"),
                    meta,
                )
            )
        for r in await rows(sm.Recommendation):
            out.append(
                Passage(
                    "strategy",
                    f"{s.id}:rec:{r.id}",
                    f"{name} – Empfehlung {r.number}",
                    _join(
                        name,
                        f"Empfehlung {r.number}",
                        getattr(r, "title", ""),
                        r.context,
                        r.measures and "Maßnahmen: " + "; ".join(r.measures),
                        r.indicators and "Kennzahlen: " + "; ".join(r.indicators),
                    ),
                    url,
                    tid,
                    (name, "Empfehlungen"),
                    meta,
                )
            )
        for m in await rows(sm.MaturityAssessment):
            out.append(
                Passage(
                    "strategy",
                    f"{s.id}:maturity:{m.id}",
                    f"{name} – Reifegrad {m.area}",
                    _join(name, f"Reifegrad {m.area}: Stufe {m.level}", m.assessment),
                    url,
                    tid,
                    (name, "Reifegrad"),
                    meta,
                )
            )
        swot = await rows(sm.SwotItem)
        if swot:
            labels = dict(sm.SWOT_CATEGORIES)
            out.append(
                Passage(
                    "strategy",
                    f"{s.id}:swot",
                    f"{name} – SWOT-Analyse",
                    _join(
                        name,
                        "SWOT-Analyse",
                        *(f"{labels.get(i.category, i.category)}: {i.text}" for i in swot),
                    ),
                    url,
                    tid,
                    (name, "SWOT"),
                    meta,
                )
            )
        arch = await rows(sm.ArchitectureComponent)
        if arch:
            out.append(
                Passage(
                    "strategy",
                    f"{s.id}:architecture",
                    f"{name} – E-Government-Architektur",
                    _join(
                        name,
                        "E-Government-Architektur",
                        *(f"{a.layer + ': ' if a.layer else ''}{a.name} ({a.state}) {a.note}" for a in arch),
                    ),
                    url,
                    tid,
                    (name, "E-Government-Architektur"),
                    meta,
                )
            )
    return out


async def _documents(session: AsyncSession, tenant_id: uuid.UUID) -> list[Passage]:
    out: list[Passage] = []
    docs = {
        d.id: d
        for d in (
            await session.scalars(select(StrategyDocument).where(StrategyDocument.tenant_id == tenant_id))
        ).all()
    }
    sections = (
        await session.scalars(
            select(StrategySection)
            .where(StrategySection.tenant_id == tenant_id)
            .order_by(StrategySection.document_id, StrategySection.position)
        )
    ).all()
    for sec in sections:
        doc = docs.get(sec.document_id)
        if doc is None:
            continue
        name = f"{doc.title} {doc.version_label}".strip()
        path = tuple(sec.heading_path or ())
        title = f"{name} – {path[-1]}" if path else name
        out.append(
            Passage(
                "document",
                f"{doc.id}:{sec.position}",
                title,
                _join(name, " › ".join(path), sec.text)[:2000],
                f"/assistent/dokumente/{doc.id}#abschnitt-{sec.position}",
                str(tenant_id),
                path,
                {"document_id": str(doc.id), "version": doc.version_label},
            )
        )
    return out


async def _measures(session: AsyncSession, tenant_id: uuid.UUID) -> list[Passage]:
    from core.measures.models import Measure

    rows = (await session.scalars(select(Measure).where(Measure.tenant_id == tenant_id))).all()
    return [
        Passage(
            "measure",
            str(m.id),
            f"Maßnahme {m.number}: {m.title or ''}".strip(),
            _join(
                f"Maßnahme {m.number}",
                m.title,
                m.description,
                m.introduction and f"Geplante Einführung: {m.introduction}",
            ),
            f"/massnahmen/{m.id}",
            str(tenant_id),
            (),
            {"number": m.number},
        )
        for m in rows
        if m.title or m.description
    ]


async def _online_services(session: AsyncSession, tenant_id: uuid.UUID) -> list[Passage]:
    from core.online_services.models import OnlineService

    rows = (await session.scalars(select(OnlineService).where(OnlineService.tenant_id == tenant_id))).all()
    return [
        Passage(
            "online_service",
            str(o.id),
            f"Online-Dienst {o.number}: {o.title}",
            _join(
                f"Online-Dienst {o.number}",
                o.title,
                o.implementation_type and f"Umsetzungsart: {o.implementation_type}",
                o.ozg_ids and "OZG-Leistungen: " + ", ".join(o.ozg_ids),
                o.leika_keys and "LeiKa: " + ", ".join(o.leika_keys),
                o.ozg_maturity is not None and f"OZG-Reifegrad {o.ozg_maturity}",
            ),
            f"/online-dienste/{o.id}",
            str(tenant_id),
            (),
            {
                "number": o.number,
                "ozg_id": (o.ozg_ids or [None])[0],
                "leika_key": (o.leika_keys or [None])[0],
            },
        )
        for o in rows
        if o.title
    ]


async def _budget(session: AsyncSession, tenant_id: uuid.UUID) -> list[Passage]:
    from core.budget.models import BudgetEntry, BudgetLine

    lines = (await session.scalars(select(BudgetLine).where(BudgetLine.tenant_id == tenant_id))).all()
    entries = (await session.scalars(select(BudgetEntry).where(BudgetEntry.tenant_id == tenant_id))).all()
    by_line: dict[uuid.UUID, list[Any]] = {}
    for e in entries:
        by_line.setdefault(e.line_id, []).append(e)
    out = []
    for line in lines:
        amounts = []
        for e in sorted(by_line.get(line.id, []), key=lambda e: e.year):
            values = {
                k: v
                for k, v in vars(e).items()
                if not k.startswith("_")
                and k not in ("tenant_id", "id", "line_id", "year", "version")
                and v not in (None, 0)
            }
            if values:
                amounts.append(f"{e.year}: " + ", ".join(f"{k} {v}" for k, v in values.items()))
        out.append(
            Passage(
                "budget",
                str(line.id),
                f"Finanzplan {line.number}: {line.title}",
                _join(f"Rahmenfinanzplan {line.number}", line.title, line.remark, *amounts),
                "/finanzplan",
                str(tenant_id),
                (),
                {"number": line.number},
            )
        )
    return out


async def _plugin_documents(session: AsyncSession, tenant_id: uuid.UUID) -> list[Passage]:
    """Documents of the plugins switched on for the tenant (``plugins.settings``); each passage
    remembers its plugin in ``meta["plugin"]`` so answers can also drop it at once when the
    tenant switches the plugin off before the index has caught up. Hook implementations that
    belong to no plugin (core areas) always count."""
    from plugins.manager import get_plugin_manager, results_by_plugin
    from plugins.settings import enabled_plugins

    pm = get_plugin_manager()
    enabled = await enabled_plugins(session, tenant_id, pm)
    out: list[Passage] = []
    for plugin_name, sources in results_by_plugin(pm, "kommpass_register_document_sources"):
        if plugin_name is not None and plugin_name not in enabled:
            continue
        for source in sources or []:
            for doc in await source.documents(session, tenant_id):
                if doc.tenant_id is not None and doc.tenant_id != tenant_id:
                    log.warning("assistant.plugin_document_foreign_tenant", kind=doc.kind, key=doc.key)
                    continue
                p = Passage.from_document(doc)
                p.tenant_id = str(tenant_id)
                if plugin_name is not None:
                    p.meta = {**p.meta, "plugin": plugin_name}
                out.append(p)
    return out


TENANT_SOURCES: tuple[Callable[[AsyncSession, uuid.UUID], Awaitable[list[Passage]]], ...] = (
    _strategies,
    _documents,
    _measures,
    _online_services,
    _budget,
    _plugin_documents,
)


async def tenant_source(session: AsyncSession, tenant_id: uuid.UUID) -> list[Passage]:
    out: list[Passage] = []
    for source in TENANT_SOURCES:
        try:
            async with session.begin_nested():
                out.extend(await source(session, tenant_id))
        except ImportError:
            continue
        except Exception:  # one broken source must not block the others
            log.exception("assistant.source_failed", source=source.__name__, tenant_id=str(tenant_id))
    return out


async def network_source(session: AsyncSession) -> list[Passage]:
    docs = {d.id: d for d in (await session.scalars(select(NetworkDocument))).all()}
    sections = (
        await session.scalars(
            select(NetworkSection).order_by(NetworkSection.document_id, NetworkSection.position)
        )
    ).all()
    out = []
    for sec in sections:
        doc = docs.get(sec.document_id)
        if doc is None:
            continue
        name = f"{doc.title} {doc.version_label}".strip()
        path = tuple(sec.heading_path or ())
        out.append(
            Passage(
                "network",
                f"{doc.id}:{sec.position}",
                f"{doc.publisher_name}: {name}" + (f" – {path[-1]}" if path else ""),
                _join(f"{doc.publisher_name}: {name}", " › ".join(path), sec.text)[:2000],
                f"/assistent/netzwerk/{doc.id}#abschnitt-{sec.position}",
                None,
                path,
                {
                    "network_document_id": str(doc.id),
                    "publisher": doc.publisher_name,
                    "publisher_tenant_id": str(doc.publisher_tenant_id) if doc.publisher_tenant_id else None,
                },
            )
        )
    return out
