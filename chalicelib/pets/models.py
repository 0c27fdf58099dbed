"""Pets, partitioned by their owner."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)

from chalicelib.store.base import BaseModel, table_name


class Pet(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("pets")

    owner_id = UnicodeAttribute(hash_key=True)
    pet_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    species = UnicodeAttribute()
    breed = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True)  # ISO date
    weight_kg = NumberAttribute(null=True)
    sex = UnicodeAttribute(null=True)
    neutered = BooleanAttribute(null=True)
    notes = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
