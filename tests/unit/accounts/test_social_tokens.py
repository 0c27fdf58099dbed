"""Social ID tokens (P3): forged, expired, re-targeted and confused tokens are refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from chalicelib.accounts.social import (
    OidcProvider,
    SocialTokenError,
    jwks_key,
    verify_id_token,
)
from local.oidc import LocalIssuer

ISSUER = "http://127.0.0.1:9/oidc"
ISSUER_KEYS = LocalIssuer(ISSUER, {"google": "vetpet-google"})
PROVIDER = OidcProvider(
    name="google", issuers=(ISSUER,), client_id="vetpet-google", jwks_uri=f"{ISSUER}/jwks.json"
)


def local_keys(provider: OidcProvider, token: str) -> Any:
    return ISSUER_KEYS.public_key


def mint(**overrides: Any) -> str:
    request: dict[str, Any] = {
        "provider": "google",
        "sub": "g-1",
        "email": "Owner@Example.com",
        "nonce": "n-1",
    }
    request.update(overrides)
    return ISSUER_KEYS.mint(request)


def verify(token: str, nonce: str = "n-1", provider: OidcProvider = PROVIDER) -> Any:
    return verify_id_token(provider, token, nonce, datetime.now(UTC), key_source=local_keys)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_genuine_token_yields_the_profile() -> None:
    profile = verify(mint(name="Olena"))
    assert (profile.provider, profile.subject) == ("google", "g-1")
    assert profile.email == "owner@example.com"
    assert profile.email_verified is True
    assert profile.name == "Olena"


def test_forged_signature_is_refused() -> None:
    forger = LocalIssuer(ISSUER, {"google": "vetpet-google"})
    forged = forger.mint({"provider": "google", "sub": "g-1", "nonce": "n-1"})
    with pytest.raises(SocialTokenError):
        verify(forged)


def test_expired_token_is_refused() -> None:
    with pytest.raises(SocialTokenError, match="expired"):
        verify(mint(expires_in=-120))


def test_wrong_audience_is_refused() -> None:
    with pytest.raises(SocialTokenError):
        verify(mint(aud="someone-elses-client"))


def test_wrong_issuer_is_refused() -> None:
    with pytest.raises(SocialTokenError, match="issuer"):
        verify(mint(iss="https://evil.example"))


def test_wrong_nonce_is_refused() -> None:
    with pytest.raises(SocialTokenError, match="nonce"):
        verify(mint(), nonce="other")


def test_hashed_nonce_provider_compares_the_digest() -> None:
    apple = OidcProvider("apple", (ISSUER,), "vetpet-google", "x", nonce_hashed=True)
    digest = hashlib.sha256(b"raw-nonce").hexdigest()
    assert verify(mint(nonce=digest), nonce="raw-nonce", provider=apple).subject == "g-1"
    with pytest.raises(SocialTokenError):
        verify(mint(nonce="raw-nonce"), nonce="raw-nonce", provider=apple)


def test_alg_none_is_refused() -> None:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "vetpet-google", "sub": "g", "iat": now, "exp": now + 60}
    token = f"{header}.{b64(json.dumps(claims).encode())}."
    with pytest.raises(SocialTokenError):
        verify(token)


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    pem = ISSUER_KEYS.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "vetpet-google", "sub": "g", "iat": now, "exp": now + 60}
    body = b64(json.dumps(claims).encode())

    signature = hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(SocialTokenError):
        verify(f"{header}.{body}.{b64(signature)}")


def test_missing_claims_are_refused() -> None:
    token = jwt.encode(
        {"iss": ISSUER, "aud": "vetpet-google", "sub": "g"},
        ISSUER_KEYS._key,
        algorithm="RS256",
    )
    with pytest.raises(SocialTokenError):
        verify(token)


@pytest.mark.allow_hosts(["127.0.0.1"])  # the issuer's port 9 on loopback refuses
def test_unreachable_jwks_is_a_refusal_not_a_crash() -> None:
    with pytest.raises(SocialTokenError):
        verify_id_token(PROVIDER, mint(), "n-1", datetime.now(UTC), key_source=jwks_key)
