"""The API's recordings tables: each booking's recording consents (read by the media
server while it records) and the written-consent grants that let a third party play one
recording (re-checked by the media server on every playback request)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.media_nodes.contract import RECORDING_CONSENTS_TABLE, RECORDING_GRANTS_TABLE
from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue


class ConsentsByOwner(GlobalSecondaryIndex["RecordingConsent"]):  # type: ignore[no-untyped-call]
    """Every booking's consent item of one owner (erasure)."""

    class Meta:
        index_name = "by-owner"
        projection = KeysOnlyProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute(range_key=True)


class RecordingConsent(BaseModel):
    """Both sides' current recording decision for one booking. The media server polls it
    (GetItem) during a recording: the attribute names are part of the media contract."""

    class Meta(BaseModel.Meta):
        table_name = table_name(RECORDING_CONSENTS_TABLE)

    booking_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    owner_granted = BooleanAttribute(default=False)
    consultant_granted = BooleanAttribute(default=False)
    updated_at = UTCDateTimeAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    by_owner = ConsentsByOwner()
    purge_due = PurgeDue()


class GrantsByOwner(GlobalSecondaryIndex["RecordingGrant"]):  # type: ignore[no-untyped-call]
    """Every grant an owner made (export, erasure, a recording's purge)."""

    class Meta:
        index_name = "by-owner"
        projection = KeysOnlyProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    grant_id = UnicodeAttribute(range_key=True)


class RecordingGrant(BaseModel):
    """A written-consent grant: one recipient may play one recording until ``expires_at``
    unless ``revoked``. The secret link's key is stored only as a SHA-256 digest."""

    class Meta(BaseModel.Meta):
        table_name = table_name(RECORDING_GRANTS_TABLE)

    grant_id = UnicodeAttribute(hash_key=True)
    recording_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    recipient_email = UnicodeAttribute()
    purpose = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_at = UTCDateTimeAttribute(null=True)
    consent_hash = UnicodeAttribute()
    consent_event_id = UnicodeAttribute()
    key_digest = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()

    by_owner = GrantsByOwner()
