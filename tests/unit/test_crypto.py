from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from core.crypto import SecretUnreadable, decrypt, encrypt, rotate


def test_round_trip_and_rotation() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = encrypt("geheim", old)
    assert "geheim" not in token
    assert decrypt(token, old) == "geheim"
    rotated = rotate(token, f"{new},{old}")
    assert decrypt(rotated, new) == "geheim"
    with pytest.raises(SecretUnreadable):
        decrypt(token, new)
