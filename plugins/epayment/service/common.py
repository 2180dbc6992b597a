"""Helpers shared by the e-payment services."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from core import calendar
from plugins.epayment.models import PaymentRoute

#: Booking days and exports follow the municipality's calendar (``core.calendar``).
today_local = calendar.today


def new_token(nbytes: int = 16) -> str:
    return secrets.token_urlsafe(nbytes)


async def claim_route(session: AsyncSession, tenant_id: uuid.UUID, key: str) -> bool:
    """Reserve a globally unique key for this tenant; False if another row holds it already."""
    try:
        async with session.begin_nested():
            session.add(PaymentRoute(tenant_id=tenant_id, route_key=key))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def tenant_for_key(session: AsyncSession, key: str) -> uuid.UUID | None:
    """The tenant holding ``key`` (via the SECURITY DEFINER function; works with no tenant bound)."""
    value = await session.scalar(text("SELECT epayment_tenant_for_key(:key)"), {"key": key})
    return uuid.UUID(str(value)) if value is not None else None


async def bind_tenant_now(session: AsyncSession, tenant_id: uuid.UUID) -> None:
    """Bind ``tenant_id`` for the rest of the current transaction (and the session's next ones).

    Used after ``tenant_for_key`` resolved the tenant inside a transaction that began without
    one; the setting is transaction-local like ``core.db``'s own binding.
    """
    session.info["tenant_id"] = tenant_id
    await session.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})


def euro(cents: int | None) -> str:
    if cents is None:
        return "–"
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d} €"


def parse_euro(value: str | None) -> int | None:
    """'25', '25,50', '1.234,5' → cents; None for empty; ValueError otherwise."""
    raw = (value or "").strip().replace("€", "").replace(" ", "")
    if not raw:
        return None
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    whole, _, frac = raw.partition(".")
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise ValueError(value)
    return int(whole) * 100 + int((frac + "00")[:2])
