"""OpenID Connect relying party: discovery, authorization URL, code exchange, ID-token check.

Authorization-code flow with PKCE (S256), ``state`` and ``nonce``. The authorization URL and
the token request are built by authlib's OAuth 2 client; the ID token is verified with
joserfc (authlib's JOSE implementation; ``authlib.jose`` is deprecated in its favour) with
every check spelled out here rather than left to defaults:

* signature with a key from the provider's JWKS (``jwks_uri`` from discovery), algorithm from
  an allow-list of asymmetric algorithms only (never ``none``, never HS*: an HMAC "signed"
  with the public key must not pass);
* ``iss`` equal to the configured issuer, character for character;
* ``aud`` contains our client id (and ``azp``, when present, is our client id);
* ``exp`` in the future, ``iat`` not in the future (small leeway for clock skew);
* ``nonce`` equal to the one stored server-side for this login.

No HTTP framework code here: ``web.controllers.auth`` turns the results into responses.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from core.errors import DomainError

#: Asymmetric signature algorithms accepted for ID tokens.
ALLOWED_ALGORITHMS: tuple[str, ...] = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
CLOCK_LEEWAY_SECONDS = 60
log = structlog.get_logger(__name__)
HTTP_TIMEOUT = httpx.Timeout(10.0)
_DISCOVERY_TTL = 300.0


class LoginFailed(DomainError):
    """A login could not be completed. ``reason`` is a stable code for the audit log."""

    def __init__(self, reason: str, message: str = "Die Anmeldung ist fehlgeschlagen.") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    end_session_endpoint: str | None = None
    userinfo_endpoint: str | None = None


def is_acceptable_issuer_url(url: str, *, allow_plain_http_loopback: bool) -> bool:
    """https, or plain http to a loopback address outside production (local providers)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme == "https" and parts.hostname:
        return True
    return (
        allow_plain_http_loopback
        and parts.scheme == "http"
        and parts.hostname in {"localhost", "127.0.0.1", "::1"}
    )


_discovery_cache: dict[str, tuple[float, ProviderMetadata]] = {}


async def discover(issuer: str, *, use_cache: bool = True) -> ProviderMetadata:
    """Read ``/.well-known/openid-configuration``; its ``issuer`` must equal ``issuer`` exactly."""
    now = time.monotonic()
    cached = _discovery_cache.get(issuer)
    if use_cache and cached and now - cached[0] < _DISCOVERY_TTL:
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(url)
            response.raise_for_status()
            doc: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise LoginFailed("discovery_failed", "Der Identitätsanbieter ist nicht erreichbar.") from exc
    if doc.get("issuer") != issuer:
        raise LoginFailed(
            "discovery_issuer_mismatch", "Der Identitätsanbieter meldet einen anderen Aussteller."
        )
    try:
        meta = ProviderMetadata(
            issuer=issuer,
            authorization_endpoint=str(doc["authorization_endpoint"]),
            token_endpoint=str(doc["token_endpoint"]),
            jwks_uri=str(doc["jwks_uri"]),
            end_session_endpoint=doc.get("end_session_endpoint"),
            userinfo_endpoint=doc.get("userinfo_endpoint"),
        )
    except KeyError as exc:
        raise LoginFailed(
            "discovery_incomplete", "Die Konfiguration des Identitätsanbieters ist unvollständig."
        ) from exc
    _discovery_cache[issuer] = (now, meta)
    return meta


def _client(client_id: str, client_secret: str | None, redirect_uri: str, scopes: str) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        scope=scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post" if client_secret else "none",
        timeout=10.0,
    )


def authorization_url(
    meta: ProviderMetadata,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: str,
    state: str,
    nonce: str,
    code_verifier: str,
    login_hint: str | None = None,
) -> str:
    """The provider URL to send the browser to (PKCE S256 challenge, state, nonce)."""
    client = _client(client_id, None, redirect_uri, scopes)
    extra: dict[str, str] = {"nonce": nonce}
    if login_hint:
        extra["login_hint"] = login_hint
    url, _ = client.create_authorization_url(
        meta.authorization_endpoint, state=state, code_verifier=code_verifier, **extra
    )
    return str(url)


async def exchange_code(
    meta: ProviderMetadata,
    *,
    client_id: str,
    client_secret: str | None,
    redirect_uri: str,
    scopes: str,
    code: str,
    code_verifier: str,
) -> dict[str, Any]:
    """Redeem the authorization code at the provider's token endpoint."""
    client = _client(client_id, client_secret, redirect_uri, scopes)
    try:
        async with client:
            token = await client.fetch_token(
                meta.token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=redirect_uri,
            )
    except Exception as exc:
        log.warning("oidc.code_exchange_failed", issuer=meta.issuer, error=repr(exc)[:300])
        raise LoginFailed("code_exchange_failed") from exc
    if not isinstance(token, dict) or not token.get("id_token"):
        raise LoginFailed("no_id_token")
    return dict(token)


async def fetch_jwks(meta: ProviderMetadata) -> KeySet:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http:
            response = await http.get(meta.jwks_uri)
            response.raise_for_status()
            return KeySet.import_key_set(response.json())
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        raise LoginFailed(
            "jwks_unavailable", "Die Schlüssel des Identitätsanbieters sind nicht abrufbar."
        ) from exc


def validate_id_token(
    id_token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str, now: int | None = None
) -> dict[str, Any]:
    """Verify signature and claims; return the claims. Raises ``LoginFailed`` with a reason."""
    try:
        token = jwt.decode(id_token, keys, algorithms=list(ALLOWED_ALGORITHMS))
    except JoseError as exc:
        raise LoginFailed(f"id_token_invalid_signature:{exc.error}") from exc
    except ValueError as exc:
        raise LoginFailed("id_token_malformed") from exc
    alg = token.header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:  # defence in depth: decode already refuses these
        raise LoginFailed("id_token_bad_algorithm")
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        claim = getattr(exc, "claim", None) or getattr(exc, "error", "claims")
        if exc.error == "expired_token":
            raise LoginFailed("id_token_expired") from exc
        raise LoginFailed(f"id_token_claim_invalid:{claim}") from exc
    aud = claims["aud"]
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise LoginFailed("id_token_claim_invalid:azp")
    if "azp" in claims and claims["azp"] != client_id:
        raise LoginFailed("id_token_claim_invalid:azp")
    return claims
