"""The deployed stage's EventBridge schedules, for the local stage: `chalice local` does
not run `@app.schedule` functions, so the runner calls the same job on the same rate."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

HOUSEKEEPING_SECONDS = 60.0


def housekeeping(stop: threading.Event) -> None:
    from chalicelib.jobs import bookings, payments
    from chalicelib.observability import logger

    while not stop.wait(HOUSEKEEPING_SECONDS):
        for job in (bookings.run, payments.run):
            try:
                job(datetime.now(UTC))
            except Exception:  # keep the local schedule alive, as EventBridge would retry
                logger.exception("housekeeping failed")
