"""Disclosure storage: the trail is one partition of sequence-numbered items, each put
only if its sequence is free. ``subject_id`` and ``subject_salt`` sit outside the hash
and are removed when the user is erased."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name

TRAIL = "disclosures"  # the one partition of the trail


class BySubject(GlobalSecondaryIndex["Disclosure"]):  # type: ignore[no-untyped-call]
    """Sparse: an entry leaves it when its subject is erased."""

    class Meta:
        index_name = "by-subject"
        projection = KeysOnlyProjection()

    subject_id = UnicodeAttribute(hash_key=True)
    sequence = NumberAttribute(range_key=True)


class Disclosure(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("disclosures")

    trail = UnicodeAttribute(hash_key=True)
    sequence = NumberAttribute(range_key=True)
    disclosure_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    admin_id = UnicodeAttribute()
    recipient = UnicodeAttribute()
    legal_basis = UnicodeAttribute()
    reference = UnicodeAttribute()
    data_categories = UnicodeSetAttribute()
    subject_digest = UnicodeAttribute()
    previous_hash = UnicodeAttribute()
    entry_hash = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    subject_salt = UnicodeAttribute(null=True)

    by_subject = BySubject()
