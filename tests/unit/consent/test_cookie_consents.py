"""Cookie consent for anonymous visitors (P13): per category, essential always on, and
merged into the user's consents and ledger at sign-in or registration."""

from __future__ import annotations

from chalicelib.accounts.models import User
from chalicelib.accounts.passwords import hash_password
from chalicelib.accounts.repository import find_by_email
from chalicelib.consent.models import CookieConsent
from tests.unit.consent.conftest import Api, make_user, token_for

PASSWORD = "Murchyk-naps-on-the-windowsill"
CHOICE = {"performance": False, "analytics": True, "social": True}


def _granted(api: Api, token: str) -> dict[str, bool]:
    items = api.call("GET", "/v1/me/consents", token=token).body["items"]
    return {i["purpose"]: i["granted"] for i in items}


def test_an_anonymous_choice_is_stored_without_personal_data(api: Api) -> None:
    created = api.call("POST", "/v1/cookie-consents", {"categories": CHOICE})
    assert created.status == 201
    assert created.body["categories"] == {"essential": True, **CHOICE}
    consent_id = created.body["consent_id"]
    changed = {**CHOICE, "social": False}
    updated = api.call("PUT", f"/v1/cookie-consents/{consent_id}", {"categories": changed})
    assert (updated.status, updated.body["categories"]["social"]) == (200, False)
    stored = CookieConsent.get(consent_id)
    assert set(stored.attribute_values) == {
        "consent_id",
        "performance",
        "analytics",
        "social",
        "updated_at",
        "expires",
    }
    missing = api.call("PUT", "/v1/cookie-consents/cc_unknown", {"categories": CHOICE})
    assert (missing.status, missing.body["code"]) == (404, "not_found")


def test_essential_cookies_cannot_be_refused(api: Api) -> None:
    body = {"categories": {**CHOICE, "essential": False}}
    reply = api.call("POST", "/v1/cookie-consents", body)
    assert (reply.status, reply.body["code"]) == (422, "essential_required")
    assert (
        api.call(
            "POST", "/v1/cookie-consents", {"categories": {**CHOICE, "essential": True}}
        ).status
        == 201
    )


def test_the_anonymous_choice_is_merged_at_sign_in(api: Api) -> None:
    user = make_user("u-olena")
    user.update(actions=[User.password_hash.set(hash_password(PASSWORD))])
    consent_id = api.call("POST", "/v1/cookie-consents", {"categories": CHOICE}).body["consent_id"]
    login = api.call(
        "POST",
        "/v1/auth/login",
        {"email": user.email, "password": PASSWORD, "cookie_consent_id": consent_id},
    )
    assert login.status == 200
    token = login.body["access_token"]
    granted = _granted(api, token)
    assert (granted["performance_cookies"], granted["analytics_cookies"]) == (False, True)
    assert granted["social_cookies"] is True
    ledger = api.call("GET", "/v1/me/consents/ledger", token=token).body["items"]
    assert sorted((e["purpose"], e["decision"]) for e in ledger) == [
        ("analytics_cookies", "granted"),
        ("social_cookies", "granted"),
    ]


def test_registration_accepts_the_policy_and_merges_the_choice(api: Api, admin: str) -> None:
    api.publish(admin, "2026-11", significant=True)
    consent_id = api.call("POST", "/v1/cookie-consents", {"categories": CHOICE}).body["consent_id"]
    body = {
        "email": "new@vetpet.test",
        "password": PASSWORD,
        "name": "Olena Petrenko",
        "birth_date": "1990-05-17",
        "country": "UA",
        "timezone": "Europe/Kyiv",
        "language": "uk",
        "cookie_consent_id": consent_id,
    }
    assert api.call("POST", "/v1/auth/register", body).status == 202
    user = find_by_email("new@vetpet.test")
    assert user is not None
    token = token_for(user)
    reply = api.call("GET", "/v1/me/consents/ledger", token=token)
    assert "vetpet-policy-update" not in reply.headers  # registration accepted it
    events = [(e["purpose"], e["decision"], e["language"]) for e in reply.body["items"]]
    assert events[0] == ("privacy_policy", "accepted", "uk")
    assert sorted(events[1:]) == [
        ("analytics_cookies", "granted", "uk"),
        ("social_cookies", "granted", "uk"),
    ]
