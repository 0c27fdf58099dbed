"""Back-off state of sign-in attempts, per account and per client IP (ASVS 5.0 V6.3.1)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from chalicelib.accounts.models import LoginFailures
from chalicelib.accounts.throttle import Backoff
from chalicelib.config import (
    LOGIN_FAILURE_LIMIT,
    LOGIN_FAILURE_LIMIT_PER_IP,
    LOGIN_FAILURE_WINDOW,
)
from chalicelib.web.problems import ProblemError

ACCOUNT = Backoff(limit=LOGIN_FAILURE_LIMIT, window=LOGIN_FAILURE_WINDOW)
CLIENT_IP = Backoff(limit=LOGIN_FAILURE_LIMIT_PER_IP, window=LOGIN_FAILURE_WINDOW)


def account_key(email: str) -> str:
    """The back-off key of an e-mail address, known or not (a digest, not the address)."""
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


def keys(email: str, ip: str) -> list[str]:
    """The account's key first, then the client IP's (when the edge reported one)."""
    return [account_key(email)] + ([f"ip:{ip}"] if ip else [])


def _policy(key: str) -> Backoff:
    return CLIENT_IP if key.startswith("ip:") else ACCOUNT


def _failures(key: str) -> list[datetime]:
    try:
        item = LoginFailures.get(key)
    except LoginFailures.DoesNotExist:
        return []
    return [datetime.fromtimestamp(at, UTC) for at in item.failures]


def check(for_keys: Iterable[str], now: datetime) -> None:
    """Raise 429 with Retry-After while any key has too many recent failures."""
    waits = [_policy(key).retry_after(_failures(key), now) for key in for_keys]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        raise ProblemError(
            429,
            "too_many_attempts",
            f"Too many failed attempts. Try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def record_failure(for_keys: Iterable[str], now: datetime) -> None:
    """Count a failure against every key; failures older than the window are dropped."""
    for key in for_keys:
        item = LoginFailures(key)
        item.update(
            actions=[
                LoginFailures.failures.set((LoginFailures.failures | []).append([now.timestamp()])),
                LoginFailures.expires.set(now + LOGIN_FAILURE_WINDOW),
            ]
        )
        window = LOGIN_FAILURE_WINDOW.total_seconds()
        recent = [at for at in item.failures if now.timestamp() - at < window]
        if len(recent) < len(item.failures):
            item.update(actions=[LoginFailures.failures.set(recent)])


def clear(key: str) -> None:
    LoginFailures(key).delete()
