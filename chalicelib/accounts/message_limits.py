"""How many account e-mails and SMS (codes, resets, enrolment) may go out per hour, per
address, phone and account (ASVS 5.0 V2.4): nobody can pump messages at someone. An
address is counted whether or not it has an account, so the limit reveals nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime

from chalicelib.accounts import counters
from chalicelib.accounts.errors import TooManyMessages
from chalicelib.config import (
    MESSAGE_WINDOW,
    MESSAGES_PER_ACCOUNT,
    MESSAGES_PER_EMAIL,
    MESSAGES_PER_PHONE,
)


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def email_key(email: str) -> str:
    return f"msg-email:{_digest(email)}"


def phone_key(phone: str) -> str:
    return f"msg-phone:{_digest(phone)}"


def account_key(user_id: str) -> str:
    return f"msg-account:{user_id}"


def allow(
    now: datetime,
    *,
    email: str | None = None,
    phone: str | None = None,
    user_id: str | None = None,
) -> None:
    """Count one message against each given address, or raise `TooManyMessages`."""
    wanted = [
        (email_key(email), MESSAGES_PER_EMAIL) if email else None,
        (phone_key(phone), MESSAGES_PER_PHONE) if phone else None,
        (account_key(user_id), MESSAGES_PER_ACCOUNT) if user_id else None,
    ]
    counted: list[str] = []
    for key, limit in (entry for entry in wanted if entry is not None):
        wait = counters.reserve(key, limit, MESSAGE_WINDOW, now)
        if wait is not None:
            for done in counted:
                counters.release(done)
            raise TooManyMessages(wait)
        counted.append(key)
