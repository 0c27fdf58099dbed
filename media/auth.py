"""Room and playback token verification against the API's JWKS."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import jwt

from chalicelib.media_nodes.contract import (
    MEDIA_TOKEN_AUDIENCE,
    PLAYBACK_TOKEN_AUDIENCE,
    PLAYBACK_TOKEN_CLAIMS,
    ROOM_TOKEN_CLAIMS,
)

ALGORITHMS = ["ES256", "EdDSA"]
ROLES = frozenset({"owner", "vet", "guest"})


class TokenRejectedError(Exception):
    """The room token is missing, malformed, badly signed, expired or for another room."""


@dataclass(frozen=True)
class RoomClaims:
    user_id: str
    session_id: str
    room_id: str
    role: str
    recording_allowed: bool


@dataclass(frozen=True)
class PlaybackClaims:
    subject: str
    recording_id: str
    booking_id: str
    grant_id: str | None  # a third party plays under this written-consent grant


class TokenVerifier:
    """Verifies ES256/EdDSA room tokens with keys from a cached JWKS."""

    def __init__(self, jwks_url: str, issuer: str) -> None:
        self._issuer = issuer
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)

    async def _decode(self, token: str, audience: str, required: tuple[str, ...]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        try:
            key = await loop.run_in_executor(None, self._jwks.get_signing_key_from_jwt, token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=audience,
                issuer=self._issuer,
                options={"require": list(required)},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise TokenRejectedError(type(exc).__name__) from exc
        return claims

    async def verify_playback(self, token: str, recording_id: str) -> PlaybackClaims:
        """The claims of ``token`` if it is a valid playback token for ``recording_id``."""
        claims = await self._decode(token, PLAYBACK_TOKEN_AUDIENCE, PLAYBACK_TOKEN_CLAIMS)
        if claims["rid"] != recording_id:
            raise TokenRejectedError("recording mismatch")
        grant = claims.get("gid")
        return PlaybackClaims(
            subject=str(claims["sub"]),
            recording_id=recording_id,
            booking_id=str(claims["bid"]),
            grant_id=None if grant is None else str(grant),
        )

    async def verify(self, token: str, room_id: str) -> RoomClaims:
        """Return the claims of ``token`` if it is valid for ``room_id``."""
        claims = await self._decode(token, MEDIA_TOKEN_AUDIENCE, ROOM_TOKEN_CLAIMS)
        if claims["room"] != room_id:
            raise TokenRejectedError("room mismatch")
        role = claims.get("role")
        if role not in ROLES:
            raise TokenRejectedError("unknown role")
        return RoomClaims(
            user_id=str(claims["sub"]),
            session_id=str(claims["sid"]),
            room_id=room_id,
            role=str(role),
            recording_allowed=claims.get("rec") is True,
        )
