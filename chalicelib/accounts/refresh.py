"""Opaque refresh tokens with rotation and family revocation (ASVS 5.0 V7, OAuth 2.0 BCP).

A token reads ``<family id>.<secret>``: the secret carries 256 random bits and is stored
only as its SHA-256 digest. Each use replaces the family's current secret; presenting any
other secret of a live family means a token was copied, so the whole family is revoked.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

_SECRET_BYTES = 32
_FAMILY_BYTES = 16


def new_family_id() -> str:
    return secrets.token_urlsafe(_FAMILY_BYTES)


def new_secret() -> str:
    return secrets.token_urlsafe(_SECRET_BYTES)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def compose(family_id: str, secret: str) -> str:
    return f"{family_id}.{secret}"


def parse(token: str) -> tuple[str, str] | None:
    """Split a presented token into (family id, secret), or None when it is malformed."""
    family_id, dot, secret = token.partition(".")
    if not dot or not family_id or not secret or len(token) > 200:
        return None
    return family_id, secret


class Presented(enum.Enum):
    CURRENT = "current"
    REUSED = "reused"
    DEAD = "dead"


@dataclass(frozen=True)
class FamilyState:
    current_digest: str
    expires_at: datetime
    revoked: bool

    def judge(self, secret: str, now: datetime) -> Presented:
        """CURRENT: rotate it. REUSED: revoke the family. DEAD: refuse and change nothing."""
        if self.revoked or now >= self.expires_at:
            return Presented.DEAD
        if hmac.compare_digest(self.current_digest, digest(secret)):
            return Presented.CURRENT
        return Presented.REUSED
