"""Consent test helpers: users with tokens, an admin, frozen time, JSON calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from chalice.test import Client

from chalicelib.accounts.models import User
from chalicelib.accounts.tokens import issue_access_token
from chalicelib.consent.notice import significant_policy
from tests.unit.accounts.conftest import Reply

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SUMMARY = {"uk": "Що змінилося", "ru": "Что изменилось", "en": "What changed"}


class Api:
    """JSON calls that may also send extra headers or a raw (non-JSON) body."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = self._client.http.request(method, path, body=data, headers=sent)
        parsed = json.loads(response.body) if response.body else None
        return Reply(
            response.status_code, parsed, {k.lower(): v for k, v in response.headers.items()}
        )

    def publish(
        self,
        admin: str,
        version: str,
        *,
        significant: bool,
        effective_at: datetime = T0 - timedelta(hours=1),
    ) -> Reply:
        body = {
            "version": version,
            "significant": significant,
            "effective_at": effective_at.isoformat(),
            "summary": SUMMARY,
            "text_url": f"https://vetpet.example/privacy/{version}",
        }
        return self.call("POST", "/v1/admin/policy-versions", body, admin)


def make_user(user_id: str, role: str = "owner", language: str = "en") -> User:
    user = User(
        user_id,
        email=f"{user_id}@vetpet.test",
        email_verified=True,
        role=role,
        name=f"Name {user_id}",
        country="UA",
        timezone="Europe/Kyiv",
        language=language,
        created_at=T0,
    )
    user.save()
    return user


def token_for(user: User) -> str:
    return issue_access_token(user.user_id, user.role, datetime.now(UTC))[0]


@pytest.fixture(autouse=True)
def fresh_policy_cache() -> Iterator[None]:
    significant_policy.clear()
    yield
    significant_policy.clear()


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def api(client: Client, clock: time_machine.Coordinates) -> Api:
    return Api(client)


@pytest.fixture
def admin(api: Api) -> str:
    return token_for(make_user("u-admin", "admin"))


@pytest.fixture
def owner(api: Api) -> str:
    return token_for(make_user("u-owner"))
