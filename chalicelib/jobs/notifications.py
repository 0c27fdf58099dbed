"""No notification lost: re-drive booking notices whose sender died after the commit,
then retry outbox records whose back-off has passed (dead-lettering after the limit)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.bookings import notices
from chalicelib.notifications.outbox import retry_due


def run(now: datetime) -> dict[str, int]:
    redriven = sum(notices.drain(booking_id, now) for booking_id in notices.undrained(now))
    return {"notices_redriven": redriven, **retry_due(now)}
