"""Strategy service: versions, their parts, copying, adopting, goals against targets.

Rules a caller may rely on:

* Everything is filtered by ``tenant_id`` (besides row-level security); another tenant's id
  is ``NotFound``.
* Every write is audited in the same transaction (``changes`` = old → new).
* Every update and delete takes the version the editor saw; a stale version raises
  ``Conflict`` with the newer state in ``current``.
* Versions: a tenant has at most one draft (``entwurf``). ``new_version`` deep-copies a version
  (parts keep their lineage ids). ``adopt`` makes a draft the adopted version; the version
  adopted before becomes ``abgeloest`` and read-only (``Conflict`` on any edit). The adopted
  version itself stays editable (the strategy is a living document; every edit is audited).
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core import calendar
from core.audit.service import SYSTEM, Actor, diff, record
from core.concurrency import check_version, flush_or_conflict
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.strategy.kinds import (
    GOALS,
    INDICATORS,
    KINDS,
    STRATEGY_FIELDS,
    STRATEGY_PARTS,
    VALUES,
    Kind,
    parse_fields,
    snapshot,
)
from core.strategy.models import (
    STATUS_ADOPTED,
    STATUS_DRAFT,
    STATUS_SUPERSEDED,
    Goal,
    Indicator,
    IndicatorValue,
    Strategy,
)

STATUS_LABELS = {STATUS_DRAFT: "Entwurf", STATUS_ADOPTED: "beschlossen", STATUS_SUPERSEDED: "abgelöst"}
READ_ONLY_MESSAGE = "Diese Strategieversion ist abgelöst und kann nicht mehr geändert werden."


# --- reading ---------------------------------------------------------------------------------
@dataclass
class IndicatorView:
    indicator: Indicator
    values: list[IndicatorValue] = field(default_factory=list)

    @property
    def latest(self) -> IndicatorValue | None:
        return self.values[-1] if self.values else None

    @property
    def attainment(self) -> float | None:
        """Share of the way from baseline to target reached by the latest value (0–1, may exceed 1)."""
        ind, latest = self.indicator, self.latest
        if latest is None or ind.target_value is None:
            return None
        base = ind.baseline_value or decimal.Decimal(0)
        span = ind.target_value - base
        if span == 0:
            return 1.0 if latest.value >= ind.target_value else 0.0
        return float((latest.value - base) / span)


@dataclass
class GoalView:
    goal: Goal
    indicators: list[IndicatorView] = field(default_factory=list)


@dataclass
class StrategyFull:
    strategy: Strategy
    goals: list[GoalView]
    parts: dict[str, list[Any]]

    def items(self, kind: Kind) -> list[Any]:
        if kind is GOALS:
            return [g.goal for g in self.goals]
        if kind is INDICATORS:
            return [iv.indicator for g in self.goals for iv in g.indicators]
        if kind is VALUES:
            return [v for g in self.goals for iv in g.indicators for v in iv.values]
        return self.parts[kind.key]


def is_read_only(strategy: Strategy) -> bool:
    return strategy.status == STATUS_SUPERSEDED


async def list_strategies(session: AsyncSession, tenant_id: uuid.UUID) -> list[Strategy]:
    rows = await session.scalars(
        select(Strategy).where(Strategy.tenant_id == tenant_id).order_by(Strategy.sequence.desc())
    )
    return list(rows)


async def get_strategy(session: AsyncSession, tenant_id: uuid.UUID, strategy_id: uuid.UUID) -> Strategy:
    strategy = await session.scalar(
        select(Strategy).where(Strategy.tenant_id == tenant_id, Strategy.id == strategy_id)
    )
    if strategy is None:
        raise NotFound("Diese Strategieversion gibt es nicht.")
    return strategy


async def current_strategy(session: AsyncSession, tenant_id: uuid.UUID) -> Strategy | None:
    """The adopted version; without one the newest draft; ``None`` if the tenant has none."""
    strategies = await list_strategies(session, tenant_id)
    adopted = [s for s in strategies if s.status == STATUS_ADOPTED]
    return adopted[0] if adopted else (strategies[0] if strategies else None)


async def load_full(session: AsyncSession, tenant_id: uuid.UUID, strategy_id: uuid.UUID) -> StrategyFull:
    strategy = await get_strategy(session, tenant_id, strategy_id)
    parts: dict[str, list[Any]] = {}
    for kind in STRATEGY_PARTS:
        model = kind.model
        rows = await session.scalars(
            select(model)
            .where(model.tenant_id == tenant_id, model.strategy_id == strategy_id)
            .order_by(*[getattr(model, c) for c in kind.order_by], model.id)
        )
        parts[kind.key] = list(rows)
    goals = [GoalView(g) for g in parts["goals"]]
    by_goal = {g.goal.id: g for g in goals}
    if by_goal:
        indicators = await session.scalars(
            select(Indicator)
            .where(Indicator.tenant_id == tenant_id, Indicator.goal_id.in_(list(by_goal)))
            .order_by(Indicator.position, Indicator.id)
        )
        views = {}
        for ind in indicators:
            view = IndicatorView(ind)
            views[ind.id] = view
            by_goal[ind.goal_id].indicators.append(view)
        if views:
            values = await session.scalars(
                select(IndicatorValue)
                .where(IndicatorValue.tenant_id == tenant_id, IndicatorValue.indicator_id.in_(list(views)))
                .order_by(IndicatorValue.measured_on)
            )
            for value in values:
                views[value.indicator_id].values.append(value)
    return StrategyFull(strategy, goals, parts)


# --- helpers ---------------------------------------------------------------------------------
def _entity(kind_or_name: Kind | str) -> str:
    name = kind_or_name if isinstance(kind_or_name, str) else kind_or_name.key
    return f"strategy.{name}"


def strategy_state(strategy: Strategy) -> dict[str, Any]:
    state = snapshot(STRATEGY_FIELDS, strategy)
    state.update(
        status=strategy.status, adopted_on=strategy.adopted_on, version=strategy.version, id=strategy.id
    )
    return state


def item_state(kind: Kind, obj: Any) -> dict[str, Any]:
    state = snapshot(kind.fields, obj)
    state.update(id=obj.id, version=obj.version)
    if kind.has_lineage:
        state["lineage_id"] = obj.lineage_id
    state[kind.parent_column] = getattr(obj, kind.parent_column)
    return state


def _jsonish(state: dict[str, Any]) -> dict[str, Any]:
    from core.audit.service import _jsonable

    result: dict[str, Any] = _jsonable(state)
    return result


def _ensure_editable(strategy: Strategy) -> None:
    if is_read_only(strategy):
        raise Conflict(READ_ONLY_MESSAGE, current=_jsonish(strategy_state(strategy)))


async def _get_item(session: AsyncSession, tenant_id: uuid.UUID, kind: Kind, item_id: uuid.UUID) -> Any:
    model = kind.model
    obj = await session.scalar(select(model).where(model.tenant_id == tenant_id, model.id == item_id))
    if obj is None:
        raise NotFound(f"{kind.label}: Eintrag nicht gefunden.")
    return obj


async def strategy_id_of(session: AsyncSession, tenant_id: uuid.UUID, kind: Kind, obj: Any) -> uuid.UUID:
    """The strategy version an item belongs to (walking up indicator → goal)."""
    if kind.parent == "strategy":
        return obj.strategy_id  # type: ignore[no-any-return]
    if kind.parent == "goal":
        goal = await _get_item(session, tenant_id, GOALS, obj.goal_id)
        return goal.strategy_id  # type: ignore[no-any-return]
    indicator = await _get_item(session, tenant_id, INDICATORS, obj.indicator_id)
    return await strategy_id_of(session, tenant_id, INDICATORS, indicator)


async def get_item(
    session: AsyncSession, tenant_id: uuid.UUID, strategy_id: uuid.UUID, kind: Kind, item_id: uuid.UUID
) -> Any:
    """An item of ``kind`` in the given strategy version; ``NotFound`` otherwise."""
    obj = await _get_item(session, tenant_id, kind, item_id)
    if await strategy_id_of(session, tenant_id, kind, obj) != strategy_id:
        raise NotFound(f"{kind.label}: Eintrag nicht gefunden.")
    return obj


# --- strategy versions -----------------------------------------------------------------------
async def create_strategy(
    session: AsyncSession, tenant_id: uuid.UUID, data: dict[str, Any], *, actor: Actor = SYSTEM
) -> Strategy:
    """Create an empty first version (only while the tenant has none; later versions are copies)."""
    values = parse_fields(STRATEGY_FIELDS, data, partial=False)
    if await list_strategies(session, tenant_id):
        raise Conflict("Es gibt bereits eine Strategie. Legen Sie eine neue Version als Kopie an.")
    strategy = Strategy(tenant_id=tenant_id, sequence=1, status=STATUS_DRAFT, **values)
    session.add(strategy)
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="strategy.create",
        actor=actor,
        entity_type="strategy",
        entity_id=strategy.id,
        changes=diff({}, strategy_state(strategy)),
    )
    return strategy


async def update_strategy(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    strategy_id: uuid.UUID,
    data: dict[str, Any],
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> Strategy:
    strategy = await get_strategy(session, tenant_id, strategy_id)
    check_version(expected_version, strategy.version, strategy_state(strategy))
    _ensure_editable(strategy)
    values = parse_fields(STRATEGY_FIELDS, data, partial=True)
    await _check_label_free(session, tenant_id, values.get("label"), strategy.id)
    _check_period(
        values.get("period_start", strategy.period_start), values.get("period_end", strategy.period_end)
    )
    old = strategy_state(strategy)
    for key, value in values.items():
        setattr(strategy, key, value)
    changes = diff(old, strategy_state(strategy) | {"version": old["version"]})
    if changes:
        await flush_or_conflict(session, state=old)
        await record(
            session,
            tenant_id=tenant_id,
            action="strategy.update",
            actor=actor,
            entity_type="strategy",
            entity_id=strategy.id,
            changes=changes,
        )
    return strategy


def _check_period(start: int | None, end: int | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationFailed([FieldError("period_end", "Das Ende der Laufzeit liegt vor ihrem Beginn.")])


async def _check_label_free(
    session: AsyncSession, tenant_id: uuid.UUID, label: str | None, own_id: uuid.UUID | None
) -> None:
    if label is None:
        return
    clash = await session.scalar(
        select(Strategy.id).where(Strategy.tenant_id == tenant_id, Strategy.label == label)
    )
    if clash is not None and clash != own_id:
        raise ValidationFailed([FieldError("label", f"Die Version „{label}“ gibt es bereits.")])


def next_label(label: str) -> str:
    """ "1.0" → "2.0"; anything else gets " (neu)"."""
    try:
        return f"{int(float(label)) + 1}.0"
    except ValueError:
        return f"{label} (neu)"


async def new_version(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    source_id: uuid.UUID,
    *,
    label: str | None = None,
    actor: Actor = SYSTEM,
) -> Strategy:
    """A new draft version as a deep copy of ``source_id`` (parts keep their lineage ids)."""
    source = await load_full(session, tenant_id, source_id)
    strategies = await list_strategies(session, tenant_id)
    if any(s.status == STATUS_DRAFT for s in strategies):
        raise Conflict(
            "Es gibt bereits einen Entwurf. Beschließen oder bearbeiten Sie zuerst diesen Entwurf."
        )
    label = (label or "").strip() or next_label(max(strategies, key=lambda s: s.sequence).label)
    if len(label) > 20:
        raise ValidationFailed([FieldError("label", "Höchstens 20 Zeichen.")])
    await _check_label_free(session, tenant_id, label, None)
    src = source.strategy
    copy = Strategy(
        tenant_id=tenant_id,
        sequence=max(s.sequence for s in strategies) + 1,
        status=STATUS_DRAFT,
        based_on_id=src.id,
        **(snapshot(STRATEGY_FIELDS, src) | {"label": label}),
    )
    session.add(copy)
    await session.flush()

    def clone(kind: Kind, obj: Any, **over: Any) -> Any:
        values = snapshot(kind.fields, obj)
        if kind.has_lineage:
            values["lineage_id"] = obj.lineage_id
        return kind.model(tenant_id=tenant_id, id=uuid.uuid4(), **values, **over)

    for kind in STRATEGY_PARTS:
        if kind is GOALS:
            continue
        for obj in source.parts[kind.key]:
            session.add(clone(kind, obj, strategy_id=copy.id))
    for goal_view in source.goals:
        goal = clone(GOALS, goal_view.goal, strategy_id=copy.id)
        session.add(goal)
        for ind_view in goal_view.indicators:
            ind = clone(INDICATORS, ind_view.indicator, goal_id=goal.id)
            session.add(ind)
            for value in ind_view.values:
                session.add(clone(VALUES, value, indicator_id=ind.id))
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action="strategy.new_version",
        actor=actor,
        entity_type="strategy",
        entity_id=copy.id,
        changes={"label": [None, label], "based_on": [src.label, label]},
    )
    return copy


async def adopt(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    strategy_id: uuid.UUID,
    *,
    adopted_on: dt.date | None,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> Strategy:
    """Adopt a draft; the previously adopted version becomes read-only (``abgeloest``)."""
    strategy = await get_strategy(session, tenant_id, strategy_id)
    check_version(expected_version, strategy.version, strategy_state(strategy))
    if strategy.status != STATUS_DRAFT:
        raise Conflict("Nur ein Entwurf kann beschlossen werden.", current=_jsonish(strategy_state(strategy)))
    for other in await list_strategies(session, tenant_id):
        if other.status == STATUS_ADOPTED:
            other.status = STATUS_SUPERSEDED
            await record(
                session,
                tenant_id=tenant_id,
                action="strategy.supersede",
                actor=actor,
                entity_type="strategy",
                entity_id=other.id,
                changes={"status": [STATUS_ADOPTED, STATUS_SUPERSEDED]},
            )
    old = strategy_state(strategy)
    strategy.status = STATUS_ADOPTED
    strategy.adopted_on = adopted_on or calendar.today()
    await flush_or_conflict(session, state=old)
    await record(
        session,
        tenant_id=tenant_id,
        action="strategy.adopt",
        actor=actor,
        entity_type="strategy",
        entity_id=strategy.id,
        changes={
            "status": [old["status"], STATUS_ADOPTED],
            "adopted_on": [None, strategy.adopted_on.isoformat()],
        },
    )
    return strategy


async def delete_draft(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    strategy_id: uuid.UUID,
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> None:
    strategy = await get_strategy(session, tenant_id, strategy_id)
    check_version(expected_version, strategy.version, strategy_state(strategy))
    if strategy.status != STATUS_DRAFT:
        raise Conflict("Nur ein Entwurf kann gelöscht werden.", current=_jsonish(strategy_state(strategy)))
    old = strategy_state(strategy)
    await session.delete(strategy)
    await flush_or_conflict(session, state=old)
    await record(
        session,
        tenant_id=tenant_id,
        action="strategy.delete",
        actor=actor,
        entity_type="strategy",
        entity_id=strategy_id,
        changes=diff(old, {}),
    )


# --- parts -----------------------------------------------------------------------------------
async def _parent_in_strategy(
    session: AsyncSession, tenant_id: uuid.UUID, strategy_id: uuid.UUID, kind: Kind, parent_id: Any
) -> uuid.UUID:
    if kind.parent == "strategy":
        return strategy_id
    parent_kind = GOALS if kind.parent == "goal" else INDICATORS
    if parent_id is None or parent_id == "":
        raise ValidationFailed(
            [FieldError("parent_id", f"Bitte angeben, zu welchem {parent_kind.label} das gehört.")]
        )
    try:
        pid = parent_id if isinstance(parent_id, uuid.UUID) else uuid.UUID(str(parent_id))
    except ValueError:
        raise NotFound(f"{parent_kind.label}: Eintrag nicht gefunden.") from None
    await get_item(session, tenant_id, strategy_id, parent_kind, pid)
    return pid


async def _check_unique(
    session: AsyncSession, tenant_id: uuid.UUID, kind: Kind, obj: Any, strategy_id: uuid.UUID
) -> None:
    """Friendly messages for the natural keys (number of a recommendation, date of a value)."""
    model = kind.model
    if kind.key == "recommendations":
        clash = await session.scalar(
            select(model.id).where(
                model.tenant_id == tenant_id,
                model.strategy_id == strategy_id,
                model.number == obj.number,
                model.id != obj.id,
            )
        )
        if clash is not None:
            raise ValidationFailed([FieldError("number", f"Empfehlung {obj.number} gibt es bereits.")])
    if kind.key == "values":
        clash = await session.scalar(
            select(model.id).where(
                model.tenant_id == tenant_id,
                model.indicator_id == obj.indicator_id,
                model.measured_on == obj.measured_on,
                model.id != obj.id,
            )
        )
        if clash is not None:
            raise ValidationFailed(
                [FieldError("measured_on", "Für diesen Stichtag gibt es schon einen Messwert.")]
            )


async def add_item(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    strategy_id: uuid.UUID,
    kind: Kind,
    data: dict[str, Any],
    *,
    parent_id: Any = None,
    actor: Actor = SYSTEM,
) -> Any:
    strategy = await get_strategy(session, tenant_id, strategy_id)
    _ensure_editable(strategy)
    pid = await _parent_in_strategy(session, tenant_id, strategy_id, kind, parent_id)
    values = parse_fields(kind.fields, data, partial=False)
    if "position" in values and not data.get("position"):
        model = kind.model
        parent_col = getattr(model, kind.parent_column)
        values["position"] = (
            await session.scalar(
                select(func.coalesce(func.max(model.position), 0)).where(
                    model.tenant_id == tenant_id, parent_col == pid
                )
            )
            or 0
        ) + 1
    obj = kind.model(tenant_id=tenant_id, id=uuid.uuid4(), **values, **{kind.parent_column: pid})
    if kind.has_lineage:
        obj.lineage_id = uuid.uuid4()
    await _check_unique(session, tenant_id, kind, obj, strategy_id)
    session.add(obj)
    await session.flush()
    await record(
        session,
        tenant_id=tenant_id,
        action=f"{_entity(kind)}.create",
        actor=actor,
        entity_type=_entity(kind),
        entity_id=obj.id,
        changes=diff({}, snapshot(kind.fields, obj)),
    )
    return obj


async def update_item(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    strategy_id: uuid.UUID,
    kind: Kind,
    item_id: uuid.UUID,
    data: dict[str, Any],
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> Any:
    obj = await get_item(session, tenant_id, strategy_id, kind, item_id)
    check_version(expected_version, obj.version, item_state(kind, obj))
    _ensure_editable(await get_strategy(session, tenant_id, strategy_id))
    values = parse_fields(kind.fields, data, partial=True)
    old = snapshot(kind.fields, obj)
    state_before = item_state(kind, obj)
    for key, value in values.items():
        setattr(obj, key, value)
    await _check_unique(session, tenant_id, kind, obj, strategy_id)
    changes = diff(old, snapshot(kind.fields, obj))
    if changes:
        await flush_or_conflict(session, state=state_before)
        await record(
            session,
            tenant_id=tenant_id,
            action=f"{_entity(kind)}.update",
            actor=actor,
            entity_type=_entity(kind),
            entity_id=obj.id,
            changes=changes,
        )
    return obj


async def delete_item(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    strategy_id: uuid.UUID,
    kind: Kind,
    item_id: uuid.UUID,
    *,
    expected_version: int | None,
    actor: Actor = SYSTEM,
) -> None:
    obj = await get_item(session, tenant_id, strategy_id, kind, item_id)
    check_version(expected_version, obj.version, item_state(kind, obj))
    _ensure_editable(await get_strategy(session, tenant_id, strategy_id))
    old = snapshot(kind.fields, obj)
    state_before = item_state(kind, obj)
    await session.delete(obj)
    await flush_or_conflict(session, state=state_before)
    await record(
        session,
        tenant_id=tenant_id,
        action=f"{_entity(kind)}.delete",
        actor=actor,
        entity_type=_entity(kind),
        entity_id=item_id,
        changes=diff(old, {}),
    )


# --- for the dashboard -----------------------------------------------------------------------
@dataclass(frozen=True)
class GoalTarget:
    """One indicator of the current strategy against its target (for the dashboard)."""

    goal: str
    indicator: str
    unit: str
    baseline: decimal.Decimal | None
    target: decimal.Decimal | None
    due_date: dt.date | None
    latest: decimal.Decimal | None
    latest_on: dt.date | None
    attainment: float | None
    history: tuple[tuple[dt.date, decimal.Decimal], ...]


async def goals_vs_targets(session: AsyncSession, tenant_id: uuid.UUID) -> list[GoalTarget]:
    """Every indicator of the current strategy version with its latest value and history."""
    strategy = await current_strategy(session, tenant_id)
    if strategy is None:
        return []
    full = await load_full(session, tenant_id, strategy.id)
    out = []
    for gv in full.goals:
        for iv in gv.indicators:
            ind = iv.indicator
            latest = iv.latest
            out.append(
                GoalTarget(
                    goal=gv.goal.title,
                    indicator=ind.name,
                    unit=ind.unit,
                    baseline=ind.baseline_value,
                    target=ind.target_value,
                    due_date=ind.due_date,
                    latest=latest.value if latest else None,
                    latest_on=latest.measured_on if latest else None,
                    attainment=iv.attainment,
                    history=tuple((v.measured_on, v.value) for v in iv.values),
                )
            )
    return out


async def building_block_choices(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
    """``(lineage id, "LBS-001 Titel")`` of the current version's building blocks (for links)."""
    from core.strategy.models import BuildingBlock

    strategy = await current_strategy(session, tenant_id)
    if strategy is None:
        return []
    rows = await session.scalars(
        select(BuildingBlock)
        .where(BuildingBlock.tenant_id == tenant_id, BuildingBlock.strategy_id == strategy.id)
        .order_by(BuildingBlock.position, BuildingBlock.code)
    )
    return [(str(b.lineage_id), f"{b.code} {b.title}") for b in rows]


__all__ = ["KINDS"]


@dataclass
class BlockLinks:
    """What hangs on a building block (by lineage): measures of the plan and budget positions."""

    measures: list[tuple[uuid.UUID, str, str]] = field(default_factory=list)
    budget_lines: int = 0
    planned: decimal.Decimal = decimal.Decimal(0)


async def building_block_links(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, BlockLinks]:
    """Measures and planned budget per building block lineage id (for the editor and the document)."""
    from core.budget.models import ONE_OFF_COLUMNS, RUNNING_COLUMNS
    from core.budget.service import Totals, list_lines
    from core.measures.models import Measure

    PLAN_COLUMNS = [k for k, _ in (*ONE_OFF_COLUMNS, *RUNNING_COLUMNS)]

    links: dict[uuid.UUID, BlockLinks] = {}
    measures = await session.scalars(
        select(Measure)
        .where(Measure.tenant_id == tenant_id, Measure.building_block_key.is_not(None))
        .order_by(Measure.number)
    )
    for m in measures:
        links.setdefault(m.building_block_key, BlockLinks()).measures.append((m.id, m.number, m.title or ""))
    for view in await list_lines(session, tenant_id):
        key = view.line.building_block_key
        if key is None:
            continue
        entry = links.setdefault(key, BlockLinks())
        entry.budget_lines += 1
        entry.planned += Totals.derived({k: view.total(k) for k in PLAN_COLUMNS})["planned"]
    return links
