"""The owner's view of a pet."""

from __future__ import annotations

from typing import Any

from chalicelib.clock import to_rfc3339
from chalicelib.pets.models import Pet
from chalicelib.pets.schemas import PetOut

# Response fields that are not a stored attribute of the same name and type.
_SHAPED = {"id", "created_at", "updated_at"}


def pet_out(pet: Pet) -> PetOut:
    """Every other field of `PetOut` is the pet attribute of the same name."""
    same: dict[str, Any] = {
        name: getattr(pet, name) for name in PetOut.model_fields if name not in _SHAPED
    }
    return PetOut.model_validate(
        {
            **same,
            "id": pet.pet_id,
            "created_at": to_rfc3339(pet.created_at),
            "updated_at": to_rfc3339(pet.updated_at),
        }
    )
