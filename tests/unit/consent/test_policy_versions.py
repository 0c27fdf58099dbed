"""Policy versions (P19): a significant version is announced on every authenticated
response and in the notification list until the user acknowledges it."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from chalicelib.accounts.models import User
from tests.unit.consent.conftest import SUMMARY, T0, Api, token_for

HEADER = "vetpet-policy-update"


def test_a_significant_version_is_announced_until_acknowledged(
    api: Api, admin: str, owner: str
) -> None:
    assert api.publish(admin, "2026-11", significant=True).status == 201

    before = api.call("GET", "/v1/me/consents", token=owner)
    assert before.status == 200
    assert before.headers[HEADER] == "2026-11"
    notices = api.call("GET", "/v1/me/notifications", token=owner)
    assert [(n["type"], n["version"]) for n in notices.body["items"]] == [
        ("policy_update", "2026-11")
    ]

    ack = api.call("POST", "/v1/me/policy-acknowledgements", {"version": "2026-11"}, owner)
    assert ack.status == 201

    after = api.call("GET", "/v1/me/consents", token=owner)
    assert HEADER not in after.headers
    assert api.call("GET", "/v1/me/notifications", token=owner).body["items"] == []
    ledger = api.call("GET", "/v1/me/consents/ledger", token=owner).body["items"]
    assert [(e["purpose"], e["decision"], e["policy_version"]) for e in ledger] == [
        ("privacy_policy", "acknowledged", "2026-11")
    ]


def test_the_header_is_also_on_error_answers_of_a_signed_in_user(
    api: Api, admin: str, owner: str
) -> None:
    api.publish(admin, "2026-11", significant=True)
    reply = api.call("PUT", "/v1/me/consents/astrology", {"granted": True}, owner)
    assert reply.status == 404
    assert reply.headers[HEADER] == "2026-11"


def test_a_non_significant_version_sets_no_header(api: Api, admin: str, owner: str) -> None:
    assert api.publish(admin, "2026-11a", significant=False).status == 201
    reply = api.call("GET", "/v1/me/consents", token=owner)
    assert HEADER not in reply.headers
    assert api.call("GET", "/v1/me/notifications", token=owner).body["items"] == []


def test_a_version_announced_for_later_takes_effect_at_its_instant(
    api: Api, admin: str, owner: str, clock: time_machine.Traveller
) -> None:
    api.publish(admin, "2027-01", significant=True, effective_at=T0 + timedelta(days=1))
    assert HEADER not in api.call("GET", "/v1/me/consents", token=owner).headers
    refused = api.call("POST", "/v1/me/policy-acknowledgements", {"version": "2027-01"}, owner)
    assert (refused.status, refused.body["code"]) == (422, "unknown_policy_version")
    clock.shift(timedelta(days=1, minutes=2))  # past the start and the in-process cache
    fresh = token_for(User.get("u-owner"))
    assert api.call("GET", "/v1/me/consents", token=fresh).headers[HEADER] == "2027-01"


def test_the_public_policy_speaks_the_language_asked_for(api: Api, admin: str) -> None:
    assert api.call("GET", "/v1/policy").body["code"] == "no_policy_in_effect"
    api.publish(admin, "2026-11", significant=True)
    by_query = api.call("GET", "/v1/policy?lang=uk").body
    assert (by_query["version"], by_query["summary"]) == ("2026-11", SUMMARY["uk"])
    by_header = api.call("GET", "/v1/policy", headers={"Accept-Language": "de, ru;q=0.8, en;q=0.5"})
    assert by_header.body["summary"] == SUMMARY["ru"]
    assert api.call("GET", "/v1/policy").body["language"] == "en"
    versions = api.call("GET", "/v1/policy/versions").body["items"]
    assert [v["version"] for v in versions] == ["2026-11"]


def test_publishing_needs_an_admin_and_a_new_version(api: Api, admin: str, owner: str) -> None:
    assert api.publish(owner, "2026-11", significant=True).status == 403
    assert api.publish(admin, "2026-11", significant=True).status == 201
    again = api.publish(admin, "2026-11", significant=False)
    assert (again.status, again.body["code"]) == (409, "policy_version_exists")
