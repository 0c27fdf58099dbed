"""The payments storage port and its DynamoDB adapter. Every change is a conditional
write, so concurrent webhooks and cancellations cannot both win."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.config import PAYMENT_EVENT_RETENTION
from chalicelib.payments.domain import Money, Payment, PaymentStatus
from chalicelib.payments.models import PaymentEventItem, PaymentItem


class PaymentRepository(Protocol):
    def get(self, booking_id: str) -> Payment | None:
        """The booking's payment, read consistently."""

    def get_many(self, booking_ids: Iterable[str]) -> dict[str, Payment]:
        """The payments of those bookings that have one, by booking id, read
        consistently; an empty or repeated id list costs no more than its distinct ids."""

    def add(self, payment: Payment) -> bool:
        """Store a new payment; False if the booking already has one."""

    def move(
        self,
        booking_id: str,
        allowed: Iterable[PaymentStatus],
        target: PaymentStatus,
        now: datetime,
        **fields: Any,
    ) -> bool:
        """Set ``target`` (and ``fields``: payment_ref, refunded_amount) if the current
        status is one of ``allowed``; False (nothing written) otherwise."""

    def refunds_pending(self) -> list[str]:
        """Booking ids of payments in refund_pending (refunds to send again)."""

    def seen(self, event_id: str) -> bool:
        """Whether a webhook event was processed already."""

    def record_event(self, event_id: str, now: datetime) -> bool:
        """Remember a processed event; False if it was recorded already."""


DUE = "1"


def _payment(item: PaymentItem) -> Payment:
    return Payment(
        booking_id=item.booking_id,
        owner_id=item.owner_id,
        provider=item.provider,
        checkout_ref=item.checkout_ref,
        checkout_url=item.checkout_url,
        amount=Money(int(item.amount), item.currency),
        expires_at=item.expires_at,
        status=PaymentStatus(item.status),
        created_at=item.created_at,
        payment_ref=item.payment_ref,
        refunded_amount=int(item.refunded_amount or 0),
    )


class DynamoPaymentRepository:
    """PaymentRepository on the `payments` and `payment-events` tables."""

    def get(self, booking_id: str) -> Payment | None:
        try:
            return _payment(PaymentItem.get(booking_id, consistent_read=True))
        except PaymentItem.DoesNotExist:
            return None

    def get_many(self, booking_ids: Iterable[str]) -> dict[str, Payment]:
        keys = sorted(set(booking_ids))
        if not keys:
            return {}
        # PynamoDB sends 100 keys per BatchGetItem and asks again for unprocessed ones.
        items = PaymentItem.batch_get(keys, consistent_read=True)
        return {item.booking_id: _payment(item) for item in items}

    def add(self, payment: Payment) -> bool:
        item = PaymentItem(
            payment.booking_id,
            owner_id=payment.owner_id,
            provider=payment.provider,
            checkout_ref=payment.checkout_ref,
            checkout_url=payment.checkout_url,
            amount=payment.amount.amount,
            currency=payment.amount.currency,
            expires_at=payment.expires_at,
            status=payment.status.value,
            payment_ref=payment.payment_ref,
            refunded_amount=payment.refunded_amount,
            created_at=payment.created_at,
            updated_at=payment.created_at,
        )
        try:
            item.save(condition=PaymentItem.booking_id.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def move(
        self,
        booking_id: str,
        allowed: Iterable[PaymentStatus],
        target: PaymentStatus,
        now: datetime,
        **fields: Any,
    ) -> bool:
        actions: list[Action] = [
            PaymentItem.status.set(target.value),
            PaymentItem.updated_at.set(now),
        ]
        for name, value in fields.items():
            actions.append(getattr(PaymentItem, name).set(value))
        if target is PaymentStatus.REFUND_PENDING:
            actions.append(PaymentItem.refund_due.set(DUE))
        else:
            actions.append(PaymentItem.refund_due.remove())
        condition = PaymentItem.status.is_in(*(s.value for s in allowed))
        try:
            PaymentItem(booking_id).update(actions, condition=condition)
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def refunds_pending(self) -> list[str]:
        return [item.booking_id for item in PaymentItem.refunds_due.query(DUE)]

    def seen(self, event_id: str) -> bool:
        try:
            PaymentEventItem.get(event_id, consistent_read=True)
        except PaymentEventItem.DoesNotExist:
            return False
        return True

    def record_event(self, event_id: str, now: datetime) -> bool:
        item = PaymentEventItem(event_id, received_at=now, expires=now + PAYMENT_EVENT_RETENTION)
        try:
            item.save(condition=PaymentEventItem.event_id.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True
