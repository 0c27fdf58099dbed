"""Lawful disclosure (P8): support-only, in the disclosure trail and the user's access
log; erasing the user unlinks the trail entry and the chain still verifies."""

from __future__ import annotations

from typing import Any

from chalicelib.disclosures import repository, service
from chalicelib.disclosures.models import TRAIL, Disclosure
from tests.unit.booking_world import World

BODY: dict[str, Any] = {
    "recipient": "Kyiv City Police, Dept. 4",
    "legal_basis": "legal_obligation",
    "reference": "Court order 757/1234/26",
    "data_categories": ["identity", "contact", "bookings"],
}


def test_a_disclosure_is_in_the_users_access_log_naming_the_recipient(world: World) -> None:
    status, out = world.call("POST", "/v1/admin/users/owner-a/disclosures", "admin", BODY)
    assert status == 201, out
    assert out["data_categories"] == ["bookings", "contact", "identity"]
    assert (out["sequence"], out["legal_basis"]) == (1, "legal_obligation")
    status, log = world.call("GET", "/v1/me/access-log", "owner_a")
    assert status == 200
    assert log["items"] == [
        {
            "at": "2026-05-31T12:00:00Z",
            "actor_role": "support",
            "action": "disclosure",
            "resource": f"disclosure/{out['id']}: bookings, contact, identity",
            "reason": "legal_obligation: Court order 757/1234/26",
            "recipient": "Kyiv City Police, Dept. 4",
        }
    ]
    assert "admin-1" not in str(log)
    status, check = world.call("GET", "/v1/me/access-log/verify", "owner_a")
    assert check == {"valid": True, "entries": 1, "broken_at": None}


def test_only_support_may_disclose_and_only_a_known_user(world: World) -> None:
    for who in ("owner_b", "vet_a"):
        status, problem = world.call("POST", "/v1/admin/users/owner-a/disclosures", who, BODY)
        assert (status, problem["code"]) == (403, "forbidden")
    status, problem = world.call("POST", "/v1/admin/users/nobody/disclosures", "admin", BODY)
    assert (status, problem["code"]) == (404, "not_found")
    bad = {**BODY, "legal_basis": "curiosity"}
    status, problem = world.call("POST", "/v1/admin/users/owner-a/disclosures", "admin", bad)
    assert (status, problem["code"]) == (400, "validation_error")
    assert repository.entries() == []
    assert world.call("GET", "/v1/me/access-log", "owner_a")[1]["items"] == []


def test_the_trail_chains_disclosures_and_detects_an_altered_entry(world: World) -> None:
    for user in ("owner-a", "owner-b", "owner-a"):
        status, _ = world.call("POST", f"/v1/admin/users/{user}/disclosures", "admin", BODY)
        assert status == 201
    assert [e.sequence for e in repository.entries()] == [1, 2, 3]
    assert service.trail_broken_at() is None
    item = Disclosure.get(TRAIL, 2)
    item.update(actions=[Disclosure.recipient.set("someone else")])
    assert service.trail_broken_at() == 2


def test_erasure_unlinks_the_trail_from_the_user_and_keeps_it_sound(world: World) -> None:
    for user in ("owner-a", "owner-b"):
        world.call("POST", f"/v1/admin/users/{user}/disclosures", "admin", BODY)
    assert repository.anonymise("owner-a") == 1
    assert repository.of_subject("owner-a") == []
    kept = Disclosure.get(TRAIL, 1)
    assert (kept.subject_id, kept.subject_salt, kept.recipient) == (None, None, BODY["recipient"])
    assert "owner-a" not in str(kept.attribute_values)
    assert [i.sequence for i in repository.of_subject("owner-b")] == [2]
    assert service.trail_broken_at() is None


def test_support_verifies_the_trail_through_the_api(world: World) -> None:
    path = "/v1/admin/disclosures/verify"
    assert world.call("GET", path, "admin") == (
        200,
        {"valid": True, "entries": 0, "broken_at": None},
    )
    for user in ("owner-a", "owner-b", "owner-a"):
        assert world.call("POST", f"/v1/admin/users/{user}/disclosures", "admin", BODY)[0] == 201
    assert world.call("GET", path, "admin") == (
        200,
        {"valid": True, "entries": 3, "broken_at": None},
    )
    item = Disclosure.get(TRAIL, 2)
    item.update(actions=[Disclosure.reference.set("Court order 1/1/26")])  # a quiet edit
    assert world.call("GET", path, "admin") == (200, {"valid": False, "entries": 3, "broken_at": 2})
    for who in ("owner_a", "vet_a"):
        status, problem = world.call("GET", path, who)
        assert (status, problem["code"]) == (403, "forbidden")
