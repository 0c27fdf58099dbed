"""The local stack as a client sees it, over HTTP."""

from __future__ import annotations

import boto3
import requests

from local.launcher import Stack
from local.seed import DEMO_PASSWORD

PROBLEM = "application/problem+json"


def test_health_answers_ok(stack: Stack) -> None:
    response = requests.get(stack.url("/v1/health"), timeout=10)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_unknown_path_and_method_are_problem_json(stack: Stack) -> None:
    missing = requests.get(stack.url("/v1/no-such-thing"), timeout=10)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == PROBLEM
    assert missing.json()["code"] == "not_found"
    wrong_method = requests.delete(stack.url("/v1/health"), timeout=10)
    assert wrong_method.status_code == 405
    assert wrong_method.headers["Content-Type"] == PROBLEM
    assert wrong_method.json()["code"] == "method_not_allowed"


def test_malformed_json_and_unknown_fields_are_400(stack: Stack) -> None:
    malformed = requests.post(
        stack.url("/v1/auth/login"),
        data=b'{"email": ',
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.headers["Content-Type"] == PROBLEM
    assert malformed.json()["code"] == "validation_error"
    extra = requests.post(
        stack.url("/v1/auth/login"),
        timeout=10,
        json={"email": "vet1@vetpet.test", "password": "x", "card_number": "4111111111111111"},
    )
    assert extra.status_code == 400
    assert extra.json()["code"] == "validation_error"
    assert "card_number" in extra.json()["detail"]


def test_demo_consultant_signs_in(stack: Stack) -> None:
    response = requests.post(
        stack.url("/v1/auth/login"),
        timeout=30,
        json={"email": "vet1@vetpet.test", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"
    jwks = requests.get(stack.url("/v1/.well-known/jwks.json"), timeout=10).json()
    assert [key["kty"] for key in jwks["keys"]] == ["EC"]


def test_openapi_document_is_served(stack: Stack) -> None:
    document = requests.get(stack.url("/v1/openapi.json"), timeout=10).json()
    assert document["openapi"] == "3.1.0"
    assert "/v1/health" in document["paths"]


def test_mailbox_shows_what_the_embedded_aws_received(stack: Stack) -> None:
    kwargs = {
        "endpoint_url": stack.aws,
        "region_name": "us-east-1",
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    boto3.client("ses", **kwargs).send_email(
        Source="no-reply@vetpet.test",
        Destination={"ToAddresses": ["owner@example.com"]},
        Message={"Subject": {"Data": "Привіт"}, "Body": {"Text": {"Data": "Your code is 123456"}}},
    )
    boto3.client("sns", **kwargs).publish(PhoneNumber="+380501234567", Message="Code 654321")
    page = requests.get(stack.mailbox + "/", timeout=10)
    assert page.status_code == 200
    assert "Привіт" in page.text
    messages = stack.messages()
    email = next(m for m in messages if m["to"] == "owner@example.com")
    assert (email["channel"], email["subject"], email["body"]) == (
        "email",
        "Привіт",
        "Your code is 123456",
    )
    assert email["sent_at"].endswith("Z")
    assert messages[-1]["channel"] == "sms"
    assert (messages[-1]["to"], messages[-1]["body"]) == ("+380501234567", "Code 654321")
