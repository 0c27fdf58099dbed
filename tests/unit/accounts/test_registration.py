"""Registration (P12, P3), e-mail verification, password reset and change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from argon2 import extract_parameters
from botocore.client import BaseClient

from chalicelib.accounts import mailer
from chalicelib.accounts.repository import find_by_email
from chalicelib.config import get_settings
from chalicelib.consent.notice import significant_policy
from chalicelib.consent.operations import ledger, publish_policy
from chalicelib.notifications.outbox import OutboxMessage
from tests.unit.accounts.conftest import PASSWORD, T0, Api, emails, last_code

pytestmark = pytest.mark.usefixtures("clock")


def test_register_verify_then_sign_in_and_read_the_profile(api: Api) -> None:
    reply = api.register("Olena@Example.com", phone="+380501234567", postcode="01001")
    assert (reply.status, reply.body) == (202, {"status": "verification_sent"})
    refused = api.login("olena@example.com")
    assert (refused.status, refused.body["code"]) == (403, "email_unverified")
    subject, body = emails("olena@example.com")[-1]
    assert "verification" in subject.lower() or "підтвердження" in subject
    assert "verify-email?" in body
    code = last_code("olena@example.com")
    assert (
        api.post("/v1/auth/verify-email", {"email": "olena@example.com", "code": code}).status
        == 200
    )
    tokens = api.login("olena@example.com").body
    assert tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"]
    me = api.call("GET", "/v1/me", token=tokens["access_token"]).body
    assert me["email"] == "olena@example.com"
    assert me["birth_date"] == "1990-05-17"
    assert (me["country"], me["timezone"], me["language"]) == ("UA", "Europe/Kyiv", "uk")
    assert (me["phone"], me["postcode"], me["role"]) == ("+380501234567", "01001", "owner")
    assert me["mfa_methods"] == []


def test_known_and_unknown_email_get_the_same_answer(api: Api) -> None:
    api.verified_owner("taken@example.com")
    known = api.register("taken@example.com", password="Another-long-passphrase-1")
    unknown = api.register("fresh@example.com", password="Another-long-passphrase-1")
    assert (
        (known.status, known.body)
        == (unknown.status, unknown.body)
        == (
            202,
            {"status": "verification_sent"},
        )
    )
    subject, _ = emails("taken@example.com")[-1]
    assert subject == "Someone tried to register with your e-mail" or "намагався" in subject
    # The existing account keeps its password.
    assert api.login("taken@example.com").status == 200


@pytest.fixture
def policy_in_effect(aws: None) -> Iterator[None]:
    summary = {"uk": "Політика", "ru": "Политика", "en": "Policy"}
    publish_policy(
        "2026-1",
        significant=True,
        effective_at=T0 - timedelta(days=1),
        summary=summary,
        text_url="https://vetpet.example/privacy/2026-1",
        now=T0,
    )
    yield
    significant_policy.clear()  # the in-process cache outlives the tables


def _tables(params: dict[str, Any]) -> list[str]:
    items = params.get("TransactItems", [])
    return [next(iter(item.values()))["TableName"] for item in items] or [params["TableName"]]


@pytest.mark.usefixtures("policy_in_effect")
def test_a_taken_address_costs_the_same_storage_calls_as_a_new_one(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same reads, same one transaction of the same items (the taken one fails on its
    address claim), so the answer's timing cannot tell the two apart."""
    choice = {"performance": False, "analytics": True, "social": True}
    consent_id = api.post("/v1/cookie-consents", {"categories": choice}).body["consent_id"]
    api.verified_owner("taken@example.com")
    taken_events = ledger(find_by_email("taken@example.com").user_id)  # type: ignore[union-attr]

    def after_the_answer(message: OutboxMessage, now: datetime) -> None:
        """Delivery runs after the answer and is not part of it."""

    monkeypatch.setattr(mailer, "dispatch", after_the_answer)
    calls: list[tuple[str, list[str]]] = []
    make_api_call = BaseClient._make_api_call

    def recorded(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        calls.append((operation, _tables(params)))
        return make_api_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)

    def calls_of(email: str) -> list[tuple[str, list[str]]]:
        calls.clear()
        assert api.register(email, cookie_consent_id=consent_id).status == 202
        return list(calls)

    calls_of("warm@example.com")  # loads the signing keys and caches the policy
    new, taken = calls_of("fresh@example.com"), calls_of("taken@example.com")
    assert new == taken
    transactions = [tables for operation, tables in new if operation == "TransactWriteItems"]
    assert len(transactions) == 1
    written = ["users", "email-claims", "consent-ledger", "policy-acknowledgements", "consents"]
    assert {get_settings().table_name(name) for name in written} == set(transactions[0])
    fresh = find_by_email("fresh@example.com")
    assert fresh is not None
    assert [(e.sequence, e.purpose, e.decision) for e in ledger(fresh.user_id)] == [
        (1, "privacy_policy", "accepted"),
        (2, "analytics_cookies", "granted"),
        (3, "social_cookies", "granted"),
    ]
    assert ledger(find_by_email("taken@example.com").user_id) == taken_events  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("birth_date", "status"),
    [("2008-11-26", 422), ("2008-11-25", 202)],
    ids=["17-years-364-days", "exactly-18"],
)
def test_the_18th_birthday_is_the_boundary(api: Api, birth_date: str, status: int) -> None:
    reply = api.register(f"b{birth_date}@example.com", birth_date=birth_date)
    assert reply.status == status
    if status == 422:
        assert reply.body["code"] == "underage"
        assert find_by_email(f"b{birth_date}@example.com") is None


@pytest.mark.parametrize("password", ["password", "12345678", "qwerty123", "short1!"])
def test_weak_passwords_are_refused(api: Api, password: str) -> None:
    reply = api.register("weak@example.com", password=password)
    assert (reply.status, reply.body["code"]) == (422, "weak_password")


@pytest.mark.parametrize(
    "password",
    [
        "Kx7#mQ2!vL9@pR4$wT6^zN8&bH3*cJ5(" * 2,  # 64 characters
        "Мурчик спить на підвіконні 🐈",
    ],
    ids=["64-characters", "unicode"],
)
def test_long_and_unicode_passwords_work_end_to_end(api: Api, password: str) -> None:
    assert "access_token" in api.verified_owner("long@example.com", password)
    assert api.login("long@example.com", password[:-1]).status == 401


def test_the_stored_hash_is_argon2id_at_or_above_the_owasp_floor(api: Api) -> None:
    api.register("hash@example.com")
    user = find_by_email("hash@example.com")
    assert user is not None
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    params = extract_parameters(user.password_hash)
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2
    assert params.parallelism == 1


def test_unknown_fields_and_bad_values_are_400(api: Api) -> None:
    for extra in (
        {"card_number": "4111111111111111"},
        {"country": "XX"},
        {"timezone": "Mars/Olympus"},
        {"language": "de"},
        {"phone": "0501234567"},
        {"birth_date": "25.11.2000"},
    ):
        reply = api.register("fields@example.com", **extra)
        assert (reply.status, reply.body["code"]) == (400, "validation_error"), extra


class TestVerificationCode:
    def test_wrong_code_then_right_code(self, api: Api) -> None:
        api.register("v@example.com")
        code = last_code("v@example.com")
        wrong = "000000" if code != "000000" else "111111"
        reply = api.post("/v1/auth/verify-email", {"email": "v@example.com", "code": wrong})
        assert (reply.status, reply.body["code"]) == (400, "invalid_code")
        assert (
            api.post("/v1/auth/verify-email", {"email": "v@example.com", "code": code}).status
            == 200
        )

    def test_code_is_single_use(self, api: Api) -> None:
        api.register("v@example.com")
        body = {"email": "v@example.com", "code": last_code("v@example.com")}
        assert api.post("/v1/auth/verify-email", body).status == 200
        assert api.post("/v1/auth/verify-email", body).status == 400

    def test_code_expires_after_24_hours(self, api: Api, clock: time_machine.Coordinates) -> None:
        api.register("v@example.com")
        body = {"email": "v@example.com", "code": last_code("v@example.com")}
        clock.shift(timedelta(hours=24, seconds=1))
        assert api.post("/v1/auth/verify-email", body).status == 400

    def test_unknown_email_gets_the_same_refusal(self, api: Api) -> None:
        reply = api.post("/v1/auth/verify-email", {"email": "nobody@example.com", "code": "123456"})
        assert (reply.status, reply.body["code"]) == (400, "invalid_code")

    def test_resend_sends_a_new_code_and_says_the_same_for_anyone(self, api: Api) -> None:
        api.register("v@example.com")
        first = last_code("v@example.com")
        known = api.post("/v1/auth/verify-email/resend", {"email": "v@example.com"})
        unknown = api.post("/v1/auth/verify-email/resend", {"email": "x@example.com"})
        assert (known.status, known.body) == (unknown.status, unknown.body)
        assert len(emails("v@example.com")) == 2
        stale = api.post("/v1/auth/verify-email", {"email": "v@example.com", "code": first})
        second = last_code("v@example.com")
        assert stale.status == 400 or first == second


class TestPasswordReset:
    def test_known_and_unknown_email_get_the_same_answer(self, api: Api) -> None:
        api.verified_owner("r@example.com")
        known = api.post("/v1/auth/password/forgot", {"email": "r@example.com"})
        unknown = api.post("/v1/auth/password/forgot", {"email": "nobody@example.com"})
        assert (known.status, known.body) == (unknown.status, unknown.body)
        assert known.status == 202
        subject, body = emails("r@example.com")[-1]
        assert "VetPet" in subject
        code = last_code("r@example.com")
        assert code.isdigit()
        assert f"/reset-password?email=r%40example.com&code={code}" in body
        assert emails("nobody@example.com") == []

    def test_reset_sets_the_password_and_revokes_every_session(self, api: Api) -> None:
        tokens = api.verified_owner("r@example.com")
        api.post("/v1/auth/password/forgot", {"email": "r@example.com"})
        code = last_code("r@example.com")
        new = "A-brand-new-passphrase-2026"
        body = {"email": "r@example.com", "code": code, "new_password": new}
        assert api.post("/v1/auth/password/reset", body).status == 200
        assert (
            api.post("/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status == 401
        )
        assert api.login("r@example.com").status == 401
        assert api.login("r@example.com", new).status == 200
        assert api.post("/v1/auth/password/reset", body).status == 400  # single use

    def test_weak_new_password_keeps_the_code(self, api: Api) -> None:
        api.verified_owner("r@example.com")
        api.post("/v1/auth/password/forgot", {"email": "r@example.com"})
        code = last_code("r@example.com")
        weak = {"email": "r@example.com", "code": code, "new_password": "password1"}
        assert api.post("/v1/auth/password/reset", weak).body["code"] == "weak_password"
        strong = {**weak, "new_password": "A-brand-new-passphrase-2026"}
        assert api.post("/v1/auth/password/reset", strong).status == 200

    def test_code_expires_after_30_minutes(self, api: Api, clock: time_machine.Coordinates) -> None:
        api.verified_owner("r@example.com")
        api.post("/v1/auth/password/forgot", {"email": "r@example.com"})
        body = {
            "email": "r@example.com",
            "code": last_code("r@example.com"),
            "new_password": "A-brand-new-passphrase-2026",
        }
        clock.shift(timedelta(minutes=30))
        reply = api.post("/v1/auth/password/reset", body)
        assert (reply.status, reply.body["code"]) == (400, "invalid_code")


class TestPasswordChange:
    def test_needs_the_current_password_and_revokes_sessions(self, api: Api) -> None:
        tokens = api.verified_owner("c@example.com")
        access = tokens["access_token"]
        new = "Another-long-passphrase-9"
        wrong = api.post(
            "/v1/me/password", {"current_password": "nope", "new_password": new}, access
        )
        assert (wrong.status, wrong.body["code"]) == (403, "reauthentication_required")
        body = {"current_password": PASSWORD, "new_password": new}
        assert api.post("/v1/me/password", body, access).status == 200
        assert (
            api.post("/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]}).status == 401
        )
        assert api.login("c@example.com", new).status == 200
