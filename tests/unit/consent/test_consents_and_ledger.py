"""Consents (P11): one call to grant, one to withdraw; every decision is an event of an
append-only, hash-chained ledger with a receipt signed by the API's keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt
import pytest

from chalicelib.config import CONSENT_RECEIPT_TYPE
from chalicelib.consent.service import PURPOSES, Event, verify_chain
from tests.unit.consent.conftest import Api


def _event(item: dict[str, Any]) -> Event:
    return Event(
        subject=item["subject"],
        sequence=item["sequence"],
        event_id=item["event_id"],
        purpose=item["purpose"],
        decision=item["decision"],
        policy_version=item["policy_version"],
        policy_hash=item["policy_sha256"],
        language=item["language"],
        channel=item["channel"],
        jurisdiction=item["jurisdiction"],
        recorded_at=datetime.fromisoformat(item["timestamp"]),
        previous_hash=item["previous_hash"],
        event_hash=item["hash"],
        receipt=item["receipt"],
    )


def _verify(receipt: str, jwks: dict[str, Any]) -> dict[str, Any]:
    header = jwt.get_unverified_header(receipt)
    assert header["typ"] == CONSENT_RECEIPT_TYPE
    key = jwt.PyJWKSet.from_dict(jwks)[header["kid"]]
    claims: dict[str, Any] = jwt.decode(receipt, key.key, algorithms=["ES256"])
    return claims


def test_grant_withdraw_grant_makes_three_chained_signed_events(
    api: Api, admin: str, owner: str
) -> None:
    api.publish(admin, "2026-11", significant=False)
    for granted, channel in ((True, "web"), (False, "mobile"), (True, None)):
        headers = {"VetPet-Channel": channel} if channel else {}
        reply = api.call("PUT", "/v1/me/consents/marketing", {"granted": granted}, owner, headers)
        assert reply.status == 200
        assert (reply.body["granted"], reply.body["policy_version"]) == (granted, "2026-11")

    items = api.call("GET", "/v1/me/consents/ledger", token=owner).body["items"]
    assert [(e["decision"], e["channel"]) for e in items] == [
        ("granted", "web"),
        ("withdrawn", "mobile"),
        ("granted", "api"),
    ]
    assert {(e["jurisdiction"], e["language"], e["policy_version"]) for e in items} == {
        ("UA", "en", "2026-11")
    }
    events = [_event(item) for item in items]
    assert verify_chain(events)
    assert not verify_chain([events[0], events[2]])  # a removed event breaks the chain

    jwks = api.call("GET", "/v1/.well-known/jwks.json").body
    for item in items:
        claims = _verify(item["receipt"], jwks)
        assert claims["version"] == "KI-CR-v1.1.0"
        assert claims["eventHash"] == item["hash"]
        assert claims["piiPrincipalId"] == "u-owner"
        assert claims["services"][0]["purposes"][0]["purpose"] == "marketing"
        assert claims["policyUrl"] == "https://vetpet.example/privacy/2026-11"


@pytest.mark.parametrize("position", [0, 60, -5])
def test_a_receipt_with_one_byte_changed_does_not_verify(
    api: Api, owner: str, position: int
) -> None:
    api.call("PUT", "/v1/me/consents/recording", {"granted": True}, owner)
    receipt = api.call("GET", "/v1/me/consents/ledger", token=owner).body["items"][0]["receipt"]
    jwks = api.call("GET", "/v1/.well-known/jwks.json").body
    assert _verify(receipt, jwks)["decision"] == "granted"
    index = position % len(receipt)  # header, payload, signature
    changed = "A" if receipt[index] != "A" else "B"
    tampered = receipt[:index] + changed + receipt[index + 1 :]
    assert tampered != receipt
    with pytest.raises(jwt.PyJWTError):
        _verify(tampered, jwks)


def test_an_edited_event_breaks_the_chain(api: Api, owner: str) -> None:
    for granted in (True, False):
        api.call("PUT", "/v1/me/consents/analytics_cookies", {"granted": granted}, owner)
    items = api.call("GET", "/v1/me/consents/ledger", token=owner).body["items"]
    events = [_event(item) for item in items]
    forged = [events[0], Event(**{**events[1].__dict__, "decision": "granted"})]
    assert verify_chain(events)
    assert not verify_chain(forged)


def test_the_list_has_every_purpose_and_repeats_change_nothing(api: Api, owner: str) -> None:
    listed = api.call("GET", "/v1/me/consents", token=owner).body
    assert [i["purpose"] for i in listed["items"]] == list(PURPOSES)
    assert not any(i["granted"] for i in listed["items"])
    assert listed["next_cursor"] is None
    for _ in range(2):
        api.call("PUT", "/v1/me/consents/social_cookies", {"granted": True}, owner)
    api.call("PUT", "/v1/me/consents/marketing", {"granted": False}, owner)  # already off
    ledger = api.call("GET", "/v1/me/consents/ledger", token=owner).body["items"]
    assert [(e["purpose"], e["decision"]) for e in ledger] == [("social_cookies", "granted")]


def test_unknown_purposes_and_essential_processing_cannot_be_set(api: Api, owner: str) -> None:
    for purpose in ("essential", "astrology"):
        reply = api.call("PUT", f"/v1/me/consents/{purpose}", {"granted": False}, owner)
        assert (reply.status, reply.body["code"]) == (404, "unknown_purpose")
    assert api.call("PUT", "/v1/me/consents/marketing", {"granted": True}).status == 401


def test_restriction_is_one_call_each_way_and_shown_in_the_profile(api: Api, owner: str) -> None:
    assert api.call("GET", "/v1/me", token=owner).body["restricted"] is False
    reply = api.call("PUT", "/v1/me/restriction", {"restricted": True}, owner)
    assert reply.body == {"restricted": True}
    assert api.call("GET", "/v1/me", token=owner).body["restricted"] is True
    api.call("PUT", "/v1/me/restriction", {"restricted": False}, owner)
    assert api.call("GET", "/v1/me", token=owner).body["restricted"] is False
    ledger = api.call("GET", "/v1/me/consents/ledger", token=owner).body["items"]
    assert [(e["purpose"], e["decision"]) for e in ledger] == [
        ("processing_restriction", "restricted"),
        ("processing_restriction", "lifted"),
    ]
