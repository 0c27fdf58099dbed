"""Sign-in with the foundation's login route."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from chalice.test import Client

from chalicelib.accounts.models import User
from chalicelib.accounts.passwords import hash_password

PASSWORD = "a long enough passphrase"


@pytest.fixture
def user(aws: None) -> User:
    user = User(
        "u-1",
        email="owner@example.com",
        email_verified=True,
        password_hash=hash_password(PASSWORD),
        role="owner",
        name="Olha",
        created_at=datetime.now(UTC),
    )
    user.save()
    return user


def _login(client: Client, email: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.http.post(
        "/v1/auth/login",
        body=json.dumps({"email": email, "password": password}),
        headers={"Content-Type": "application/json"},
    )
    return response.status_code, json.loads(response.body)


def test_valid_credentials_give_a_bearer_token_usable_on_the_api(
    client: Client, user: User
) -> None:
    status, body = _login(client, "Owner@Example.com", PASSWORD)
    assert status == 200
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    from chalicelib.accounts.tokens import verify_access_token

    assert verify_access_token(str(body["access_token"]))["sub"] == "u-1"


def test_unknown_email_and_wrong_password_are_indistinguishable(client: Client, user: User) -> None:
    wrong_password = _login(client, "owner@example.com", "not the password")
    unknown_email = _login(client, "nobody@example.com", PASSWORD)
    assert wrong_password == unknown_email
    assert wrong_password[0] == 401
    assert wrong_password[1]["code"] == "invalid_credentials"


def test_unverified_email_cannot_sign_in(client: Client, user: User) -> None:
    user.update(actions=[User.email_verified.set(False)])
    status, body = _login(client, "owner@example.com", PASSWORD)
    assert status == 403
    assert body["code"] == "email_unverified"
