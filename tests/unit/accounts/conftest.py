"""Helpers for driving the accounts API in-process: calls, the mailbox, codes, users."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from chalice.test import Client
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.accounts import mailer
from chalicelib.accounts.models import User
from chalicelib.accounts.passwords import hash_password
from chalicelib.notifications.outbox import OutboxMessage, deliver

PASSWORD = "Murchyk-naps-on-the-windowsill"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    def __init__(self, client: Client) -> None:
        self._client = client

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Reply:
        headers = {"Content-Type": "application/json", "User-Agent": "VetPetTest/1.0"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        raw = json.dumps(body).encode() if body is not None else b""
        response = self._client.http.request(method, path, body=raw, headers=headers)
        parsed = json.loads(response.body) if response.body else None
        return Reply(response.status_code, parsed, dict(response.headers))

    def post(self, path: str, body: Any = None, token: str | None = None) -> Reply:
        return self.call("POST", path, body if body is not None else {}, token)

    def register(self, email: str, password: str = PASSWORD, **fields: Any) -> Reply:
        body = {
            "email": email,
            "password": password,
            "name": "Olena Petrenko",
            "birth_date": "1990-05-17",
            "country": "UA",
            "timezone": "Europe/Kyiv",
            "language": "uk",
            **fields,
        }
        return self.post("/v1/auth/register", body)

    def login(self, email: str, password: str = PASSWORD) -> Reply:
        return self.post("/v1/auth/login", {"email": email, "password": password})

    def verified_owner(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        """Register, verify by the e-mailed code, sign in: the token pair."""
        assert self.register(email, password).status == 202
        code = last_code(email)
        assert self.post("/v1/auth/verify-email", {"email": email, "code": code}).status == 200
        reply = self.login(email, password)
        assert reply.status == 200, reply.body
        return dict(reply.body)


def emails(to: str) -> list[tuple[str, str]]:
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    return [(m.subject, m.body) for m in sent if to in m.destinations.get("ToAddresses", [])]


def texts(phone: str) -> list[str]:
    sms = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages
    return [text for number, text in sms.values() if number == phone]


def code_in(text: str) -> str:
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def last_code(email: str) -> str:
    return code_in(emails(email)[-1][1])


def last_sms_code(phone: str) -> str:
    return code_in(texts(phone)[-1])


def _deliver_in_line(message: OutboxMessage, now: datetime) -> None:
    deliver(message, now)


@pytest.fixture(autouse=True)
def mail_in_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Queued account e-mails are delivered at once, so a test can read them next."""
    monkeypatch.setattr(mailer, "dispatch", _deliver_in_line)


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """Frozen time at T0 that a test moves with ``clock.move_to`` or ``clock.shift``."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def make_user(email: str, role: str = "owner", password: str = PASSWORD) -> User:
    user = User(
        f"u-{role}-{email.split('@')[0]}",
        email=email,
        email_verified=True,
        password_hash=hash_password(password),
        role=role,
        name=f"Demo {role}",
        country="UA",
        timezone="Europe/Kyiv",
        language="en",
        created_at=T0,
    )
    user.save()
    return user
