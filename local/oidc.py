"""A local OpenID Connect issuer standing in for Google, Apple and Facebook in the local stage.

It publishes a JWKS and mints RS256 ID tokens on request, so the production verifier
(PyJWKClient against a JWKS URI, then claim checks) runs unchanged. Tests mint tokens
through it, including expired and wrong-audience ones; forged tokens are signed elsewhere.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class LocalIssuer:
    def __init__(self, issuer: str, client_ids: dict[str, str]) -> None:
        self.issuer = issuer
        self.client_ids = client_ids
        self.kid = secrets.token_hex(8)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    @property
    def public_key(self) -> Any:
        return self._key.public_key()

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.public_key))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/jwks.json",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def mint(self, request: dict[str, Any]) -> str:
        """An ID token for ``request``: provider, sub, email, nonce, and optional overrides.

        ``aud`` defaults to the provider's client id, ``expires_in`` to 600 seconds (negative
        makes an expired token), ``iss`` to this issuer.
        """
        now = int(request.get("now", time.time()))
        claims = {
            "iss": request.get("iss", self.issuer),
            "aud": request.get("aud", self.client_ids.get(str(request.get("provider")), "")),
            "sub": str(request.get("sub") or secrets.token_hex(8)),
            "iat": now,
            "exp": now + int(request.get("expires_in", 600)),
            "nonce": request.get("nonce", ""),
            "email_verified": request.get("email_verified", True),
        }
        for optional in ("email", "name"):
            if optional in request:
                claims[optional] = request[optional]
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self.kid})


def serve(issuer: str, port: int) -> ThreadingHTTPServer:
    """Serve the issuer on loopback: GET /jwks.json, GET /.well-known/openid-configuration,
    and POST /mint (a JSON request as ``LocalIssuer.mint`` takes) -> {"id_token": ...}."""
    from chalicelib.config import get_settings

    settings = get_settings()
    keys = LocalIssuer(
        issuer,
        {
            "google": settings.google_client_id,
            "apple": settings.apple_client_id,
            "facebook": settings.facebook_client_id,
        },
    )

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/jwks.json":
                self._reply(200, keys.jwks())
            elif path == "/.well-known/openid-configuration":
                self._reply(200, keys.discovery())
            else:
                self._reply(404, {"error": "not_found"})

        def do_POST(self) -> None:
            if self.path.split("?")[0] != "/mint":
                self._reply(404, {"error": "not_found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._reply(400, {"error": "invalid_json"})
                return
            self._reply(200, {"id_token": keys.mint(request)})

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
