"""Token signing keys. They live in Secrets Manager (generated into the embedded AWS for
the local stage) as `{"keys": [{"kid", "private_pem", "active"}]}`: the active key signs,
every listed key verifies and is published in the JWKS, so keys rotate by `kid`."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from chalicelib.config import get_settings

_CACHE_SECONDS = 300


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Any
    active: bool

    @property
    def public_jwk(self) -> dict[str, Any]:
        from jwt.algorithms import ECAlgorithm

        jwk: dict[str, Any] = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "ES256"}


def thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint of an EC public key: a stable `kid`."""
    canonical = json.dumps(
        {k: public_jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":")
    )
    return (
        base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    )


def generate_key_document() -> str:
    """A fresh key set with one active ES256 key (the local bootstrap stores it)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = thumbprint(ECAlgorithm.to_jwk(key.public_key(), as_dict=True))
    return json.dumps({"keys": [{"kid": kid, "private_pem": pem, "active": True}]})


def _parse(document: str) -> list[SigningKey]:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return [
        SigningKey(
            kid=entry["kid"],
            private_key=load_pem_private_key(entry["private_pem"].encode(), password=None),
            active=bool(entry.get("active")),
        )
        for entry in json.loads(document)["keys"]
    ]


class KeyRing:
    """The signing keys, read from Secrets Manager and cached for a few minutes."""

    def __init__(self) -> None:
        self._keys: list[SigningKey] = []
        self._loaded_at = float("-inf")

    def clear(self) -> None:
        """Forget the cached keys; the next use reads Secrets Manager again."""
        self._loaded_at = float("-inf")

    def _refresh(self) -> list[SigningKey]:
        if time.monotonic() - self._loaded_at > _CACHE_SECONDS:
            import boto3

            settings = get_settings()
            client = boto3.client("secretsmanager", region_name=settings.region)
            secret = client.get_secret_value(SecretId=settings.signing_keys_secret_id)
            self._keys = _parse(secret["SecretString"])
            self._loaded_at = time.monotonic()
        return self._keys

    def signing_key(self) -> SigningKey:
        return next(k for k in self._refresh() if k.active)

    def verification_key(self, kid: str) -> SigningKey | None:
        return next((k for k in self._refresh() if k.kid == kid), None)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk for k in self._refresh()]}


key_ring = KeyRing()
