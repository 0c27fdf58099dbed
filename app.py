"""VetPet API: builds the Chalice app from the capabilities' blueprints."""

from chalice.app import Chalice

from chalicelib.accounts.api import api as accounts_api
from chalicelib.platform.api import api as platform_api
from chalicelib.web.middleware import http_middleware

app = Chalice(app_name="vetpet")
app.register_middleware(http_middleware, "http")
for blueprint in (platform_api, accounts_api):
    app.register_blueprint(blueprint.blueprint)
