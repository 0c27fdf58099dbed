"""One error format for everything a client can send (P2)."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def _problem(response: object) -> dict[str, object]:
    assert response.headers["Content-Type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = json.loads(response.body)  # type: ignore[attr-defined]
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == response.status_code  # type: ignore[attr-defined]
    return body


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"email": "a@b.test", "password": ', "body"),
        (b"[1, 2]", "body"),
        (
            b'{"email": "a@b.test", "password": "x", "card_number": "4111111111111111"}',
            "card_number",
        ),
        (b'{"email": "a@b.test", "password": "x", "cvv": "123"}', "cvv"),
        (b'{"email": "not-an-email", "password": "x"}', "email"),
        (b'{"email": "a@b.test", "password": 12}', "password"),
        (b'{"password": "x"}', "email"),
    ],
)
def test_bad_bodies_are_400_validation_error_naming_the_field(
    client: Client, raw: bytes, field: str
) -> None:
    response = client.http.post(
        "/v1/auth/login", body=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = _problem(response)
    assert body["code"] == "validation_error"
    assert field in {e["field"] for e in body["errors"]}  # type: ignore[attr-defined]


def test_a_body_sent_to_a_route_that_takes_none_is_refused(client: Client) -> None:
    response = client.http.request("GET", "/v1/health", body=b'{"name": "x"}')
    assert response.status_code == 400
    assert _problem(response)["code"] == "validation_error"


def test_unsupported_method_is_405_problem_with_allow(client: Client) -> None:
    response = client.http.request("DELETE", "/v1/health")
    assert response.status_code == 405
    assert _problem(response)["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, OPTIONS"


def test_unsupported_media_type_is_415_problem(client: Client) -> None:
    response = client.http.post(
        "/v1/auth/login", body=b"<xml/>", headers={"Content-Type": "application/xml"}
    )
    assert response.status_code == 415
    assert _problem(response)["code"] == "unsupported_media_type"


def test_oversized_body_is_413_problem(client: Client) -> None:
    raw = json.dumps({"email": "a@b.test", "password": "x" * 70_000}).encode()
    response = client.http.post("/v1/auth/login", body=raw)
    assert response.status_code == 413
    assert _problem(response)["code"] == "payload_too_large"


def test_unexpected_failure_is_500_problem_without_internals(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.accounts import service

    def explode(*args: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "login", explode)
    response = client.http.post("/v1/auth/login", body=b'{"email": "a@b.test", "password": "x"}')
    assert response.status_code == 500
    body = _problem(response)
    assert body["code"] == "internal_error"
    assert "secret internals" not in response.body.decode()


def test_protected_route_without_token_is_401_problem(client: Client) -> None:
    from chalicelib.web.access import AUTHENTICATED, authorize
    from chalicelib.web.problems import ProblemError

    with pytest.raises(ProblemError) as caught:
        authorize(AUTHENTICATED, {})
    assert caught.value.status == 401
    assert caught.value.code == "unauthorized"
    with pytest.raises(ProblemError) as caught:
        authorize(AUTHENTICATED, {"authorization": "Basic dXNlcjpwYXNz"})
    assert caught.value.code == "unauthorized"
