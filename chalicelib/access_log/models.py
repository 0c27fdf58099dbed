"""Access-log storage: one item per entry, keyed by the subject and a sequence number
that is only ever taken once (conditional put), so a user's chain cannot fork."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.store.base import BaseModel, table_name


class AccessLogEntry(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("access-log")

    subject_id = UnicodeAttribute(hash_key=True)
    sequence = NumberAttribute(range_key=True)
    at = UTCDateTimeAttribute()
    actor_role = UnicodeAttribute()
    action = UnicodeAttribute()
    resource = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    recipient = UnicodeAttribute(null=True)
    previous_hash = UnicodeAttribute()
    entry_hash = UnicodeAttribute()
