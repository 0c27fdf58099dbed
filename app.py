"""VetPet API: the Chalice app, its routes (handlers load on first use) and schedules."""

from datetime import UTC, datetime
from typing import Any

from chalice.app import Chalice, Rate

from chalicelib.route_table import ROUTES
from chalicelib.web.lazy import install
from chalicelib.web.middleware import http_middleware
from chalicelib.web.routing import ACCEPTED_CONTENT_TYPES

app = Chalice(app_name="vetpet")
app.register_middleware(http_middleware, "http")
install(app, ROUTES, ACCEPTED_CONTENT_TYPES)


# One Lambda function per job (each its own role); rates mirror chalicelib/jobs/registry.py.
def _run(name: str) -> dict[str, int]:
    from chalicelib.jobs.registry import run

    return run(name, datetime.now(UTC))


@app.schedule(Rate(1, unit=Rate.MINUTES))
def hold_expiry(event: Any) -> dict[str, int]:
    return _run("hold_expiry")


@app.schedule(Rate(1, unit=Rate.MINUTES))
def notifications(event: Any) -> dict[str, int]:
    return _run("notifications")


@app.schedule(Rate(1, unit=Rate.MINUTES))
def reminders(event: Any) -> dict[str, int]:
    return _run("reminders")


@app.schedule(Rate(1, unit=Rate.MINUTES))
def campaign_dispatch(event: Any) -> dict[str, int]:
    return _run("campaign_dispatch")


@app.schedule(Rate(1, unit=Rate.HOURS))
def retention(event: Any) -> dict[str, int]:
    return _run("retention")


@app.schedule(Rate(5, unit=Rate.MINUTES))
def payment_housekeeping(event: Any) -> dict[str, int]:
    return _run("payment_housekeeping")


@app.schedule(Rate(1, unit=Rate.MINUTES))
def erasure(event: Any) -> dict[str, int]:
    return _run("erasure")


@app.schedule(Rate(1, unit=Rate.MINUTES))
def exports(event: Any) -> dict[str, int]:
    return _run("exports")


@app.schedule(Rate(1, unit=Rate.HOURS))
def privacy_requests_overdue(event: Any) -> dict[str, int]:
    return _run("privacy_requests_overdue")
