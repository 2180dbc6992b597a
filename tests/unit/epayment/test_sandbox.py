"""The sandbox server on its own (ASGI test client): merchants, signed starts, pay page."""

from __future__ import annotations

import json

from litestar.testing import TestClient

from plugins.epayment import signing
from plugins.epayment.sandbox.server import create_sandbox_app


def start_body(**kw: object) -> bytes:
    return json.dumps(
        {
            "merchant_id": "M1",
            "amount_cents": 2500,
            "currency": "EUR",
            "kassenzeichen": "KP1",
            "reference": "ref",
            "description": "Gebühr",
            "return_url": "http://127.0.0.1:9/zurueck",
            "notify_url": "http://127.0.0.1:9/notify",
            "methods": ["paypal"],
            **kw,
        }
    ).encode()


def test_start_requires_a_known_merchant_and_a_valid_signature() -> None:
    with TestClient(app=create_sandbox_app("http://sandbox.test")) as client:
        body = start_body()
        assert (
            client.post(
                "/api/payments", content=body, headers={signing.HEADER: signing.sign("s" * 20, body)}
            ).status_code
            == 404
        )
        assert client.put("/api/merchants/M1", json={"secret": "s" * 20}).status_code == 204
        assert (
            client.post(
                "/api/payments", content=body, headers={signing.HEADER: signing.sign("falsch", body)}
            ).status_code
            == 401
        )
        created = client.post(
            "/api/payments", content=body, headers={signing.HEADER: signing.sign("s" * 20, body)}
        )
        assert created.status_code == 201
        data = created.json()
        assert data["redirect_url"].startswith("http://sandbox.test/pay/SBX-")
        page = client.get(f"/pay/{data['id']}")
        assert page.status_code == 200 and 'lang="de"' in page.text and "25,00 €" in page.text
        assert "Jetzt bezahlen" in page.text and "Abbrechen" in page.text and "fehlschlagen" in page.text
        assert '<label for="m-paypal">PayPal</label>' in page.text
        path = f"/api/payments/{data['id']}"
        status = client.get(
            path,
            params={"merchant_id": "M1"},
            headers={signing.HEADER: signing.sign("s" * 20, f"GET {path}".encode())},
        )
        assert status.json()["status"] == "pending"
        unsigned = client.get(path, params={"merchant_id": "M1"})
        assert unsigned.status_code == 401
