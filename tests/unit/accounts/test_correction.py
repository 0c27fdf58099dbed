"""Correction (P10): every personal field the user gave can be corrected; a new e-mail
address is used only once a code sent to it is confirmed."""

from __future__ import annotations

from chalicelib.accounts.models import EmailClaim
from tests.unit.accounts.conftest import PASSWORD, Api, code_in, emails


def test_birth_date_country_and_phone_are_corrected_and_stay_adult(api: Api) -> None:
    token = api.verified_owner("olena@example.com")["access_token"]
    fixed = api.call(
        "PATCH",
        "/v1/me",
        {"birth_date": "1991-02-03", "country": "PL", "phone": "+48500100200"},
        token=token,
    )
    assert fixed.status == 200, fixed.body
    assert (fixed.body["birth_date"], fixed.body["country"]) == ("1991-02-03", "PL")
    assert fixed.body["phone"] == "+48500100200"
    cleared = api.call("PATCH", "/v1/me", {"phone": None}, token=token)
    assert cleared.body["phone"] is None
    minor = api.call("PATCH", "/v1/me", {"birth_date": "2020-01-01"}, token=token)
    assert (minor.status, minor.body["code"]) == (422, "underage")
    assert api.call("PATCH", "/v1/me", {"country": None}, token=token).status == 400


def test_a_new_address_counts_only_once_confirmed_by_its_code(api: Api) -> None:
    token = api.verified_owner("olena@example.com")["access_token"]
    asked = api.post(
        "/v1/me/email", {"new_email": "Olena.New@example.com", "password": PASSWORD}, token
    )
    assert asked.status == 202, asked.body
    assert api.login("olena@example.com").status == 200  # the old one still works
    assert api.login("olena.new@example.com").status == 401
    code = code_in(emails("olena.new@example.com")[-1][1])

    wrong = api.post("/v1/me/email/confirm", {"code": "000000"}, token)
    assert (wrong.status, wrong.body["code"]) == (400, "invalid_code")
    moved = api.post("/v1/me/email/confirm", {"code": code}, token)
    assert (moved.status, moved.body["email"]) == (200, "olena.new@example.com")
    assert api.login("olena.new@example.com").status == 200
    assert api.login("olena@example.com").status == 401
    assert EmailClaim.get("olena.new@example.com").user_id == moved.body["user_id"]
    assert EmailClaim.count("olena@example.com") == 0
    assert "olena.new@example.com" in emails("olena@example.com")[-1][1]  # the old one told


def test_a_taken_address_or_a_wrong_password_changes_nothing(api: Api) -> None:
    api.verified_owner("taken@example.com")
    token = api.verified_owner("olena@example.com")["access_token"]
    taken = api.post(
        "/v1/me/email", {"new_email": "taken@example.com", "password": PASSWORD}, token
    )
    assert (taken.status, taken.body["code"]) == (409, "email_taken")
    wrong = api.post("/v1/me/email", {"new_email": "new@example.com", "password": "nope"}, token)
    assert (wrong.status, wrong.body["code"]) == (403, "reauthentication_required")
    assert emails("new@example.com") == []
