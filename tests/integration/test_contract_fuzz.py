"""Schemathesis fuzzes every operation of the document against the running local stack:
anonymous, as an owner and as a consultant, through its examples, coverage and stateful
phases (the random fuzzing phase trips hypothesis's filtered-examples health check on
some operations). No answer may be a 5xx, or disagree with the document in status code,
content type, headers or body."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

from local.launcher import Stack
from tests.integration.clients import TIMEOUT, add_pet, new_owner, sign_in

pytestmark = pytest.mark.integration

DEMO_VET = ("vet1@vetpet.test", "VetPet-local-demo-1")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
# Bounded so the three runs take under three minutes on a small machine (about two on
# this 2-core one with other work beside it).
MAX_EXAMPLES = 5
# One request in flight: hypothesis, which schemathesis runs on, builds code with `ast`
# and CPython 3.11's AST constructor is not safe across threads ("recursion depth
# mismatch" errors under parallel workers).
WORKERS = 1


def _fuzz(stack: Stack, token: str | None) -> str:
    document = requests.get(stack.url("/v1/openapi.json"), timeout=TIMEOUT).json()
    config = SchemathesisConfig.from_dict(
        {
            "base-url": stack.api,
            "workers": WORKERS,
            "headers": {"Authorization": f"Bearer {token}"} if token else {},
            "generation": {"max-examples": MAX_EXAMPLES},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": False},
                "stateful": {"enabled": True, "max-steps": 10},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    problems: list[str] = []
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            for check in _failed_checks(event):
                problems.append(f"{event.recorder.label}: {check}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            problems.append(f"error: {event.info.message if hasattr(event, 'info') else event}")
    return "\n".join(sorted(set(problems)))


def _failed_checks(event: Any) -> list[str]:
    failed: list[str] = []
    for checks in event.recorder.checks.values():
        for check in checks:
            if check.status == Status.FAILURE and check.failure_info is not None:
                failure = check.failure_info.failure
                failed.append(f"{check.name}: {failure.title} {failure.message}"[:400])
    return failed


def test_fuzzing_anonymous_finds_no_violation(stack: Stack) -> None:
    findings = _fuzz(stack, None)
    assert not findings, findings


def test_fuzzing_as_an_owner_finds_no_violation(stack: Stack) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    add_pet(owner)
    findings = _fuzz(stack, owner.token)
    assert not findings, findings


def test_fuzzing_as_a_consultant_finds_no_violation(stack: Stack) -> None:
    vet = sign_in(stack.api, *DEMO_VET)
    findings = _fuzz(stack, vet.token)
    assert not findings, findings


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("POST", "/v1/me/pets", {"name": "Tiny", "species": "cat", "weight_kg": 5e-324}, None),
        (
            "POST",
            "/v1/bookings",
            {"consultant_id": "c", "pet_id": "p", "start": "0001-01-01T00:00:00Z", "reason": "x"},
            None,
        ),
        (
            "POST",
            "/v1/bookings",
            {"consultant_id": "c", "pet_id": "p", "start": "9999-12-31T23:59:59Z", "reason": "x"},
            None,
        ),
        ("GET", "/v1/bookings", None, {"limit": "0"}),
        ("GET", "/v1/bookings", None, {"limit": "101"}),
        ("GET", "/v1/questions", None, {"limit": "-1"}),
    ],
)
def test_known_regressions_are_400_validation_errors(
    stack: Stack, method: str, path: str, body: Any, params: Any
) -> None:
    owner = new_owner(stack.api, stack.mailbox)
    response = owner.call(
        method, path, json=body, params=params, headers={"Idempotency-Key": "regression"}
    )
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0].keys() == {"field", "code", "message"}
