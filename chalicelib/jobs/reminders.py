"""Reminders T-24 h and T-15 min before each confirmed consultation (P5).

A confirmed booking carries its next reminder instant in the ``reminders-due`` time
buckets (set in the confirming transaction). This job reads the buckets from its
checkpoint to now, sends the reminder that is due to both sides (outbox records keyed by
booking and lead: a second or concurrent run records nothing new), then moves the
booking to its next reminder, or out of the index, with a write conditional on the
instant it read. A booking that is no longer confirmed leaves the index unreminded.
"""

from __future__ import annotations

import contextlib
from datetime import datetime

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from chalicelib.bookings import marks, notices
from chalicelib.bookings.models import Booking
from chalicelib.bookings.states import BookingStatus
from chalicelib.config import SWEEP_FIRST_LOOKBACK
from chalicelib.jobs import checkpoints
from chalicelib.store.expiry import BUCKET, bucket_of, due_keys

JOB = "reminders"


def _move_on(booking: Booking, seen: datetime, now: datetime) -> None:
    confirmed = booking.status == BookingStatus.CONFIRMED
    following = marks.next_reminder(booking.start, now) if confirmed else None
    actions: list[Action]
    if following is None:
        actions = [Booking.remind_bucket.remove(), Booking.remind_at.remove()]
    else:
        actions = [
            Booking.remind_bucket.set(bucket_of(marks.REMIND, following)),
            Booking.remind_at.set(following),
        ]
    with contextlib.suppress(UpdateError):  # a concurrent run (or a change) moved it already
        booking.update(actions, condition=Booking.remind_at == seen)


def run(now: datetime) -> dict[str, int]:
    since = checkpoints.checkpoint_of(JOB) or now - SWEEP_FIRST_LOOKBACK
    sent = skipped = 0
    for key in due_keys(Booking.reminders_due, Booking.remind_at, marks.REMIND, since, now):
        booking = Booking.get(key.booking_id, consistent_read=True)
        seen = booking.remind_at
        if seen is None or seen > now:
            continue
        lead = marks.reminder_lead(booking.start, now)
        if booking.status == BookingStatus.CONFIRMED and lead is not None:
            notices.remind(booking, lead, now)
            sent += 1
        else:
            skipped += 1
        _move_on(booking, seen, now)
    checkpoints.advance(JOB, (now - BUCKET).replace(minute=0, second=0, microsecond=0))
    return {"reminders_sent": sent, "reminders_skipped": skipped}
