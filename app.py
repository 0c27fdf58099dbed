"""VetPet API: builds the Chalice app from the capabilities' blueprints."""

from datetime import UTC, datetime
from typing import Any

from chalice.app import Chalice, Rate

from chalicelib.accounts.api import api as accounts_api
from chalicelib.bookings.api import api as bookings_api
from chalicelib.consultants.api import api as consultants_api
from chalicelib.payments.api import api as payments_api
from chalicelib.pets.api import api as pets_api
from chalicelib.platform.api import api as platform_api
from chalicelib.web.middleware import http_middleware

app = Chalice(app_name="vetpet")
app.register_middleware(http_middleware, "http")
blueprints = (platform_api, accounts_api, consultants_api, pets_api, bookings_api, payments_api)
for blueprint in blueprints:
    app.register_blueprint(blueprint.blueprint)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def booking_housekeeping(event: Any) -> dict[str, int]:
    from chalicelib.jobs.bookings import run

    return run(datetime.now(UTC))


@app.schedule(Rate(5, unit=Rate.MINUTES))
def payment_housekeeping(event: Any) -> dict[str, int]:
    from chalicelib.jobs.payments import run

    return run(datetime.now(UTC))
