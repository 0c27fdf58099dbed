"""Directory (public, P1), profiles (admin), availability (vet), slots."""

from __future__ import annotations

import boto3

from chalicelib.store.tables import all_models
from tests.unit.booking_world import World


def _item_counts() -> dict[str, int]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    return {
        m.Meta.table_name: client.scan(TableName=m.Meta.table_name, Select="COUNT")["Count"]
        for m in all_models()
    }


def test_browsing_needs_no_account_and_stores_nothing(world: World) -> None:
    before = _item_counts()
    status, page = world.call("GET", "/v1/consultants")
    assert status == 200
    assert [c["id"] for c in page["items"]] == ["vet-a", "vet-b"]
    vet = page["items"][0]
    assert set(vet) == {
        "id",
        "name",
        "photo_url",
        "specialties",
        "languages",
        "licences",
        "price",
        "slot_minutes",
        "bio",
    }
    assert vet["licences"] == [{"country": "UA", "region": None, "number": "L-vet_a"}]
    assert world.call("GET", "/v1/consultants/vet-b")[1]["price"] == {
        "amount": 0,
        "currency": "CAD",
    }
    assert world.call("GET", "/v1/consultants/vet-a/slots")[0] == 200
    assert _item_counts() == before


def test_filters_and_cursor(world: World) -> None:
    def ids(query: str) -> list[str]:
        status, page = world.call("GET", f"/v1/consultants?{query}")
        assert status == 200, page
        return [c["id"] for c in page["items"]]

    assert ids("specialty=Cats") == ["vet-b"]
    assert ids("language=uk") == ["vet-a"]
    assert ids("country=CA") == ["vet-b"]
    assert ids("country=PL") == []
    _, first = world.call("GET", "/v1/consultants?limit=1")
    assert [c["id"] for c in first["items"]] == ["vet-a"]
    _, second = world.call("GET", f"/v1/consultants?limit=1&cursor={first['next_cursor']}")
    assert [c["id"] for c in second["items"]] == ["vet-b"]
    assert second["next_cursor"] is None
    assert world.call("GET", "/v1/consultants?cursor=%%%")[0] == 400
    assert world.call("GET", "/v1/consultants/nobody")[0] == 404
    assert world.call("GET", "/v1/consultants/owner-a")[0] == 404


def test_admin_edits_profiles(world: World) -> None:
    body = {
        "name": "Dr. Vira K.",
        "specialties": ["dogs"],
        "languages": ["uk"],
        "licences": [{"country": "UA", "region": "Lviv", "number": "7"}],
        "price": {"amount": 100, "currency": "UAH"},
        "slot_minutes": 20,
        "bio": "Hi",
    }
    status, out = world.call("PUT", "/v1/consultants/vet-a", "admin", body)
    assert (status, out["name"], out["slot_minutes"]) == (200, "Dr. Vira K.", 20)
    assert world.call("PUT", "/v1/consultants/vet-a", "vet_a", body)[0] == 403
    assert world.call("PUT", "/v1/consultants/owner-a", "admin", body)[0] == 404
    hidden = {**body, "listed": False}
    assert world.call("PUT", "/v1/consultants/vet-a", "admin", hidden)[0] == 200
    assert world.call("GET", "/v1/consultants/vet-a")[0] == 404


def test_vet_sets_availability_and_slots_follow(world: World) -> None:
    hours = {
        "timezone": "Europe/Kyiv",
        "weekly": [{"weekday": "monday", "start": "10:00", "end": "11:00"}],
        "exceptions": [{"date": "2026-06-08", "hours": []}],
        "min_notice_minutes": 0,
        "buffer_minutes": 0,
    }
    status, out = world.call("PUT", "/v1/vet/availability", "vet_a", hours)
    assert status == 200, out
    assert out["weekly"] == [{"weekday": 1, "start": "10:00", "end": "11:00"}]
    assert world.call("GET", "/v1/vet/availability", "vet_a")[1] == out
    status, slots = world.call(
        "GET", "/v1/consultants/vet-a/slots?from=2026-06-01T00:00:00Z&to=2026-06-10T00:00:00Z"
    )
    assert [s["start"] for s in slots["items"]] == ["2026-06-01T07:00:00Z", "2026-06-01T07:30:00Z"]
    assert world.call("PUT", "/v1/vet/availability", "owner_a", hours)[0] == 403


def test_bad_availability_and_ranges_are_400(world: World) -> None:
    base = {"timezone": "Europe/Kyiv", "weekly": [{"weekday": 1, "start": "09:00", "end": "12:00"}]}
    for change in (
        {"timezone": "Mars/Base"},
        {"weekly": [{"weekday": 8, "start": "09:00", "end": "10:00"}]},
        {"weekly": [{"weekday": 1, "start": "12:00", "end": "09:00"}]},
        {
            "weekly": [
                {"weekday": 1, "start": "09:00", "end": "11:00"},
                {"weekday": 1, "start": "10:00", "end": "12:00"},
            ]
        },
        {"exceptions": [{"date": "2026-06-01", "hours": []}, {"date": "2026-06-01", "hours": []}]},
        {"min_notice_minutes": -1},
    ):
        status, problem = world.call("PUT", "/v1/vet/availability", "vet_a", {**base, **change})
        assert (status, problem["code"]) == (400, "validation_error"), change
    status, problem = world.call(
        "GET", "/v1/consultants/vet-a/slots?from=2026-06-01T00:00:00Z&to=2026-07-02T00:00:01Z"
    )
    assert (status, problem["code"]) == (400, "range_too_long")
    status, problem = world.call(
        "GET", "/v1/consultants/vet-a/slots?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z"
    )
    assert (status, problem["code"]) == (400, "validation_error")
    assert world.call("GET", "/v1/consultants/vet-a/slots?from=tomorrow")[0] == 400
