"""Payments and processed webhook events (PynamoDB)."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.store.base import BaseModel, table_name
from chalicelib.store.expiry import PurgeDue


class RefundsDue(GlobalSecondaryIndex["PaymentItem"]):  # type: ignore[no-untyped-call]
    """Sparse: only payments whose refund is not confirmed yet carry ``refund_due``."""

    class Meta:
        index_name = "refunds-due"
        projection = KeysOnlyProjection()

    refund_due = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class PaymentItem(BaseModel):
    """One payment per booking (key = booking id); every change is conditional on status."""

    class Meta(BaseModel.Meta):
        table_name = table_name("payments")

    booking_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    provider = UnicodeAttribute()
    checkout_ref = UnicodeAttribute()
    checkout_url = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    expires_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    payment_ref = UnicodeAttribute(null=True)
    refunded_amount = NumberAttribute(default=0)
    refund_due = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    # Set when the payer's account is erased: the anonymised record's purge deadline.
    purge_bucket = UnicodeAttribute(null=True)
    purge_at = UTCDateTimeAttribute(null=True)

    refunds_due = RefundsDue()
    purge_due = PurgeDue()


class PaymentEventItem(BaseModel):
    """A webhook event already processed: a conditional put makes each event id count once."""

    class Meta(BaseModel.Meta):
        table_name = table_name("payment-events")

    event_id = UnicodeAttribute(hash_key=True)
    received_at = UTCDateTimeAttribute()
    expires = TTLAttribute()
