"""The OpenAPI document states what the server enforces, in a shape generators can use."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from chalicelib.web.lazy import load_all
from chalicelib.web.openapi import build_document, derive_operation_id
from chalicelib.web.routing import ROUTES

ROOT = Path(__file__).resolve().parents[3]
REDOCLY = ROOT / "tools" / "redocly"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    load_all()
    return build_document()


def _op(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    op: dict[str, Any] = document["paths"][path][method]
    return op


def _codes(op: dict[str, Any], status: str) -> list[str]:
    schema = op["responses"][status]["content"]["application/problem+json"]["schema"]
    codes: list[str] = schema["allOf"][1]["properties"]["code"]["enum"]
    return codes


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)


def test_redocly_lint_finds_no_error(document: dict[str, Any], tmp_path: Path) -> None:
    if shutil.which("npm") is None:  # pragma: no cover - the machine always has node
        pytest.skip("node is not installed")
    env = {**os.environ, "npm_config_cache": str(REDOCLY / ".npm-cache")}
    if not (REDOCLY / "node_modules").exists():  # the pinned version, from package-lock.json
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REDOCLY, env=env, check=True)
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(document))
    result = subprocess.run(
        ["npx", "--no-install", "redocly", "lint", str(spec), "--format=json"],
        cwd=REDOCLY,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert errors == [], json.dumps(errors, indent=1)[:4000]


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/v1/bookings", "createBooking"),
        ("GET", "/v1/bookings", "listBookings"),
        ("GET", "/v1/bookings/{booking_id}", "getBooking"),
        ("POST", "/v1/bookings/{booking_id}/cancel", "cancelBooking"),
        ("GET", "/v1/consultants/{consultant_id}/slots", "listConsultantSlots"),
        ("GET", "/v1/me/pets/{pet_id}", "getMyPet"),
        ("POST", "/v1/auth/login", "login"),
        ("POST", "/v1/auth/password/reset", "resetPassword"),
    ],
)
def test_operation_ids_read_as_verbs_on_resources(method: str, path: str, expected: str) -> None:
    assert derive_operation_id(method, path) == expected


def test_a_route_can_override_its_operation_id(document: dict[str, Any]) -> None:
    assert _op(document, "post", "/v1/bookings/{booking_id}/room")["operationId"] == (
        "openBookingRoom"
    )
    reply = _op(document, "post", "/v1/privacy-requests/{request_id}/messages")
    assert reply["operationId"] == "replyToPrivacyRequest"
    assert set(_codes(reply, "409")) == {"request_closed", "thread_full", "conflict"}
    assert reply["requestBody"]["content"]["application/json"]["example"]["message"]
    verify = _op(document, "get", "/v1/admin/disclosures/verify")
    assert verify["operationId"] == "verifyDisclosureTrail"


def test_public_operations_need_no_token_and_others_a_bearer(document: dict[str, Any]) -> None:
    assert _op(document, "post", "/v1/auth/login")["security"] == []
    assert _op(document, "get", "/v1/bookings")["security"] == [{"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_booking_create_requires_the_idempotency_key_and_declares_the_replay_header(
    document: dict[str, Any],
) -> None:
    op = _op(document, "post", "/v1/bookings")
    (header,) = [p for p in op["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert header["required"] is True
    assert header["schema"]["maxLength"] == 128
    assert "Idempotent-Replayed" in op["responses"]["201"]["headers"]
    assert "idempotency_key_required" in _codes(op, "400")


def test_each_status_lists_exactly_its_codes(document: dict[str, Any]) -> None:
    create = _op(document, "post", "/v1/bookings")
    assert set(_codes(create, "409")) == {"slot_taken", "quota_exceeded", "conflict"}
    assert _codes(create, "415") == ["unsupported_media_type"]
    assert set(_codes(create, "403")) == {"forbidden", "account_under_review"}
    login = _op(document, "post", "/v1/auth/login")
    assert "Retry-After" in login["responses"]["429"]["headers"]
    assert "403" not in _op(document, "get", "/v1/health")["responses"]
    assert "415" not in _op(document, "get", "/v1/bookings")["responses"]


def test_every_declared_code_appears_under_its_status(document: dict[str, Any]) -> None:
    for spec in ROUTES:
        op = _op(document, spec.method.lower(), spec.path)
        for problem in spec.problems():
            assert problem.code in _codes(op, str(problem.status)), (spec.path, problem)


def test_unions_carry_a_discriminator_on_object(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    login = schemas["LoginOut"]["discriminator"]
    assert login["propertyName"] == "object"
    assert set(login["mapping"]) == {"tokens", "mfa_challenge"}
    booking = schemas["BookingView"]["discriminator"]
    assert set(booking["mapping"]) == {"booking", "consultant_booking"}
    for name in ("TokensOut", "MfaRequiredOut", "OwnerBooking", "ConsultantBooking"):
        assert "object" in schemas[name]["required"]


def test_formats_enums_and_bounds_are_stated(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    register = schemas["RegisterIn"]["properties"]
    assert register["email"]["format"] == "email"
    assert register["birth_date"]["format"] == "date"
    assert (register["password"]["minLength"], register["password"]["maxLength"]) == (8, 1024)
    assert register["country"]["pattern"] == "^[A-Z]{2}$"
    assert set(register["language"]["enum"]) == {"uk", "ru", "en"}
    owner = schemas["OwnerBooking"]["properties"]
    assert owner["start"]["format"] == "date-time"
    assert "pending_payment" in owner["status"]["enum"]
    assert schemas["ProfileOut"]["properties"]["role"]["enum"] == ["owner", "vet", "admin"]
    (limit,) = [
        p for p in _op(document, "get", "/v1/bookings")["parameters"] if p["name"] == "limit"
    ]
    assert limit["schema"] | {"type": "integer", "minimum": 1, "maximum": 100} == limit["schema"]


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    for ops in document["paths"].values():
        for op in ops.values():
            if "requestBody" in op:
                assert "example" in op["requestBody"]["content"]["application/json"]


def test_every_answer_declares_request_id(document: dict[str, Any]) -> None:
    for ops in document["paths"].values():
        for op in ops.values():
            for response in op["responses"].values():
                assert "Request-Id" in response["headers"]


def test_nullability_is_what_the_server_accepts(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert "anyOf" not in schemas["PetPatch"]["properties"]["name"]  # null is refused
    assert {"type": "null"} in schemas["PetPatch"]["properties"]["breed"]["anyOf"]  # clears
    assert "anyOf" not in schemas["ProfilePatchIn"]["properties"]["timezone"]
    assert schemas["ProfileOut"]["properties"]["user_id"]["format"] == "uuid"
