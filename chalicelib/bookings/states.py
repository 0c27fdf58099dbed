"""The booking state machine (pure)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.bookings.models import Booking


class BookingStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


S = BookingStatus

TRANSITIONS: dict[BookingStatus, frozenset[BookingStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.CONFIRMED, S.EXPIRED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.IN_PROGRESS, S.CANCELLED, S.NO_SHOW}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}

# States in which a booking holds its slot (the slot is not offered to others).
HOLDING = frozenset({S.PENDING_PAYMENT, S.CONFIRMED, S.IN_PROGRESS, S.COMPLETED, S.NO_SHOW})
# States in which a participant may enter the consultation room.
ROOM_OPEN = frozenset({S.CONFIRMED, S.IN_PROGRESS})


class InvalidTransitionError(Exception):
    def __init__(self, current: BookingStatus, target: BookingStatus) -> None:
        super().__init__(f"a {current} booking cannot become {target}")
        self.current = current
        self.target = target


def can_transition(current: BookingStatus, target: BookingStatus) -> bool:
    return target in TRANSITIONS[current]


def ensure_transition(current: BookingStatus, target: BookingStatus) -> None:
    if not can_transition(current, target):
        raise InvalidTransitionError(current, target)


def effective_status(booking: Booking, now: datetime) -> BookingStatus:
    """A hold past its expiry is expired on read, whether or not the sweep has run yet."""
    status = S(booking.status)
    if status is S.PENDING_PAYMENT and booking.hold_expires_at <= now:
        return S.EXPIRED
    return status
