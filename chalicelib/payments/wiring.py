"""The production wiring of the payments service, and the calls bookings make."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache

from chalicelib.consultants.schemas import Money
from chalicelib.payments import service
from chalicelib.payments.bookings_link import BookingsService
from chalicelib.payments.domain import Payment
from chalicelib.payments.providers import registry
from chalicelib.payments.refunds import Ending
from chalicelib.payments.repository import DynamoPaymentRepository
from chalicelib.payments.schemas import PaymentSummary


@cache
def deps() -> service.Deps:
    return service.Deps(DynamoPaymentRepository(), registry.provider, BookingsService())


def booking_cancelled(booking_id: str, cancelled_by: str, now: datetime) -> None:
    """Bookings call this after a cancellation commits: refund by the rule."""
    ending = Ending.OWNER_CANCELLED if cancelled_by == "owner" else Ending.CONSULTANT_CANCELLED
    service.booking_ended(deps(), booking_id, ending, now)


def retry_refunds(now: datetime) -> int:
    """Housekeeping: refunds the provider has not confirmed yet are sent again."""
    return service.retry_refunds(deps(), now)


def payment_summaries(
    bookings: Mapping[str, str | None], now: datetime
) -> dict[str, PaymentSummary | None]:
    """The owner's view of each booking's payment (booking id -> the booking it was
    rescheduled from), read in batches; None before a checkout was opened."""
    return {
        booking_id: _summary(payment)
        for booking_id, payment in service.payments_for(deps(), bookings, now).items()
    }


def _summary(payment: Payment | None) -> PaymentSummary | None:
    if payment is None:
        return None
    currency = payment.amount.currency
    return PaymentSummary(
        status=payment.status.value,
        amount=Money(amount=payment.amount.amount, currency=currency),
        refunded_amount=Money(amount=payment.refunded_amount, currency=currency),
    )
