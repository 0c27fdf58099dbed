"""Back-off of sign-in attempts, per account and per client IP (ASVS 5.0 V6.3.1).

Every password or second-factor attempt is reserved FIRST (see `counters`), then judged:
a wrong answer keeps its reservation, an attempt that turned out right gives it back,
and a complete sign-in clears the account's count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from chalicelib.accounts import counters
from chalicelib.accounts.errors import TooManyAttempts
from chalicelib.config import (
    LOGIN_FAILURE_LIMIT,
    LOGIN_FAILURE_LIMIT_PER_IP,
    LOGIN_FAILURE_WINDOW,
)


def account_key(email: str) -> str:
    """The back-off key of an e-mail address, known or not (a digest, not the address)."""
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def keys(email: str, ip: str) -> list[str]:
    """The account's key first, then the client IP's (when the edge reported one)."""
    return [account_key(email)] + ([f"ip:{ip}"] if ip else [])


def _limit(key: str) -> int:
    return LOGIN_FAILURE_LIMIT_PER_IP if key.startswith("ip:") else LOGIN_FAILURE_LIMIT


def reserve(for_keys: Sequence[str], now: datetime) -> None:
    """Count one attempt against every key, or raise `TooManyAttempts` (nothing counted)."""
    reserved: list[str] = []
    for key in for_keys:
        wait = counters.reserve(key, _limit(key), LOGIN_FAILURE_WINDOW, now)
        if wait is not None:
            for done in reserved:
                counters.release(done)
            raise TooManyAttempts(wait)
        reserved.append(key)


def release(for_keys: Sequence[str]) -> None:
    """The reserved attempt was not a failure: give it back."""
    for key in for_keys:
        counters.release(key)


def clear(key: str) -> None:
    counters.clear(key)
