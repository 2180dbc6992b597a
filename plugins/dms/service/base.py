"""Base of the DMS service: tenant, actor, audit, locking; initial data, the goal, and what
it reads from the core (org units, measures, budget lines, reporting dates)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.audit.service import SYSTEM, Actor, diff, record
from core.budget.models import BudgetLine
from core.budget.service import compute_totals, list_lines
from core.errors import Conflict, FieldError, ValidationFailed
from core.measures.models import Measure
from core.measures.service import MeasureService, natural_key
from core.orgunits.models import OrgUnit
from core.orgunits.service import OrgUnitService
from core.reporting.service import ReportingService
from plugins.dms.models import DmsFileType, DmsSettings
from plugins.dms.schemas import Goal, GoalInput
from plugins.dms.validation import share_errors

#: The seeded default list of e-file types (seeds 003/004); each tenant may edit it.
DEFAULT_FILE_TYPES: tuple[str, ...] = (
    "Finanzakte",
    "Vertragsakte",
    "Ausländerakte",
    "Friedhofsakte",
    "Gewerbeakte",
    "Sozialakte",
    "Bauakte",
    "Grundstücksakte",
    "Personalakte",
    "Allgemeiner Schriftverkehr",
)
DEFAULT_GOAL_PERCENT = decimal.Decimal("30")
DEFAULT_GOAL_YEAR = 2026

ROLLOUT_FIELDS = (
    "file_type_id",
    "org_unit_id",
    "product_id",
    "designation",
    "status",
    "planned_on",
    "introduction_on",
    "live_on",
    "integration",
    "procedure_name",
    "procedure_vendor",
    "procedure_interface",
    "inbox",
    "workflow_approval",
    "workflow_acknowledgement",
    "workflow_cosigning",
    "scanning_resiscan",
    "scanning_mode",
    "archive_audit_proof",
    "archive_long_term",
    "users_trained",
    "measure_id",
    "notes",
)
PRODUCT_FIELDS = ("name", "vendor", "product_version", "operator", "notes")
FILE_TYPE_FIELDS = ("name", "description", "sort_order")


def clean_text(value: str | None) -> str | None:
    """Trimmed text, ``None`` when empty; NUL characters (which PostgreSQL rejects) removed."""
    if value is None:
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def snapshot_of(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def share(digital: int, total: int) -> float | None:
    """Share processed digitally in percent, ``None`` without documents."""
    return round(100 * digital / total, 1) if total else None


def unit_label(unit: OrgUnit) -> str:
    return unit.name or unit.code


def msgspec_dict(obj: Any) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(obj)  # type: ignore[no-any-return]


class ServiceBase:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
        self.session = session
        self.tenant_id = tenant_id
        self.actor = actor
        self._units: list[OrgUnit] | None = None

    # --- helpers ---------------------------------------------------------------------
    async def _audit(
        self, action: str, entity_type: str, entity_id: uuid.UUID, changes: dict[str, Any]
    ) -> None:
        await record(
            self.session,
            tenant_id=self.tenant_id,
            action=action,
            actor=self.actor,
            entity_type=entity_type,
            entity_id=entity_id,
            changes=changes,
        )

    async def _flush(self, current: Any = None) -> None:
        try:
            await self.session.flush()
        except StaleDataError as exc:
            raise Conflict(
                "Der Eintrag wurde inzwischen von jemand anderem geändert. Bitte laden Sie die Seite neu.",
                current=current or {},
            ) from exc

    def _check_version(self, obj: Any, version: int | None, current: Any) -> None:
        if version is None:
            raise ValidationFailed([FieldError("version", "Der Bearbeitungsstand (version) fehlt.")])
        if version != obj.version:
            raise Conflict(
                "Der Eintrag wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde nicht "
                "gespeichert; unten sehen Sie den aktuellen Stand.",
                current=current,
            )

    # --- initial data ----------------------------------------------------------------
    async def ensure_initialized(self) -> DmsSettings:
        """Create the settings row (goal 30 % by 2026) and the default e-file types once."""
        settings = await self.session.scalar(
            select(DmsSettings).where(DmsSettings.tenant_id == self.tenant_id)
        )
        if settings is not None:
            return settings
        settings = DmsSettings(
            tenant_id=self.tenant_id, goal_share_percent=DEFAULT_GOAL_PERCENT, goal_year=DEFAULT_GOAL_YEAR
        )
        self.session.add(settings)
        existing = set(
            (
                await self.session.scalars(
                    select(DmsFileType.name).where(DmsFileType.tenant_id == self.tenant_id)
                )
            ).all()
        )
        for i, name in enumerate(DEFAULT_FILE_TYPES):
            if name not in existing:
                self.session.add(DmsFileType(tenant_id=self.tenant_id, name=name, sort_order=(i + 1) * 10))
        await self.session.flush()
        return settings

    # --- goal --------------------------------------------------------------------------
    async def goal(self) -> Goal:
        settings = await self.session.scalar(
            select(DmsSettings).where(DmsSettings.tenant_id == self.tenant_id)
        )
        if settings is None:
            return Goal(
                goal_share_percent=float(DEFAULT_GOAL_PERCENT), goal_year=DEFAULT_GOAL_YEAR, version=0
            )
        return Goal(
            goal_share_percent=float(settings.goal_share_percent),
            goal_year=settings.goal_year,
            version=settings.version,
        )

    async def update_goal(self, data: GoalInput) -> Goal:
        errors = share_errors(data.goal_share_percent)
        if data.goal_year is None or not 2000 <= data.goal_year <= 2100:
            errors.append(FieldError("goal_year", "Bitte geben Sie ein Zieljahr zwischen 2000 und 2100 an."))
        if errors:
            raise ValidationFailed(errors)
        current = await self.goal()
        if data.version is None or data.version != current.version:
            raise Conflict(
                "Das Ziel wurde inzwischen von jemand anderem geändert. Ihre Änderung wurde nicht "
                "gespeichert; unten sehen Sie den aktuellen Stand.",
                current=msgspec_dict(current),
            )
        settings = await self.ensure_initialized()
        old = {"goal_share_percent": settings.goal_share_percent, "goal_year": settings.goal_year}
        settings.goal_share_percent = decimal.Decimal(str(data.goal_share_percent))
        settings.goal_year = int(data.goal_year)  # type: ignore[arg-type]
        await self._flush(msgspec_dict(current))
        new = {"goal_share_percent": settings.goal_share_percent, "goal_year": settings.goal_year}
        await self._audit("dms.goal.update", "dms_settings", settings.id, diff(old, new))
        return await self.goal()

    # --- org units, measures, budget lines (through the core's services) --------------
    async def org_units(self) -> list[OrgUnit]:
        """Geschäftskreise and Dienststellen of the tenant (shared with the measure plan)."""
        units = await OrgUnitService(self.session, self.tenant_id, self.actor).list()
        return sorted(units, key=lambda u: (natural_key(u.code or ""), u.name or ""))

    async def org_unit(self, unit_id: uuid.UUID) -> OrgUnit:
        return await OrgUnitService(self.session, self.tenant_id, self.actor).get(unit_id)

    async def find_org_unit(self, text: str) -> OrgUnit | None:
        """An org unit by code or name (case-insensitive), for imports; a code wins over a name."""
        needle = text.strip().lower()
        if self._units is None:  # imports look up many rows: read the units once
            self._units = await self.org_units()
        units = self._units
        for match in (
            lambda u: (u.code or "").lower() == needle,
            lambda u: (u.name or "").lower() == needle or u.label().lower() == needle,
        ):
            found = [u for u in units if match(u)]
            if found:
                # a Dienststelle before a Geschäftskreis of the same name
                return sorted(found, key=lambda u: u.kind != "dienststelle")[0]
        return None

    async def reporting_dates(self) -> list[dt.date]:
        """The tenant's reporting dates (Stichtage) of the core, newest first."""
        return sorted(
            (rd.date for rd in await ReportingService(self.session, self.tenant_id).list()), reverse=True
        )

    async def measures(self) -> list[Measure]:
        """Measures of the measure plan with a title (numbered placeholder rows left out)."""
        by_number = await MeasureService(self.session, self.tenant_id).by_number()
        return [m for n, m in sorted(by_number.items(), key=lambda kv: natural_key(kv[0])) if m.title]

    async def budget_lines(self) -> list[BudgetLine]:
        return [view.line for view in await list_lines(self.session, self.tenant_id)]

    async def budget_costs(self, line_ids: Sequence[uuid.UUID]) -> dict[str, decimal.Decimal]:
        """Planned one-off (investments) and running costs of the linked budget lines, all years."""
        wanted = set(line_ids)
        views = [v for v in await list_lines(self.session, self.tenant_id) if v.line.id in wanted]
        overall = compute_totals(views).overall
        return {"investment": overall["one_off"], "running": overall["running"]}
