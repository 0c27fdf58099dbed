"""Inputs that once gave a 500 (date arithmetic overflow, forged cursors): every one is
now a 4xx problem."""

from __future__ import annotations

import base64
import json

import pytest

from tests.unit.booking_world import KYIV_MONDAY_9, KYIV_MONDAY_10, World

FAR_INSTANTS = ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-05:00"]


@pytest.mark.parametrize("instant", FAR_INSTANTS)
@pytest.mark.parametrize("bound", ["from", "to"])
def test_slots_from_or_to_in_year_1_or_9999_are_400(world: World, instant: str, bound: str) -> None:
    query = {"from": "2026-06-01T00:00:00Z", "to": "2026-06-02T00:00:00Z", bound: instant}
    path = "/v1/consultants/vet-a/slots?" + "&".join(f"{k}={v}" for k, v in query.items())
    status, problem = world.call("GET", path.replace("+", "%2B"))
    assert (status, problem["code"]) == (400, "validation_error"), problem
    assert bound in {e["field"] for e in problem["errors"]}


@pytest.mark.parametrize("instant", FAR_INSTANTS)
def test_booking_start_in_year_1_or_9999_is_400(world: World, instant: str) -> None:
    status, problem = world.book("owner_a", instant)
    assert (status, problem["code"]) == (400, "validation_error"), problem


@pytest.mark.parametrize("instant", FAR_INSTANTS)
def test_reschedule_start_in_year_1_or_9999_is_400(world: World, instant: str) -> None:
    _, booking = world.book("owner_a", KYIV_MONDAY_9)
    path = f"/v1/bookings/{booking['id']}/reschedule"
    status, problem = world.call("POST", path, "owner_a", {"start": instant})
    assert (status, problem["code"]) == (400, "validation_error"), problem


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_availability_exception_in_year_1_or_9999_is_400(world: World, day: str) -> None:
    hours = {
        "timezone": "Europe/Kyiv",
        "weekly": [{"weekday": 1, "start": "09:00", "end": "11:00"}],
        "exceptions": [{"date": day, "hours": []}],
    }
    status, problem = world.call("PUT", "/v1/vet/availability", "vet_a", hours)
    assert (status, problem["code"]) == (400, "validation_error"), problem


def _unsigned(position: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _lists(world: World) -> list[tuple[str, str | None]]:
    for key, start in (("1", KYIV_MONDAY_9), ("2", KYIV_MONDAY_10)):
        assert world.book("owner_a", start, key=key)[0] == 201
    for text in ("one", "two"):
        body = {"consultant_id": "vet-a", "pet_id": world.pets["owner_a"], "text": text}
        assert world.call("POST", "/v1/questions", "owner_a", body)[0] == 201
    return [("/v1/bookings", "owner_a"), ("/v1/questions", "owner_a"), ("/v1/consultants", None)]


def test_forged_cursor_with_unexpected_keys_is_400_invalid_cursor(world: World) -> None:
    forged = [
        _unsigned({"booking_id": {"S": "x"}, "owner_id": {"S": "owner-a"}, "evil": {"N": "1"}}),
        _unsigned({"owner_id": {"S": "owner-a"}}) + ".AAAAAAAAAAAAAAAAAAAAAA",
        _unsigned("vet-a") + "." + _unsigned("not a signature"),
        "%%%",
    ]
    for path, who in _lists(world):
        for cursor in forged:
            status, problem = world.call("GET", f"{path}?limit=1&cursor={cursor}", who)
            assert (status, problem["code"]) == (400, "invalid_cursor"), (path, cursor)
        assert world.call("GET", f"{path}?cursor={'a' * 5000}", who)[0] == 400


def test_an_altered_or_borrowed_cursor_is_400_invalid_cursor(world: World) -> None:
    for path, who in _lists(world):
        status, page = world.call("GET", f"{path}?limit=1", who)
        assert status == 200
        cursor = page["next_cursor"]
        assert world.call("GET", f"{path}?limit=1&cursor={cursor}", who)[0] == 200
        body, tag = cursor.split(".")
        flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
        for bad in (f"{flipped}.{tag}", f"{body}.{tag[::-1]}"):
            status, problem = world.call("GET", f"{path}?limit=1&cursor={bad}", who)
            assert (status, problem["code"]) == (400, "invalid_cursor"), (path, bad)
        other = "vet_a" if who else None
        if who is not None:  # another caller's cursor (the directory's is public)
            status, problem = world.call("GET", f"{path}?limit=1&cursor={cursor}", other)
            assert (status, problem["code"]) == (400, "invalid_cursor"), path
