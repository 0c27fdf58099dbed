"""Fixed-window counters with atomic reservation (ASVS 5.0 V6.3.1, V2.4).

A use is counted BEFORE the work it guards is done, by one conditional update that adds
one only while the key is under its limit in the current window; so any number of
parallel requests can never get more than ``limit`` evaluations. A refused use is not
counted, so the wait never grows beyond one window (no permanent lockout).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from pynamodb.exceptions import UpdateError

from chalicelib.accounts.models import LoginFailures
from chalicelib.store.expiry import PURGE, bucket_of, purge_actions

_ROUNDS = 3  # an expired window is reset by one of several racing requests; retry after it


def _conditional_failed(error: UpdateError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


def _increment(key: str, limit: int, window: timedelta, now: datetime) -> bool:
    """Count one use in the current window, or in a new one when the key has none: one
    round trip either way, so whether a key was seen before does not show in the time."""
    ends = now + window
    try:
        LoginFailures(key).update(
            actions=[
                LoginFailures.uses.set((LoginFailures.uses | 0) + 1),
                LoginFailures.window_ends.set(LoginFailures.window_ends | ends.timestamp()),
                LoginFailures.expires.set(LoginFailures.expires | ends),
                LoginFailures.purge_bucket.set(LoginFailures.purge_bucket | bucket_of(PURGE, ends)),
                LoginFailures.purge_at.set(LoginFailures.purge_at | ends),
            ],
            condition=LoginFailures.key.does_not_exist()
            | ((LoginFailures.window_ends > now.timestamp()) & (LoginFailures.uses < limit)),
        )
    except UpdateError as error:
        if not _conditional_failed(error):
            raise
        return False
    return True


def _open_window(key: str, window: timedelta, now: datetime) -> bool:
    """Start a new window on a key whose window has ended."""
    ends = now + window
    try:
        LoginFailures(key).update(
            actions=[
                LoginFailures.uses.set(1),
                LoginFailures.window_ends.set(ends.timestamp()),
                LoginFailures.expires.set(ends),
                *purge_actions(LoginFailures, ends),
            ],
            condition=LoginFailures.window_ends <= now.timestamp(),
        )
    except UpdateError as error:
        if not _conditional_failed(error):
            raise
        return False
    return True


def _wait(key: str, now: datetime) -> int:
    try:
        ends = float(LoginFailures.get(key, consistent_read=True).window_ends)
    except LoginFailures.DoesNotExist:
        return 1
    return max(1, math.ceil(ends - now.timestamp()))


def reserve(key: str, limit: int, window: timedelta, now: datetime) -> int | None:
    """Count one use of ``key``: None when it was counted, else the seconds to wait."""
    for _ in range(_ROUNDS):
        if _increment(key, limit, window, now) or _open_window(key, window, now):
            return None
    return _wait(key, now)


def release(key: str) -> None:
    """Give back one counted use (the guarded work turned out not to be a failure)."""
    try:
        LoginFailures(key).update(
            actions=[LoginFailures.uses.add(-1)], condition=LoginFailures.uses > 0
        )
    except UpdateError as error:
        if not _conditional_failed(error):
            raise


def clear(key: str) -> None:
    LoginFailures(key).delete()
