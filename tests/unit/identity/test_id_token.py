"""ID-token validation rules and post-login redirect safety (pure logic, no network)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from tenants.demo_idp import MiniProvider
from tenants.login import safe_next
from tenants.oidc import LoginFailed, is_acceptable_issuer_url, validate_id_token

ISS = "https://idp.stadt.example"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
KEYS = KeySet([RSAKey.import_key(KEY.as_dict(private=False))])


def _claims(**over: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": ISS, "sub": "u1", "aud": "kommpass", "iat": now, "exp": now + 300, "nonce": "n1", **over}


def _token(claims: dict[str, Any], alg: str = "RS256", key: Any = KEY) -> str:
    return jwt.encode({"alg": alg, "kid": "k1"}, claims, key, algorithms=[alg])


def _check(token: str, **kw: Any) -> dict[str, Any]:
    return validate_id_token(
        token, KEYS, issuer=kw.get("issuer", ISS), client_id="kommpass", nonce=kw.get("nonce", "n1")
    )


def test_valid_token_passes_and_audience_list_needs_azp() -> None:
    assert _check(_token(_claims()))["sub"] == "u1"
    assert _check(_token(_claims(aud=["kommpass", "other"], azp="kommpass")))["sub"] == "u1"
    with pytest.raises(LoginFailed):
        _check(_token(_claims(aud=["kommpass", "other"])))


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"iss": ISS + "/"}, "id_token_claim_invalid:iss"),
        ({"aud": "other"}, "id_token_claim_invalid:aud"),
        ({"nonce": "n2"}, "id_token_claim_invalid:nonce"),
        ({"exp": int(time.time()) - 120}, "id_token_expired"),
        ({"iat": int(time.time()) + 3600}, "id_token_claim_invalid:iat"),
        ({"azp": "other"}, "id_token_claim_invalid:azp"),
    ],
)
def test_claim_violations_are_named(claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(LoginFailed) as failed:
        _check(_token(_claims(**claims)))
    assert failed.value.reason == reason


@pytest.mark.parametrize("missing", ["iss", "aud", "exp", "nonce", "sub", "iat"])
def test_missing_essential_claims_fail(missing: str) -> None:
    claims = _claims()
    del claims[missing]
    with pytest.raises(LoginFailed):
        _check(_token(claims))


def test_none_and_hmac_algorithms_and_foreign_keys_fail() -> None:
    provider = MiniProvider(client_id="c", client_secret=None, redirect_uris=[])
    with pytest.raises(LoginFailed):
        _check(provider.unsigned(_claims()))
    other = ECKey.generate_key("P-256", parameters={"kid": "k1"})
    with pytest.raises(LoginFailed):
        _check(_token(_claims(), alg="ES256", key=other))
    with pytest.raises(LoginFailed):
        _check("not.a.jwt")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/massnahmen?x=1", "/massnahmen?x=1"),
        (None, "/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_url_is_local_only(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_issuer_urls_must_be_https_except_local_outside_production() -> None:
    assert is_acceptable_issuer_url("https://idp.example", allow_plain_http_loopback=False)
    assert not is_acceptable_issuer_url("http://idp.example", allow_plain_http_loopback=True)
    assert is_acceptable_issuer_url("http://127.0.0.1:8001", allow_plain_http_loopback=True)
    assert not is_acceptable_issuer_url("http://127.0.0.1:8001", allow_plain_http_loopback=False)
