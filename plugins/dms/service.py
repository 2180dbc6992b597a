"""The DMS rollout service: products, e-file types, rollout items, document volumes, the goal.

Takes an ``AsyncSession`` and the tenant explicitly and filters by tenant in every query
(second layer besides RLS). Raises ``core.errors``: NotFound for another tenant's ids,
Conflict (with ``current``) for stale versions, ValidationFailed with one FieldError per
problem. Every change is written to the audit trail in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.audit.models import AuditEvent
from core.audit.service import SYSTEM, Actor, diff, record
from core.budget.models import BudgetLine
from core.budget.service import compute_totals, list_lines
from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from core.measures.models import Measure
from core.measures.service import MeasureService, natural_key
from core.models import utcnow
from core.orgunits.models import OrgUnit
from core.orgunits.service import OrgUnitService
from core.reporting.service import ReportingService
from plugins.dms.models import (
    STATUS_LABELS,
    STATUSES,
    DmsDocumentVolume,
    DmsFileType,
    DmsProduct,
    DmsRollout,
    DmsRolloutBudgetLine,
    DmsSettings,
)
from plugins.dms.schemas import (
    FileType,
    FileTypeInput,
    Goal,
    GoalInput,
    Indicator,
    Product,
    ProductInput,
    Rollout,
    RolloutInput,
    TrendPoint,
    Volume,
    VolumeInput,
)
from plugins.dms.validation import length_errors, rollout_errors, share_errors, volume_errors

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


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def share(digital: int, total: int) -> float | None:
    """Share processed digitally in percent, ``None`` without documents."""
    return round(100 * digital / total, 1) if total else None


def unit_label(unit: OrgUnit) -> str:
    return unit.name or unit.code


class DmsService:
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

    # --- products ------------------------------------------------------------------------
    @staticmethod
    def product_dto(p: DmsProduct) -> Product:
        return Product(
            id=p.id,
            name=p.name,
            vendor=p.vendor,
            product_version=p.product_version,
            operator=p.operator,
            notes=p.notes,
            version=p.version,
        )

    async def products(self) -> list[DmsProduct]:
        return list(
            (
                await self.session.scalars(
                    select(DmsProduct).where(DmsProduct.tenant_id == self.tenant_id).order_by(DmsProduct.name)
                )
            ).all()
        )

    async def product(self, product_id: uuid.UUID) -> DmsProduct:
        p = await self.session.scalar(
            select(DmsProduct).where(DmsProduct.tenant_id == self.tenant_id, DmsProduct.id == product_id)
        )
        if p is None:
            raise NotFound("Dieses DMS-Produkt gibt es nicht.")
        return p

    async def _product_name_taken(self, name: str, exclude: uuid.UUID | None = None) -> bool:
        q = select(DmsProduct.id).where(
            DmsProduct.tenant_id == self.tenant_id, func.lower(DmsProduct.name) == name.lower()
        )
        if exclude is not None:
            q = q.where(DmsProduct.id != exclude)
        return (await self.session.scalar(q)) is not None

    async def save_product(self, data: ProductInput, product_id: uuid.UUID | None = None) -> DmsProduct:
        name = _clean(data.name)
        errors = []
        if not name:
            errors.append(
                FieldError("name", "Bitte geben Sie den Namen des Produkts an (z. B. nscale, d.velop).")
            )
        elif await self._product_name_taken(name, product_id):
            errors.append(FieldError("name", f"Das Produkt „{name}“ ist schon erfasst."))
        errors.extend(length_errors(data, ("name", "vendor", "product_version", "operator", "notes")))
        values = {
            "name": name,
            "vendor": _clean(data.vendor),
            "product_version": _clean(data.product_version),
            "operator": _clean(data.operator),
            "notes": _clean(data.notes),
        }
        if product_id is None:
            if errors:
                raise ValidationFailed(errors)
            p = DmsProduct(tenant_id=self.tenant_id, **values)
            self.session.add(p)
            await self._flush()
            await self._audit("dms.product.create", "dms_product", p.id, diff({}, values))
            return p
        p = await self.product(product_id)
        self._check_version(p, data.version, msgspec_dict(self.product_dto(p)))
        if errors:
            raise ValidationFailed(errors)
        old = _snapshot(p, PRODUCT_FIELDS)
        for k, v in values.items():
            setattr(p, k, v)
        await self._flush(msgspec_dict(self.product_dto(p)))
        await self._audit("dms.product.update", "dms_product", p.id, diff(old, values))
        return p

    async def delete_product(self, product_id: uuid.UUID) -> None:
        p = await self.product(product_id)
        used = await self.session.scalar(
            select(func.count())
            .select_from(DmsRollout)
            .where(DmsRollout.tenant_id == self.tenant_id, DmsRollout.product_id == p.id)
        )
        if used:
            raise ValidationFailed(
                [
                    FieldError(
                        "product",
                        f"„{p.name}“ wird noch in {used} Einführung(en) "
                        "verwendet und kann nicht gelöscht werden.",
                    )
                ]
            )
        old = _snapshot(p, PRODUCT_FIELDS)
        await self.session.delete(p)
        await self._flush()
        await self._audit("dms.product.delete", "dms_product", p.id, diff(old, {}))

    # --- file types ------------------------------------------------------------------
    @staticmethod
    def file_type_dto(t: DmsFileType) -> FileType:
        return FileType(
            id=t.id, name=t.name, description=t.description, sort_order=t.sort_order, version=t.version
        )

    async def file_types(self) -> list[DmsFileType]:
        return list(
            (
                await self.session.scalars(
                    select(DmsFileType)
                    .where(DmsFileType.tenant_id == self.tenant_id)
                    .order_by(DmsFileType.sort_order, DmsFileType.name)
                )
            ).all()
        )

    async def file_type(self, type_id: uuid.UUID) -> DmsFileType:
        t = await self.session.scalar(
            select(DmsFileType).where(DmsFileType.tenant_id == self.tenant_id, DmsFileType.id == type_id)
        )
        if t is None:
            raise NotFound("Diese Aktenart gibt es nicht.")
        return t

    async def find_file_type(self, name: str) -> DmsFileType | None:
        return await self.session.scalar(
            select(DmsFileType).where(
                DmsFileType.tenant_id == self.tenant_id, func.lower(DmsFileType.name) == name.strip().lower()
            )
        )

    async def save_file_type(self, data: FileTypeInput, type_id: uuid.UUID | None = None) -> DmsFileType:
        name = _clean(data.name)
        errors = []
        if not name:
            errors.append(FieldError("name", "Bitte geben Sie die Bezeichnung der Aktenart an."))
        else:
            clash = await self.find_file_type(name)
            if clash is not None and clash.id != type_id:
                errors.append(FieldError("name", f"Die Aktenart „{name}“ gibt es schon."))
        errors.extend(length_errors(data, ("name", "description")))
        if abs(data.sort_order) > 1_000_000:
            errors.append(FieldError("sort_order", "Die Reihenfolge muss eine Zahl bis 1.000.000 sein."))
        values = {"name": name, "description": _clean(data.description), "sort_order": int(data.sort_order)}
        if type_id is None:
            if errors:
                raise ValidationFailed(errors)
            t = DmsFileType(tenant_id=self.tenant_id, **values)
            self.session.add(t)
            await self._flush()
            await self._audit("dms.file_type.create", "dms_file_type", t.id, diff({}, values))
            return t
        t = await self.file_type(type_id)
        self._check_version(t, data.version, msgspec_dict(self.file_type_dto(t)))
        if errors:
            raise ValidationFailed(errors)
        old = _snapshot(t, FILE_TYPE_FIELDS)
        for k, v in values.items():
            setattr(t, k, v)
        await self._flush(msgspec_dict(self.file_type_dto(t)))
        await self._audit("dms.file_type.update", "dms_file_type", t.id, diff(old, values))
        return t

    async def delete_file_type(self, type_id: uuid.UUID) -> None:
        t = await self.file_type(type_id)
        used = await self.session.scalar(
            select(func.count())
            .select_from(DmsRollout)
            .where(DmsRollout.tenant_id == self.tenant_id, DmsRollout.file_type_id == t.id)
        )
        if used:
            raise ValidationFailed(
                [
                    FieldError(
                        "file_type",
                        f"„{t.name}“ wird noch in {used} Einführung(en) "
                        "verwendet und kann nicht gelöscht werden.",
                    )
                ]
            )
        old = _snapshot(t, FILE_TYPE_FIELDS)
        await self.session.delete(t)
        await self._flush()
        await self._audit("dms.file_type.delete", "dms_file_type", t.id, diff(old, {}))

    # --- rollout items -----------------------------------------------------------------
    async def _budget_links(self, rollout_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
        out: dict[uuid.UUID, list[uuid.UUID]] = {rid: [] for rid in rollout_ids}
        if not rollout_ids:
            return out
        rows = (
            await self.session.execute(
                select(DmsRolloutBudgetLine.rollout_id, DmsRolloutBudgetLine.budget_line_id).where(
                    DmsRolloutBudgetLine.tenant_id == self.tenant_id,
                    DmsRolloutBudgetLine.rollout_id.in_(list(rollout_ids)),
                )
            )
        ).all()
        for rid, lid in rows:
            out[rid].append(lid)
        return out

    async def rollout_rows(
        self,
        *,
        status: str | None = None,
        org_unit_id: uuid.UUID | None = None,
        file_type_id: uuid.UUID | None = None,
    ) -> list[Rollout]:
        """Rollout items with their names resolved, ordered by file type and unit."""
        q = (
            select(DmsRollout, DmsFileType, OrgUnit, DmsProduct)
            .join(
                DmsFileType,
                (DmsFileType.tenant_id == DmsRollout.tenant_id) & (DmsFileType.id == DmsRollout.file_type_id),
            )
            .join(
                OrgUnit, (OrgUnit.tenant_id == DmsRollout.tenant_id) & (OrgUnit.id == DmsRollout.org_unit_id)
            )
            .outerjoin(
                DmsProduct,
                (DmsProduct.tenant_id == DmsRollout.tenant_id) & (DmsProduct.id == DmsRollout.product_id),
            )
            .where(DmsRollout.tenant_id == self.tenant_id)
            .order_by(DmsFileType.sort_order, DmsFileType.name, OrgUnit.code)
        )
        if status:
            q = q.where(DmsRollout.status == status)
        if org_unit_id:
            q = q.where(DmsRollout.org_unit_id == org_unit_id)
        if file_type_id:
            q = q.where(DmsRollout.file_type_id == file_type_id)
        rows = (await self.session.execute(q)).all()
        links = await self._budget_links([r[0].id for r in rows])
        return [self._rollout_dto(r, t, u, p, links.get(r.id, [])) for r, t, u, p in rows]

    @staticmethod
    def _rollout_dto(
        r: DmsRollout, t: DmsFileType, u: OrgUnit, p: DmsProduct | None, budget_line_ids: list[uuid.UUID]
    ) -> Rollout:
        return Rollout(
            id=r.id,
            file_type_id=r.file_type_id,
            file_type=t.name,
            org_unit_id=r.org_unit_id,
            org_unit=unit_label(u),
            product_id=r.product_id,
            product=p.name if p else None,
            designation=r.designation,
            status=r.status,
            status_label=STATUS_LABELS.get(r.status, r.status),
            planned_on=r.planned_on,
            introduction_on=r.introduction_on,
            live_on=r.live_on,
            integration=r.integration,
            procedure_name=r.procedure_name,
            procedure_vendor=r.procedure_vendor,
            procedure_interface=r.procedure_interface,
            inbox=r.inbox,
            workflow_approval=r.workflow_approval,
            workflow_acknowledgement=r.workflow_acknowledgement,
            workflow_cosigning=r.workflow_cosigning,
            scanning_resiscan=r.scanning_resiscan,
            scanning_mode=r.scanning_mode,
            archive_audit_proof=r.archive_audit_proof,
            archive_long_term=r.archive_long_term,
            users_trained=r.users_trained,
            measure_id=r.measure_id,
            budget_line_ids=sorted(budget_line_ids),
            notes=r.notes,
            version=r.version,
        )

    async def rollout_model(self, rollout_id: uuid.UUID) -> DmsRollout:
        r = await self.session.scalar(
            select(DmsRollout).where(DmsRollout.tenant_id == self.tenant_id, DmsRollout.id == rollout_id)
        )
        if r is None:
            raise NotFound("Diese E-Akten-Einführung gibt es nicht.")
        return r

    async def rollout(self, rollout_id: uuid.UUID) -> Rollout:
        r = await self.rollout_model(rollout_id)
        t = await self.file_type(r.file_type_id)
        u = await self.org_unit(r.org_unit_id)
        p = await self.product(r.product_id) if r.product_id else None
        links = await self._budget_links([r.id])
        return self._rollout_dto(r, t, u, p, links[r.id])

    async def reference_errors(
        self, data: RolloutInput, row: int | None = None, exclude: uuid.UUID | None = None
    ) -> list[FieldError]:
        """Checks against the tenant's data: every referenced id belongs to this tenant."""
        errors: list[FieldError] = []
        t = self.tenant_id

        async def exists(model: Any, ident: uuid.UUID) -> bool:
            return (
                await self.session.scalar(select(model.id).where(model.tenant_id == t, model.id == ident))
            ) is not None

        if data.file_type_id and not await exists(DmsFileType, data.file_type_id):
            errors.append(FieldError("file_type_id", "Diese Aktenart gibt es nicht.", row))
        if data.org_unit_id and not await exists(OrgUnit, data.org_unit_id):
            errors.append(FieldError("org_unit_id", "Diese Organisationseinheit gibt es nicht.", row))
        if data.product_id and not await exists(DmsProduct, data.product_id):
            errors.append(FieldError("product_id", "Dieses DMS-Produkt gibt es nicht.", row))
        if data.measure_id and not await exists(Measure, data.measure_id):
            errors.append(FieldError("measure_id", "Diese Maßnahme gibt es nicht.", row))
        for lid in data.budget_line_ids:
            if not await exists(BudgetLine, lid):
                errors.append(
                    FieldError("budget_line_ids", "Diese Position des Finanzplans gibt es nicht.", row)
                )
                break
        if data.file_type_id and data.org_unit_id and not errors:
            q = select(DmsRollout.id).where(
                DmsRollout.tenant_id == t,
                DmsRollout.file_type_id == data.file_type_id,
                DmsRollout.org_unit_id == data.org_unit_id,
            )
            if exclude is not None:
                q = q.where(DmsRollout.id != exclude)
            if await self.session.scalar(q) is not None:
                errors.append(
                    FieldError(
                        "org_unit_id",
                        "Für diese Aktenart und Organisationseinheit gibt es schon "
                        "eine Einführung. Bitte bearbeiten Sie diese.",
                        row,
                    )
                )
        return errors

    @staticmethod
    def _rollout_values(data: RolloutInput) -> dict[str, Any]:
        values = {f: getattr(data, f) for f in ROLLOUT_FIELDS}
        for f in ("designation", "procedure_name", "procedure_vendor", "procedure_interface", "notes"):
            values[f] = _clean(values[f])
        return values

    async def _set_budget_links(self, rollout_id: uuid.UUID, line_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(
            delete(DmsRolloutBudgetLine).where(
                DmsRolloutBudgetLine.tenant_id == self.tenant_id,
                DmsRolloutBudgetLine.rollout_id == rollout_id,
            )
        )
        for lid in dict.fromkeys(line_ids):
            self.session.add(
                DmsRolloutBudgetLine(tenant_id=self.tenant_id, rollout_id=rollout_id, budget_line_id=lid)
            )

    async def create_rollout(self, data: RolloutInput) -> Rollout:
        errors = rollout_errors(data) + await self.reference_errors(data)
        if errors:
            raise ValidationFailed(errors)
        values = self._rollout_values(data)
        r = DmsRollout(tenant_id=self.tenant_id, **values)
        self.session.add(r)
        await self._flush()
        await self._set_budget_links(r.id, data.budget_line_ids)
        await self._flush()
        await self._audit(
            "dms.rollout.create",
            "dms_rollout",
            r.id,
            diff({}, {**values, "budget_line_ids": sorted(map(str, data.budget_line_ids))}),
        )
        return await self.rollout(r.id)

    async def update_rollout(self, rollout_id: uuid.UUID, data: RolloutInput) -> Rollout:
        r = await self.rollout_model(rollout_id)
        current = await self.rollout(rollout_id)
        self._check_version(r, data.version, msgspec_dict(current))
        errors = rollout_errors(data) + await self.reference_errors(data, exclude=r.id)
        if errors:
            raise ValidationFailed(errors)
        old = {**_snapshot(r, ROLLOUT_FIELDS), "budget_line_ids": sorted(map(str, current.budget_line_ids))}
        values = self._rollout_values(data)
        for k, v in values.items():
            setattr(r, k, v)
        r.updated_at = utcnow()  # every save is a new version, also when only budget links changed
        await self._set_budget_links(r.id, data.budget_line_ids)
        await self._flush(msgspec_dict(current))
        await self._audit(
            "dms.rollout.update",
            "dms_rollout",
            r.id,
            diff(old, {**values, "budget_line_ids": sorted(map(str, set(data.budget_line_ids)))}),
        )
        return await self.rollout(r.id)

    async def delete_rollout(self, rollout_id: uuid.UUID) -> None:
        r = await self.rollout_model(rollout_id)
        old = _snapshot(r, ROLLOUT_FIELDS)
        await self.session.delete(r)
        await self._flush()
        await self._audit("dms.rollout.delete", "dms_rollout", r.id, diff(old, {}))

    # --- document volumes --------------------------------------------------------------
    async def volumes(self, org_unit_id: uuid.UUID | None = None) -> list[Volume]:
        q = (
            select(DmsDocumentVolume, OrgUnit)
            .join(
                OrgUnit,
                (OrgUnit.tenant_id == DmsDocumentVolume.tenant_id)
                & (OrgUnit.id == DmsDocumentVolume.org_unit_id),
            )
            .where(DmsDocumentVolume.tenant_id == self.tenant_id)
            .order_by(DmsDocumentVolume.reporting_date.desc(), OrgUnit.code)
        )
        if org_unit_id:
            q = q.where(DmsDocumentVolume.org_unit_id == org_unit_id)
        return [self._volume_dto(v, u) for v, u in (await self.session.execute(q)).all()]

    @staticmethod
    def _volume_dto(v: DmsDocumentVolume, u: OrgUnit) -> Volume:
        return Volume(
            id=v.id,
            org_unit_id=v.org_unit_id,
            org_unit=unit_label(u),
            reporting_date=v.reporting_date,
            total_count=v.total_count,
            digital_count=v.digital_count,
            paper_count=v.paper_count,
            digital_share=share(v.digital_count, v.total_count),
            version=v.version,
        )

    async def volume_model(self, volume_id: uuid.UUID) -> DmsDocumentVolume:
        v = await self.session.scalar(
            select(DmsDocumentVolume).where(
                DmsDocumentVolume.tenant_id == self.tenant_id, DmsDocumentVolume.id == volume_id
            )
        )
        if v is None:
            raise NotFound("Diese Dokumentenmenge gibt es nicht.")
        return v

    async def volume(self, volume_id: uuid.UUID) -> Volume:
        v = await self.volume_model(volume_id)
        return self._volume_dto(v, await self.org_unit(v.org_unit_id))

    async def _volume_reference_errors(
        self, data: VolumeInput, exclude: uuid.UUID | None, row: int | None = None
    ) -> list[FieldError]:
        errors: list[FieldError] = []
        if data.org_unit_id is None:
            return errors
        if (
            await self.session.scalar(
                select(OrgUnit.id).where(OrgUnit.tenant_id == self.tenant_id, OrgUnit.id == data.org_unit_id)
            )
        ) is None:
            return [FieldError("org_unit_id", "Diese Organisationseinheit gibt es nicht.", row)]
        if data.reporting_date is not None:
            q = select(DmsDocumentVolume.id).where(
                DmsDocumentVolume.tenant_id == self.tenant_id,
                DmsDocumentVolume.org_unit_id == data.org_unit_id,
                DmsDocumentVolume.reporting_date == data.reporting_date,
            )
            if exclude is not None:
                q = q.where(DmsDocumentVolume.id != exclude)
            if await self.session.scalar(q) is not None:
                errors.append(
                    FieldError(
                        "reporting_date",
                        "Für diese Organisationseinheit und diesen Stichtag sind "
                        "schon Dokumentenmengen erfasst. Bitte bearbeiten Sie diese.",
                        row,
                    )
                )
        return errors

    async def create_volume(self, data: VolumeInput) -> Volume:
        errors = volume_errors(data) + await self._volume_reference_errors(data, None)
        if errors:
            raise ValidationFailed(errors)
        values = {
            "org_unit_id": data.org_unit_id,
            "reporting_date": data.reporting_date,
            "total_count": data.total_count,
            "digital_count": data.digital_count,
        }
        v = DmsDocumentVolume(tenant_id=self.tenant_id, **values)
        self.session.add(v)
        await self._flush()
        await self._audit("dms.volume.create", "dms_document_volume", v.id, diff({}, values))
        return await self.volume(v.id)

    async def update_volume(self, volume_id: uuid.UUID, data: VolumeInput) -> Volume:
        v = await self.volume_model(volume_id)
        current = await self.volume(volume_id)
        self._check_version(v, data.version, msgspec_dict(current))
        errors = volume_errors(data) + await self._volume_reference_errors(data, v.id)
        if errors:
            raise ValidationFailed(errors)
        fields = ("org_unit_id", "reporting_date", "total_count", "digital_count")
        old = _snapshot(v, fields)
        values = {f: getattr(data, f) for f in fields}
        for k, val in values.items():
            setattr(v, k, val)
        await self._flush(msgspec_dict(current))
        await self._audit("dms.volume.update", "dms_document_volume", v.id, diff(old, values))
        return await self.volume(v.id)

    async def delete_volume(self, volume_id: uuid.UUID) -> None:
        v = await self.volume_model(volume_id)
        old = _snapshot(v, ("org_unit_id", "reporting_date", "total_count", "digital_count"))
        await self.session.delete(v)
        await self._flush()
        await self._audit("dms.volume.delete", "dms_document_volume", v.id, diff(old, {}))

    # --- change history ----------------------------------------------------------------
    async def history(self, entity_type: str, entity_id: uuid.UUID, limit: int = 50) -> list[AuditEvent]:
        """The audit entries of one object of this plugin, newest first."""
        return list(
            (
                await self.session.scalars(
                    select(AuditEvent)
                    .where(
                        AuditEvent.tenant_id == self.tenant_id,
                        AuditEvent.entity_type == entity_type,
                        AuditEvent.entity_id == str(entity_id),
                    )
                    .order_by(AuditEvent.occurred_at.desc())
                    .limit(limit)
                )
            ).all()
        )

    # --- indicator and progress -------------------------------------------------------
    async def trend(self) -> list[TrendPoint]:
        v = DmsDocumentVolume
        rows = (
            await self.session.execute(
                select(v.reporting_date, func.sum(v.total_count), func.sum(v.digital_count))
                .where(v.tenant_id == self.tenant_id)
                .group_by(v.reporting_date)
                .order_by(v.reporting_date)
            )
        ).all()
        return [
            TrendPoint(
                reporting_date=d,
                total_count=int(total),
                digital_count=int(digital),
                digital_share=share(int(digital), int(total)),
            )
            for d, total, digital in rows
        ]

    async def indicator(self) -> Indicator:
        goal = await self.goal()
        trend = await self.trend()
        latest = trend[-1].digital_share if trend else None
        return Indicator(
            goal=goal,
            trend=trend,
            latest_share=latest,
            goal_reached=latest is not None and latest >= goal.goal_share_percent,
        )

    async def status_counts(self) -> dict[str, int]:
        rows = (
            await self.session.execute(
                select(DmsRollout.status, func.count())
                .where(DmsRollout.tenant_id == self.tenant_id)
                .group_by(DmsRollout.status)
            )
        ).all()
        counts = {s: 0 for s in STATUSES}
        counts.update({s: int(n) for s, n in rows})
        return counts

    async def progress_by_unit(self) -> list[dict[str, Any]]:
        """Per org unit: rollout items per status and the share that is live."""
        by_unit: dict[uuid.UUID, dict[str, Any]] = {}
        for r in await self.rollout_rows():
            entry = by_unit.setdefault(
                r.org_unit_id,
                {
                    "org_unit_id": r.org_unit_id,
                    "org_unit": r.org_unit,
                    **{s: 0 for s in STATUSES},
                    "total": 0,
                },
            )
            entry[r.status] += 1
            entry["total"] += 1
        out = sorted(by_unit.values(), key=lambda e: e["org_unit"])
        for e in out:
            e["live_percent"] = round(100 * e["umgesetzt"] / e["total"]) if e["total"] else 0
        return out


def msgspec_dict(obj: Any) -> dict[str, Any]:
    import msgspec

    return msgspec.to_builtins(obj)  # type: ignore[no-any-return]
