"""Consultant directory profiles and the slot claims that lock their calendar."""

from __future__ import annotations

from pynamodb.attributes import (
    JSONAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue


class Directory(GlobalSecondaryIndex["ConsultantProfile"]):  # type: ignore[no-untyped-call]
    """Sparse: only listed profiles carry ``listed``."""

    class Meta:
        index_name = "directory"
        projection = AllProjection()

    listed = UnicodeAttribute(hash_key=True)
    consultant_id = UnicodeAttribute(range_key=True)


class ConsultantProfile(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("consultants")

    consultant_id = UnicodeAttribute(hash_key=True)  # the vet's user id
    listed = UnicodeAttribute(null=True)
    name = UnicodeAttribute()
    photo_url = UnicodeAttribute(null=True)
    specialties = JSONAttribute(default=list)  # list[str]
    languages = JSONAttribute(default=list)  # list[str], ISO 639-1
    licences = JSONAttribute(default=list)
    price_amount = NumberAttribute(default=0)
    price_currency = UnicodeAttribute(default="EUR")
    slot_minutes = NumberAttribute(default=30)
    bio = UnicodeAttribute(null=True)
    availability = JSONAttribute(null=True)
    version = NumberAttribute(default=0)
    updated_at = UTCDateTimeAttribute(null=True)

    directory = Directory()


class SlotClaim(BaseModel):
    """At most one item per consultant and slot start: the transaction's lock on the slot."""

    class Meta(BaseModel.Meta):
        table_name = table_name("slot-claims")

    consultant_id = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)
    end = UTCDateTimeAttribute()
    booking_id = UnicodeAttribute()
    hold_until = NumberAttribute(null=True)  # epoch seconds while unpaid; absent once confirmed
    expires = TTLAttribute(null=True)  # DynamoDB TTL is best effort; the sweep is exact
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    purge_due = PurgeDue()
