"""The common protocol of payment providers (``kommpass_register_payment_providers``).

A provider adapter connects Kommpass to one payment service (ePayBL with its PSP, pmPayment,
the local sandbox …). Kommpass calls it to

1. start a payment (amount in integer cents, currency, Kassenzeichen, return and
   notification URLs) and get the URL to redirect the payer to;
2. read the *unverified* Kassenzeichen out of an incoming notification, only to find the
   tenant whose account (and secret) must verify it;
3. verify a notification (signature, freshness) and turn it into a ``Notification``;
4. query a payment's state at the provider (reconciliation, stuck payments).

Adapters hold no state about tenants: everything tenant-specific arrives in ``ProviderAccount``
(the decrypted secret included, which an adapter must never log or echo).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

#: States a provider may report; Kommpass' own states add "initiated" and "expired".
PROVIDER_STATES = ("pending", "paid", "failed", "cancelled")


class ProviderError(Exception):
    """The provider could not be reached or refused the request (message safe to show)."""


class InvalidSignature(Exception):
    """A notification's signature is missing, wrong or too old."""


class MalformedNotification(Exception):
    """A notification body that cannot be parsed."""


@dataclass(frozen=True)
class ProviderAccount:
    """A tenant's account at a platform, as an adapter needs it."""

    platform: str
    merchant_id: str
    endpoint_url: str
    secret: str = field(repr=False)
    stage: str = "integration"
    payment_methods: tuple[str, ...] = ()
    booking_text: str | None = None


@dataclass(frozen=True)
class StartRequest:
    amount_cents: int
    currency: str
    kassenzeichen: str
    reference: str
    description: str
    return_url: str
    notify_url: str


@dataclass(frozen=True)
class StartResult:
    redirect_url: str
    provider_reference: str


@dataclass(frozen=True)
class Notification:
    """A verified notification. ``event_id`` is unique per provider (duplicates share it)."""

    event_id: str
    kassenzeichen: str
    reference: str
    provider_reference: str
    status: str
    amount_cents: int
    currency: str
    payment_method: str | None = None
    occurred_at: dt.datetime | None = None


@dataclass(frozen=True)
class ProviderStatus:
    provider_reference: str
    status: str
    amount_cents: int
    currency: str


@runtime_checkable
class PaymentProvider(Protocol):
    #: Key in URLs (``/epayment/notify/<name>``) and in the account's ``provider`` field.
    name: str
    label: str

    async def start_payment(self, account: ProviderAccount, request: StartRequest) -> StartResult:
        """Register the payment at the provider; return where to send the payer."""
        ...

    def notification_key(self, headers: dict[str, str], body: bytes) -> str:
        """The Kassenzeichen the (not yet verified) notification claims to be about."""
        ...

    def verify_notification(
        self, account: ProviderAccount, headers: dict[str, str], body: bytes
    ) -> Notification:
        """Check signature and freshness; raise ``InvalidSignature`` / ``MalformedNotification``."""
        ...

    async def query_status(self, account: ProviderAccount, provider_reference: str) -> ProviderStatus:
        """The provider's view of one payment."""
        ...
