"""Privacy-request storage: one item per request, its thread inside it (a bounded list).
A request waiting for support's answer carries ``waiting`` and sits in a sparse index by
due date, which the overdue job and support's queue read."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name

WAITING = "1"


class ThreadMessage(MapAttribute[str, str]):
    at = UTCDateTimeAttribute()
    author = UnicodeAttribute()
    text = UnicodeAttribute()


class WaitingByDue(GlobalSecondaryIndex["PrivacyRequest"]):  # type: ignore[no-untyped-call]
    """Sparse: only requests waiting for support carry ``waiting``."""

    class Meta:
        index_name = "waiting-by-due"
        projection = KeysOnlyProjection()

    waiting = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


class ByUser(GlobalSecondaryIndex["PrivacyRequest"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-user"
        projection = KeysOnlyProjection()

    user_id = UnicodeAttribute(hash_key=True)
    opened_at = UTCDateTimeAttribute(range_key=True)


class PrivacyRequest(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("privacy-requests")

    request_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    opened_at = UTCDateTimeAttribute()
    due_at = UTCDateTimeAttribute()
    extended_at = UTCDateTimeAttribute(null=True)
    extension_reason = UnicodeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True)
    waiting = UnicodeAttribute(null=True)
    messages = ListAttribute[ThreadMessage](of=ThreadMessage)

    waiting_by_due = WaitingByDue()
    by_user = ByUser()
