"""Attacks on accounts, each reproduced: parallel attempts run in real threads against the
in-process AWS, and every refusal is a 4xx problem from the one error table."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine

from chalicelib.accounts import service
from chalicelib.accounts.events import Origin
from chalicelib.accounts.models import User
from chalicelib.accounts.passwords import verify_password
from chalicelib.errors import DomainError
from chalicelib.web.errors import spec_of
from tests.unit.accounts.conftest import (
    PASSWORD,
    T0,
    Api,
    emails,
    last_code,
    make_user,
    texts,
)
from tests.unit.accounts.test_social_and_profile import fresh_nonce, id_token, social

pytestmark = pytest.mark.usefixtures("clock", "atomic_dynamodb")

ORIGIN = Origin(ip="203.0.113.7", user_agent="attacker/1.0")


def in_parallel(calls: list[Callable[[], object]]) -> list[tuple[int, str, dict[str, str]]]:
    """Run every call at once (threads released together); each outcome as the client
    sees it: (status, code, headers) — 200 for a success."""
    gate = threading.Barrier(len(calls))
    outcomes: list[tuple[int, str, dict[str, str]]] = []
    lock = threading.Lock()

    def run(call: Callable[[], object]) -> None:
        gate.wait()
        try:
            call()
            outcome = (200, "ok", {})
        except DomainError as error:
            spec = spec_of(type(error))
            headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
            outcome = (spec.status, spec.code, headers)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_password_guessing_gets_at_most_five_answers(api: Api) -> None:
    make_user("victim@example.com")
    guesses = [
        lambda n=n: service.login("victim@example.com", f"guess-number-{n}", T0, ORIGIN)
        for n in range(30)
    ]
    outcomes = in_parallel(guesses)
    codes = Counter(code for _, code, _ in outcomes)
    assert codes["invalid_credentials"] <= 5
    assert codes["invalid_credentials"] + codes["too_many_attempts"] == 30
    for status, code, headers in outcomes:
        assert 400 <= status < 500
        if code == "too_many_attempts":
            assert (status, 0 < int(headers["Retry-After"]) <= 15 * 60) == (429, True)
    # The attempts were really evaluated: the right password now waits too.
    assert api.login("victim@example.com").status == 429


def test_unknown_email_does_the_same_argon2_work_as_a_known_one(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argon2 import PasswordHasher

    make_user("known@example.com")
    verified: list[str] = []
    real_verify = PasswordHasher.verify

    def counting(self: PasswordHasher, hash: str, password: str) -> bool:
        verified.append(password)
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    for email, password in [
        ("nobody@example.com", "guess-one"),
        ("known@example.com", "guess-two"),
        ("known@example.com", PASSWORD),
    ]:
        before = len(verified)
        api.login(email, password)
        assert verified[before:] == [password]


def _totp_user(email: str) -> tuple[User, pyotp.TOTP]:
    user = make_user(email)
    secret = pyotp.random_base32()
    user.update(actions=[User.totp_secret.set(secret)])
    return user, pyotp.TOTP(secret)


def test_second_factor_guessing_is_backed_off_across_challenges(
    api: Api, clock: time_machine.Coordinates
) -> None:
    _, totp = _totp_user("mfa@example.com")
    opened = []
    for _ in range(21):
        started = service.login("mfa@example.com", PASSWORD, T0, ORIGIN)
        assert isinstance(started, service.MfaChallenge)
        opened.append(started.challenge_id)
    *used, spare = opened
    right = totp.at(T0)
    wrong = "000000" if right != "000000" else "111111"
    guesses = [
        lambda n=n: service.verify_second_factor(used[n % len(used)], wrong, T0, ORIGIN)
        for n in range(100)
    ]
    outcomes = in_parallel(guesses)
    codes = Counter(code for _, code, _ in outcomes)
    assert codes["ok"] == 0
    assert codes["invalid_code"] + codes["challenge_invalid"] <= 5  # evaluated answers
    assert codes["too_many_attempts"] >= 95
    assert all(400 <= status < 500 for status, _, _ in outcomes)
    late = api.post("/v1/auth/mfa/verify", {"challenge_id": spare, "code": right})
    assert (late.status, late.body["code"]) == (429, "too_many_attempts")
    assert int(late.headers["Retry-After"]) > 0
    refused = api.login("mfa@example.com")  # no new challenge to keep guessing with
    assert (refused.status, refused.body["code"]) == (429, "too_many_attempts")


def test_a_new_sign_in_replaces_the_live_challenge(api: Api) -> None:
    _, totp = _totp_user("one@example.com")
    first = api.login("one@example.com").body["challenge_id"]
    second = api.login("one@example.com").body["challenge_id"]
    old = api.post("/v1/auth/mfa/verify", {"challenge_id": first, "code": totp.at(T0)})
    assert (old.status, old.body["code"]) == (401, "challenge_invalid")
    live = api.post("/v1/auth/mfa/verify", {"challenge_id": second, "code": totp.at(T0)})
    assert live.status == 200


class TestEnrollingAFactorWithoutThePassword:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("POST", "/v1/me/mfa/totp", {}),
            ("POST", "/v1/me/mfa/totp/confirm", {"code": "123456"}),
            ("DELETE", "/v1/me/mfa/totp", {}),
            ("POST", "/v1/me/mfa/sms", {"phone": "+380501234567"}),
            ("POST", "/v1/me/mfa/sms/confirm", {"code": "123456"}),
            ("DELETE", "/v1/me/mfa/sms", {}),
            ("POST", "/v1/me/mfa/totp", {"password": "not-my-password"}),
        ],
    )
    def test_a_stolen_access_token_cannot_change_second_factors(
        self, api: Api, method: str, path: str, body: dict[str, Any]
    ) -> None:
        access = api.verified_owner("stolen@example.com")["access_token"]
        reply = api.call(method, path, body, access)
        assert (reply.status, reply.body["code"]) == (403, "reauthentication_required")
        assert api.call("GET", "/v1/me", token=access).body["mfa_methods"] == []

    def test_each_change_with_the_password_is_e_mailed(self, api: Api) -> None:
        access = api.verified_owner("owner@example.com")["access_token"]
        started = api.post("/v1/me/mfa/totp", {"password": PASSWORD}, access)
        code = pyotp.TOTP(started.body["secret"]).at(T0)
        confirmed = api.post(
            "/v1/me/mfa/totp/confirm", {"code": code, "password": PASSWORD}, access
        )
        assert confirmed.body == {"methods": ["totp"]}
        removed = api.call("DELETE", "/v1/me/mfa/totp", {"password": PASSWORD}, access)
        assert removed.body == {"methods": []}
        notices = [body for _, body in emails("owner@example.com") if "totp_" in body]
        assert len(notices) == 2
        assert "totp_enrolled" in notices[0]
        assert "totp_removed" in notices[1]

    def test_a_social_only_account_needs_a_sign_in_under_five_minutes_old(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        from chalicelib.accounts import social_signin
        from tests.unit.accounts.test_social_and_profile import GOOGLE

        social_signin.key_source = lambda provider, token: GOOGLE.public_key
        try:
            signed_in = social(api, birth_date="1985-01-02", country="PL")
            access = signed_in.body["access_token"]
            assert api.post("/v1/me/mfa/totp", {}, access).status == 200
            clock.shift(timedelta(minutes=6))
            fresh = api.post("/v1/auth/refresh", {"refresh_token": signed_in.body["refresh_token"]})
            stale = api.post("/v1/me/mfa/totp", {}, fresh.body["access_token"])
            assert (stale.status, stale.body["code"]) == (403, "reauthentication_required")
        finally:
            from chalicelib.accounts.social import jwks_key

            social_signin.key_source = jwks_key


def test_a_pending_sign_up_cannot_be_taken_over(api: Api) -> None:
    from chalicelib.accounts.repository import find_by_email

    assert api.register("new@example.com", "Victims-own-passphrase-1").status == 202
    first_code = last_code("new@example.com")
    taken = api.register("new@example.com", "Mallorys-passphrase-22", name="Mallory")
    assert (taken.status, taken.body) == (202, {"status": "verification_sent"})
    pending = find_by_email("new@example.com")
    assert pending is not None
    assert pending.name == "Olena Petrenko"
    assert verify_password(pending.password_hash, "Victims-own-passphrase-1")
    fresh_code = last_code("new@example.com")
    assert len(emails("new@example.com")) == 2
    if fresh_code != first_code:  # the fresh code replaced the first one
        stale = {"email": "new@example.com", "code": first_code}
        assert api.post("/v1/auth/verify-email", stale).status == 400
    # A code confirms only the registration it was sent for.
    api.register("other@example.com")
    crossed = api.post("/v1/auth/verify-email", {"email": "other@example.com", "code": fresh_code})
    if fresh_code != last_code("other@example.com"):
        assert (crossed.status, crossed.body["code"]) == (400, "invalid_code")
    done = api.post("/v1/auth/verify-email", {"email": "new@example.com", "code": fresh_code})
    assert done.status == 200
    assert api.login("new@example.com", "Mallorys-passphrase-22").status == 401
    assert api.login("new@example.com", "Victims-own-passphrase-1").status == 200


class TestEnumerationByTiming:
    """The request path does the same work for known and unknown addresses; the e-mail
    itself is queued and delivered after the answer."""

    @pytest.fixture
    def work(self, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
        from chalicelib.accounts import mailer, registration, repository

        done: Counter[str] = Counter()

        def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
            def counted(*args: Any, **kwargs: Any) -> Any:
                done[name] += 1
                return real(*args, **kwargs)

            return counted

        monkeypatch.setattr(mailer, "dispatch", lambda message, now: done.update(["queued"]))
        monkeypatch.setattr(repository, "find_by_email", spy("lookup", repository.find_by_email))
        monkeypatch.setattr(repository, "create_user", spy("create", repository.create_user))
        monkeypatch.setattr(registration, "hash_password", spy("hash", registration.hash_password))
        return done

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            ("/v1/auth/password/forgot", {}),
            ("/v1/auth/verify-email/resend", {}),
            (
                "/v1/auth/register",
                {
                    "password": PASSWORD,
                    "name": "X",
                    "birth_date": "1990-01-01",
                    "country": "UA",
                    "timezone": "UTC",
                    "language": "en",
                },
            ),
        ],
        ids=["forgot", "resend", "register"],
    )
    def test_known_and_unknown_addresses_cost_the_same(
        self, api: Api, work: Counter[str], path: str, body: dict[str, str]
    ) -> None:
        pending = make_user("pending@example.com")
        pending.update(actions=[User.email_verified.set(False)])
        make_user("known@example.com")
        spent = []
        for email in ("known@example.com", "pending@example.com", "unknown@example.com"):
            work.clear()
            reply = api.post(path, {"email": email, **body})
            assert reply.status == 202
            spent.append(dict(work))
        assert spent[0] == spent[1] == spent[2]
        assert spent[0]["queued"] == 1
        assert spent[0].get("lookup", 0) == 0


def test_refresh_forged_secret_is_invalid_and_revokes_nothing(api: Api) -> None:
    tokens = api.verified_owner("r@example.com")
    family = tokens["refresh_token"].split(".")[0]
    forged = api.post(
        "/v1/auth/refresh", {"refresh_token": f"{family}.{secrets.token_urlsafe(32)}"}
    )
    assert (forged.status, forged.body["code"]) == (401, "invalid_refresh_token")
    assert api.post("/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status == 200
    assert api.call("GET", "/v1/me", token=tokens["access_token"]).status == 200


def test_refresh_retry_within_ten_seconds_gets_the_same_pair(
    api: Api, clock: time_machine.Coordinates
) -> None:
    first = api.verified_owner("g@example.com")["refresh_token"]
    rotated = api.post("/v1/auth/refresh", {"refresh_token": first})
    clock.shift(timedelta(seconds=10))
    again = api.post("/v1/auth/refresh", {"refresh_token": first})
    assert (again.status, again.body) == (200, rotated.body)
    clock.shift(timedelta(seconds=1))
    late = api.post("/v1/auth/refresh", {"refresh_token": first})
    assert (late.status, late.body["code"]) == (401, "refresh_token_reused")
    dead = api.post("/v1/auth/refresh", {"refresh_token": rotated.body["refresh_token"]})
    assert dead.status == 401


def test_refresh_parallel_presentations_of_one_token_get_one_pair(api: Api) -> None:
    first = api.verified_owner("p@example.com")["refresh_token"]
    answers: list[str] = []

    def present() -> None:
        answers.append(service.refresh(first, T0, ORIGIN).refresh_token)

    outcomes = in_parallel([present] * 8)
    assert [status for status, _, _ in outcomes] == [200] * 8
    assert len(set(answers)) == 1


def test_a_17_year_old_choosing_kiritimati_is_refused(api: Api) -> None:
    # At T0 (12:00 UTC on 25 November) it is already the 26th in Kiritimati (UTC+14): the
    # applicant turns 18 there, but not yet at UTC-12.
    reply = api.register("kid@example.com", birth_date="2008-11-26", timezone="Pacific/Kiritimati")
    assert (reply.status, reply.body["code"]) == (422, "underage")
    assert api.register("adult@example.com", birth_date="2008-11-25").status == 202


@pytest.fixture
def google(monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.accounts import social_signin
    from tests.unit.accounts.test_social_and_profile import GOOGLE

    monkeypatch.setattr(social_signin, "key_source", lambda provider, token: GOOGLE.public_key)


@pytest.mark.usefixtures("google")
class TestSocialSignIn:
    @pytest.mark.parametrize("role", ["admin", "vet"])
    def test_a_verified_id_token_never_opens_a_vet_or_admin_session(
        self, api: Api, role: str
    ) -> None:
        make_user("social@example.com", role=role)
        reply = social(api, password=PASSWORD)
        assert (reply.status, reply.body["code"]) == (403, "social_link_refused")
        assert "access_token" not in reply.body

    def test_a_nonce_that_was_not_issued_is_refused(self, api: Api) -> None:
        token = id_token("made-up-by-the-client")
        body = {
            "id_token": token,
            "nonce": "made-up-by-the-client",
            "birth_date": "1985-01-02",
            "country": "PL",
        }
        reply = api.post("/v1/auth/social/google", body)
        assert (reply.status, reply.body["code"]) == (401, "invalid_id_token")

    def test_a_nonce_is_single_use(self, api: Api) -> None:
        nonce = fresh_nonce(api)
        body = {
            "id_token": id_token(nonce),
            "nonce": nonce,
            "birth_date": "1985-01-02",
            "country": "PL",
        }
        assert api.post("/v1/auth/social/google", body).status == 200
        replay = api.post("/v1/auth/social/google", body)
        assert (replay.status, replay.body["code"]) == (401, "invalid_id_token")

    def test_a_nonce_expires_after_ten_minutes(
        self, api: Api, clock: time_machine.Coordinates
    ) -> None:
        issued = api.post("/v1/auth/social/nonce").body
        assert issued["expires_at"] == "2026-11-25T12:10:00Z"
        clock.shift(timedelta(minutes=10))
        body = {
            "id_token": id_token(
                issued["nonce"], now=int((T0 + timedelta(minutes=10)).timestamp())
            ),
            "nonce": issued["nonce"],
            "birth_date": "1985-01-02",
            "country": "PL",
        }
        reply = api.post("/v1/auth/social/google", body)
        assert (reply.status, reply.body["code"]) == (401, "invalid_id_token")


class TestMessageLimits:
    def test_sms_cannot_be_pumped_to_one_number(self, api: Api) -> None:
        access = api.verified_owner("pump@example.com")["access_token"]
        victim = "+380671234567"
        body = {"phone": victim, "password": PASSWORD}
        for _ in range(5):
            assert api.post("/v1/me/mfa/sms", body, access).status == 202
        refused = api.post("/v1/me/mfa/sms", body, access)
        assert (refused.status, refused.body["code"]) == (429, "too_many_messages")
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        assert len(texts(victim)) == 5

    def test_one_account_cannot_text_many_numbers(self, api: Api) -> None:
        access = api.verified_owner("spray@example.com")["access_token"]
        phones = [f"+38067123450{n}" for n in range(10)] + ["+380671234599"]
        replies = [
            api.post("/v1/me/mfa/sms", {"phone": p, "password": PASSWORD}, access).status
            for p in phones
        ]
        assert replies == [202] * 10 + [429]

    @pytest.mark.parametrize("email", ["known@example.com", "unknown@example.com"])
    def test_reset_e_mails_to_one_address_are_limited(self, api: Api, email: str) -> None:
        make_user("known@example.com")
        for _ in range(5):
            assert api.post("/v1/auth/password/forgot", {"email": email}).status == 202
        refused = api.post("/v1/auth/password/forgot", {"email": email})
        assert (refused.status, refused.body["code"]) == (429, "too_many_messages")
