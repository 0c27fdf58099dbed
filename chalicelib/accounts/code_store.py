"""Issuing and redeeming a user's one-time codes (one pending code per purpose)."""

from __future__ import annotations

import secrets
from contextlib import suppress
from datetime import datetime, timedelta
from functools import cache

from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.accounts import codes
from chalicelib.accounts.models import AuthCode
from chalicelib.config import get_settings
from chalicelib.store.expiry import schedule_purge


@cache
def code_key() -> bytes:
    """The server key that codes are hashed with (Secrets Manager; cached per process)."""
    import boto3

    settings = get_settings()
    client = boto3.client("secretsmanager", region_name=settings.region)
    secret: str = client.get_secret_value(SecretId=settings.code_key_secret_id)["SecretString"]
    return secret.encode()


def new_code_key() -> str:
    """A fresh code key for a new stage (the local bootstrap stores it)."""
    return secrets.token_hex(32)


def hash_for(binding: str, code: str) -> str:
    return codes.code_hash(code_key(), binding, code)


def issue(
    user_id: str, purpose: str, now: datetime, ttl: timedelta, pending: str | None = None
) -> str:
    """A new code for ``purpose``, replacing any earlier one; returns the plain code."""
    code = codes.new_code()
    expires_at = now + ttl
    code_item = AuthCode(
        user_id,
        purpose,
        code_hash=hash_for(f"{purpose}:{user_id}", code),
        expires_at=expires_at,
        wrong_tries=0,
        pending=pending,
        expires=expires_at,
    )
    schedule_purge(code_item, expires_at).save()
    return code


def redeem(user_id: str, purpose: str, code: str, now: datetime) -> AuthCode | None:
    """The code's item when ``code`` is right (and it is then used up), otherwise None.

    A wrong code counts a try; an expired or worn-out code is removed.
    """
    try:
        item = AuthCode.get(user_id, purpose)
    except AuthCode.DoesNotExist:
        return None
    issued = codes.IssuedCode(item.code_hash, item.expires_at, int(item.wrong_tries))
    verdict = issued.check(hash_for(f"{purpose}:{user_id}", code), now)
    if verdict is codes.CodeCheck.WRONG:
        with suppress(UpdateError):  # never recreate a code used or replaced meanwhile
            item.update(
                actions=[AuthCode.wrong_tries.add(1)],
                condition=AuthCode.code_hash == item.code_hash,
            )
        return None
    try:  # single use: of two concurrent redemptions only one deletes the item
        item.delete(AuthCode.code_hash == item.code_hash)
    except DeleteError:
        return None
    return item if verdict is codes.CodeCheck.OK else None
