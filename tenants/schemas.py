"""DTOs of the tenant area (msgspec structs)."""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec


class TenantCreate(msgspec.Struct, kw_only=True):
    name: str
    slug: str
    ags: str
    municipality_type: str
    ars: str | None = None
    size_class: int | None = None
    population: int | None = None
    email_domains: list[str] = msgspec.field(default_factory=list)


class TenantRead(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    slug: str
    ags: str
    ars: str | None
    municipality_type: str
    land: str
    size_class: int | None
    population: int | None
    email_domains: list[str]
    is_active: bool
    created_at: dt.datetime
    version: int
