"""Social sign-in (P3), the profile (P10), consultant invites, and secret-free logs (P14)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine

from chalicelib.accounts import social_signin
from chalicelib.accounts.social import OidcProvider
from local.oidc import LocalIssuer
from tests.unit.accounts.conftest import (
    PASSWORD,
    T0,
    Api,
    emails,
    last_code,
    last_sms_code,
    make_user,
)

pytestmark = pytest.mark.usefixtures("clock")

# The test stage runs the production provider settings; the issuer below signs as Google.
GOOGLE = LocalIssuer("https://accounts.google.com", {"google": "vetpet-test-google"})


@pytest.fixture(autouse=True)
def google_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    def keys(provider: OidcProvider, token: str) -> Any:
        return GOOGLE.public_key

    monkeypatch.setattr(social_signin, "key_source", keys)


FORGER = LocalIssuer("https://accounts.google.com", {"google": "vetpet-test-google"})


def fresh_nonce(api: Api) -> str:
    reply = api.post("/v1/auth/social/nonce")
    assert reply.status == 200
    return str(reply.body["nonce"])


def id_token(nonce: str, issuer: LocalIssuer = GOOGLE, **claims: Any) -> str:
    request = {
        "provider": "google",
        "sub": "g-42",
        "email": "social@example.com",
        "nonce": nonce,
        "now": int(T0.timestamp()),
        **claims,
    }
    return issuer.mint(request)


def social(api: Api, provider: str = "google", claims: Any = None, **fields: Any) -> Any:
    """A social sign-in with a fresh server nonce and an ID token carrying it."""
    nonce = fresh_nonce(api)
    token = id_token(nonce, **(claims or {}))
    return api.post(f"/v1/auth/social/{provider}", {"id_token": token, "nonce": nonce, **fields})


class TestSocial:
    def test_first_sign_in_needs_birth_date_and_country_then_works(self, api: Api) -> None:
        incomplete = social(api)
        assert (incomplete.status, incomplete.body["code"]) == (422, "profile_incomplete")
        assert incomplete.body["missing"] == ["birth_date", "country"]
        done = social(api, birth_date="1985-01-02", country="PL")
        assert done.status == 200
        me = api.call("GET", "/v1/me", token=done.body["access_token"]).body
        assert (me["email"], me["country"], me["email_verified"]) == (
            "social@example.com",
            "PL",
            True,
        )
        again = social(api)
        assert again.status == 200
        assert (
            api.call("GET", "/v1/me", token=again.body["access_token"]).body["user_id"]
            == (me["user_id"])
        )

    def test_a_minor_is_refused(self, api: Api) -> None:
        reply = social(api, birth_date="2010-01-01", country="UA")
        assert (reply.status, reply.body["code"]) == (422, "underage")

    def test_links_to_the_verified_owner_with_its_password(self, api: Api) -> None:
        user = make_user("social@example.com")
        refused = social(api)
        assert (refused.status, refused.body["code"]) == (403, "reauthentication_required")
        reply = social(api, password=PASSWORD)
        assert reply.status == 200
        me = api.call("GET", "/v1/me", token=reply.body["access_token"]).body
        assert me["user_id"] == user.user_id
        assert social(api).status == 200  # linked now: no password needed

    def test_an_unverified_pre_registration_loses_its_password(self, api: Api) -> None:
        api.register("social@example.com", password="Attacker-chosen-passphrase")
        assert social(api).status == 200
        assert api.login("social@example.com", "Attacker-chosen-passphrase").status == 401

    @pytest.mark.parametrize(
        "claims",
        [
            {"issuer": FORGER},
            {"expires_in": -300},
            {"aud": "someone-elses-app"},
            {"iss": "https://evil.example"},
            {"nonce": "another"},
        ],
        ids=["forged", "expired", "wrong-audience", "wrong-issuer", "wrong-nonce"],
    )
    def test_bad_id_tokens_are_refused(self, api: Api, claims: dict[str, Any]) -> None:
        nonce = fresh_nonce(api)
        token = id_token(**{"nonce": nonce, **claims})
        body = {"id_token": token, "nonce": nonce, "birth_date": "1985-01-02", "country": "PL"}
        reply = api.post("/v1/auth/social/google", body)
        assert (reply.status, reply.body["code"]) == (401, "invalid_id_token")

    def test_an_unverified_provider_email_is_refused(self, api: Api) -> None:
        reply = social(api, claims={"email_verified": False}, birth_date="1985-01-02", country="PL")
        assert (reply.status, reply.body["code"]) == (422, "email_unverified")

    def test_unknown_provider_is_404(self, api: Api) -> None:
        assert social(api, provider="myspace").status == 404


class TestProfile:
    def test_patch_changes_only_the_named_fields(self, api: Api) -> None:
        access = api.verified_owner("me@example.com")["access_token"]
        changes = {"name": "Olena K.", "address": "Khreshchatyk 1", "language": "en"}
        reply = api.call("PATCH", "/v1/me", changes, access)
        assert reply.status == 200
        assert (reply.body["name"], reply.body["address"], reply.body["language"]) == (
            "Olena K.",
            "Khreshchatyk 1",
            "en",
        )
        assert reply.body["timezone"] == "Europe/Kyiv"
        cleared = api.call("PATCH", "/v1/me", {"address": None}, access)
        assert cleared.body["address"] is None

    @pytest.mark.parametrize(
        "changes",
        [{"email": "new@example.com"}, {"role": "admin"}, {"name": None}, {"timezone": "Nowhere"}],
    )
    def test_other_fields_and_bad_values_are_400(self, api: Api, changes: dict[str, Any]) -> None:
        access = api.verified_owner("me@example.com")["access_token"]
        reply = api.call("PATCH", "/v1/me", changes, access)
        assert (reply.status, reply.body["code"]) == (400, "validation_error")

    def test_the_profile_needs_a_token(self, api: Api) -> None:
        assert api.call("GET", "/v1/me").status == 401


class TestInvites:
    def test_admin_invites_a_consultant_who_sets_a_password(self, api: Api) -> None:
        make_user("boss@example.com", role="admin")
        access = api.login("boss@example.com").body["access_token"]
        invite = {"email": "dr.who@example.com", "name": "Dr. Who", "country": "UA"}
        reply = api.post("/v1/admin/consultants", invite, access)
        assert reply.status == 201
        assert reply.body["status"] == "invited"
        assert api.post("/v1/admin/consultants", invite, access).status == 409
        code = last_code("dr.who@example.com")
        assert api.login("dr.who@example.com", "Vet-passphrase-for-clinic").status == 401
        accept = {
            "email": "dr.who@example.com",
            "code": code,
            "password": "Vet-passphrase-for-clinic",
        }
        assert api.post("/v1/auth/invite/accept", accept).status == 200
        tokens = api.login("dr.who@example.com", "Vet-passphrase-for-clinic").body
        assert api.call("GET", "/v1/me", token=tokens["access_token"]).body["role"] == "vet"

    def test_an_invited_address_cannot_be_taken_over_by_registration(self, api: Api) -> None:
        make_user("boss@example.com", role="admin")
        access = api.login("boss@example.com").body["access_token"]
        api.post("/v1/admin/consultants", {"email": "dr@example.com", "name": "Dr"}, access)
        assert api.register("dr@example.com").status == 202
        assert "tried to register" in emails("dr@example.com")[-1][0]

    @pytest.mark.parametrize("role", ["owner", "vet"])
    def test_only_admins_may_invite(self, api: Api, role: str) -> None:
        make_user(f"{role}@example.com", role=role)
        access = api.login(f"{role}@example.com").body["access_token"]
        reply = api.post("/v1/admin/consultants", {"email": "x@example.com", "name": "X"}, access)
        assert (reply.status, reply.body["code"]) == (403, "forbidden")


def test_logs_of_a_whole_session_hold_no_password_code_or_token(
    api: Api, log_output: io.StringIO, clock: time_machine.Coordinates
) -> None:
    tokens = api.verified_owner("logs@example.com")
    access = tokens["access_token"]
    with_password = {"password": PASSWORD}
    secret = pyotp.TOTP(api.post("/v1/me/mfa/totp", with_password, access).body["secret"])
    totp_code = secret.at(T0)
    api.post("/v1/me/mfa/totp/confirm", {"code": totp_code, **with_password}, access)
    api.post("/v1/me/mfa/sms", {"phone": "+380501234567", **with_password}, access)
    sms_code = last_sms_code("+380501234567")
    api.post("/v1/me/mfa/sms/confirm", {"code": sms_code, **with_password}, access)
    started = api.login("logs@example.com").body
    api.post("/v1/auth/mfa/sms/send", {"challenge_id": started["challenge_id"]})
    login_code = last_sms_code("+380501234567")
    done = api.post(
        "/v1/auth/mfa/verify", {"challenge_id": started["challenge_id"], "code": login_code}
    ).body
    rotated = api.post("/v1/auth/refresh", {"refresh_token": done["refresh_token"]}).body
    clock.shift(timedelta(seconds=11))
    api.post("/v1/auth/refresh", {"refresh_token": done["refresh_token"]})  # reuse
    api.login("logs@example.com", "Wrong-passphrase-attempt")
    api.post("/v1/auth/password/forgot", {"email": "logs@example.com"})
    reset_code = last_code("logs@example.com")
    api.post(
        "/v1/auth/password/reset",
        {"email": "logs@example.com", "code": reset_code, "new_password": "Fresh-passphrase-77"},
    )
    captured = log_output.getvalue()
    assert (
        '"auth_event": "refresh_reused"' in captured or '"auth_event":"refresh_reused"' in captured
    )
    secrets = [
        PASSWORD,
        "Wrong-passphrase-attempt",
        "Fresh-passphrase-77",
        secret.secret,
        access,
        tokens["refresh_token"],
        done["access_token"],
        done["refresh_token"],
        rotated["refresh_token"],
        started["challenge_id"],
    ]
    for value in secrets:
        assert value not in captured
    for code in (totp_code, sms_code, login_code, reset_code):
        assert f'"{code}"' not in captured
        assert f" {code}" not in captured
