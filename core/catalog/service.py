"""Reading the catalogue: search with filters, detail pages, versions and their diffs, and
the gap analysis of a tenant's online services against the municipal OZG-Leistungen.

The catalogue is shared reference data; only the gap analysis touches tenant data, and it
filters by the tenant explicitly (besides row-level security).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Text, and_, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from core.catalog.models import (
    CatalogChange,
    CatalogVersion,
    Lebenslage,
    LeikaLeistung,
    OzgLeistung,
    Themenfeld,
)
from core.catalog.rules import MUNICIPAL_TYPES, relevant_types_for, split_types
from core.errors import NotFound

PAGE_SIZE = 50


@dataclass(frozen=True)
class CatalogFilter:
    q: str = ""
    themenfeld: str = ""
    lebenslage: str = ""
    leika_type: str = ""
    #: "" (any), "1" (SDG annex I), "2" (annex II), "any" (either)
    sdg: str = ""
    municipal: bool = False
    #: Narrow to the types relevant for this municipality type ("relevant for us").
    relevant_for: str | None = None
    page: int = 1


@dataclass
class Page:
    items: list[Any]
    total: int
    page: int
    pages: int


@dataclass
class Facets:
    themenfelder: list[str]
    lebenslagen: list[tuple[str, str | None]]
    types: list[str]


async def is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(OzgLeistung))


async def facets(session: AsyncSession) -> Facets:
    tf = list((await session.scalars(select(Themenfeld.name).order_by(Themenfeld.name))).all())
    ll = [
        (r.name, r.themenfeld)
        for r in (
            await session.execute(select(Lebenslage.name, Lebenslage.themenfeld).order_by(Lebenslage.name))
        ).all()
    ]
    raw = (await session.scalars(select(LeikaLeistung.leika_type).distinct())).all()
    types = sorted({t for value in raw for t in split_types(value)}, key=_type_order)
    return Facets(tf, ll, types)


def _type_order(t: str) -> tuple[int, str]:
    digits = "".join(ch for ch in t if ch.isdigit())
    return (int(digits[:2]) if digits else 99, t)


def _type_condition(types: frozenset[str] | set[str]) -> Any:
    """SQL: the (possibly listed) LeiKa type contains one of ``types``."""
    arr = func.regexp_split_to_array(func.lower(LeikaLeistung.leika_type), r"\s*[,;]\s*")
    return arr.op("&&")(literal(sorted(types), type_=ARRAY(Text)))


def _leika_query(flt: CatalogFilter) -> Select[Any]:
    stmt = select(LeikaLeistung, OzgLeistung).outerjoin(
        OzgLeistung, LeikaLeistung.ozg_id == OzgLeistung.ozg_id
    )
    if flt.q.strip():
        conds = []
        for word in flt.q.split():
            like = f"%{word.replace('%', '').replace('_', ' ')}%"
            conds.append(
                or_(
                    LeikaLeistung.name.ilike(like),
                    LeikaLeistung.leika_key.like(like),
                    OzgLeistung.name.ilike(like),
                    LeikaLeistung.law_abbreviations.ilike(like),
                    LeikaLeistung.extra["Synonyme"].astext.ilike(like),
                    LeikaLeistung.ozg_id == word,
                )
            )
        stmt = stmt.where(and_(*conds))
    if flt.themenfeld:
        stmt = stmt.where(OzgLeistung.themenfeld == flt.themenfeld)
    if flt.lebenslage:
        stmt = stmt.where(OzgLeistung.lebenslage == flt.lebenslage)
    if flt.leika_type:
        stmt = stmt.where(_type_condition({flt.leika_type.lower()}))
    if flt.sdg == "1":
        stmt = stmt.where(LeikaLeistung.sdg1.is_(True))
    elif flt.sdg == "2":
        stmt = stmt.where(LeikaLeistung.sdg2.is_(True))
    elif flt.sdg == "any":
        stmt = stmt.where(or_(LeikaLeistung.sdg1.is_(True), LeikaLeistung.sdg2.is_(True)))
    if flt.municipal:
        stmt = stmt.where(LeikaLeistung.municipal.is_(True))
    if flt.relevant_for is not None:
        allowed = relevant_types_for(flt.relevant_for)
        stmt = stmt.where(LeikaLeistung.municipal.is_(True))
        if allowed != MUNICIPAL_TYPES:
            stmt = stmt.where(_type_condition(set(allowed)))
    return stmt


async def search(session: AsyncSession, flt: CatalogFilter, *, page_size: int = PAGE_SIZE) -> Page:
    """LeiKa services matching ``flt`` (with their OZG-Leistung), paged, sorted by name."""
    stmt = _leika_query(flt)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, flt.page), pages)
    rows = (
        await session.execute(
            stmt.order_by(LeikaLeistung.name, LeikaLeistung.key)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    ).all()
    return Page(items=[(r[0], r[1]) for r in rows], total=total, page=page, pages=pages)


async def leika_detail(
    session: AsyncSession, key: str
) -> tuple[LeikaLeistung, OzgLeistung | None, list[LeikaLeistung]]:
    """A LeiKa service, its OZG-Leistung and the other LeiKa services of that OZG-Leistung."""
    leika = await session.get(LeikaLeistung, key)
    if leika is None:
        raise NotFound("Diese LeiKa-Leistung gibt es im Katalog nicht.")
    ozg = await session.get(OzgLeistung, leika.ozg_id) if leika.ozg_id else None
    siblings: list[LeikaLeistung] = []
    if ozg is not None:
        siblings = list(
            (
                await session.scalars(
                    select(LeikaLeistung)
                    .where(LeikaLeistung.ozg_id == ozg.ozg_id, LeikaLeistung.key != key)
                    .order_by(LeikaLeistung.name)
                    .limit(200)
                )
            ).all()
        )
    return leika, ozg, siblings


async def ozg_detail(session: AsyncSession, ozg_id: str) -> tuple[OzgLeistung, list[LeikaLeistung]]:
    ozg = await session.get(OzgLeistung, ozg_id)
    if ozg is None:
        raise NotFound("Diese OZG-Leistung gibt es im Katalog nicht.")
    leika = list(
        (
            await session.scalars(
                select(LeikaLeistung).where(LeikaLeistung.ozg_id == ozg_id).order_by(LeikaLeistung.name)
            )
        ).all()
    )
    return ozg, leika


def legal_basis_links(value: str) -> list[tuple[str, str | None]]:
    """``"KrWG [http://…], VerpackV [http://…]"`` → ``[("KrWG", "http://…"), …]``."""
    import re

    out: list[tuple[str, str | None]] = []
    for m in re.finditer(r"([^\[\],][^\[\]]*?)\s*(?:\[(https?://[^\]\s]+)\])?\s*(?:,|$)", value or ""):
        label = m.group(1).strip()
        if label:
            out.append((label, m.group(2)))
    return out


# --- versions and diffs --------------------------------------------------------------------------
async def versions(session: AsyncSession, *, limit: int = 100) -> list[CatalogVersion]:
    return list(
        (await session.scalars(select(CatalogVersion).order_by(CatalogVersion.id.desc()).limit(limit))).all()
    )


async def current_version(session: AsyncSession) -> CatalogVersion | None:
    return await session.scalar(select(CatalogVersion).order_by(CatalogVersion.id.desc()).limit(1))


async def version_diff(
    session: AsyncSession,
    version_id: int,
    *,
    entity: str = "",
    action: str = "",
    page: int = 1,
    page_size: int = 200,
) -> tuple[CatalogVersion, Page]:
    version = await session.get(CatalogVersion, version_id)
    if version is None:
        raise NotFound("Diese Katalogversion gibt es nicht.")
    stmt = select(CatalogChange).where(CatalogChange.version_id == version_id)
    if entity:
        stmt = stmt.where(CatalogChange.entity == entity)
    if action:
        stmt = stmt.where(CatalogChange.action == action)
    total = await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    order = {"removed": 0, "changed": 1, "added": 2}
    rows = (
        await session.scalars(
            stmt.order_by(CatalogChange.action, CatalogChange.entity, CatalogChange.label)
            .offset((page - 1) * page_size)
            .limit(page_size)
        )
    ).all()
    items = sorted(rows, key=lambda c: (order.get(c.action, 9), c.entity, c.label))
    return version, Page(items=list(items), total=total, page=page, pages=pages)


# --- gap analysis --------------------------------------------------------------------------------
@dataclass
class GapRow:
    ozg_id: str
    name: str
    themenfeld: str
    lebenslage: str
    municipal_services: int
    covered_by: list[str] = field(default_factory=list)
    #: A covering online service has status U (umgesetzt) at its latest reporting date.
    online: bool = False


@dataclass
class ThemenfeldCoverage:
    themenfeld: str
    total: int
    covered: int
    online: int = 0

    @property
    def online_percent(self) -> float:
        return round(100.0 * self.online / self.total, 1) if self.total else 0.0

    @property
    def in_progress_percent(self) -> float:
        return round(self.percent - self.online_percent, 1)

    @property
    def percent(self) -> float:
        return round(100.0 * self.covered / self.total, 1) if self.total else 0.0


@dataclass
class GapAnalysis:
    total: int
    covered: int
    by_themenfeld: list[ThemenfeldCoverage]
    gaps: list[GapRow]
    covered_rows: list[GapRow]
    online: int = 0

    @property
    def percent(self) -> float:
        return round(100.0 * self.covered / self.total, 1) if self.total else 0.0


async def municipal_ozg(session: AsyncSession, municipality_type: str | None = None) -> list[GapRow]:
    """OZG-Leistungen with at least one LeiKa service a municipality (of this type) executes."""
    allowed = relevant_types_for(municipality_type)
    cond = LeikaLeistung.municipal.is_(True)
    if allowed != MUNICIPAL_TYPES:
        cond = and_(cond, _type_condition(set(allowed)))
    rows = (
        await session.execute(
            select(
                OzgLeistung.ozg_id,
                OzgLeistung.name,
                OzgLeistung.themenfeld,
                OzgLeistung.lebenslage,
                func.count(LeikaLeistung.key),
            )
            .join(LeikaLeistung, LeikaLeistung.ozg_id == OzgLeistung.ozg_id)
            .where(cond)
            .group_by(OzgLeistung.ozg_id)
        )
    ).all()
    return [GapRow(r[0], r[1], r[2] or "–", r[3] or "–", int(r[4])) for r in rows]


STATUS_LABELS = {"P": "in Planung", "E": "in Einführung", "U": "umgesetzt"}


async def _covered_ozg_ids(
    session: AsyncSession, tenant_id: uuid.UUID
) -> dict[str, list[tuple[str, str | None]]]:
    """OZG-ID → (label, latest status P/E/U or None) of the tenant's online services naming it
    (directly or through a LeiKa key)."""
    from core.online_services.models import OnlineService, OnlineServiceStatus
    from core.reporting.models import ReportingDate

    services = (
        await session.execute(
            select(
                OnlineService.id,
                OnlineService.number,
                OnlineService.title,
                OnlineService.ozg_ids,
                OnlineService.leika_keys,
            ).where(OnlineService.tenant_id == tenant_id)
        )
    ).all()
    latest = dict(
        (
            await session.execute(
                select(OnlineServiceStatus.online_service_id, OnlineServiceStatus.status)
                .join(
                    ReportingDate,
                    and_(
                        ReportingDate.tenant_id == OnlineServiceStatus.tenant_id,
                        ReportingDate.id == OnlineServiceStatus.reporting_date_id,
                    ),
                )
                .where(OnlineServiceStatus.tenant_id == tenant_id)
                .distinct(OnlineServiceStatus.online_service_id)
                .order_by(OnlineServiceStatus.online_service_id, ReportingDate.date.desc())
            )
        )
        .tuples()
        .all()
    )
    leika_keys = {k for s in services for k in (s.leika_keys or [])}
    ozg_of_leika: dict[str, str] = {}
    if leika_keys:
        ozg_of_leika = {
            r[0]: r[1]
            for r in (
                await session.execute(
                    select(LeikaLeistung.leika_key, LeikaLeistung.ozg_id).where(
                        LeikaLeistung.leika_key.in_(leika_keys), LeikaLeistung.ozg_id.is_not(None)
                    )
                )
            ).all()
        }
    out: dict[str, list[tuple[str, str | None]]] = {}
    for s in services:
        label = f"{s.number} {s.title or ''}".strip()
        ids = set(s.ozg_ids or []) | {ozg_of_leika[k] for k in (s.leika_keys or []) if k in ozg_of_leika}
        for ozg_id in ids:
            out.setdefault(ozg_id, []).append((label, latest.get(s.id)))
    return out


async def gap_analysis(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    municipality_type: str | None = None,
    *,
    sort: str = "themenfeld",
) -> GapAnalysis:
    """Coverage of the municipal OZG-Leistungen by the tenant's online services."""
    universe = await municipal_ozg(session, municipality_type)
    covered = await _covered_ozg_ids(session, tenant_id)
    by_tf: dict[str, ThemenfeldCoverage] = {}
    gaps: list[GapRow] = []
    done: list[GapRow] = []
    for row in universe:
        entry = by_tf.setdefault(row.themenfeld, ThemenfeldCoverage(row.themenfeld, 0, 0))
        entry.total += 1
        if row.ozg_id in covered:
            entry.covered += 1
            services = sorted(covered[row.ozg_id])
            row.covered_by = [
                f"{label} ({STATUS_LABELS.get(st or '', 'ohne Status')})" for label, st in services
            ]
            row.online = any(st == "U" for _label, st in services)
            entry.online += int(row.online)
            done.append(row)
        else:
            gaps.append(row)
    keys = {
        "themenfeld": lambda r: (r.themenfeld, r.name),
        "name": lambda r: (r.name.lower(),),
        "ozg_id": lambda r: (int(r.ozg_id) if r.ozg_id.isdigit() else 0, r.ozg_id),
        "leistungen": lambda r: (-r.municipal_services, r.name),
        "lebenslage": lambda r: (r.lebenslage, r.name),
    }
    gaps.sort(key=keys.get(sort, keys["themenfeld"]))
    done.sort(key=keys["themenfeld"])
    return GapAnalysis(
        online=sum(1 for r in done if r.online),
        total=len(universe),
        covered=len(done),
        by_themenfeld=sorted(by_tf.values(), key=lambda c: c.themenfeld),
        gaps=gaps,
        covered_rows=done,
    )


async def network_coverage(session: AsyncSession) -> tuple[int, list[tuple[GapRow, int, int]]]:
    """For KAAW admins: per municipal OZG-Leistung, how many towns have an online service for it
    and how many have it online (status U).

    Aggregates only. Row-level security holds: the tenants are iterated inside one
    transaction, binding each in turn with ``set_config('app.tenant_id', …, true)``, and
    only counts leave this function.
    """
    from tenants.models import Tenant

    universe = await municipal_ozg(session)
    tenant_ids = list((await session.scalars(select(Tenant.id).where(Tenant.is_active.is_(True)))).all())
    with_service: dict[str, int] = {}
    online: dict[str, int] = {}
    original = await session.scalar(text("SELECT current_setting('app.tenant_id', true)"))
    try:
        for tenant_id in tenant_ids:
            await session.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
            for ozg_id, services in (await _covered_ozg_ids(session, tenant_id)).items():
                with_service[ozg_id] = with_service.get(ozg_id, 0) + 1
                if any(st == "U" for _label, st in services):
                    online[ozg_id] = online.get(ozg_id, 0) + 1
    finally:
        await session.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": original or ""})
    rows = sorted(
        ((r, with_service.get(r.ozg_id, 0), online.get(r.ozg_id, 0)) for r in universe),
        key=lambda x: (-x[2], -x[1], x[0].name),
    )
    return len(tenant_ids), rows


async def tenant_municipality_type(session: AsyncSession, tenant_id: uuid.UUID) -> str | None:
    from tenants.models import Tenant

    return await session.scalar(select(Tenant.municipality_type).where(Tenant.id == tenant_id))


# --- turning a gap into work ----------------------------------------------------------------------
async def _next_number(session: AsyncSession, model: Any, tenant_id: uuid.UUID, prefix: str) -> str:
    existing = set(
        (
            await session.scalars(
                select(model.number).where(model.tenant_id == tenant_id, model.number.like(f"{prefix}%"))
            )
        ).all()
    )
    n = 1
    while f"{prefix}{n:03d}" in existing:
        n += 1
    return f"{prefix}{n:03d}"


async def gap_to_measure(session: AsyncSession, tenant_id: uuid.UUID, ozg_id: str, actor: Any) -> Any:
    """Create a measure "Online-Angebot: <OZG-Leistung>" for a gap (through ``core.measures``)."""
    from core.measures.models import Measure
    from core.measures.schemas import MeasureCreate
    from core.measures.service import MeasureService

    ozg = await session.get(OzgLeistung, ozg_id)
    if ozg is None:
        raise NotFound("Diese OZG-Leistung gibt es im Katalog nicht.")
    number = await _next_number(session, Measure, tenant_id, "MP-OZG ")
    return await MeasureService(session, tenant_id, actor).create(
        MeasureCreate(
            number=number,
            title=f"Online-Angebot: {ozg.name}"[:500],
            description=f"Aus der Lückenanalyse: OZG-Leistung {ozg.ozg_id} „{ozg.name}“ "
            f"(Themenfeld {ozg.themenfeld or '–'}, Lebenslage {ozg.lebenslage or '–'}).",
        )
    )


async def gap_to_online_service(session: AsyncSession, tenant_id: uuid.UUID, ozg_id: str, actor: Any) -> Any:
    """Create a planned online service for a gap (through ``core.online_services``): status P at
    the open reporting date, if there is one."""
    from core.online_services.models import OnlineService
    from core.online_services.schemas import OnlineServiceCreate
    from core.online_services.service import OnlineServiceService
    from core.reporting.service import ReportingService

    ozg = await session.get(OzgLeistung, ozg_id)
    if ozg is None:
        raise NotFound("Diese OZG-Leistung gibt es im Katalog nicht.")
    number = await _next_number(session, OnlineService, tenant_id, "OD-OZG ")
    services = OnlineServiceService(session, tenant_id, actor)
    created = await services.create(
        OnlineServiceCreate(
            number=number,
            title=ozg.name[:500],
            ozg_ids=[ozg.ozg_id],
            implementation_type="Sonstiges/noch in Klärung",
        )
    )
    reporting_date = await ReportingService(session, tenant_id).current_open()
    if reporting_date is not None:
        await services.set_status(created.id, reporting_date.id, version=created.version, status="P")
    return created
