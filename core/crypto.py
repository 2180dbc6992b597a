"""Encryption of secrets at rest (OIDC client secrets, payment-provider secrets).

Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``). ``KOMMPASS_ENCRYPTION_KEY`` may
hold several comma-separated keys: the first encrypts, all decrypt (key rotation with
``MultiFernet``; ``rotate()`` re-encrypts a token with the first key).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from core.errors import DomainError


class SecretUnreadable(DomainError):
    """A stored secret cannot be decrypted with the configured keys."""


def _keys(raw: str) -> MultiFernet:
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise RuntimeError("KOMMPASS_ENCRYPTION_KEY is not set")
    return MultiFernet([Fernet(k.encode()) for k in keys])


@lru_cache(maxsize=4)
def cipher(raw_keys: str) -> MultiFernet:
    return _keys(raw_keys)


def encrypt(plaintext: str, raw_keys: str) -> str:
    return cipher(raw_keys).encrypt(plaintext.encode()).decode()


def decrypt(token: str, raw_keys: str) -> str:
    try:
        return cipher(raw_keys).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("Ein gespeichertes Geheimnis kann nicht entschlüsselt werden.") from exc


def rotate(token: str, raw_keys: str) -> str:
    return cipher(raw_keys).rotate(token.encode()).decode()


def mask(secret: str | None) -> str:
    """What the UI shows instead of a secret: whether one is set, never any part of it."""
    return "•••••• (gesetzt)" if secret else "(nicht gesetzt)"
