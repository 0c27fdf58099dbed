"""The deployed stage's EventBridge schedules, for the local stage: `chalice local` does
not run `@app.schedule` functions, so the runner calls the same jobs on the same rates
(`chalicelib.jobs.registry.JOBS`; a job may name a shorter local timer), one thread each."""

from __future__ import annotations

import threading
from datetime import UTC, datetime


def run_every(name: str, stop: threading.Event) -> None:
    from chalicelib.jobs.registry import JOBS, run
    from chalicelib.observability import logger

    while not stop.wait(JOBS[name].local_interval_seconds):
        try:
            run(name, datetime.now(UTC))
        except Exception:  # keep the local schedule alive, as EventBridge would retry
            logger.exception("scheduled job failed", extra={"job": name})


def start_all(stop: threading.Event) -> None:
    from chalicelib.jobs.registry import JOBS

    for name in JOBS:
        threading.Thread(target=run_every, args=(name, stop), daemon=True, name=name).start()
