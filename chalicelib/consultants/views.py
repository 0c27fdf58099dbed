"""The public projection of a consultant's profile."""

from __future__ import annotations

from typing import Any

from chalicelib.consultants.models import ConsultantProfile
from chalicelib.consultants.schemas import ConsultantOut, Money

# Response fields that are not a stored attribute of the same name.
_SHAPED = {"id", "price"}


def profile_out(profile: ConsultantProfile) -> ConsultantOut:
    """Every other field of `ConsultantOut` is the profile attribute of the same name."""
    same: dict[str, Any] = {
        name: getattr(profile, name) for name in ConsultantOut.model_fields if name not in _SHAPED
    }
    return ConsultantOut.model_validate(
        {
            **same,
            "id": profile.consultant_id,
            "price": Money(amount=int(profile.price_amount), currency=profile.price_currency),
        }
    )
