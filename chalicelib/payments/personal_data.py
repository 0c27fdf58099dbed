"""A payer's payments, for export and erasure (`chalicelib/privacy/registry.py`).

Erasure keeps each payment for tax and accounting law, anonymised as
`chalicelib.privacy.inventory.KEPT_ANONYMISED` documents: the owner link goes, the
amount, currency, dates, status and the processor's references stay until
``TAX_RECORD_RETENTION`` after the payment, when the retention job purges it. A refund
still owed goes on being retried (it needs no owner)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from typing import Any

from chalicelib.config import TAX_RECORD_RETENTION
from chalicelib.payments.models import PaymentItem
from chalicelib.privacy.holders import Subject
from chalicelib.privacy.records import records
from chalicelib.store.expiry import PURGE, bucket_of

# Stands in for the payer on a payment kept after the payer's account was erased.
ERASED = "erased"


def _payments(user_id: str) -> Iterator[PaymentItem]:
    from chalicelib.bookings.personal_data import owner_bookings

    for booking in owner_bookings(user_id):
        with suppress(PaymentItem.DoesNotExist):
            payment = PaymentItem.get(booking.booking_id, consistent_read=True)
            if payment.owner_id == user_id:
                yield payment


class Payments:
    models = ("PaymentItem",)

    def export(self, subject: Subject) -> dict[str, list[dict[str, Any]]]:
        return {"payments": records(_payments(subject.user_id))}

    def erase(self, subject: Subject, now: datetime) -> None:
        for payment in _payments(subject.user_id):
            purge_at = payment.created_at + TAX_RECORD_RETENTION
            payment.update(
                actions=[
                    PaymentItem.owner_id.set(ERASED),
                    PaymentItem.purge_bucket.set(bucket_of(PURGE, purge_at)),
                    PaymentItem.purge_at.set(purge_at),
                ]
            )


payments = Payments()
