"""Access tokens: pinned algorithms, every claim required, known token attacks refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization

from chalicelib.accounts.keys import key_ring
from chalicelib.accounts.tokens import issue_access_token, issue_media_token, verify_access_token
from chalicelib.config import ACCESS_TOKEN_AUDIENCE, MEDIA_TOKEN_AUDIENCE
from chalicelib.web.access import AUTHENTICATED, authorize
from chalicelib.web.problems import ProblemError

pytestmark = pytest.mark.usefixtures("aws")


def _claims(now: datetime, **overrides: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "iss": "http://api.test",
        "aud": ACCESS_TOKEN_AUDIENCE,
        "sub": "u1",
        "role": "owner",
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + 600,
        "jti": "j1",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(claims: dict[str, object], **headers: object) -> str:
    key = key_ring.signing_key()
    return jwt.encode(
        claims,
        key.private_key,
        algorithm="ES256",
        headers={"kid": key.kid, "typ": "at+jwt", **headers},
    )


def _refused(token: str) -> ProblemError:
    with pytest.raises(ProblemError) as caught:
        authorize(AUTHENTICATED, {"authorization": f"Bearer {token}"})
    assert caught.value.status == 401
    assert caught.value.code == "unauthorized"
    assert caught.value.headers["WWW-Authenticate"] == "Bearer"
    return caught.value


def test_issued_token_verifies_with_all_claims() -> None:
    now = datetime.now(UTC)
    token, expires_in = issue_access_token("u1", "vet", now)
    claims = verify_access_token(token)
    assert claims["sub"] == "u1"
    assert claims["role"] == "vet"
    assert expires_in == 900
    assert claims["exp"] - claims["iat"] <= 900
    header = jwt.get_unverified_header(token)
    assert header["typ"] == "at+jwt"
    assert header["alg"] == "ES256"
    assert header["kid"] == key_ring.signing_key().kid


def test_alg_none_is_refused() -> None:
    now = datetime.now(UTC)
    head = {"alg": "none", "typ": "at+jwt", "kid": key_ring.signing_key().kid}

    def b64(part: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()

    _refused(f"{b64(head)}.{b64(_claims(now))}.")


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    public_pem = (
        key_ring.signing_key()
        .private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"kid": key_ring.signing_key().kid, "typ": "at+jwt", "alg": "HS256"}
    payload = base64.urlsafe_b64encode(json.dumps(_claims(datetime.now(UTC))).encode())
    import hashlib
    import hmac

    head = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=")
    signing_input = head + b"." + payload.rstrip(b"=")
    signature = base64.urlsafe_b64encode(
        hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    ).rstrip(b"=")
    _refused((signing_input + b"." + signature).decode())


def test_tampered_payload_is_refused() -> None:
    token, _ = issue_access_token("u1", "owner", datetime.now(UTC))
    head, _, signature = token.split(".")
    forged = (
        base64.urlsafe_b64encode(json.dumps(_claims(datetime.now(UTC), role="admin")).encode())
        .rstrip(b"=")
        .decode()
    )
    _refused(f"{head}.{forged}.{signature}")


@pytest.mark.parametrize("missing", ["exp", "iat", "jti", "sub", "role", "iss", "aud"])
def test_missing_claim_is_refused(missing: str) -> None:
    _refused(_signed(_claims(datetime.now(UTC), **{missing: None})))


def test_expired_token_is_refused() -> None:
    issued = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    token, _ = issue_access_token("u1", "owner", issued)
    with time_machine.travel(issued + timedelta(minutes=15, seconds=1), tick=False):
        assert "expired" in _refused(token).detail
    with time_machine.travel(issued + timedelta(minutes=14), tick=False):
        assert verify_access_token(token)["sub"] == "u1"


def test_wrong_audience_issuer_type_or_key_is_refused() -> None:
    now = datetime.now(UTC)
    _refused(_signed(_claims(now, aud=MEDIA_TOKEN_AUDIENCE)))
    _refused(_signed(_claims(now, iss="https://evil.example")))
    _refused(_signed(_claims(now), typ="JWT"))
    _refused(_signed(_claims(now), kid="unknown-kid"))
    _refused("not-a-jwt")


def test_media_token_is_not_an_access_token() -> None:
    now = datetime.now(UTC)
    token = issue_media_token(
        user_id="u1",
        session_id="family-1",
        role="owner",
        room="b1",
        recording=False,
        expires_at=now + timedelta(minutes=30),
        now=now,
    )
    claims = jwt.decode(
        token,
        key_ring.signing_key().private_key.public_key(),
        algorithms=["ES256"],
        audience=MEDIA_TOKEN_AUDIENCE,
    )
    assert claims["room"] == "b1"
    assert claims["sid"] == "family-1"
    assert claims["rec"] is False
    _refused(token)


def test_jwks_publishes_the_verifying_key() -> None:
    jwks = key_ring.jwks()
    (jwk,) = jwks["keys"]
    assert jwk["kid"] == key_ring.signing_key().kid
    assert "d" not in jwk
    public = jwt.PyJWK(jwk).key
    token, _ = issue_access_token("u1", "owner", datetime.now(UTC))
    assert (
        jwt.decode(token, public, algorithms=["ES256"], audience=ACCESS_TOKEN_AUDIENCE)["sub"]
        == "u1"
    )
