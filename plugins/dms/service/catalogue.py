"""DMS products and e-file types of a tenant."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from core.audit.service import diff
from core.errors import FieldError, NotFound, ValidationFailed
from plugins.dms.models import DmsFileType, DmsProduct, DmsRollout
from plugins.dms.schemas import FileType, FileTypeInput, Product, ProductInput
from plugins.dms.service.base import (
    FILE_TYPE_FIELDS,
    PRODUCT_FIELDS,
    ServiceBase,
    clean_text,
    msgspec_dict,
    snapshot_of,
)
from plugins.dms.validation import length_errors


class CatalogueMixin(ServiceBase):
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
        name = clean_text(data.name)
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
            "vendor": clean_text(data.vendor),
            "product_version": clean_text(data.product_version),
            "operator": clean_text(data.operator),
            "notes": clean_text(data.notes),
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
        old = snapshot_of(p, PRODUCT_FIELDS)
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
        old = snapshot_of(p, PRODUCT_FIELDS)
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
        name = clean_text(data.name)
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
        values = {
            "name": name,
            "description": clean_text(data.description),
            "sort_order": int(data.sort_order),
        }
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
        old = snapshot_of(t, FILE_TYPE_FIELDS)
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
        old = snapshot_of(t, FILE_TYPE_FIELDS)
        await self.session.delete(t)
        await self._flush()
        await self._audit("dms.file_type.delete", "dms_file_type", t.id, diff(old, {}))
