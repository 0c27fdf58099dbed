"""Sign-in: uniform failures, back-off, refresh rotation and family revocation, logout."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from chalicelib.accounts.tokens import verify_access_token
from tests.unit.accounts.conftest import PASSWORD, Api, make_user

pytestmark = pytest.mark.usefixtures("clock")


def test_wrong_password_and_unknown_email_are_identical(api: Api) -> None:
    api.verified_owner("known@example.com")
    wrong = api.login("known@example.com", "not-the-password-at-all")
    unknown = api.login("unknown@example.com", "not-the-password-at-all")
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body
    assert wrong.body["code"] == "invalid_credentials"


def test_tokens_have_the_contract_shape(api: Api) -> None:
    tokens = api.verified_owner("shape@example.com")
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    assert tokens["token_type"] == "Bearer"
    assert 0 < tokens["expires_in"] <= 15 * 60
    assert len(tokens["refresh_token"].split(".")[1]) >= 43  # >= 256 random bits
    assert verify_access_token(tokens["access_token"])["role"] == "owner"


class TestBackoff:
    def test_five_failures_then_429_with_retry_after_then_allowed_again(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        make_user("target@example.com")
        for _ in range(5):
            assert api.login("target@example.com", "guess-guess-guess").status == 401
        blocked = api.login("target@example.com", PASSWORD)  # even the right password waits
        assert (blocked.status, blocked.body["code"]) == (429, "too_many_attempts")
        retry_after = int(blocked.headers["Retry-After"])
        assert 0 < retry_after <= 15 * 60
        clock.shift(timedelta(seconds=retry_after))
        assert api.login("target@example.com", PASSWORD).status == 200

    def test_unknown_accounts_back_off_the_same_way(self, api: Api) -> None:
        for _ in range(5):
            api.login("ghost@example.com", "guess-guess-guess")
        assert api.login("ghost@example.com", "guess-guess-guess").status == 429

    def test_other_accounts_are_not_locked_by_one_accounts_failures(self, api: Api) -> None:
        make_user("other@example.com")
        for _ in range(6):
            api.login("target@example.com", "guess-guess-guess")
        assert api.login("other@example.com", PASSWORD).status == 200

    def test_a_success_clears_the_accounts_failures(self, api: Api) -> None:
        make_user("target@example.com")
        for _ in range(4):
            api.login("target@example.com", "guess-guess-guess")
        assert api.login("target@example.com", PASSWORD).status == 200
        for _ in range(4):
            api.login("target@example.com", "guess-guess-guess")
        assert api.login("target@example.com", PASSWORD).status == 200

    def test_one_ip_failing_on_many_accounts_backs_off(self, api: Api) -> None:
        from chalicelib.config import LOGIN_FAILURE_LIMIT_PER_IP

        for n in range(LOGIN_FAILURE_LIMIT_PER_IP):
            api.login(f"spray{n}@example.com", "guess-guess-guess")
        reply = api.login("fresh-target@example.com", "guess-guess-guess")
        assert reply.status == 429
        assert "Retry-After" in reply.headers


class TestRefresh:
    def test_rotation_then_reuse_revokes_the_whole_family(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        first = api.verified_owner("rot@example.com")["refresh_token"]
        rotated = api.post("/v1/auth/refresh", {"refresh_token": first})
        assert rotated.status == 200
        second = rotated.body["refresh_token"]
        assert second != first
        assert verify_access_token(rotated.body["access_token"])["sub"]
        clock.shift(timedelta(seconds=11))  # past the grace for a lost answer
        reuse = api.post("/v1/auth/refresh", {"refresh_token": first})
        assert (reuse.status, reuse.body["code"]) == (401, "refresh_token_reused")
        # The attacker's copy and the victim's current token are both dead now.
        assert api.post("/v1/auth/refresh", {"refresh_token": second}).status == 401

    def test_other_sessions_survive_a_reuse(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        phone = api.verified_owner("two@example.com")["refresh_token"]
        laptop = api.login("two@example.com").body["refresh_token"]
        api.post("/v1/auth/refresh", {"refresh_token": phone})
        clock.shift(timedelta(seconds=11))
        reuse = api.post("/v1/auth/refresh", {"refresh_token": phone})
        assert reuse.body["code"] == "refresh_token_reused"
        assert api.post("/v1/auth/refresh", {"refresh_token": laptop}).status == 200

    def test_refresh_token_expires_after_30_days(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        token = api.verified_owner("old@example.com")["refresh_token"]
        clock.shift(timedelta(days=30))
        assert api.post("/v1/auth/refresh", {"refresh_token": token}).status == 401

    @pytest.mark.parametrize("token", ["garbage", "a.b", "x" * 100 + ".y"])
    def test_malformed_or_unknown_tokens_are_401(self, api: Api, token: str) -> None:
        reply = api.post("/v1/auth/refresh", {"refresh_token": token})
        assert (reply.status, reply.body["code"]) == (401, "invalid_refresh_token")


def test_logout_revokes_the_family(api: Api) -> None:
    tokens = api.verified_owner("bye@example.com")
    reply = api.post("/v1/auth/logout", {"refresh_token": tokens["refresh_token"]})
    assert reply.status == 204
    assert api.post("/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status == 401
    # Logging out with an unknown token says nothing either way.
    assert api.post("/v1/auth/logout", {"refresh_token": "nothing.here"}).status == 204


def test_logout_with_only_the_access_token_ends_that_sign_in(api: Api) -> None:
    phone = api.verified_owner("bye2@example.com")
    laptop = api.login("bye2@example.com").body
    assert verify_access_token(phone["access_token"])["sid"]
    assert api.post("/v1/auth/logout", {}, phone["access_token"]).status == 204
    assert api.post("/v1/auth/refresh", {"refresh_token": phone["refresh_token"]}).status == 401
    assert api.post("/v1/auth/refresh", {"refresh_token": laptop["refresh_token"]}).status == 200


def test_logout_without_any_token_is_401(api: Api) -> None:
    reply = api.post("/v1/auth/logout", {})
    assert (reply.status, reply.body["code"]) == (401, "unauthorized")


def test_access_tokens_of_an_ended_sign_in_are_refused_at_once(api: Api) -> None:
    tokens = api.verified_owner("ended@example.com")
    assert api.call("GET", "/v1/me", token=tokens["access_token"]).status == 200
    api.post("/v1/auth/logout", {"refresh_token": tokens["refresh_token"]})
    reply = api.call("GET", "/v1/me", token=tokens["access_token"])
    assert (reply.status, reply.body["code"]) == (401, "unauthorized")


def test_a_password_change_ends_every_sign_in_at_once(api: Api) -> None:
    phone = api.verified_owner("pc@example.com")
    laptop = api.login("pc@example.com").body
    body = {"current_password": PASSWORD, "new_password": "Another-long-passphrase-9"}
    assert api.post("/v1/me/password", body, laptop["access_token"]).status == 200
    for tokens in (phone, laptop):
        assert api.call("GET", "/v1/me", token=tokens["access_token"]).status == 401
