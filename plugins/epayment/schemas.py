"""DTOs of the JSON API (msgspec). Secrets are write-only: no read DTO has a field for them."""

from __future__ import annotations

from typing import Any

import msgspec


class Completeness(msgspec.Struct):
    done: int
    total: int
    percent: int
    missing: list[str]


class KontierungField(msgspec.Struct):
    name: str
    length: int


class AccountRead(msgspec.Struct):
    id: str
    platform: str
    platform_label: str
    provider: str
    stage: str
    endpoint_url: str | None
    kz_prefix: str | None
    kz_length: int | None
    booking_text: str | None
    payment_methods: list[str]
    kontierung: list[KontierungField]
    cost_fixed_cents: int
    cost_percent_bp: int
    secret_set: bool
    secret_set_at: str | None
    version: int
    completeness: Completeness
    mandant_integration: str | None = None
    mandant_production: str | None = None
    bewirtschafter: str | None = None
    haushaltsstelle: str | None = None
    objektnummer: str | None = None
    merchant_id: str | None = None


class AccountWrite(msgspec.Struct, forbid_unknown_fields=True):
    provider: str = "sandbox"
    stage: str = "integration"
    endpoint_url: str | None = None
    merchant_id: str | None = None
    mandant_integration: str | None = None
    mandant_production: str | None = None
    bewirtschafter: str | None = None
    haushaltsstelle: str | None = None
    objektnummer: str | None = None
    kz_prefix: str | None = None
    kz_length: int | None = None
    booking_text: str | None = None
    payment_methods: list[str] = []
    kontierung: list[KontierungField] = []
    cost_fixed_cents: int = 0
    cost_percent_bp: int = 0
    #: Write-only: sets or rotates the secret; never returned.
    secret: str | None = None
    version: int | None = None


class SecretWrite(msgspec.Struct, forbid_unknown_fields=True):
    secret: str


class ScheduleItem(msgspec.Struct):
    label: str
    cents: int


class FeeRead(msgspec.Struct):
    online_service_id: str
    service_number: str | None
    service_title: str | None
    charges_fee: bool
    fee_kind: str
    fee_cents: int | None
    schedule: list[ScheduleItem]
    kostenstelle: str | None
    kostentraeger: str | None
    haushaltsstelle: str | None
    account_id: str | None
    id: str | None = None
    public_key: str | None = None
    version: int | None = None


class FeeWrite(msgspec.Struct, forbid_unknown_fields=True):
    charges_fee: bool = False
    fee_kind: str = "fixed"
    fee_cents: int | None = None
    schedule: list[ScheduleItem] = []
    kostenstelle: str | None = None
    kostentraeger: str | None = None
    haushaltsstelle: str | None = None
    account_id: str | None = None
    version: int | None = None


class PaymentRead(msgspec.Struct):
    id: str
    kassenzeichen: str
    reference: str
    amount_cents: int
    currency: str
    status: str
    status_label: str
    provider: str
    provider_reference: str | None
    payment_method: str | None
    service_title: str | None
    online_service_id: str | None
    description: str | None
    haushaltsstelle: str | None
    kostenstelle: str | None
    kostentraeger: str | None
    flagged: bool
    flag_reason: str | None
    created_at: str | None
    expires_at: str | None
    final_at: str | None


class PaymentStart(msgspec.Struct, forbid_unknown_fields=True):
    option: int = 0
    applicant_reference: str | None = None


class PaymentStarted(msgspec.Struct):
    redirect_url: str


class BookingRead(msgspec.Struct):
    booking_date: str
    kassenzeichen: str
    amount_cents: int
    currency: str
    haushaltsstelle: str | None
    kostenstelle: str | None
    kostentraeger: str | None
    booking_text: str | None
    payment_method: str | None
    payment_id: str


class DifferenceRead(msgspec.Struct):
    kind: str
    label: str
    kassenzeichen: str
    payment_id: str | None
    payment_cents: int | None
    booking_cents: int | None
    detail: str


class Reconciliation(msgspec.Struct):
    date_from: str
    date_to: str
    paid_count: int
    paid_cents: int
    booked_count: int
    booked_cents: int
    differences: list[DifferenceRead]


class MonthlyCost(msgspec.Struct):
    month: int
    platform: str
    platform_label: str
    count: int
    sum_cents: int
    cost_cents: int


class OverviewRow(msgspec.Struct):
    tenant_id: str
    name: str
    slug: str
    platforms: dict[str, Any]
    paid_count: int


def convert(data: Any, type_: Any) -> Any:
    return msgspec.convert(data, type_, from_attributes=False, strict=False)
