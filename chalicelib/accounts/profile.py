"""The signed-in user's own profile (P10: see and correct)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.accounts import repository
from chalicelib.accounts.errors import AccountGone, FieldRequired
from chalicelib.accounts.models import User

REQUIRED = ("name", "language", "timezone")


def current_user(user_id: str) -> User:
    user = repository.get_user(user_id)
    if user is None:
        raise AccountGone()
    return user


def patch(user: User, values: Mapping[str, Any]) -> User:
    """Apply the named fields; ``None`` clears an optional one (address, postcode)."""
    cleared = [name for name in REQUIRED if name in values and values[name] is None]
    if cleared:
        raise FieldRequired(
            f"Field '{cleared[0]}' cannot be empty.",
            extra={"errors": [{"field": cleared[0], "message": "required", "type": "missing"}]},
        )
    if values:
        attributes = User.get_attributes()
        user.update(
            actions=[
                attributes[name].set(value) if value is not None else attributes[name].remove()
                for name, value in values.items()
            ]
        )
    return user
