"""Tenant administration: create, list, look up. Platform-level (no tenant bound)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, FieldError, NotFound, ValidationFailed
from tenants.models import Tenant
from tenants.schemas import TenantCreate, TenantRead
from tenants.validation import (
    SIZE_CLASSES,
    KeyError_,
    MunicipalityType,
    land_of,
    validate_ags,
    validate_ars,
    validate_slug,
)


def to_read(t: Tenant) -> TenantRead:
    return TenantRead(
        id=t.id,
        name=t.name,
        slug=t.slug,
        ags=t.ags,
        ars=t.ars,
        municipality_type=t.municipality_type,
        land=t.land,
        size_class=t.size_class,
        population=t.population,
        email_domains=list(t.email_domains or []),
        is_active=t.is_active,
        created_at=t.created_at,
        version=t.version,
    )


def validate_tenant(data: TenantCreate) -> list[FieldError]:
    errors: list[FieldError] = []
    if not data.name.strip():
        errors.append(FieldError("name", "Bitte einen Namen angeben."))
    for field_name, check in (
        ("slug", lambda: validate_slug(data.slug)),
        ("ags", lambda: validate_ags(data.ags)),
    ):
        try:
            check()
        except KeyError_ as exc:
            errors.append(FieldError(field_name, str(exc)))
    if data.ars:
        try:
            validate_ars(data.ars, ags=data.ags.strip() if not any(e.field == "ags" for e in errors) else None)
        except KeyError_ as exc:
            errors.append(FieldError("ars", str(exc)))
    if data.municipality_type not in {m.value for m in MunicipalityType}:
        allowed = ", ".join(m.value for m in MunicipalityType)
        errors.append(
            FieldError("municipality_type", f"Unbekannter Gemeindetyp „{data.municipality_type}“ (erlaubt: {allowed}).")
        )
    if data.size_class is not None and data.size_class not in SIZE_CLASSES:
        errors.append(FieldError("size_class", "Größenklasse muss zwischen 1 und 7 liegen."))
    for domain in data.email_domains:
        if "." not in domain or "@" in domain or " " in domain:
            errors.append(FieldError("email_domains", f"E-Mail-Domain „{domain}“ ist ungültig."))
    return errors


class TenantService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, data: TenantCreate, *, is_demo: bool = False) -> Tenant:
        errors = validate_tenant(data)
        if errors:
            raise ValidationFailed(errors)
        exists = await self.session.scalar(select(func.count()).where(Tenant.slug == data.slug))
        if exists:
            raise Conflict(f"Ein Mandant mit dem Kürzel „{data.slug}“ existiert bereits.")
        tenant = Tenant(
            name=data.name.strip(),
            slug=data.slug,
            ags=data.ags.strip(),
            ars=data.ars.strip() if data.ars else None,
            municipality_type=data.municipality_type,
            land=land_of(data.ags.strip()).value,
            size_class=data.size_class,
            population=data.population,
            email_domains=[d.lower() for d in data.email_domains],
            is_demo=is_demo,
        )
        self.session.add(tenant)
        await self.session.flush()
        return tenant

    async def list(self, *, include_inactive: bool = True) -> list[Tenant]:
        stmt = select(Tenant).order_by(Tenant.name)
        if not include_inactive:
            stmt = stmt.where(Tenant.is_active.is_(True))
        return list(await self.session.scalars(stmt))

    async def get(self, tenant_id: uuid.UUID) -> Tenant:
        tenant = await self.session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("Mandant nicht gefunden.")
        return tenant

    async def get_by_slug(self, slug: str) -> Tenant:
        tenant = await self.session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            raise NotFound(f"Mandant „{slug}“ nicht gefunden.")
        return tenant
