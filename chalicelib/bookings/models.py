"""Bookings, slot claims, rooms and question threads (PynamoDB)."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue


class BookingsByOwner(GlobalSecondaryIndex["Booking"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-owner"
        projection = KeysOnlyProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)


class BookingsByConsultant(GlobalSecondaryIndex["Booking"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-consultant"
        projection = KeysOnlyProjection()

    consultant_id = UnicodeAttribute(hash_key=True)
    start = UTCDateTimeAttribute(range_key=True)


class PendingHolds(GlobalSecondaryIndex["Booking"]):  # type: ignore[no-untyped-call]
    """Sparse: only bookings awaiting payment carry ``pending``, so a sweep costs what expired."""

    class Meta:
        index_name = "pending-holds"
        projection = KeysOnlyProjection()

    pending = UnicodeAttribute(hash_key=True)
    hold_expires_at = UTCDateTimeAttribute(range_key=True)


class PendingNotices(GlobalSecondaryIndex["Booking"]):  # type: ignore[no-untyped-call]
    """Sparse: bookings whose committed change has notices not yet recorded in the outbox
    (written in the change's own transaction; the sender drains, a job re-drives)."""

    class Meta:
        index_name = "pending-notices"
        projection = KeysOnlyProjection()

    notify = UnicodeAttribute(hash_key=True)
    notify_since = UTCDateTimeAttribute(range_key=True)


class RemindersDue(GlobalSecondaryIndex["Booking"]):  # type: ignore[no-untyped-call]
    """Sparse time buckets: a confirmed booking's next reminder (``remind#<hour>``)."""

    class Meta:
        index_name = "reminders-due"
        projection = KeysOnlyProjection()

    remind_bucket = UnicodeAttribute(hash_key=True)
    remind_at = UTCDateTimeAttribute(range_key=True)


class Booking(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("bookings")

    booking_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    consultant_id = UnicodeAttribute()
    pet_id = UnicodeAttribute()
    start = UTCDateTimeAttribute()
    end = UTCDateTimeAttribute()
    reason = UnicodeAttribute()
    status = UnicodeAttribute()
    initial_status = UnicodeAttribute()
    version = NumberAttribute()
    price_amount = NumberAttribute()
    price_currency = UnicodeAttribute()
    hold_expires_at = UTCDateTimeAttribute(null=True)
    pending = UnicodeAttribute(null=True)
    request_hash = UnicodeAttribute()
    rescheduled_from = UnicodeAttribute(null=True)
    rescheduled_to = UnicodeAttribute(null=True)
    cancelled_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Notices, reminders and retention (see bookings/marks.py).
    notices = ListAttribute[str](null=True)  # encoded `marks.Notice`s
    notify = UnicodeAttribute(null=True)
    notify_since = UTCDateTimeAttribute(null=True)
    remind_bucket = UnicodeAttribute(null=True)
    remind_at = UTCDateTimeAttribute(null=True)
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    by_owner = BookingsByOwner()
    by_consultant = BookingsByConsultant()
    pending_holds = PendingHolds()
    pending_notices = PendingNotices()
    reminders_due = RemindersDue()
    purge_due = PurgeDue()


class BookingLedger(BaseModel):
    """Per owner: the ids of bookings that may still count against the quotas, and a
    version every booking transaction of the owner bumps (so concurrent bookings of one
    owner cannot all pass the quota check on the same reading)."""

    class Meta(BaseModel.Meta):
        table_name = table_name("booking-ledgers")

    owner_id = UnicodeAttribute(hash_key=True)
    booking_ids = UnicodeSetAttribute(null=True)
    version = NumberAttribute()


class Room(BaseModel):
    """Read by the media server (same table prefix): room_id (S), password_hash (S)."""

    class Meta(BaseModel.Meta):
        table_name = table_name("rooms")

    room_id = UnicodeAttribute(hash_key=True)
    password_hash = UnicodeAttribute()
    expires = TTLAttribute(null=True)


class QuestionsByOwner(GlobalSecondaryIndex["Question"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-owner"
        projection = KeysOnlyProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class QuestionsByConsultant(GlobalSecondaryIndex["Question"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by-consultant"
        projection = KeysOnlyProjection()

    consultant_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Question(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("questions")

    question_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    consultant_id = UnicodeAttribute()
    pet_id = UnicodeAttribute()
    message_count = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    by_owner = QuestionsByOwner()
    by_consultant = QuestionsByConsultant()
    purge_due = PurgeDue()


class QuestionMessage(BaseModel):
    class Meta(BaseModel.Meta):
        table_name = table_name("question-messages")

    question_id = UnicodeAttribute(hash_key=True)
    sequence = NumberAttribute(range_key=True)  # 1, 2, ... in the order written
    message_id = UnicodeAttribute()
    author_role = UnicodeAttribute()  # "owner" | "consultant"
    text = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
