"""What the accounts code calls: one line each at registration, sign-in and profile."""

from __future__ import annotations

from datetime import datetime

from chalicelib.accounts.models import User
from chalicelib.consent import operations
from chalicelib.consent.service import DEFAULT_CHANNEL, Opening


def opening(user: User, now: datetime, cookie_consent_id: str | None) -> Opening:
    """What registration stores with the new account: acceptance of the policy in effect
    and the visitor's cookie choice (P13), as the first events of its ledger."""
    return operations.opening(user, now, DEFAULT_CHANNEL, cookie_consent_id)


def signed_in(user: User, now: datetime, cookie_consent_id: str | None) -> None:
    """A cookie choice made before signing in becomes the user's (P13)."""
    if cookie_consent_id:
        operations.merge_cookie_choice(user, cookie_consent_id, DEFAULT_CHANNEL, now)


def restricted(user_id: str) -> bool:
    """Shown in the profile (`GET /v1/me`)."""
    return operations.restriction(user_id)
