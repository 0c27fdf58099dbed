"""The OpenAPI document lists exactly the routes the app serves."""

from __future__ import annotations

import json

from chalice.test import Client
from openapi_spec_validator import validate

from app import app


def _document(client: Client) -> dict[str, object]:
    response = client.http.get("/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.body)  # type: ignore[no-any-return]


def test_document_is_valid_openapi_3_1(client: Client) -> None:
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_served_route_is_documented_and_nothing_else(client: Client) -> None:
    paths = _document(client)["paths"]
    assert isinstance(paths, dict)
    documented = {(path, method.upper()) for path, ops in paths.items() for method in ops}
    served = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == {(path, method) for path, method in served if method != "OPTIONS"}


def test_request_schemas_forbid_unknown_fields(client: Client) -> None:
    schemas = _document(client)["components"]["schemas"]  # type: ignore[index]
    assert schemas["LoginIn"]["additionalProperties"] is False
