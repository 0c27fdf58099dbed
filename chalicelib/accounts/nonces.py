"""Server-issued nonces for social sign-in (OIDC replay protection): an ID token counts
only if it carries a nonce this server issued, less than 10 minutes ago, never used."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DeleteError

from chalicelib.accounts.models import SocialNonce
from chalicelib.config import SOCIAL_NONCE_TTL
from chalicelib.store.expiry import schedule_purge


@dataclass(frozen=True)
class IssuedNonce:
    nonce: str
    expires_at: datetime


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue(now: datetime) -> IssuedNonce:
    nonce = secrets.token_urlsafe(32)
    expires_at = now + SOCIAL_NONCE_TTL
    schedule_purge(
        SocialNonce(_digest(nonce), expires_at=expires_at, expires=expires_at), expires_at
    ).save(SocialNonce.nonce_digest.does_not_exist())
    return IssuedNonce(nonce, expires_at)


def is_live(nonce: str, now: datetime) -> bool:
    """Issued, unused and unexpired (it is not used up by this check)."""
    try:
        item = SocialNonce.get(_digest(nonce), consistent_read=True)
    except SocialNonce.DoesNotExist:
        return False
    return now < item.expires_at


def consume(nonce: str, now: datetime) -> bool:
    """Use the nonce up; False when it was not live (of two concurrent uses, one wins)."""
    try:
        SocialNonce(_digest(nonce)).delete(SocialNonce.expires_at > now)
    except DeleteError:
        return False
    return True
