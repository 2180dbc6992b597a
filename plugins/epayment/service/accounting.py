"""Bookings, exports for municipal accounting, reconciliation, transaction costs, overview."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.db import platform_session, tenant_session
from core.models import utcnow
from plugins.epayment.models import Booking, Payment, PaymentAccount
from plugins.epayment.service.accounts import PLATFORMS, completeness

XML_NS = "urn:kommpass:epayment:xfinanz-buchungen:1"


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else "-" + _amount(-cents)


def _amount_de(cents: int) -> str:
    return _amount(cents).replace(".", ",")


async def bookings(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    day: dt.date | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    haushaltsstelle: str | None = None,
) -> list[tuple[Booking, Payment]]:
    stmt = (
        select(Booking, Payment)
        .join(Payment, (Payment.tenant_id == Booking.tenant_id) & (Payment.id == Booking.payment_id))
        .where(Booking.tenant_id == tenant_id)
    )
    if day is not None:
        stmt = stmt.where(Booking.booking_date == day)
    if date_from is not None:
        stmt = stmt.where(Booking.booking_date >= date_from)
    if date_to is not None:
        stmt = stmt.where(Booking.booking_date <= date_to)
    if haushaltsstelle:
        stmt = stmt.where(Booking.haushaltsstelle == haushaltsstelle)
    rows = (
        (
            await session.execute(
                stmt.order_by(Booking.booking_date, Booking.haushaltsstelle, Booking.kassenzeichen)
            )
        )
        .tuples()
        .all()
    )
    return list(rows)


async def day_summary(session: AsyncSession, tenant_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    """Per Haushaltsstelle: number of bookings and sum for one day."""
    rows = (
        (
            await session.execute(
                select(Booking.haushaltsstelle, func.count(), func.sum(Booking.amount_cents))
                .where(Booking.tenant_id == tenant_id, Booking.booking_date == day)
                .group_by(Booking.haushaltsstelle)
                .order_by(Booking.haushaltsstelle)
            )
        )
        .tuples()
        .all()
    )
    return [{"haushaltsstelle": h or "(ohne)", "count": n, "sum_cents": int(s or 0)} for h, n, s in rows]


CSV_COLUMNS = [
    "Buchungstag",
    "Kassenzeichen",
    "Betrag",
    "Währung",
    "Haushaltsstelle",
    "Kostenstelle",
    "Kostenträger",
    "Buchungstext",
    "Zahlart",
    "Zahlungsreferenz",
]


def bookings_csv(rows: list[tuple[Booking, Payment]]) -> str:
    """Semicolon-separated, decimal comma, with header (opens in Excel and imports into finance software)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for booking, payment in rows:
        writer.writerow(
            [
                booking.booking_date.strftime("%d.%m.%Y"),
                booking.kassenzeichen,
                _amount_de(booking.amount_cents),
                booking.currency,
                booking.haushaltsstelle or "",
                booking.kostenstelle or "",
                booking.kostentraeger or "",
                booking.booking_text or "",
                booking.payment_method or "",
                payment.provider_reference or "",
            ]
        )
    return "\ufeff" + buf.getvalue()


def bookings_xml(
    rows: list[tuple[Booking, Payment]],
    *,
    tenant_name: str,
    ags: str | None,
    day: dt.date | None,
    haushaltsstelle: str | None,
) -> bytes:
    """XML in the style of XFinanz: a header (Mandant, Buchungstag, Summe) and one ``buchung`` per payment.

    Not a validated XFinanz message: the element names follow its vocabulary so that a
    municipal finance system's import mapping is straightforward.
    """
    ET.register_namespace("xf", XML_NS)
    root = ET.Element(
        f"{{{XML_NS}}}buchungsdaten",
        {"version": "1.0", "erstelltAm": utcnow().replace(microsecond=0).isoformat()},
    )
    head = ET.SubElement(root, f"{{{XML_NS}}}kopf")
    ET.SubElement(head, f"{{{XML_NS}}}mandant", {"ags": ags or ""}).text = tenant_name
    if day:
        ET.SubElement(head, f"{{{XML_NS}}}buchungstag").text = day.isoformat()
    if haushaltsstelle:
        ET.SubElement(head, f"{{{XML_NS}}}haushaltsstelle").text = haushaltsstelle
    ET.SubElement(head, f"{{{XML_NS}}}anzahlBuchungen").text = str(len(rows))
    ET.SubElement(head, f"{{{XML_NS}}}summe", {"waehrung": "EUR"}).text = _amount(
        sum(b.amount_cents for b, _ in rows)
    )
    for booking, payment in rows:
        el = ET.SubElement(root, f"{{{XML_NS}}}buchung")
        for name, value in (
            ("buchungstag", booking.booking_date.isoformat()),
            ("kassenzeichen", booking.kassenzeichen),
            ("haushaltsstelle", booking.haushaltsstelle),
            ("kostenstelle", booking.kostenstelle),
            ("kostentraeger", booking.kostentraeger),
            ("buchungstext", booking.booking_text),
            ("zahlart", booking.payment_method),
            ("zahlungsreferenz", payment.provider_reference),
        ):
            if value:
                ET.SubElement(el, f"{{{XML_NS}}}{name}").text = value
        ET.SubElement(el, f"{{{XML_NS}}}betrag", {"waehrung": booking.currency}).text = _amount(
            booking.amount_cents
        )
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


@dataclass(frozen=True)
class Difference:
    kind: str
    label: str
    payment_id: uuid.UUID | None
    kassenzeichen: str
    payment_cents: int | None
    booking_cents: int | None
    detail: str = ""


async def reconcile(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    date_from: dt.date,
    date_to: dt.date,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Payments against bookings in a period; lists every difference."""
    now = now or utcnow()
    start = dt.datetime.combine(date_from, dt.time(), tzinfo=dt.UTC) - dt.timedelta(hours=2)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    payments = (
        await session.scalars(
            select(Payment).where(
                Payment.tenant_id == tenant_id,
                ((Payment.final_at >= start) & (Payment.final_at < end))
                | ((Payment.created_at >= start) & (Payment.created_at < end)),
            )
        )
    ).all()
    booking_rows = (
        await session.scalars(
            select(Booking).where(
                Booking.tenant_id == tenant_id,
                Booking.booking_date >= date_from,
                Booking.booking_date <= date_to,
            )
        )
    ).all()
    by_payment = {b.payment_id: b for b in booking_rows}
    paid_ids = {p.id for p in payments}
    diffs: list[Difference] = []
    for p in payments:
        b = by_payment.get(p.id)
        if p.status == "paid" and b is None:
            diffs.append(
                Difference(
                    "unbooked", "bezahlt, aber nicht gebucht", p.id, p.kassenzeichen, p.amount_cents, None
                )
            )
        if b is not None and p.status != "paid":
            diffs.append(
                Difference(
                    "booked_unpaid",
                    "gebucht, aber nicht bezahlt",
                    p.id,
                    p.kassenzeichen,
                    p.amount_cents,
                    b.amount_cents,
                    p.status,
                )
            )
        if b is not None and b.amount_cents != p.amount_cents:
            diffs.append(
                Difference(
                    "amount",
                    "Betrag von Zahlung und Buchung weicht ab",
                    p.id,
                    p.kassenzeichen,
                    p.amount_cents,
                    b.amount_cents,
                )
            )
        if p.flagged:
            diffs.append(
                Difference(
                    "flagged",
                    "zur Klärung markiert",
                    p.id,
                    p.kassenzeichen,
                    p.amount_cents,
                    b.amount_cents if b else None,
                    p.flag_reason or "",
                )
            )
        if p.status in ("initiated", "pending") and p.expires_at < now:
            diffs.append(
                Difference(
                    "overdue",
                    "offen und überfällig (Ablauf-Job ausstehend)",
                    p.id,
                    p.kassenzeichen,
                    p.amount_cents,
                    None,
                )
            )
    for b in booking_rows:
        if b.payment_id not in paid_ids:
            payment = await session.scalar(
                select(Payment).where(Payment.tenant_id == tenant_id, Payment.id == b.payment_id)
            )
            if payment is not None and payment.status != "paid":
                diffs.append(
                    Difference(
                        "booked_unpaid",
                        "gebucht, aber nicht bezahlt",
                        payment.id,
                        b.kassenzeichen,
                        payment.amount_cents,
                        b.amount_cents,
                        payment.status,
                    )
                )
    paid = [p for p in payments if p.status == "paid"]
    return {
        "date_from": date_from,
        "date_to": date_to,
        "paid_count": len(paid),
        "paid_cents": sum(p.amount_cents for p in paid),
        "booked_count": len(booking_rows),
        "booked_cents": sum(b.amount_cents for b in booking_rows),
        "differences": diffs,
    }


async def monthly_costs(session: AsyncSession, tenant_id: uuid.UUID, year: int) -> list[dict[str, Any]]:
    """Transaction costs per month and platform from the bookings (fixed + share of the amount)."""
    month = extract("month", Booking.booking_date)
    rows = (
        (
            await session.execute(
                select(
                    month,
                    PaymentAccount.platform,
                    PaymentAccount.cost_fixed_cents,
                    PaymentAccount.cost_percent_bp,
                    func.count(),
                    func.sum(Booking.amount_cents),
                )
                .select_from(Booking)
                .join(Payment, (Payment.tenant_id == Booking.tenant_id) & (Payment.id == Booking.payment_id))
                .join(
                    PaymentAccount,
                    (PaymentAccount.tenant_id == Payment.tenant_id)
                    & (PaymentAccount.id == Payment.account_id),
                )
                .where(Booking.tenant_id == tenant_id, extract("year", Booking.booking_date) == year)
                .group_by(
                    month,
                    PaymentAccount.platform,
                    PaymentAccount.cost_fixed_cents,
                    PaymentAccount.cost_percent_bp,
                )
                .order_by(month, PaymentAccount.platform)
            )
        )
        .tuples()
        .all()
    )
    out = []
    for m, platform, fixed, bp, count, total in rows:
        total = int(total or 0)
        cost = count * fixed + round(total * bp / 10000)
        out.append(
            {
                "month": int(m),
                "platform": platform,
                "platform_label": PLATFORMS.get(platform, platform),
                "count": int(count),
                "sum_cents": total,
                "cost_cents": int(cost),
            }
        )
    return out


async def year_cost_total(session: AsyncSession, tenant_id: uuid.UUID, year: int) -> int:
    return sum(r["cost_cents"] for r in await monthly_costs(session, tenant_id, year))


async def onboarding_overview(sessionmaker: async_sessionmaker[AsyncSession]) -> list[dict[str, Any]]:
    """For KAAW admins: per town and platform whether onboarded and how complete (no details).

    Reads each tenant inside its own tenant-bound transaction, so row-level security holds.
    """
    from tenants.models import Tenant

    async with platform_session(sessionmaker) as session:
        tenants = (
            (
                await session.execute(
                    select(Tenant.id, Tenant.name, Tenant.slug)
                    .where(Tenant.is_active.is_(True))
                    .order_by(Tenant.name)
                )
            )
            .tuples()
            .all()
        )
    out = []
    for tenant_id, name, slug in tenants:
        async with tenant_session(sessionmaker, tenant_id) as session:
            accounts = {
                a.platform: a
                for a in (
                    await session.scalars(select(PaymentAccount).where(PaymentAccount.tenant_id == tenant_id))
                ).all()
            }
            paid = await session.scalar(
                select(func.count())
                .select_from(Payment)
                .where(Payment.tenant_id == tenant_id, Payment.status == "paid")
            )
        platforms = {}
        for platform in PLATFORMS:
            account = accounts.get(platform)
            platforms[platform] = (
                None
                if account is None
                else {"percent": completeness(account, platform)["percent"], "stage": account.stage}
            )
        out.append(
            {
                "tenant_id": str(tenant_id),
                "name": name,
                "slug": slug,
                "platforms": platforms,
                "paid_count": int(paid or 0),
            }
        )
    return out
