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
    )
}


def run(name: str, now: datetime) -> dict[str, int]:
    """Run job ``name`` once at ``now``: its counts, logged as one summary line."""
    from chalicelib.jobs.summary import run_job

    return run_job(name, JOBS[name].function(), now)
