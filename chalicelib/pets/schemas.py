"""Pet request and response bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from chalicelib.config import PET_WEIGHT_KG_MAX, PET_WEIGHT_KG_MIN
from chalicelib.web.validation import BirthDate, InstantText, Schema, not_null

Species = Literal["dog", "cat", "bird", "rodent", "reptile", "other"]
Sex = Literal["male", "female", "unknown"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Breed = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Weight = Annotated[float, Field(ge=PET_WEIGHT_KG_MIN, le=PET_WEIGHT_KG_MAX)]


class _PetDetails(Schema):
    breed: Breed | None = None
    birth_date: BirthDate | None = None
    weight_kg: Weight | None = None
    sex: Sex | None = None
    neutered: bool | None = None
    notes: Notes | None = None


class PetCreate(_PetDetails):
    name: Name
    species: Species


class PetPatch(_PetDetails):
    """Only the fields sent change; null clears an optional field."""

    model_config = ConfigDict(**Schema.model_config, json_schema_extra=not_null("name", "species"))

    name: Name | None = None
    species: Species | None = None

    @field_validator("name", "species")
    @classmethod
    def _not_cleared(cls, value: str | None) -> str:
        """Left out keeps the value; null would clear a field every pet must have."""
        if value is None:
            raise ValueError("required")
        return value


class PetOut(Schema):
    id: str
    name: str
    species: Species
    breed: str | None
    birth_date: date | None
    weight_kg: float | None
    sex: Sex | None
    neutered: bool | None
    notes: str | None
    created_at: InstantText
    updated_at: InstantText


class PetList(Schema):
    items: list[PetOut]
    next_cursor: str | None
