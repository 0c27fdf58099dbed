"""Every scheduled job with its rate: the deployed schedules (`app.py`), the local
runner and ``python -m local.jobs`` all read this table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module


@dataclass(frozen=True)
class Job:
    name: str
    module: str
    every_minutes: int
    # The local stage's timer when it is shorter than the deployed rate (``None``: the same).
    local_every_seconds: float | None = None

    @property
    def local_interval_seconds(self) -> float:
        return self.local_every_seconds or self.every_minutes * 60.0

    def function(self) -> Callable[[datetime], dict[str, int]]:
        run: Callable[[datetime], dict[str, int]] = import_module(self.module).run
        return run


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("hold_expiry", "chalicelib.jobs.holds", 1),
        Job("notifications", "chalicelib.jobs.notifications", 1),
        Job("reminders", "chalicelib.jobs.reminders", 1),
        Job("retention", "chalicelib.jobs.retention", 60),
        # A queued marketing campaign goes out within a minute on the local stack too.
        Job("campaign_dispatch", "chalicelib.jobs.campaigns", 1, local_every_seconds=20.0),
        # Refunds the processor has not confirmed yet (every 5 minutes; each minute locally).
        Job("payment_housekeeping", "chalicelib.jobs.payments", 5, local_every_seconds=60.0),
        # Privacy rights: done within a minute of the request (every 10 s locally).
        Job("erasure", "chalicelib.jobs.erasure", 1, local_every_seconds=10.0),
        Job("exports", "chalicelib.jobs.exports", 1, local_every_seconds=10.0),
        # Privacy requests past their due date, as a metric (hourly; each minute locally).
        Job("privacy_requests_overdue", "chalicelib.jobs.privacy_requests", 60, 60.0),
    )
}


def run(name: str, now: datetime) -> dict[str, int]:
    """Run job ``name`` once at ``now``: its counts, logged as one summary line."""
    from chalicelib.jobs.summary import run_job

    return run_job(name, JOBS[name].function(), now)
