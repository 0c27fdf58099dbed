"""Consultation recordings (DynamoDB): what was recorded, and each owner's recordings key.

`recordings` is written by the media server (boto3, see `media/`) once a
recording's encrypted upload has completed; the API lists, shares and purges it.
`recording-keys` holds one 256-bit data key per owner, wrapped by KMS under the
recordings key ARN with the owner id in the encryption context (see `vault.py`). Deleting
an owner's item is crypto-shredding: every copy of the owner's recordings (old object
versions and backups included) becomes unreadable. That is why this table, unlike the
others, has no point-in-time recovery and no backups (docs/privacy.md).
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import (
    BinaryAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.media_nodes.contract import RECORDING_KEYS_TABLE, RECORDINGS_TABLE
from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue


class RecordingStatus(StrEnum):
    """How a recording ended; either way its upload completed and it can be played."""

    COMPLETE = "complete"  # stopped by a participant or at the end of the call
    WITHDRAWN = "withdrawn"  # stopped when consent was withdrawn; what came before is kept


class RecordingsByBooking(GlobalSecondaryIndex["Recording"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-booking"
        projection = AllProjection()

    booking_id = UnicodeAttribute(hash_key=True)
    started_at = UTCDateTimeAttribute(range_key=True)


class RecordingsByOwner(GlobalSecondaryIndex["Recording"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)


class Recording(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name(RECORDINGS_TABLE)

    recording_id = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    consultant_id = UnicodeAttribute()
    object_key = UnicodeAttribute()  # in the recordings bucket: the encrypted stream
    started_at = UTCDateTimeAttribute()
    duration_s = NumberAttribute()
    size_bytes = NumberAttribute()  # of the recording as played back (plaintext length)
    status = UnicodeAttribute()  # a RecordingStatus
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    by_booking = RecordingsByBooking()
    by_owner = RecordingsByOwner()
    purge_due = PurgeDue()


class RecordingKey(BaseModel):
    """One per owner, created once (conditional put); deleted to shred the recordings."""

    class Meta(BaseModel.Meta):
        table_name = table_name(RECORDING_KEYS_TABLE)

    owner_id = UnicodeAttribute(hash_key=True)
    wrapped_key = BinaryAttribute(legacy_encoding=False)  # KMS ciphertext of the data key
    key_arn = UnicodeAttribute()  # the KMS key that wrapped it
    created_at = UTCDateTimeAttribute()
