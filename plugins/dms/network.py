"""The KAAW network view: which DMS products and e-file types are live where (aggregates only).

Row-level security holds: the overview opens one transaction per tenant, bound to that
tenant, and takes only counts out of it. Tenants that switched the plugin off are left out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session, tenant_session
from plugins.dms.models import STATUS_INTRODUCING, STATUS_LIVE, DmsFileType, DmsProduct, DmsRollout
from plugins.settings import enabled_plugins
from tenants.models import Tenant


class NetworkRow(msgspec.Struct, kw_only=True):
    name: str
    tenants_live: list[str]
    tenants_introducing: list[str]
    units_live: int
    units_introducing: int


class NetworkOverview(msgspec.Struct, kw_only=True):
    tenants: int
    tenants_with_rollouts: int
    products: list[NetworkRow]
    file_types: list[NetworkRow]


async def _tenant_counts(session: AsyncSession, tenant_id: Any) -> dict[str, Any]:
    status_in = DmsRollout.status.in_((STATUS_LIVE, STATUS_INTRODUCING))
    by_type = (
        await session.execute(
            select(DmsFileType.name, DmsRollout.status, func.count())
            .join(
                DmsFileType,
                (DmsFileType.tenant_id == DmsRollout.tenant_id) & (DmsFileType.id == DmsRollout.file_type_id),
            )
            .where(DmsRollout.tenant_id == tenant_id, status_in)
            .group_by(DmsFileType.name, DmsRollout.status)
        )
    ).all()
    by_product = (
        await session.execute(
            select(DmsProduct.name, DmsRollout.status, func.count())
            .join(
                DmsProduct,
                (DmsProduct.tenant_id == DmsRollout.tenant_id) & (DmsProduct.id == DmsRollout.product_id),
            )
            .where(DmsRollout.tenant_id == tenant_id, status_in)
            .group_by(DmsProduct.name, DmsRollout.status)
        )
    ).all()
    products_in_use = (
        await session.scalars(select(DmsProduct.name).where(DmsProduct.tenant_id == tenant_id))
    ).all()
    return {"file_types": by_type, "products": by_product, "products_in_use": list(products_in_use)}


def _rows(acc: dict[str, dict[str, Any]]) -> list[NetworkRow]:
    return [
        NetworkRow(
            name=name,
            tenants_live=sorted(v["live"]),
            tenants_introducing=sorted(v["intro"] - v["live"]),
            units_live=v["units_live"],
            units_introducing=v["units_intro"],
        )
        for name, v in sorted(acc.items(), key=lambda kv: (-len(kv[1]["live"]), kv[0].lower()))
    ]


async def network_overview(sessionmaker: async_sessionmaker[AsyncSession]) -> NetworkOverview:
    async with platform_session(sessionmaker) as session:
        tenants = list(
            (
                await session.execute(
                    select(Tenant.id, Tenant.name).where(Tenant.is_active.is_(True)).order_by(Tenant.name)
                )
            ).all()
        )

    def empty() -> dict[str, Any]:
        return {"live": set(), "intro": set(), "units_live": 0, "units_intro": 0}

    types: dict[str, dict[str, Any]] = defaultdict(empty)
    products: dict[str, dict[str, Any]] = defaultdict(empty)
    with_rollouts = 0
    counted = 0
    for tenant_id, tenant_name in tenants:
        async with tenant_session(sessionmaker, tenant_id) as session:
            if "dms" not in await enabled_plugins(session, tenant_id):
                continue
            counted += 1
            counts = await _tenant_counts(session, tenant_id)
        if counts["file_types"]:
            with_rollouts += 1
        for acc, key in ((types, "file_types"), (products, "products")):
            for name, status, n in counts[key]:
                entry = acc[name]
                if status == STATUS_LIVE:
                    entry["live"].add(tenant_name)
                    entry["units_live"] += int(n)
                else:
                    entry["intro"].add(tenant_name)
                    entry["units_intro"] += int(n)
        for name in counts["products_in_use"]:
            products[name]  # a product in use without rollouts yet still shows up
    return NetworkOverview(
        tenants=counted,
        tenants_with_rollouts=with_rollouts,
        products=_rows(products),
        file_types=_rows(types),
    )
