"""What the web layer adds to every answer, and the check that keeps routes honest about
the problems they answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from chalice.app import Chalice
from chalice.test import Client

from chalicelib.config import get_settings
from chalicelib.consultants.errors import SlotTaken
from chalicelib.web.access import PUBLIC
from chalicelib.web.routing import ROUTES, ApiBlueprint, ApiRequest

LOCAL_ORIGIN = "http://localhost:3000"


@pytest.fixture
def planted() -> Iterator[Client]:
    """An app with two routes raising the same domain error; only one declares it."""
    app = Chalice(app_name="planted")
    api = ApiBlueprint(__name__, tag="planted")
    before = len(ROUTES)

    @api.route("/declared", "GET", access=PUBLIC, summary="declares", errors=(SlotTaken,))
    def declared(request: ApiRequest[None, None]) -> None:
        raise SlotTaken

    @api.route("/undeclared", "GET", access=PUBLIC, summary="does not declare")
    def undeclared(request: ApiRequest[None, None]) -> None:
        raise SlotTaken

    api.bind(app)
    for path in ("/declared", "/undeclared"):
        app.route(path, methods=["GET"], name=path.strip("/"))(api.view_for(path, "GET"))
    with Client(app) as client:
        yield client
    del ROUTES[before:]


def test_a_declared_domain_error_is_its_problem(planted: Client) -> None:
    response = planted.http.get("/declared")
    assert response.status_code == 409
    assert json.loads(response.body)["code"] == "slot_taken"


def test_an_undeclared_domain_error_fails_where_the_contract_is_enforced(planted: Client) -> None:
    assert get_settings().contract_strict
    response = planted.http.get("/undeclared")
    assert response.status_code == 500


def test_problems_name_their_field_in_one_shape(client: Client) -> None:
    response = client.http.post(
        "/v1/auth/register",
        body=json.dumps(
            {
                "email": "short@example.com",
                "password": "abc",
                "name": "Short",
                "birth_date": "1990-01-01",
                "country": "UA",
                "timezone": "Europe/Kyiv",
                "language": "en",
            }
        ),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    body = json.loads(response.body)
    assert body["errors"] == [
        {"field": "password", "code": "weak_password", "message": body["detail"]}
    ]
    invalid = client.http.post(
        "/v1/auth/login", body=b'{"password": "x"}', headers={"Content-Type": "application/json"}
    )
    assert json.loads(invalid.body)["errors"] == [
        {"field": "email", "code": "missing", "message": "Field required"}
    ]


def test_every_answer_carries_a_request_id(client: Client) -> None:
    first = client.http.get("/v1/health")
    refused = client.http.get("/v1/bookings")
    assert refused.status_code == 401
    assert first.headers["Request-Id"] != refused.headers["Request-Id"]


def test_an_allowed_origin_gets_cors_headers_and_a_preflight(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VETPET_CORS_ORIGINS", f"{LOCAL_ORIGIN},http://127.0.0.1:8090")
    get_settings.cache_clear()
    try:
        preflight = client.http.request("OPTIONS", "/v1/bookings", headers={"Origin": LOCAL_ORIGIN})
        assert preflight.status_code == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == LOCAL_ORIGIN
        assert preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS, POST"
        allowed = preflight.headers["Access-Control-Allow-Headers"]
        assert allowed == "Authorization, Content-Type, Idempotency-Key"
        assert "Access-Control-Allow-Credentials" not in preflight.headers
        answer = client.http.get("/v1/health", headers={"Origin": LOCAL_ORIGIN})
        assert answer.headers["Access-Control-Allow-Origin"] == LOCAL_ORIGIN
        assert "Request-Id" in answer.headers["Access-Control-Expose-Headers"]
    finally:
        get_settings.cache_clear()


def test_another_origin_gets_no_cors_headers(client: Client) -> None:
    preflight = client.http.request(
        "OPTIONS", "/v1/bookings", headers={"Origin": "https://evil.example"}
    )
    answer = client.http.get("/v1/health", headers={"Origin": "https://evil.example"})
    for response in (preflight, answer):
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]
