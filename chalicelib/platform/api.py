"""Health check and API description."""

from __future__ import annotations

from typing import Any

from chalicelib import __version__
from chalicelib.accounts.models import User
from chalicelib.platform.errors import StoreUnavailable
from chalicelib.web.access import PUBLIC
from chalicelib.web.routing import ApiBlueprint, ApiRequest
from chalicelib.web.validation import Schema

api = ApiBlueprint(__name__, tag="platform")


class HealthOut(Schema):
    status: str
    version: str


@api.route(
    "/v1/health",
    "GET",
    access=PUBLIC,
    response=HealthOut,
    summary="Liveness and store reachability.",
    errors=(StoreUnavailable,),
)
def health(request: ApiRequest[None, None]) -> HealthOut:
    from pynamodb.exceptions import PynamoDBException

    try:
        User.describe_table()
    except PynamoDBException:
        raise StoreUnavailable from None
    return HealthOut(status="ok", version=__version__)


@api.route(
    "/v1/openapi.json",
    "GET",
    access=PUBLIC,
    operation_id="getOpenApiDocument",
    summary="This API's OpenAPI 3.1 document.",
)
def openapi(request: ApiRequest[None, None]) -> dict[str, Any]:
    from chalicelib.web.lazy import load_all
    from chalicelib.web.openapi import build_document

    load_all()
    return build_document()
