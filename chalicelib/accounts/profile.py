"""The signed-in user's own profile (P10: see and correct)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from chalicelib.accounts import repository
from chalicelib.accounts.age import is_adult
from chalicelib.accounts.errors import AccountGone, FieldRequired, Underage
from chalicelib.accounts.models import User

REQUIRED = ("name", "birth_date", "country", "language", "timezone")


def current_user(user_id: str) -> User:
    user = repository.get_user(user_id)
    if user is None:
        raise AccountGone()
    return user


def patch(user: User, values: Mapping[str, Any], now: datetime) -> User:
    """Apply the named fields; ``None`` clears an optional one (phone, address, postcode).
    A corrected birth date must still be of an adult's (P12)."""
    cleared = [name for name in REQUIRED if name in values and values[name] is None]
    if cleared:
        raise FieldRequired(
            f"Field '{cleared[0]}' cannot be empty.",
            extra={"errors": [{"field": cleared[0], "code": "missing", "message": "required"}]},
        )
    birth_date = values.get("birth_date")
    if isinstance(birth_date, date):
        if not is_adult(birth_date, now):
            raise Underage()
        values = {**values, "birth_date": birth_date.isoformat()}
    if values:
        attributes = User.get_attributes()
        user.update(
            actions=[
                attributes[name].set(value) if value is not None else attributes[name].remove()
                for name, value in values.items()
            ]
        )
    return user
