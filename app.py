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


@app.schedule(Rate(1, unit=Rate.MINUTES))
def booking_housekeeping(event: Any) -> dict[str, int]:
    from chalicelib.jobs.bookings import run

    return run(datetime.now(UTC))


@app.schedule(Rate(1, unit=Rate.MINUTES))
def campaign_dispatch(event: Any) -> dict[str, int]:
    from chalicelib.jobs.campaigns import run

    return run(datetime.now(UTC))


@app.schedule(Rate(5, unit=Rate.MINUTES))
def payment_housekeeping(event: Any) -> dict[str, int]:
    from chalicelib.jobs.payments import run

    return run(datetime.now(UTC))
