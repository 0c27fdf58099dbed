"""The signed-in user's own profile (P10: see and correct)."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.accounts import mfa, repository
from chalicelib.accounts.models import User
from chalicelib.accounts.schemas import ProfileOut, ProfilePatchIn
from chalicelib.clock import to_rfc3339
from chalicelib.web.problems import ProblemError

_REQUIRED = ("name", "language", "timezone")


def current_user(user_id: str) -> User:
    user = repository.get_user(user_id)
    if user is None:
        raise ProblemError(401, "unauthorized", "The account no longer exists.")
    return user


def view(user: User) -> ProfileOut:
    return ProfileOut(
        user_id=user.user_id,
        email=user.email,
        email_verified=user.email_verified,
        role=user.role,
        name=user.name,
        birth_date=date.fromisoformat(user.birth_date) if user.birth_date else None,
        country=user.country,
        timezone=user.timezone,
        language=user.language,
        phone=user.phone,
        address=user.address,
        postcode=user.postcode,
        mfa_methods=mfa.methods(user),
        created_at=to_rfc3339(user.created_at),
    )


def patch(user: User, changes: ProfilePatchIn) -> ProfileOut:
    """Apply the fields the request names; address and postcode may be cleared with null."""
    values: dict[str, Any] = {name: getattr(changes, name) for name in changes.model_fields_set}
    cleared = [name for name in _REQUIRED if name in values and values[name] is None]
    if cleared:
        raise ProblemError(
            400,
            "validation_error",
            f"Field '{cleared[0]}' cannot be empty.",
            extra={"errors": [{"field": cleared[0], "code": "missing", "message": "required"}]},
        )
    if values:
        attributes = User.get_attributes()
        user.update(
            actions=[
                attributes[name].set(value) if value is not None else attributes[name].remove()
                for name, value in values.items()
            ]
        )
    return view(user)
