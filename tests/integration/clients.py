"""Client-side helpers for the local stack: owner accounts and authenticated calls.

Owners are written straight into the stack's users table (the registration flow is
another issue's); they then sign in through the real login route."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

import boto3
import requests

PASSWORD = "integration-owner-passphrase"
TIMEOUT = 120  # generous: CI machines are shared and the race runs 64 requests at once


@cache
def _password_hash() -> str:
    from chalicelib.accounts.passwords import hash_password

    return hash_password(PASSWORD)


@dataclass(frozen=True)
class Account:
    api: str
    user_id: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return requests.request(method, self.api + path, headers=headers, timeout=TIMEOUT, **kwargs)


def login(api: str, email: str, password: str) -> str:
    response = requests.post(
        api + "/v1/auth/login", json={"email": email, "password": password}, timeout=TIMEOUT
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def sign_in(api: str, email: str, password: str) -> Account:
    token = login(api, email, password)
    me = requests.get(api + "/v1/health", timeout=TIMEOUT)  # the stack answers
    me.raise_for_status()
    import jwt

    user_id = str(jwt.decode(token, options={"verify_signature": False})["sub"])
    return Account(api, user_id, email, token)


def new_owner(
    api: str,
    aws: str,
    *,
    name: str = "Test Owner",
    timezone: str = "Europe/Kyiv",
    language: str = "en",
    country: str = "UA",
) -> Account:
    user_id = str(uuid.uuid4())
    email = f"owner-{user_id[:8]}@example.com"
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")
    client = boto3.client(
        "dynamodb",
        endpoint_url=aws,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    client.put_item(
        TableName="vetpet-local-users",
        Item={
            "user_id": {"S": user_id},
            "email": {"S": email},
            "email_verified": {"BOOL": True},
            "password_hash": {"S": _password_hash()},
            "role": {"S": "owner"},
            "name": {"S": name},
            "country": {"S": country},
            "timezone": {"S": timezone},
            "language": {"S": language},
            "created_at": {"S": created},
            "version": {"N": "1"},
        },
    )
    return Account(api, user_id, email, login(api, email, PASSWORD))


def add_pet(owner: Account, name: str = "Rex") -> str:
    response = owner.call("POST", "/v1/me/pets", json={"name": name, "species": "dog"})
    response.raise_for_status()
    return str(response.json()["id"])


def consultant_named(api: str, name: str) -> dict[str, Any]:
    items = requests.get(api + "/v1/consultants", timeout=TIMEOUT).json()["items"]
    return next(c for c in items if c["name"] == name)


def free_slots(api: str, consultant_id: str) -> list[str]:
    response = requests.get(api + f"/v1/consultants/{consultant_id}/slots", timeout=TIMEOUT)
    response.raise_for_status()
    return [s["start"] for s in response.json()["items"]]
