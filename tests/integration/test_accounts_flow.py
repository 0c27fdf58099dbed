"""Against the running local stack: register, verify by the
mailbox code, sign in, enrol TOTP and SMS, sign in with each, refresh, log out; and
social sign-in through the local OIDC issuer."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import pyotp
import requests

from local.launcher import Stack

PASSWORD = "Murchyk-naps-on-the-windowsill"


def post(stack: Stack, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(stack.url(path), json=body, headers=headers, timeout=30)


def newest_code(stack: Stack, to: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the mailbox notices messages within ~0.1 s
        messages = stack.messages(to)
        if messages:
            found = re.search(r"\b(\d{6})\b", messages[-1]["body"])
            assert found
            return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no message to {to}")


def wait_for_new_message(stack: Stack, to: str, seen: int) -> str:
    deadline = time.monotonic() + 10
    while len(stack.messages(to)) <= seen and time.monotonic() < deadline:
        time.sleep(0.1)
    return newest_code(stack, to)


def fresh_totp_code(totp: pyotp.TOTP, used: set[str]) -> str:
    while totp.now() in used:  # a step is accepted once; wait for the next one
        time.sleep(1)
    code = totp.now()
    used.add(code)
    return code


def test_register_verify_sign_in_enrol_both_factors_refresh_logout(stack: Stack) -> None:
    email = f"owner-{secrets.token_hex(4)}@example.com"
    phone = "+38050" + str(1000000 + secrets.randbelow(8999999))
    registered = post(
        stack,
        "/v1/auth/register",
        {
            "email": email,
            "password": PASSWORD,
            "name": "Olena Petrenko",
            "birth_date": "1990-05-17",
            "country": "UA",
            "timezone": "Europe/Kyiv",
            "language": "en",
        },
    )
    assert (registered.status_code, registered.json()) == (202, {"status": "verification_sent"})
    assert post(stack, "/v1/auth/login", {"email": email, "password": PASSWORD}).status_code == 403
    code = newest_code(stack, email)
    assert post(stack, "/v1/auth/verify-email", {"email": email, "code": code}).status_code == 200
    tokens = post(stack, "/v1/auth/login", {"email": email, "password": PASSWORD}).json()
    access = tokens["access_token"]
    me = requests.get(
        stack.url("/v1/me"), headers={"Authorization": f"Bearer {access}"}, timeout=10
    ).json()
    assert me["email"] == email

    refused = post(stack, "/v1/me/mfa/totp", {}, access)  # a stolen token is not enough
    assert (refused.status_code, refused.json()["code"]) == (403, "reauthentication_required")
    reauth = {"password": PASSWORD}
    totp_start = post(stack, "/v1/me/mfa/totp", reauth, access).json()
    totp = pyotp.TOTP(totp_start["secret"])
    used: set[str] = set()
    totp_code = fresh_totp_code(totp, used)
    confirm = post(stack, "/v1/me/mfa/totp/confirm", {"code": totp_code, **reauth}, access)
    assert confirm.status_code == 200, confirm.text
    assert post(stack, "/v1/me/mfa/sms", {"phone": phone, **reauth}, access).status_code == 202
    sms_code = newest_code(stack, phone)
    sms_enrol = post(stack, "/v1/me/mfa/sms/confirm", {"code": sms_code, **reauth}, access)
    assert sms_enrol.json()["methods"] == ["totp", "sms"]

    challenge = post(stack, "/v1/auth/login", {"email": email, "password": PASSWORD}).json()
    assert challenge["mfa_required"] is True
    with_totp = post(
        stack,
        "/v1/auth/mfa/verify",
        {"challenge_id": challenge["challenge_id"], "code": fresh_totp_code(totp, used)},
    )
    assert with_totp.status_code == 200, with_totp.text

    challenge = post(stack, "/v1/auth/login", {"email": email, "password": PASSWORD}).json()
    seen = len(stack.messages(phone))
    sent = post(stack, "/v1/auth/mfa/sms/send", {"challenge_id": challenge["challenge_id"]})
    assert sent.status_code == 202
    sms_code = wait_for_new_message(stack, phone, seen)
    with_sms = post(
        stack, "/v1/auth/mfa/verify", {"challenge_id": challenge["challenge_id"], "code": sms_code}
    )
    assert with_sms.status_code == 200, with_sms.text

    refreshed = post(stack, "/v1/auth/refresh", {"refresh_token": with_sms.json()["refresh_token"]})
    assert refreshed.status_code == 200
    current = refreshed.json()["refresh_token"]
    assert post(stack, "/v1/auth/logout", {"refresh_token": current}).status_code == 204
    assert post(stack, "/v1/auth/refresh", {"refresh_token": current}).status_code == 401


def test_social_sign_in_through_the_local_issuer(stack: Stack) -> None:
    email = f"social-{secrets.token_hex(4)}@example.com"

    def attempt(provider: str = "google", **claims: Any) -> requests.Response:
        nonce = post(stack, "/v1/auth/social/nonce", {}).json()["nonce"]
        request = {"provider": "google", "sub": email, "email": email, "nonce": nonce, **claims}
        token = requests.post(stack.oidc + "/mint", json=request, timeout=10).json()["id_token"]
        body = {"id_token": token, "nonce": nonce, "birth_date": "1980-02-03", "country": "UA"}
        response: requests.Response = post(stack, f"/v1/auth/social/{provider}", body)
        return response

    ok = attempt()
    assert ok.status_code == 200, ok.text
    assert "access_token" in ok.json()
    for bad in ({"expires_in": -300}, {"aud": "another-app"}, {"nonce": "never-issued"}):
        refused = attempt(**bad)
        assert (refused.status_code, refused.json()["code"]) == (401, "invalid_id_token")
    assert attempt("apple").status_code == 401  # a Google-audience token is not Apple's


def test_openapi_lists_every_accounts_route(stack: Stack) -> None:
    paths = requests.get(stack.url("/v1/openapi.json"), timeout=10).json()["paths"]
    for path in (
        "/v1/auth/register",
        "/v1/auth/verify-email",
        "/v1/auth/login",
        "/v1/auth/mfa/sms/send",
        "/v1/auth/mfa/verify",
        "/v1/auth/refresh",
        "/v1/auth/logout",
        "/v1/auth/password/forgot",
        "/v1/auth/password/reset",
        "/v1/auth/social/nonce",
        "/v1/auth/social/{provider}",
        "/v1/me",
        "/v1/me/mfa/sms",
        "/v1/me/mfa/sms/confirm",
        "/v1/me/mfa/totp",
        "/v1/me/mfa/totp/confirm",
        "/v1/admin/consultants",
        "/v1/.well-known/jwks.json",
    ):
        assert path in paths, path
