"""The owner's view of a pet."""

from __future__ import annotations

from datetime import date

from chalicelib.clock import to_rfc3339
from chalicelib.pets.models import Pet
from chalicelib.pets.schemas import PetOut


def pet_out(pet: Pet) -> PetOut:
    return PetOut(
        id=pet.pet_id,
        name=pet.name,
        species=pet.species,  # type: ignore[arg-type]
        breed=pet.breed,
        birth_date=date.fromisoformat(pet.birth_date) if pet.birth_date else None,
        weight_kg=pet.weight_kg,
        sex=pet.sex,  # type: ignore[arg-type]
        neutered=pet.neutered,
        notes=pet.notes,
        created_at=to_rfc3339(pet.created_at),
        updated_at=to_rfc3339(pet.updated_at),
    )
