"""Access tokens (RFC 9068 style JWTs) and media room tokens, signed with ES256 and
verified with pinned algorithms and every claim required (P3, P18)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from chalicelib.accounts.errors import InvalidAccessToken
from chalicelib.accounts.keys import key_ring
from chalicelib.config import (
    ACCESS_TOKEN_AUDIENCE,
    ACCESS_TOKEN_TTL,
    MEDIA_TOKEN_AUDIENCE,
    get_settings,
)
from chalicelib.media_nodes.contract import PLAYBACK_TOKEN_AUDIENCE

ALGORITHMS = ["ES256"]
ACCESS_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a media type
REQUIRED_CLAIMS = ["iss", "aud", "sub", "role", "iat", "exp", "jti"]


def _sign(claims: dict[str, Any], typ: str) -> str:
    import jwt

    key = key_ring.signing_key()
    return jwt.encode(
        claims, key.private_key, algorithm="ES256", headers={"kid": key.kid, "typ": typ}
    )


def issue_access_token(
    user_id: str, role: str, now: datetime, session_id: str | None = None
) -> tuple[str, int]:
    """An access token and its lifetime in seconds; ``session_id`` (claim ``sid``) names
    the refresh-token family it belongs to, so logout can end that sign-in."""
    issued = int(now.timestamp())
    ttl = int(ACCESS_TOKEN_TTL.total_seconds())
    claims = {
        "iss": get_settings().issuer,
        "aud": ACCESS_TOKEN_AUDIENCE,
        "sub": user_id,
        "role": role,
        "iat": issued,
        "exp": issued + ttl,
        "jti": secrets.token_urlsafe(16),
    }
    if session_id is not None:
        claims["sid"] = session_id
    return _sign(claims, ACCESS_TOKEN_TYPE), ttl


def issue_media_token(
    *,
    user_id: str,
    session_id: str | None,
    role: str,
    room: str,
    recording: bool,
    expires_at: datetime,
    now: datetime,
) -> str:
    """A room token for the media server (audience `vetpet-media`). ``sid`` names the
    sign-in it was issued to; the media server admits it only while that sign-in is live
    (a token without one never enters)."""
    claims: dict[str, Any] = {
        "iss": get_settings().issuer,
        "aud": MEDIA_TOKEN_AUDIENCE,
        "sub": user_id,
        "role": role,
        "room": room,
        "rec": recording,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    if session_id is not None:
        claims["sid"] = session_id
    return _sign(claims, "JWT")


def issue_playback_token(
    *,
    subject: str,
    recording_id: str,
    booking_id: str,
    expires_at: datetime,
    now: datetime,
    grant_id: str | None = None,
) -> str:
    """A playback token for one recording (audience `vetpet-playback`), checked by the
    media server's decrypting endpoint. ``grant_id`` (claim ``gid``) names the written-
    consent grant a third party plays under; the media server re-checks it per request."""
    claims: dict[str, Any] = {
        "iss": get_settings().issuer,
        "aud": PLAYBACK_TOKEN_AUDIENCE,
        "sub": subject,
        "rid": recording_id,
        "bid": booking_id,
        "iat": int(now.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    if grant_id is not None:
        claims["gid"] = grant_id
    return _sign(claims, "JWT")


def verify_access_token(token: str) -> dict[str, Any]:
    """The claims of a valid access token; `InvalidAccessToken` for anything else."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise InvalidAccessToken("The access token is malformed.") from None
    if header.get("typ") != ACCESS_TOKEN_TYPE or header.get("alg") not in ALGORITHMS:
        raise InvalidAccessToken("The access token has the wrong type.")
    key = key_ring.verification_key(str(header.get("kid", "")))
    if key is None:
        raise InvalidAccessToken("The access token was signed with an unknown key.")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.private_key.public_key(),
            algorithms=ALGORITHMS,
            audience=ACCESS_TOKEN_AUDIENCE,
            issuer=get_settings().issuer,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidAccessToken("The access token has expired.") from None
    except jwt.PyJWTError:
        raise InvalidAccessToken("The access token is invalid.") from None
    return claims
