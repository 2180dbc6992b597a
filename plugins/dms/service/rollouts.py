"""Rollout items: an e-file type in an org unit, its status, dates and links."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select

from core.audit.service import diff
from core.budget.models import BudgetLine
from core.errors import FieldError, NotFound, ValidationFailed
from core.measures.models import Measure
from core.models import utcnow
from core.orgunits.models import OrgUnit
from plugins.dms.models import STATUS_LABELS, DmsFileType, DmsProduct, DmsRollout, DmsRolloutBudgetLine
from plugins.dms.schemas import Rollout, RolloutInput
from plugins.dms.service.base import (
    ROLLOUT_FIELDS,
    ServiceBase,
    clean_text,
    msgspec_dict,
    snapshot_of,
    unit_label,
)
from plugins.dms.validation import rollout_errors


class RolloutsMixin(ServiceBase):
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
            if status not in STATUS_LABELS:
                return []
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
            values[f] = clean_text(values[f])
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
        old = {**snapshot_of(r, ROLLOUT_FIELDS), "budget_line_ids": sorted(map(str, current.budget_line_ids))}
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
        old = snapshot_of(r, ROLLOUT_FIELDS)
        await self.session.delete(r)
        await self._flush()
        await self._audit("dms.rollout.delete", "dms_rollout", r.id, diff(old, {}))
