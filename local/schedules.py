"""The deployed stage's EventBridge schedules, for the local stage: `chalice local` does
not run `@app.schedule` functions, so the runner calls the same jobs on a timer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

HOUSEKEEPING_SECONDS = 60.0
PAYMENT_HOUSEKEEPING_SECONDS = 60.0  # deployed: every 5 minutes
CAMPAIGN_SECONDS = 20.0  # a queued campaign goes out within a minute on the local stack


def _every(
    seconds: float, job: Callable[[datetime], object], name: str, stop: threading.Event
) -> None:
    from chalicelib.observability import logger

    while not stop.wait(seconds):
        try:
            job(datetime.now(UTC))
        except Exception:  # keep the local schedule alive, as EventBridge would retry
            logger.exception(f"{name} failed")


def housekeeping(stop: threading.Event) -> None:
    from chalicelib.jobs.bookings import run

    _every(HOUSEKEEPING_SECONDS, run, "booking housekeeping", stop)


def campaign_dispatch(stop: threading.Event) -> None:
    from chalicelib.jobs.campaigns import run

    _every(CAMPAIGN_SECONDS, run, "campaign dispatch", stop)


def payment_housekeeping(stop: threading.Event) -> None:
    from chalicelib.jobs.payments import run

    _every(PAYMENT_HOUSEKEEPING_SECONDS, run, "payment housekeeping", stop)
