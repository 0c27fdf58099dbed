"""Opaque refresh tokens with rotation and family revocation (ASVS 5.0 V7, OAuth 2.0 BCP).

A token reads ``<family id>.<secret>``: the secret carries 256 random bits and is stored
only as its SHA-256 digest. The family remembers the digest of every secret it issued.
Each use replaces the family's current secret. Judging a presented secret:

- the current one: rotate;
- the one rotated away less than `REFRESH_GRACE` ago: answer again with the same new pair
  (a client that lost the answer retries), which is kept encrypted under a key derived
  from the presented secret, so the store alone never holds a usable token;
- any other secret the family issued: it was copied, so the whole family is revoked;
- a secret the family never issued: plainly refused, nothing revoked.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.config import REFRESH_GRACE

_SECRET_BYTES = 32
_FAMILY_BYTES = 16
_NONCE_BYTES = 12


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


def _grace_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"vetpet refresh grace answer", hashlib.sha256).digest()


def seal_answer(secret: str, answer: Mapping[str, str]) -> str:
    """``answer`` encrypted (AES-256-GCM) under a key only the holder of ``secret`` has."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = AESGCM(_grace_key(secret)).encrypt(nonce, json.dumps(answer).encode(), None)
    return (nonce + sealed).hex()


def open_answer(secret: str, sealed: str) -> dict[str, str] | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    raw = bytes.fromhex(sealed)
    try:
        plain = AESGCM(_grace_key(secret)).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
    except InvalidTag:
        return None
    answer: dict[str, str] = json.loads(plain)
    return answer


class Presented(enum.Enum):
    CURRENT = "current"
    GRACE = "grace"
    REUSED = "reused"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class FamilyState:
    current_digest: str
    expires_at: datetime
    revoked: bool
    issued: frozenset[str] = frozenset()
    previous_digest: str | None = None
    rotated_at: datetime | None = None

    def judge(self, secret: str, now: datetime) -> Presented:
        """CURRENT: rotate. GRACE: the same answer again. REUSED: revoke the family.
        UNKNOWN: refuse and change nothing."""
        if self.revoked or now >= self.expires_at:
            return Presented.UNKNOWN
        presented = digest(secret)
        if hmac.compare_digest(self.current_digest, presented):
            return Presented.CURRENT
        if (
            self.previous_digest is not None
            and self.rotated_at is not None
            and hmac.compare_digest(self.previous_digest, presented)
            and now - self.rotated_at <= REFRESH_GRACE
        ):
            return Presented.GRACE
        if presented in self.issued:
            return Presented.REUSED
        return Presented.UNKNOWN
