"""The adapter for the sandbox payment service (``plugins.epayment.sandbox.server``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import httpx

from plugins.epayment import signing
from plugins.epayment.protocol import (
    PROVIDER_STATES,
    InvalidSignature,
    MalformedNotification,
    Notification,
    ProviderAccount,
    ProviderError,
    ProviderStatus,
    StartRequest,
    StartResult,
)


class SandboxProvider:
    name = "sandbox"
    label = "Sandbox (Testbetrieb)"

    def __init__(self) -> None:
        #: (endpoint, merchant) → hash of the secret registered there (never the secret).
        self._registered: dict[tuple[str, str], str] = {}

    async def _register(
        self, client: httpx.AsyncClient, account: ProviderAccount, *, force: bool = False
    ) -> None:
        key = (account.endpoint_url, account.merchant_id)
        digest = hashlib.sha256(account.secret.encode()).hexdigest()
        if not force and self._registered.get(key) == digest:
            return
        resp = await client.put(
            f"{account.endpoint_url.rstrip('/')}/api/merchants/{account.merchant_id}",
            json={"secret": account.secret},
        )
        if resp.status_code >= 300:
            raise ProviderError("Die Sandbox hat die Händlerkennung nicht angenommen.")
        self._registered[key] = digest

    async def start_payment(self, account: ProviderAccount, request: StartRequest) -> StartResult:
        body = json.dumps(
            {
                "merchant_id": account.merchant_id,
                "amount_cents": request.amount_cents,
                "currency": request.currency,
                "kassenzeichen": request.kassenzeichen,
                "reference": request.reference,
                "description": request.description,
                "return_url": request.return_url,
                "notify_url": request.notify_url,
                "methods": list(account.payment_methods),
            }
        ).encode()
        url = f"{account.endpoint_url.rstrip('/')}/api/payments"
        try:
            async with httpx.AsyncClient(timeout=10.0) as client:
                await self._register(client, account)
                for attempt in range(2):
                    resp = await client.post(
                        url,
                        content=body,
                        headers={
                            "content-type": "application/json",
                            signing.HEADER: signing.sign(account.secret, body),
                        },
                    )
                    if resp.status_code in (401, 404) and attempt == 0:  # sandbox restarted or secret rotated
                        await self._register(client, account, force=True)
                        continue
                    break
        except httpx.HTTPError as exc:
            raise ProviderError("Der Zahlungsdienst ist nicht erreichbar.") from exc
        if resp.status_code != 201:
            raise ProviderError(f"Der Zahlungsdienst hat die Zahlung abgelehnt (HTTP {resp.status_code}).")
        data = resp.json()
        return StartResult(redirect_url=str(data["redirect_url"]), provider_reference=str(data["id"]))

    @staticmethod
    def _parse(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise MalformedNotification("Kein gültiges JSON.") from exc
        if not isinstance(data, dict):
            raise MalformedNotification("Kein JSON-Objekt.")
        return data

    def notification_key(self, headers: dict[str, str], body: bytes) -> str:
        data = self._parse(body)
        key = data.get("kassenzeichen")
        if not isinstance(key, str) or not key:
            raise MalformedNotification("Kassenzeichen fehlt.")
        return key

    def verify_notification(
        self, account: ProviderAccount, headers: dict[str, str], body: bytes
    ) -> Notification:
        signing.verify(account.secret, body, headers.get(signing.HEADER))
        data = self._parse(body)
        try:
            status = str(data["status"])
            if status not in PROVIDER_STATES:
                raise MalformedNotification(f"Unbekannter Status {status!r}.")
            occurred = data.get("occurred_at")
            return Notification(
                event_id=str(data["event_id"]),
                kassenzeichen=str(data["kassenzeichen"]),
                reference=str(data["reference"]),
                provider_reference=str(data["transaction_id"]),
                status=status,
                amount_cents=int(data["amount_cents"]),
                currency=str(data["currency"]),
                payment_method=str(data["payment_method"]) if data.get("payment_method") else None,
                occurred_at=dt.datetime.fromisoformat(occurred) if occurred else None,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedNotification("Pflichtfeld fehlt oder ist ungültig.") from exc

    async def query_status(self, account: ProviderAccount, provider_reference: str) -> ProviderStatus:
        path = f"/api/payments/{provider_reference}"
        try:
            async with httpx.AsyncClient(timeout=10.0) as client:
                resp = await client.get(
                    f"{account.endpoint_url.rstrip('/')}{path}",
                    params={"merchant_id": account.merchant_id},
                    headers={signing.HEADER: signing.sign(account.secret, f"GET {path}".encode())},
                )
        except httpx.HTTPError as exc:
            raise ProviderError("Der Zahlungsdienst ist nicht erreichbar.") from exc
        if resp.status_code != 200:
            raise ProviderError(f"Der Zahlungsdienst kennt die Zahlung nicht (HTTP {resp.status_code}).")
        data = resp.json()
        return ProviderStatus(
            provider_reference=provider_reference,
            status=str(data["status"]),
            amount_cents=int(data["amount_cents"]),
            currency=str(data["currency"]),
        )


__all__ = ["InvalidSignature", "SandboxProvider"]
