"""Booking housekeeping: lapse unpaid holds (reads already treat them as expired; this
frees the claims and tells the owner) and retry notifications whose back-off passed."""

from __future__ import annotations

from datetime import datetime

from chalicelib.bookings.service import bookings
from chalicelib.notifications.outbox import retry_due
from chalicelib.observability import logger


def run(now: datetime) -> dict[str, int]:
    result = {
        "holds_expired": bookings.sweep_expired_holds(now),
        "notifications_retried": retry_due(now),
    }
    logger.info("booking housekeeping", extra=result)
    return result
