"""The registry is the one list of jobs: every job has a deployed schedule of its own at
its rate, and the local stage runs it on its local timer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from chalice.app import Rate

from chalicelib.jobs.registry import JOBS

MINUTES_PER = {Rate.MINUTES: 1, Rate.HOURS: 60, Rate.DAYS: 1440}


def test_each_job_has_its_own_deployed_schedule_at_the_registry_rate() -> None:
    from app import app

    deployed = {
        source.name: source.schedule_expression.value * MINUTES_PER[source.schedule_expression.unit]
        for source in app.event_sources
    }
    assert deployed == {name: job.every_minutes for name, job in JOBS.items()}


def test_the_campaign_dispatch_keeps_its_shorter_local_timer() -> None:
    assert JOBS["campaign_dispatch"].every_minutes == 1
    assert JOBS["campaign_dispatch"].local_interval_seconds == 20.0
    assert JOBS["retention"].local_interval_seconds == 3600.0


@pytest.mark.usefixtures("aws")
def test_the_campaign_dispatch_runs_through_the_registry_with_nothing_queued() -> None:
    from chalicelib.jobs.registry import run

    assert run("campaign_dispatch", datetime(2026, 6, 1, tzinfo=UTC)) == {
        "campaigns": 0,
        "recipients": 0,
        "sent": 0,
    }
