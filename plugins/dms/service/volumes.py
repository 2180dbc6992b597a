"""Document volumes per unit and reporting date, the digital-share indicator, progress per
unit and the change history."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.audit.service import diff
from core.errors import FieldError, NotFound, ValidationFailed
from core.orgunits.models import OrgUnit
from plugins.dms.models import STATUSES, DmsDocumentVolume, DmsRollout
from plugins.dms.schemas import Indicator, TrendPoint, Volume, VolumeInput
from plugins.dms.service.base import ServiceBase, msgspec_dict, share, snapshot_of, unit_label
from plugins.dms.validation import volume_errors


class VolumesMixin(ServiceBase):
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
        old = snapshot_of(v, fields)
        values = {f: getattr(data, f) for f in fields}
        for k, val in values.items():
            setattr(v, k, val)
        await self._flush(msgspec_dict(current))
        await self._audit("dms.volume.update", "dms_document_volume", v.id, diff(old, values))
        return await self.volume(v.id)

    async def delete_volume(self, volume_id: uuid.UUID) -> None:
        v = await self.volume_model(volume_id)
        old = snapshot_of(v, ("org_unit_id", "reporting_date", "total_count", "digital_count"))
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
