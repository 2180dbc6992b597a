"""The sandbox payment service: a separate local HTTP server standing in for a real PSP.

It speaks the protocol the ``SandboxProvider`` adapter implements, the same shape a real
adapter has: merchants (tenant accounts) register their shared secret once, payment starts
are signed with it, the payer gets a payment page (pay, cancel, let it fail), and the result
goes back to Kommpass as a signed notification (``plugins.epayment.signing``).

State is kept in memory: a sandbox restart forgets merchants and payments (the adapter
registers again). Secrets are never logged.

Run: ``python -m plugins.epayment.sandbox --port 8002``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from litestar import Litestar, MediaType, Request, Response, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody
from litestar.response import Redirect

from plugins.epayment import signing
from plugins.epayment.protocol import InvalidSignature

log = logging.getLogger("kommpass.epayment.sandbox")

METHOD_LABELS = {
    "kreditkarte": "Kreditkarte",
    "paypal": "PayPal",
    "sepa_lastschrift": "SEPA-Lastschrift",
    "echtzeitueberweisung": "Echtzeitüberweisung",
    "giropay": "giropay/paydirekt",
}
ACTIONS = {"pay": "paid", "cancel": "cancelled", "fail": "failed"}


@dataclass
class SandboxPayment:
    id: str
    merchant_id: str
    amount_cents: int
    currency: str
    kassenzeichen: str
    reference: str
    description: str
    return_url: str
    notify_url: str
    methods: list[str]
    status: str = "pending"
    payment_method: str | None = None
    notifications: list[tuple[bytes, str]] = field(default_factory=list)


@dataclass
class SandboxState:
    base_url: str
    merchants: dict[str, str] = field(default_factory=dict)
    payments: dict[str, SandboxPayment] = field(default_factory=dict)
    delivered: int = 0


def _euro(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d} €"


def create_sandbox_app(base_url: str) -> Litestar:
    state = SandboxState(base_url=base_url.rstrip("/"))
    client_holder: dict[str, httpx.AsyncClient] = {}

    async def deliver(payment: SandboxPayment, body: bytes) -> int:
        """POST a signed notification to Kommpass; retried a few times on network errors/5xx."""
        client = client_holder["client"]
        secret = state.merchants[payment.merchant_id]
        status = 0
        for attempt in range(3):
            try:
                resp = await client.post(
                    payment.notify_url,
                    content=body,
                    headers={"content-type": "application/json", signing.HEADER: signing.sign(secret, body)},
                )
                status = resp.status_code
                if status < 500:
                    break
            except httpx.HTTPError as exc:
                log.warning("sandbox.notify_failed attempt=%s error=%s", attempt, type(exc).__name__)
            await asyncio.sleep(0.2 * (attempt + 1))
        state.delivered += 1
        return status

    def notification_body(payment: SandboxPayment) -> bytes:
        return json.dumps(
            {
                "event_id": f"{payment.id}:{payment.status}",
                "merchant_id": payment.merchant_id,
                "kassenzeichen": payment.kassenzeichen,
                "reference": payment.reference,
                "transaction_id": payment.id,
                "status": payment.status,
                "amount_cents": payment.amount_cents,
                "currency": payment.currency,
                "payment_method": payment.payment_method,
                "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            },
            separators=(",", ":"),
        ).encode()

    def check_signature(request_body: bytes, merchant_id: str, header: str | None) -> Response[Any] | None:
        secret = state.merchants.get(merchant_id)
        if secret is None:
            return Response({"detail": "merchant unknown"}, status_code=404)
        try:
            signing.verify(secret, request_body, header)
        except InvalidSignature:
            return Response({"detail": "bad signature"}, status_code=401)
        return None

    @get("/health", media_type=MediaType.JSON)
    async def health() -> dict[str, Any]:
        return {"status": "ok", "payments": len(state.payments), "delivered": state.delivered}

    @put("/api/merchants/{merchant_id:str}", status_code=204)
    async def register_merchant(merchant_id: FromPath[str], data: JSONBody[dict[str, Any]]) -> None:
        state.merchants[merchant_id] = str(data["secret"])

    @post("/api/payments", status_code=201)
    async def create_payment(request: Request[Any, Any, Any]) -> Response[Any]:
        body = await request.body()
        try:
            data = json.loads(body)
            merchant_id = str(data["merchant_id"])
        except (ValueError, KeyError):
            return Response({"detail": "malformed"}, status_code=400)
        problem = check_signature(body, merchant_id, request.headers.get(signing.HEADER))
        if problem is not None:
            return problem
        payment = SandboxPayment(
            id="SBX-" + secrets.token_hex(8),
            merchant_id=merchant_id,
            amount_cents=int(data["amount_cents"]),
            currency=str(data["currency"]),
            kassenzeichen=str(data["kassenzeichen"]),
            reference=str(data["reference"]),
            description=str(data.get("description") or ""),
            return_url=str(data["return_url"]),
            notify_url=str(data["notify_url"]),
            methods=[str(m) for m in data.get("methods") or []] or ["kreditkarte"],
        )
        state.payments[payment.id] = payment
        return Response(
            {"id": payment.id, "redirect_url": f"{state.base_url}/pay/{payment.id}"}, status_code=201
        )

    @get("/api/payments/{payment_id:str}")
    async def read_payment(
        request: Request[Any, Any, Any], payment_id: FromPath[str], merchant_id: FromQuery[str]
    ) -> Response[Any]:
        problem = check_signature(
            f"GET /api/payments/{payment_id}".encode(), merchant_id, request.headers.get(signing.HEADER)
        )
        if problem is not None:
            return problem
        payment = state.payments.get(payment_id)
        if payment is None or payment.merchant_id != merchant_id:
            return Response({"detail": "unknown payment"}, status_code=404)
        return Response(
            {
                "id": payment.id,
                "status": payment.status,
                "amount_cents": payment.amount_cents,
                "currency": payment.currency,
            }
        )

    @post("/api/payments/{payment_id:str}/resend", status_code=200)
    async def resend(payment_id: FromPath[str]) -> Response[Any]:
        """Test helper: deliver the last notification again (a replay)."""
        payment = state.payments.get(payment_id)
        if payment is None or not payment.notifications:
            return Response({"detail": "nothing to resend"}, status_code=404)
        body, _ = payment.notifications[-1]
        return Response({"status": await deliver(payment, body)})

    @get("/pay/{payment_id:str}", media_type=MediaType.HTML)
    async def pay_page(payment_id: FromPath[str]) -> Response[str]:
        payment = state.payments.get(payment_id)
        if payment is None:
            return Response("<h1>Zahlung nicht gefunden</h1>", status_code=404, media_type=MediaType.HTML)
        if payment.status != "pending":
            return Response(
                _page("Zahlung abgeschlossen", f"<p>Status: {html.escape(payment.status)}</p>"),
                media_type=MediaType.HTML,
            )
        options = "".join(
            f'<div><input type="radio" name="method" id="m-{m}" value="{html.escape(m)}"'
            f"{' checked' if i == 0 else ''}>"
            f' <label for="m-{m}">{html.escape(METHOD_LABELS.get(m, m))}</label></div>'
            for i, m in enumerate(payment.methods)
        )
        body = (
            f"<dl><dt>Betrag</dt><dd>{_euro(payment.amount_cents)}</dd>"
            f"<dt>Kassenzeichen</dt><dd>{html.escape(payment.kassenzeichen)}</dd>"
            f"<dt>Verwendungszweck</dt><dd>{html.escape(payment.description)}</dd></dl>"
            f'<form method="post" action="/pay/{payment.id}">'
            f"<fieldset><legend>Zahlart</legend>{options}</fieldset>"
            '<button type="submit" name="action" value="pay">Jetzt bezahlen</button> '
            '<button type="submit" name="action" value="cancel">Abbrechen</button> '
            '<button type="submit" name="action" value="fail">Zahlung fehlschlagen lassen</button>'
            "</form>"
        )
        return Response(_page("Sandbox-Bezahlseite", body), media_type=MediaType.HTML)

    @post("/pay/{payment_id:str}", status_code=303)
    async def pay_action(
        payment_id: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        payment = state.payments.get(payment_id)
        if payment is None:
            return Response({"detail": "unknown payment"}, status_code=404)
        action = data.get("action", "")
        if payment.status == "pending" and action in ACTIONS:
            payment.status = ACTIONS[action]
            method = data.get("method")
            payment.payment_method = method if method in payment.methods else payment.methods[0]
            body = notification_body(payment)
            payment.notifications.append((body, payment.status))
            await deliver(payment, body)
        sep = "&" if "?" in payment.return_url else "?"
        return Redirect(path=f"{payment.return_url}{sep}ergebnis={payment.status}", status_code=303)

    async def startup(app: Litestar) -> None:
        client_holder["client"] = httpx.AsyncClient(timeout=10.0)

    async def shutdown(app: Litestar) -> None:
        await client_holder["client"].aclose()

    return Litestar(
        route_handlers=[
            health,
            register_merchant,
            create_payment,
            read_payment,
            resend,
            pay_page,
            pay_action,
        ],
        on_startup=[startup],
        on_shutdown=[shutdown],
        debug=False,
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} – E-Payment-Sandbox</title></head>"
        f"<body><main><h1>{html.escape(title)}</h1>"
        "<p><strong>Testumgebung:</strong> Es wird kein echtes Geld bewegt.</p>"
        f"{body}</main></body></html>"
    )
