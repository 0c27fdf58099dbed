"""The erasure entry point: sign-in stops at once, every session ends, the request waits
for the erasure job."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.accounts.errors import AccountGone
from chalicelib.accounts.models import User
from chalicelib.privacy.erasure import request_erasure
from chalicelib.privacy.models import TODO, ErasureRequest
from tests.unit.accounts.conftest import PASSWORD, Api


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
