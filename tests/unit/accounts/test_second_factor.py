"""Second factors (P4): TOTP and SMS enrolment, and sign-in challenges that cannot be
replayed, delayed, moved to another sign-in or guessed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine

from tests.unit.accounts.conftest import PASSWORD, T0, Api, last_sms_code, texts

pytestmark = pytest.mark.usefixtures("clock")

PHONE = "+380501234567"


def enrol_totp(api: Api, access: str) -> pyotp.TOTP:
    started = api.post("/v1/me/mfa/totp", {"password": PASSWORD}, access)
    assert started.status == 200
    assert started.body["otpauth_uri"].startswith("otpauth://totp/VetPet:")
    totp = pyotp.TOTP(started.body["secret"])
    confirmed = api.post(
        "/v1/me/mfa/totp/confirm", {"code": totp.at(T0), "password": PASSWORD}, access
    )
    assert (confirmed.status, confirmed.body) == (200, {"methods": ["totp"]})
    return totp


def enrol_sms(api: Api, access: str, phone: str = PHONE) -> None:
    assert api.post("/v1/me/mfa/sms", {"phone": phone, "password": PASSWORD}, access).status == 202
    confirmed = api.post(
        "/v1/me/mfa/sms/confirm", {"code": last_sms_code(phone), "password": PASSWORD}, access
    )
    assert confirmed.status == 200
    assert "sms" in confirmed.body["methods"]


def challenge(api: Api, email: str) -> dict[str, Any]:
    reply = api.login(email)
    assert reply.status == 200
    assert reply.body["mfa_required"] is True
    return dict(reply.body)


def verify(api: Api, challenge_id: str, code: str) -> Any:
    return api.post("/v1/auth/mfa/verify", {"challenge_id": challenge_id, "code": code})


class TestTotp:
    def test_enrol_then_sign_in_with_the_app(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        access = api.verified_owner("t@example.com")["access_token"]
        totp = enrol_totp(api, access)
        clock.shift(timedelta(seconds=60))
        started = challenge(api, "t@example.com")
        assert started["methods"] == ["totp"]
        assert "access_token" not in started
        done = verify(api, started["challenge_id"], totp.at(T0 + timedelta(seconds=60)))
        assert done.status == 200
        assert {"access_token", "refresh_token"} <= set(done.body)

    def test_a_code_outside_the_window_is_refused(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        access = api.verified_owner("t@example.com")["access_token"]
        totp = enrol_totp(api, access)
        clock.shift(timedelta(minutes=5))
        started = challenge(api, "t@example.com")
        stale = totp.at(T0 + timedelta(minutes=5) - timedelta(seconds=90))
        reply = verify(api, started["challenge_id"], stale)
        assert (reply.status, reply.body["code"]) == (401, "invalid_code")

    def test_a_used_code_is_not_accepted_again(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        access = api.verified_owner("t@example.com")["access_token"]
        totp = enrol_totp(api, access)
        clock.shift(timedelta(seconds=60))
        code = totp.at(T0 + timedelta(seconds=60))
        assert verify(api, challenge(api, "t@example.com")["challenge_id"], code).status == 200
        again = challenge(api, "t@example.com")["challenge_id"]
        assert verify(api, again, code).status == 401

    def test_enrolment_needs_a_right_code(self, api: Api) -> None:
        access = api.verified_owner("t@example.com")["access_token"]
        api.post("/v1/me/mfa/totp", {"password": PASSWORD}, access)
        reply = api.post(
            "/v1/me/mfa/totp/confirm", {"code": "000000", "password": PASSWORD}, access
        )
        assert (reply.status, reply.body["code"]) == (400, "invalid_code")
        assert api.login("t@example.com").body.get("mfa_required") is None

    def test_replacing_the_app_needs_the_password(self, api: Api) -> None:
        access = api.verified_owner("t@example.com")["access_token"]
        enrol_totp(api, access)
        refused = api.post("/v1/me/mfa/totp", {}, access)
        assert (refused.status, refused.body["code"]) == (403, "reauthentication_required")
        assert api.post("/v1/me/mfa/totp", {"password": PASSWORD}, access).status == 200


class TestSms:
    def started(self, api: Api, email: str = "s@example.com") -> str:
        access = api.verified_owner(email)["access_token"]
        enrol_sms(api, access)
        started = challenge(api, email)
        assert started["methods"] == ["sms"]
        sent = api.post("/v1/auth/mfa/sms/send", {"challenge_id": started["challenge_id"]})
        assert sent.status == 202
        return str(started["challenge_id"])

    def test_sign_in_with_an_sms_code(self, api: Api) -> None:
        challenge_id = self.started(api)
        assert "VetPet" in texts(PHONE)[-1]
        reply = verify(api, challenge_id, last_sms_code(PHONE))
        assert reply.status == 200
        assert reply.body["token_type"] == "Bearer"

    def test_a_replayed_code_is_refused(self, api: Api) -> None:
        challenge_id = self.started(api)
        code = last_sms_code(PHONE)
        assert verify(api, challenge_id, code).status == 200
        replay = verify(api, challenge_id, code)
        assert (replay.status, replay.body["code"]) == (401, "challenge_invalid")

    def test_a_late_code_is_refused(self, api: Api, clock: time_machine.Coordinates) -> None:
        challenge_id = self.started(api)
        clock.shift(timedelta(minutes=10, seconds=1))
        reply = verify(api, challenge_id, last_sms_code(PHONE))
        assert reply.status == 401

    def test_a_code_for_another_challenge_is_refused(self, api: Api) -> None:
        first = self.started(api)
        first_code = last_sms_code(PHONE)
        second = challenge(api, "s@example.com")["challenge_id"]
        moved = verify(api, second, first_code)
        assert (moved.status, moved.body["code"]) == (401, "invalid_code")
        replaced = verify(api, first, first_code)  # the new sign-in replaced it
        assert (replaced.status, replaced.body["code"]) == (401, "challenge_invalid")

    def test_five_wrong_guesses_kill_the_challenge(self, api: Api) -> None:
        challenge_id = self.started(api)
        code = last_sms_code(PHONE)
        wrong = [
            c for c in ("111111", "222222", "333333", "444444", "555555", "666666") if c != code
        ][:5]
        for guess in wrong:
            reply = verify(api, challenge_id, guess)
            assert (reply.status, reply.body["code"]) == (401, "invalid_code")
        sixth = verify(api, challenge_id, code)  # the account is backed off now
        assert (sixth.status, sixth.body["code"]) == (429, "too_many_attempts")

    def test_sms_sends_per_challenge_are_limited(self, api: Api) -> None:
        challenge_id = self.started(api)
        api.post("/v1/auth/mfa/sms/send", {"challenge_id": challenge_id})
        api.post("/v1/auth/mfa/sms/send", {"challenge_id": challenge_id})
        reply = api.post("/v1/auth/mfa/sms/send", {"challenge_id": challenge_id})
        assert (reply.status, reply.body["code"]) == (429, "too_many_codes")

    def test_unknown_challenge_is_refused(self, api: Api) -> None:
        reply = api.post("/v1/auth/mfa/sms/send", {"challenge_id": "nope"})
        assert (reply.status, reply.body["code"]) == (401, "challenge_invalid")

    def test_changing_the_phone_needs_the_password(self, api: Api) -> None:
        access = api.verified_owner("p@example.com")["access_token"]
        enrol_sms(api, access)
        other = "+380671234567"
        refused = api.post("/v1/me/mfa/sms", {"phone": other}, access)
        assert (refused.status, refused.body["code"]) == (403, "reauthentication_required")
        assert (
            api.post("/v1/me/mfa/sms", {"phone": other, "password": PASSWORD}, access).status == 202
        )

    def test_wrong_enrolment_code_is_refused(self, api: Api) -> None:
        access = api.verified_owner("p@example.com")["access_token"]
        api.post("/v1/me/mfa/sms", {"phone": PHONE, "password": PASSWORD}, access)
        code = last_sms_code(PHONE)
        wrong = "000000" if code != "000000" else "111111"
        reply = api.post("/v1/me/mfa/sms/confirm", {"code": wrong, "password": PASSWORD}, access)
        assert (reply.status, reply.body["code"]) == (400, "invalid_code")


def test_both_factors_are_offered_and_either_passes(api: Api) -> None:
    access = api.verified_owner("both@example.com")["access_token"]
    totp = enrol_totp(api, access)
    enrol_sms(api, access)
    started = challenge(api, "both@example.com")
    assert started["methods"] == ["totp", "sms"]
    assert verify(api, started["challenge_id"], totp.at(T0)).status == 401  # step already used
    me = api.call("GET", "/v1/me", token=access).body
    assert me["mfa_methods"] == ["totp", "sms"]


def test_wrong_second_factor_codes_count_towards_the_account_back_off(api: Api) -> None:
    access = api.verified_owner("bf@example.com")["access_token"]
    enrol_totp(api, access)
    for _ in range(5):
        started = challenge(api, "bf@example.com")
        verify(api, started["challenge_id"], "000000")
    assert api.login("bf@example.com").status == 429
