"""What payments needs of bookings, behind a small port: the booking's facts and the
one domain function that confirms a booking (`bookings.service.bookings.confirm_booking`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.errors import DomainError, NotFound
from chalicelib.payments.domain import Money


@dataclass(frozen=True)
class BookingFacts:
    booking_id: str
    owner_id: str
    status: str  # effective status (a lapsed hold reads as expired)
    price: Money
    hold_expires_at: datetime
    start: datetime
    rescheduled_from: str | None


class BookingsPort(Protocol):
    def facts(self, booking_id: str, now: datetime) -> BookingFacts | None:
        """The booking, or None if it does not exist."""

    def confirm(self, booking_id: str, now: datetime) -> bool:
        """Confirm a booking awaiting payment; False if its state no longer allows it."""


class BookingsService:
    """The port on `chalicelib.bookings.service` (imported on use: bookings import the
    payment view of a booking from this package)."""

    def facts(self, booking_id: str, now: datetime) -> BookingFacts | None:
        from chalicelib.bookings.service import bookings
        from chalicelib.bookings.states import effective_status

        try:
            booking = bookings.load(booking_id)
        except NotFound:
            return None
        return BookingFacts(
            booking_id=booking.booking_id,
            owner_id=booking.owner_id,
            status=effective_status(booking, now).value,
            price=Money(int(booking.price_amount), booking.price_currency),
            hold_expires_at=booking.hold_expires_at,
            start=booking.start,
            rescheduled_from=booking.rescheduled_from,
        )

    def confirm(self, booking_id: str, now: datetime) -> bool:
        from chalicelib.bookings.service import bookings

        try:
            bookings.confirm_booking(booking_id, now)
        except DomainError:  # invalid transition: the booking moved meanwhile
            return False
        return True
