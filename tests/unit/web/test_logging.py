"""Logs carry the request context (P14) and never a secret or an injected line."""

from __future__ import annotations

import io
import json

import pytest
from chalice.test import Client

from chalicelib.observability import redact


def _records(captured: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_request_log_has_context_and_no_secret(client: Client, log_output: io.StringIO) -> None:
    secret = "Sup3r-secret-passphrase"
    client.http.post(
        "/v1/auth/login",
        body=json.dumps({"email": "owner@example.com", "password": secret}),
        headers={"User-Agent": "VetPetApp/1.0\r\nforged: line", "Content-Type": "application/json"},
    )
    out = log_output.getvalue()
    assert secret not in out
    records = _records(out)
    request_log = next(r for r in records if r.get("path") == "/v1/auth/login")
    assert request_log["status"] == 401
    assert request_log["client_ip"]
    assert request_log["user_agent"] == "VetPetApp/1.0\r\nforged: line"
    assert all(line.startswith("{") for line in out.splitlines() if line.strip())


@pytest.mark.parametrize(
    "value",
    [
        {"password": "p"},
        {"nested": {"refresh_token": "t"}},
        {"code": "123456"},
        {"msg": "Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"},
        {"msg": "card 4111 1111 1111 1111"},
        {"h": "$argon2id$v=19$m=19456,t=2,p=1$abc$def"},
    ],
)
def test_redaction_masks_secret_keys_and_secret_shaped_values(value: dict[str, object]) -> None:
    text = json.dumps(redact(value))
    for secret in ("123456", "eyJ", "4111", "argon2id", '"p"', '"t"'):
        assert secret not in text
    assert "[redacted]" in text


def test_redaction_keeps_operational_fields() -> None:
    kept = {"status_code": 200, "error_code": "not_found", "user_id": "u1", "path": "/v1/x"}
    assert redact(kept) == kept
