"""The access log (P8): a consultant's read of a booking or question, and each list page
a consultant sees, lands in the log of every owner shown, by role only; the owner's own
reads do not; an entry altered in storage breaks the chain that `verify` recomputes."""

from __future__ import annotations

import pytest

from chalicelib.access_log import service
from chalicelib.access_log.models import AccessLogEntry
from tests.unit.booking_world import KYIV_MONDAY_9, KYIV_MONDAY_10, KYIV_MONDAY_930, World


def _log(world: World, who: str, query: str = "") -> list[dict[str, object]]:
    status, body = world.call("GET", f"/v1/me/access-log{query}", who)
    assert status == 200, body
    items: list[dict[str, object]] = body["items"]
    return items


def test_a_consultants_read_of_a_booking_is_in_the_owners_log(world: World) -> None:
    status, booking = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201, booking
    path = f"/v1/bookings/{booking['id']}"
    assert world.call("GET", path, "owner_a")[0] == 200
    assert _log(world, "owner_a") == []
    assert world.call("GET", path, "vet_a")[0] == 200
    assert _log(world, "owner_a") == [
        {
            "at": "2026-05-31T12:00:00Z",
            "actor_role": "consultant",
            "action": "read",
            "resource": f"booking/{booking['id']}",
            "reason": None,
            "recipient": None,
        }
    ]
    assert "vet-a" not in str(_log(world, "owner_a"))
    assert _log(world, "vet_a") == []
    assert world.call("GET", path, "vet_b")[0] == 404
    assert len(_log(world, "owner_a")) == 1


def test_a_consultants_read_of_a_question_is_in_the_owners_log(world: World) -> None:
    body = {"consultant_id": "vet-a", "pet_id": world.pets["owner_a"], "text": "Fleas?"}
    status, question = world.call("POST", "/v1/questions", "owner_a", body)
    assert status == 201, question
    assert world.call("GET", f"/v1/questions/{question['id']}", "vet_a")[0] == 200
    [entry] = _log(world, "owner_a")
    assert (entry["actor_role"], entry["resource"]) == ("consultant", f"question/{question['id']}")


def test_the_log_pages_newest_first(world: World) -> None:
    status, booking = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201
    for _ in range(3):
        world.call("GET", f"/v1/bookings/{booking['id']}", "vet_a")
        world.clock.shift(60)
    status, first = world.call("GET", "/v1/me/access-log?limit=2", "owner_a")
    assert [e["at"] for e in first["items"]] == ["2026-05-31T12:02:00Z", "2026-05-31T12:01:00Z"]
    cursor = first["next_cursor"]
    status, rest = world.call("GET", f"/v1/me/access-log?limit=2&cursor={cursor}", "owner_a")
    assert [e["at"] for e in rest["items"]] == ["2026-05-31T12:00:00Z"]
    assert rest["next_cursor"] is None
    status, problem = world.call("GET", f"/v1/me/access-log?cursor={cursor}", "owner_b")
    assert (status, problem["code"]) == (400, "invalid_cursor")


def test_verify_fails_when_an_entry_is_altered_in_storage(world: World) -> None:
    status, booking = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201
    for _ in range(3):
        world.call("GET", f"/v1/bookings/{booking['id']}", "vet_a")
    status, result = world.call("GET", "/v1/me/access-log/verify", "owner_a")
    assert (status, result) == (200, {"valid": True, "entries": 3, "broken_at": None})
    item = AccessLogEntry.get("owner-a", 2)
    item.update(actions=[AccessLogEntry.actor_role.set("owner")])  # hide who read it
    status, result = world.call("GET", "/v1/me/access-log/verify", "owner_a")
    assert (status, result) == (200, {"valid": False, "entries": 3, "broken_at": 2})


def test_verify_fails_when_an_entry_is_removed_from_storage(world: World) -> None:
    status, booking = world.book("owner_a", KYIV_MONDAY_9)
    assert status == 201
    for _ in range(3):
        world.call("GET", f"/v1/bookings/{booking['id']}", "vet_a")
    AccessLogEntry.get("owner-a", 2).delete()
    status, result = world.call("GET", "/v1/me/access-log/verify", "owner_a")
    assert (status, result) == (200, {"valid": False, "entries": 2, "broken_at": 2})


def test_a_consultants_booking_list_is_in_each_shown_owners_log(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = {}
    for who, start, key in (
        ("owner_a", KYIV_MONDAY_9, "k-1"),
        ("owner_b", KYIV_MONDAY_930, "k-2"),
        ("owner_a", KYIV_MONDAY_10, "k-3"),
    ):
        status, booking = world.book(who, start, key=key)
        assert status == 201, booking
        ids[start] = booking["id"]
    assert world.call("GET", "/v1/bookings", "owner_a")[0] == 200
    assert _log(world, "owner_a") == []  # the owner's own list
    batches: list[int] = []
    original = service.repository.append_many
    monkeypatch.setattr(
        service.repository,
        "append_many",
        lambda entries: (batches.append(len(entries)), original(entries))[1],
    )
    status, page = world.call("GET", "/v1/bookings", "vet_a")
    assert (status, len(page["items"])) == (200, 3)
    assert batches == [2]  # both owners in one write
    assert _log(world, "owner_a") == [
        {
            "at": "2026-05-31T12:00:00Z",
            "actor_role": "consultant",
            "action": "list_bookings",
            "resource": f"booking/{ids[KYIV_MONDAY_10]}, booking/{ids[KYIV_MONDAY_9]}",
            "reason": None,
            "recipient": None,
        }
    ]
    [bohdan] = _log(world, "owner_b")
    assert (bohdan["action"], bohdan["resource"]) == (
        "list_bookings",
        f"booking/{ids[KYIV_MONDAY_930]}",
    )
    status, first = world.call("GET", "/v1/bookings?limit=1", "vet_a")
    assert [b["id"] for b in first["items"]] == [ids[KYIV_MONDAY_10]]
    assert len(_log(world, "owner_a")) == 2
    assert len(_log(world, "owner_b")) == 1  # not on that page
    assert world.call("GET", "/v1/bookings", "vet_b")[1]["items"] == []
    assert "vet-a" not in str(_log(world, "owner_a"))
    status, check = world.call("GET", "/v1/me/access-log/verify", "owner_a")
    assert check == {"valid": True, "entries": 2, "broken_at": None}


def test_a_consultants_question_list_is_in_the_owners_log(world: World) -> None:
    asked = []
    for text in ("Fleas?", "Ticks?"):
        body = {"consultant_id": "vet-a", "pet_id": world.pets["owner_a"], "text": text}
        status, question = world.call("POST", "/v1/questions", "owner_a", body)
        assert status == 201, question
        asked.append(question["id"])
        world.clock.shift(60)
    assert world.call("GET", "/v1/questions", "owner_a")[0] == 200
    assert _log(world, "owner_a") == []
    status, page = world.call("GET", "/v1/questions", "vet_a")
    assert [q["id"] for q in page["items"]] == asked[::-1]
    [entry] = _log(world, "owner_a")
    assert (entry["actor_role"], entry["action"], entry["resource"]) == (
        "consultant",
        "list_questions",
        f"question/{asked[1]}, question/{asked[0]}",
    )
