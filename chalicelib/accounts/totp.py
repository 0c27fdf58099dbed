"""Authenticator-app codes (RFC 6238: SHA-1, 30 s steps, 6 digits) with replay protection.

A code is accepted for the current step or one step either side (clock drift), and only
for a step later than the last one accepted, so a seen code can never be used again.
"""

from __future__ import annotations

from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


def new_secret() -> str:
    import pyotp

    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    import pyotp

    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer
    )


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code matches, if it is in the window and newer than ``last_step``."""
    import pyotp

    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if totp.verify(code, for_time=step * STEP_SECONDS, valid_window=0):
            return step
    return None
