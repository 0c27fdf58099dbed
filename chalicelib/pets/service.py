"""Pet rules: several pets per owner, every pet reached through its owner's partition."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.config import MAX_PETS_PER_OWNER
from chalicelib.errors import NotFound
from chalicelib.pets.errors import TooManyPets
from chalicelib.pets.models import Pet
from chalicelib.pets.schemas import PetCreate, PetPatch


def new_pet_id() -> str:
    return f"pet_{secrets.token_hex(12)}"


def _stored(field: str, value: Any) -> Any:
    return value.isoformat() if field == "birth_date" and value is not None else value


def create_pet(owner_id: str, body: PetCreate, now: datetime) -> Pet:
    if Pet.count(owner_id) >= MAX_PETS_PER_OWNER:
        raise TooManyPets(f"An owner may keep {MAX_PETS_PER_OWNER} pets.")
    pet = Pet(owner_id, new_pet_id(), created_at=now, updated_at=now)
    for field, value in body.model_dump().items():
        setattr(pet, field, _stored(field, value))
    pet.save(condition=Pet.pet_id.does_not_exist())
    return pet


def get_pet(owner_id: str, pet_id: str) -> Pet:
    try:
        return Pet.get(owner_id, pet_id, consistent_read=True)
    except Pet.DoesNotExist as exc:
        raise NotFound("pet") from exc


def list_pets(owner_id: str) -> list[Pet]:
    return list(Pet.query(owner_id))


def update_pet(owner_id: str, pet_id: str, body: PetPatch, now: datetime) -> Pet:
    pet = get_pet(owner_id, pet_id)
    changes = body.model_dump(exclude_unset=True)
    actions = [
        getattr(Pet, f).set(_stored(f, v)) if v is not None else getattr(Pet, f).remove()
        for f, v in changes.items()
    ]
    actions.append(Pet.updated_at.set(now))
    try:
        pet.update(actions=actions, condition=Pet.pet_id.exists())
    except UpdateError as exc:  # deleted meanwhile
        raise NotFound("pet") from exc
    return pet


def delete_pet(owner_id: str, pet_id: str) -> None:
    pet = get_pet(owner_id, pet_id)
    pet.delete()
