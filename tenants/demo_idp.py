"""A small OpenID Connect provider for the demo login (and as a controllable provider in tests).

``kommpass serve`` without configuration starts it as its own process on loopback
(``python -m tenants.demo_idp``) and registers it as the demo tenant's provider, so a
newcomer can log in with the demo accounts without any outside provider. It is never started
in production mode, and the login refuses demo providers there (``tenants.login``).

What it implements: discovery, JWKS (RS256 key generated at start), the authorization
endpoint with a German account chooser, the token endpoint (authorization code, single use,
PKCE S256 required, client secret checked, exact redirect URI), and RP-initiated logout.
Tests pass ``tamper`` to forge ID tokens (wrong audience, ``alg: none``, expired …) while
still speaking real HTTP.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from core.processes import end_with_parent


@dataclass(frozen=True)
class DemoAccount:
    sub: str
    email: str
    name: str
    description: str


#: The demo accounts (matching memberships are created by ``tenants.demo``).
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "demo-admin", "admin@dorsten.example", "Anna Admin", "Mandanten-Administration der Stadt Dorsten"
    ),
    DemoAccount(
        "demo-editor",
        "bearbeitung@dorsten.example",
        "Erik Emsig",
        "Bearbeiten (Digitalisierungsbeauftragter)",
    ),
    DemoAccount("demo-viewer", "lesen@dorsten.example", "Vera Vogt", "Lesen (Ausschussmitglied)"),
    DemoAccount("demo-kaaw", "kaaw@kaaw.example", "Karl KAAW", "KAAW-Administration (alle Kommunen)"),
)

#: ``tamper(claims, provider)`` returns new claims (dict) or a finished token string.
Tamper = Callable[[dict[str, Any], "MiniProvider"], "dict[str, Any] | str"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str
    sub: str
    expires: float


@dataclass
class MiniProvider:
    client_id: str
    client_secret: str | None
    redirect_uris: list[str]
    accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS
    tamper: Tamper | None = None
    token_ttl: int = 300
    #: Sign in without the chooser page (tests): the ``sub`` of the account to use.
    auto_login: str | None = None
    issuer: str = ""
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}
        )
    )
    _codes: dict[str, _Code] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- token building ---------------------------------------------------------------
    def sign(self, claims: dict[str, Any], *, alg: str = "RS256", key: Any = None) -> str:
        header = {"alg": alg, "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, key or self.key, algorithms=[alg])

    def unsigned(self, claims: dict[str, Any]) -> str:
        header = {"alg": "none", "typ": "JWT"}
        return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}."

    def id_token(self, code: _Code) -> str:
        account = next((a for a in self.accounts if a.sub == code.sub), None)
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": code.sub,
            "aud": code.client_id,
            "iat": now,
            "exp": now + self.token_ttl,
            "auth_time": now,
        }
        if code.nonce:
            claims["nonce"] = code.nonce
        if account:
            claims.update(email=account.email, email_verified=True, name=account.name)
        if self.tamper is not None:
            result = self.tamper(claims, self)
            if isinstance(result, str):
                return result
            claims = result
        return self.sign(claims)

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/end_session",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def issue_code(self, params: dict[str, str], sub: str) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                nonce=params.get("nonce"),
                challenge=params.get("code_challenge", ""),
                sub=sub,
                expires=time.time() + 60,
            )
        return code

    def check_authorize(self, params: dict[str, str]) -> str | None:
        """An error text, or None when the request is acceptable."""
        if params.get("response_type") != "code":
            return "response_type muss „code“ sein."
        if params.get("client_id") != self.client_id:
            return "Unbekannter Client."
        if params.get("redirect_uri") not in self.redirect_uris:
            return "Diese Rücksprungadresse ist nicht registriert."
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE (S256) ist erforderlich."
        if "openid" not in params.get("scope", "").split():
            return "Scope „openid“ fehlt."
        return None

    def redeem(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
        client_id = basic[0] if basic else form.get("client_id", "")
        secret = basic[1] if basic else form.get("client_secret")
        if client_id != self.client_id or (
            self.client_secret is not None and not secrets.compare_digest(secret or "", self.client_secret)
        ):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            code = self._codes.pop(form.get("code", ""), None)
        if code is None or code.expires < time.time() or code.client_id != client_id:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != code.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        if b64url(hashlib.sha256(verifier.encode()).digest()) != code.challenge:
            return 400, {"error": "invalid_grant", "error_description": "pkce"}
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": self.token_ttl,
            "id_token": self.id_token(code),
            "scope": "openid email profile",
        }

    # --- HTTP -------------------------------------------------------------------------
    def handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "KommpassDemoIdP/1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(
                self,
                status: int,
                body: str | bytes,
                ctype: str = "application/json",
                headers: dict[str, str] | None = None,
            ) -> None:
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _json(self, status: int, obj: Any) -> None:
                self._send(status, json.dumps(obj))

            def _redirect(self, url: str) -> None:
                self._send(302, b"", "text/plain", {"Location": url})

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/.well-known/openid-configuration":
                    self._json(200, provider.metadata())
                elif parts.path == "/jwks":
                    self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                elif parts.path == "/authorize":
                    error = provider.check_authorize(params)
                    if error:
                        self._send(
                            400,
                            _page("Anmeldung nicht möglich", f"<p>{html.escape(error)}</p>"),
                            "text/html; charset=utf-8",
                        )
                    elif provider.auto_login:
                        code = provider.issue_code(params, provider.auto_login)
                        self._redirect(
                            _with_query(params["redirect_uri"], code=code, state=params.get("state"))
                        )
                    else:
                        self._send(200, _chooser(provider, params), "text/html; charset=utf-8")
                elif parts.path == "/end_session":
                    target = params.get("post_logout_redirect_uri", "")
                    if target and any(_same_origin(target, r) for r in provider.redirect_uris):
                        self._redirect(_with_query(target, state=params.get("state")))
                    else:
                        self._send(
                            200,
                            _page("Abgemeldet", "<p>Sie sind beim Demo-Anbieter abgemeldet.</p>"),
                            "text/html; charset=utf-8",
                        )
                else:
                    self._send(404, _page("Nicht gefunden", ""), "text/html; charset=utf-8")

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                form = self._form()
                if parts.path == "/authorize":
                    error = provider.check_authorize(form)
                    account = next((a for a in provider.accounts if a.sub == form.get("account")), None)
                    if error or account is None:
                        self._send(
                            400,
                            _page("Anmeldung nicht möglich", html.escape(error or "Konto wählen.")),
                            "text/html; charset=utf-8",
                        )
                        return
                    code = provider.issue_code(form, account.sub)
                    self._redirect(_with_query(form["redirect_uri"], code=code, state=form.get("state")))
                elif parts.path == "/token":
                    basic = None
                    auth = self.headers.get("Authorization", "")
                    if auth.lower().startswith("basic "):
                        from urllib.parse import unquote

                        user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
                        basic = (unquote(user), unquote(pw))
                    status, body = provider.redeem(form, basic)
                    self._json(status, body)
                else:
                    self._send(404, b"", "text/plain")

        return Handler

    def make_server(self, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((host, port), self.handler())
        server.daemon_threads = True
        if not self.issuer:
            self.issuer = f"http://{host}:{server.server_address[1]}"
        return server

    @contextmanager
    def running(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Serve on a background thread; yields the issuer URL."""
        server = self.make_server(host, port)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        try:
            yield self.issuer
        finally:
            server.shutdown()
            server.server_close()


def _with_query(url: str, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return url + ("&" if "?" in url else "?") + query


def _same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.netloc) == (pb.scheme, pb.netloc)


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} – Demo-Anmeldung</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5;color:#1b1b1b}button{font:inherit;padding:.6rem 1rem;margin:.3rem 0;width:100%;"
        "text-align:left;border:2px solid #0b4f8a;background:#fff;border-radius:4px;cursor:pointer}"
        "button:focus{outline:3px solid #f5a300;outline-offset:2px}button:hover{background:#e8f0f8}"
        ".note{background:#fff4d6;padding:.5rem 1rem;border-left:4px solid #f5a300}</style></head><body>"
        f"<main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )


def _chooser(provider: MiniProvider, params: dict[str, str]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
    )
    buttons = "".join(
        f'<li><form method="post" action="/authorize">{hidden}'
        f'<button type="submit" name="account" value="{html.escape(a.sub)}">'
        f"<strong>{html.escape(a.name)}</strong>"
        f"<br>{html.escape(a.description)} ({html.escape(a.email)})</button></form></li>"
        for a in provider.accounts
    )
    return _page(
        "Demo-Anmeldung",
        '<p class="note">Lokaler Demo-Identitätsanbieter von Kommpass – nur für die Erprobung, '
        "nicht im Produktivbetrieb verfügbar.</p><p>Mit welchem Beispielkonto möchten Sie sich anmelden?</p>"
        f'<ul style="list-style:none;padding:0">{buttons}</ul>',
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Kommpass Demo-Identitätsanbieter (nur lokal).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    args = parser.parse_args()
    if os.environ.get("KOMMPASS_ENV") == "production":
        raise SystemExit("Der Demo-Identitätsanbieter startet nicht im Produktivbetrieb.")
    if args.host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("Der Demo-Identitätsanbieter lauscht nur auf Loopback-Adressen.")
    secret = os.environ.get("KOMMPASS_DEMO_IDP_SECRET")
    provider = MiniProvider(client_id=args.client_id, client_secret=secret, redirect_uris=args.redirect_uri)
    server = provider.make_server(args.host, args.port)
    end_with_parent(server.shutdown)  # ends with ``kommpass serve``, even when that is killed hard
    print(f"ready {provider.issuer}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
