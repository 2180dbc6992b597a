"""HMAC-SHA256 signatures for provider messages (sandbox and adapters alike).

Header format (``X-Epayment-Signature``): ``t=<unix seconds>,v1=<hex>`` where the MAC covers
``f"{t}.".encode() + body``. The timestamp bounds replays to ``TOLERANCE`` seconds; within
that window duplicates are caught by the event id.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from plugins.epayment.protocol import InvalidSignature

HEADER = "x-epayment-signature"
TOLERANCE = 300


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(
    secret: str, body: bytes, header: str | None, *, now: float | None = None, tolerance: int = TOLERANCE
) -> None:
    if not header:
        raise InvalidSignature("Signatur fehlt.")
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        t = int(parts["t"])
        given = parts["v1"]
    except (ValueError, KeyError) as exc:
        raise InvalidSignature("Signatur unlesbar.") from exc
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise InvalidSignature("Signatur stimmt nicht.")
    current = time.time() if now is None else now
    if abs(current - t) > tolerance:
        raise InvalidSignature("Signatur ist zu alt.")
