"""Booking quotas (pure): how many unpaid holds and future bookings an owner may have,
and how many bookings of one pet may overlap in time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from chalicelib.bookings.errors import QuotaExceeded
from chalicelib.bookings.models import Booking
from chalicelib.bookings.states import BookingStatus, effective_status
from chalicelib.config import (
    MAX_FUTURE_BOOKINGS_PER_OWNER,
    MAX_OVERLAPPING_BOOKINGS_PER_PET,
    MAX_UNPAID_HOLDS_PER_OWNER,
)

S = BookingStatus
COUNTED = frozenset({S.PENDING_PAYMENT, S.CONFIRMED, S.IN_PROGRESS})


def still_counted(booking: Booking, now: datetime) -> bool:
    """Whether ``booking`` can count against a quota now or later."""
    return effective_status(booking, now) in COUNTED and booking.end > now


def check(existing: Iterable[Booking], new: Booking, now: datetime) -> None:
    """Refuse ``new`` when, with the owner's ``existing`` bookings, a quota is exceeded."""
    counted = [b for b in existing if still_counted(b, now)]
    holds = sum(effective_status(b, now) is S.PENDING_PAYMENT for b in counted)
    if new.status == S.PENDING_PAYMENT and holds >= MAX_UNPAID_HOLDS_PER_OWNER:
        raise QuotaExceeded(f"At most {MAX_UNPAID_HOLDS_PER_OWNER} unpaid holds at a time.")
    if sum(b.start > now for b in counted) >= MAX_FUTURE_BOOKINGS_PER_OWNER:
        raise QuotaExceeded(f"At most {MAX_FUTURE_BOOKINGS_PER_OWNER} upcoming bookings.")
    overlapping = [
        b for b in counted if b.pet_id == new.pet_id and b.start < new.end and new.start < b.end
    ]
    if len(overlapping) >= MAX_OVERLAPPING_BOOKINGS_PER_PET:
        raise QuotaExceeded(
            f"At most {MAX_OVERLAPPING_BOOKINGS_PER_PET} bookings of one pet at the same time."
        )
