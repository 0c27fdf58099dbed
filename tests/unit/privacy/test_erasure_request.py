"""The erasure entry point: sign-in stops at once, every session ends, the request waits
for the erasure job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from chalicelib.accounts.errors import AccountGone
from chalicelib.accounts.models import User
from chalicelib.accounts.service import issue_tokens
from chalicelib.privacy.erasure import request_erasure
from chalicelib.privacy.models import TODO, ErasureRequest
from tests.unit.accounts.conftest import PASSWORD, Api, clock

__all__ = ["clock"]


def _user_id(token: str) -> str:
    from chalicelib.accounts.tokens import verify_access_token

    return str(verify_access_token(token)["sub"])


def test_a_request_ends_every_session_and_refuses_sign_in(api: Api, now: datetime) -> None:
    first = api.verified_owner("olena@example.com")
    second = api.login("olena@example.com").body
    user_id = _user_id(first["access_token"])

    erasure_id = request_erasure(user_id, reason="user", now=now)

    for tokens in (first, second):
        assert api.call("GET", "/v1/me", token=tokens["access_token"]).status == 401
        assert (
            api.post("/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status == 401
        )
    refused = api.login("olena@example.com", PASSWORD)
    assert (refused.status, refused.body["code"]) == (401, "account_erased")
    request = ErasureRequest.get(erasure_id)
    assert (request.user_id, request.email, request.status) == (
        user_id,
        "olena@example.com",
        "pending",
    )
    assert request.todo == TODO
    assert User.get(user_id).erasure_id == erasure_id


def test_a_repeated_request_returns_the_first_id(api: Api, now: datetime) -> None:
    user_id = _user_id(api.verified_owner("olena@example.com")["access_token"])
    first = request_erasure(user_id, reason="user", now=now)
    assert request_erasure(user_id, reason="minor_report", now=now) == first
    assert [r.erasure_id for r in ErasureRequest.scan()] == [first]


def test_an_unknown_user_cannot_be_erased(aws: None, now: datetime) -> None:
    with pytest.raises(AccountGone):
        request_erasure("nobody", reason="user", now=now)


def test_erasing_through_the_api_ends_the_session_in_use(api: Api) -> None:
    tokens = api.verified_owner("olena@example.com")
    access = tokens["access_token"]
    wrong = api.call("DELETE", "/v1/me", {"password": "not the password"}, token=access)
    assert (wrong.status, wrong.body["code"]) == (403, "reauthentication_required")

    erased = api.call("DELETE", "/v1/me", {"password": PASSWORD}, token=access)
    assert erased.status == 202
    assert ErasureRequest.get(erased.body["erasure_id"]).status == "pending"
    assert api.call("GET", "/v1/me", token=access).status == 401
    assert api.call("POST", "/v1/me/exports", token=access).status == 401


def test_a_social_only_account_erases_with_a_recent_sign_in_only(
    api: Api, clock: time_machine.Coordinates
) -> None:
    tokens = api.verified_owner("olena@example.com")
    user_id = _user_id(tokens["access_token"])
    User(user_id).update(actions=[User.password_hash.remove()])  # as if it signed up socially
    clock.shift(timedelta(minutes=6))
    stale = api.call("DELETE", "/v1/me", {}, token=tokens["access_token"])
    assert (stale.status, stale.body["code"]) == (403, "reauthentication_required")

    fresh = issue_tokens(User.get(user_id), datetime.now(UTC))
    assert api.call("DELETE", "/v1/me", {}, token=fresh.access_token).status == 202
