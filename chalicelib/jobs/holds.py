"""Lapse unpaid holds: reads already treat them as expired; this frees their claims and
tells the owner (through the booking's own notice marker)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.bookings.service import bookings


def run(now: datetime) -> dict[str, int]:
    return {"holds_expired": bookings.sweep_expired_holds(now)}
